package mempool

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// poolView is what two pools are compared by: every entry in order, with
// stats.
type poolView struct {
	Entries []string
	Stats   Stats
}

func viewOf(p *Pool) poolView {
	var v poolView
	for _, e := range p.Pending() {
		v.Entries = append(v.Entries, e.Tx.Hash().Hex()+"/"+e.From.Hex()+"/"+map[bool]string{true: "q", false: "p"}[e.Queued])
	}
	v.Stats = p.Stats()
	return v
}

func rawOf(t testing.TB, tx *types.Transaction) []byte {
	t.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestAddRawBatchMatchesSerial admits a batch with valid transactions,
// a replacement, duplicates, a nonce gap, a wrong-chain one and undecodable
// bytes, and compares results, callbacks and state with AddRawFrom one
// by one on a second pool, with eviction in play (MaxCount 12).
func TestAddRawBatchMatchesSerial(t *testing.T) {
	other := types.LatestSignerForChainID(testChainID)
	_ = other
	var raws [][]byte
	for n := uint64(0); n < 4; n++ {
		for s := 0; s < 4; s++ {
			raws = append(raws, rawOf(t, dyn(testKey(s), n, 100, int64(1+s))))
		}
	}
	raws = append(raws,
		rawOf(t, dyn(testKey(0), 1, 200, 20)),   // replacement of nonce 1
		raws[3],                                 // duplicate
		[]byte{0x02, 0xff, 0x00},                // malformed
		nil,                                     // empty
		rawOf(t, dyn(testKey(5), 3000, 100, 1)), // nonce gap over the limit
		rawOf(t, dynWith(testKey(6), &types.DynamicFeeTx{Nonce: 0, GasFeeCap: gw(100), GasTipCap: gw(1), Gas: 1000, To: &testTo})), // intrinsic gas
		rawOf(t, dyn(testKey(7), 0, 100, 50)), // evicts a lower-ranked one
	)
	type event struct {
		Kind string
		Hash common.Hash
		From common.Address
		Why  string
	}
	newPool := func(log *[]event) *Pool {
		cfg := testConfig()
		cfg.MaxCount = 12
		cfg.OnAdd = func(tx *types.Transaction, from common.Address, o Origin) {
			*log = append(*log, event{"add", tx.Hash(), from, map[Origin]string{Local: "local", Remote: "remote"}[o]})
		}
		cfg.OnRemove = func(tx *types.Transaction, from common.Address, reason string) {
			*log = append(*log, event{"remove", tx.Hash(), from, reason})
		}
		p, _ := newTestPool(t, cfg)
		return p
	}
	var serialLog, batchLog []event
	serial, batch := newPool(&serialLog), newPool(&batchLog)
	var serialErrs []string
	for _, raw := range raws {
		_, err := serial.AddRawFrom(raw, Remote)
		serialErrs = append(serialErrs, errString(err))
	}
	res, err := batch.AddRawBatch(raws, Remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(raws) {
		t.Fatalf("%d results for %d transactions", len(res), len(raws))
	}
	rejected := 0
	for i, r := range res {
		if got := errString(r.Err); got != serialErrs[i] {
			t.Fatalf("item %d: batch %q, serial %q", i, got, serialErrs[i])
		}
		if r.Err != nil {
			rejected++
			if _, ok := IsReject(r.Err); !ok {
				t.Fatalf("item %d: error %v is not a RejectError", i, r.Err)
			}
		} else if r.Tx == nil || !reflect.DeepEqual(r.Tx.Hash(), mustHash(t, raws[i])) {
			t.Fatalf("item %d: admitted without its transaction", i)
		}
	}
	if rejected < 5 {
		t.Fatalf("only %d rejections: the test set lost its bad items", rejected)
	}
	wantReject(t, res[18].Err, ReasonMalformed)
	if !reflect.DeepEqual(viewOf(serial), viewOf(batch)) {
		t.Fatalf("pools differ:\nserial %+v\nbatch  %+v", viewOf(serial), viewOf(batch))
	}
	if !reflect.DeepEqual(serialLog, batchLog) {
		t.Fatalf("callbacks differ:\nserial %v\nbatch  %v", serialLog, batchLog)
	}
	if n := countKind(batchLog, "remove"); n < 2 {
		t.Fatalf("%d removals, want the replacement and an eviction", n)
	}
}

func countKind[T any](log []T, kind string) int {
	n := 0
	for _, e := range log {
		if reflect.ValueOf(e).Field(0).String() == kind {
			n++
		}
	}
	return n
}

func mustHash(t testing.TB, raw []byte) common.Hash {
	t.Helper()
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	return tx.Hash()
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestAddRawBatchOversize(t *testing.T) {
	p, _ := newTestPool(t, testConfig())
	one := rawOf(t, dyn(testKey(0), 0, 100, 1))
	many := make([][]byte, MaxBatchTxs+1)
	for i := range many {
		many[i] = one
	}
	if _, err := p.AddRawBatch(many, Local); !errors.Is(err, ErrBatchTooLarge) {
		t.Fatalf("batch of %d: %v, want ErrBatchTooLarge", len(many), err)
	}
	big := [][]byte{one, make([]byte, MaxBatchBytes)}
	if _, err := p.AddRawBatch(big, Local); !errors.Is(err, ErrBatchTooLarge) {
		t.Fatalf("batch of %d bytes: %v, want ErrBatchTooLarge", MaxBatchBytes+len(one), err)
	}
	if st := p.Stats(); st.Pending+st.Queued != 0 {
		t.Fatalf("refused batch changed the pool: %+v", st)
	}
	if res, err := p.AddRawBatch(nil, Local); err != nil || len(res) != 0 {
		t.Fatalf("empty batch: %v, %v", res, err)
	}
}

// TestAddRawBatchUsesSigner checks that the batch recovers through the
// configured signer, so the node's sender cache is filled.
func TestAddRawBatchUsesSigner(t *testing.T) {
	cs := &countSigner{Signer: testSigner}
	cfg := testConfig()
	cfg.Signer = cs
	p, _ := newTestPool(t, cfg)
	var raws [][]byte
	for s := 0; s < 40; s++ {
		raws = append(raws, rawOf(t, dyn(testKey(s), 0, 100, 1)))
	}
	res, err := p.AddRawBatch(raws, Local)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("item %d: %v", i, r.Err)
		}
	}
	if n := cs.n.Load(); n != int64(len(raws)) {
		t.Fatalf("%d recoveries through the configured signer, want %d", n, len(raws))
	}
}
