package snapshot

import (
	"testing"

	"github.com/ethereum/go-ethereum/core/rawdb"
)

// testMaxBytes makes range chunks small, so the big storage tries and
// every account interval span several chunks.
const testMaxBytes = 16 << 10

func TestSnapshotRoundTrip(t *testing.T) {
	ts := sharedState(t)
	for _, intervals := range []int{16} {
		dst := rawdb.NewMemoryDatabase()
		plan, err := NewPlan(ts.root, dst, Options{Intervals: intervals, MaxBytes: testMaxBytes})
		if err != nil {
			t.Fatal(err)
		}
		if refused := download(t, plan, roundTrip(NewKVServer(ts.kv))); refused != 0 {
			t.Fatalf("%d honest chunks refused", refused)
		}
		pr := plan.Progress()
		if pr.Accounts != uint64(len(ts.addrs)) {
			t.Fatalf("%d accounts written, want %d", pr.Accounts, len(ts.addrs))
		}
		checkSame(t, ts, dst)
	}
}
