package localapi

import (
	"context"
	"strings"
	"testing"

	"cairn/node/api/apitest"

	"github.com/ethereum/go-ethereum/params"
)

// TestSendRawTxsRoundTrip posts a batch through the client and the real
// server: admitted items get their hashes, bad ones their own errors, in
// order, and the pool holds exactly the admitted ones.
func TestSendRawTxsRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var raws [][]byte
	var want []string
	for n := uint64(0); n < 5; n++ {
		tx := f.dynTx(key0, n, &addr1, gwei, params.TxGas, nil)
		raw, _ := tx.MarshalBinary()
		raws = append(raws, raw)
		want = append(want, tx.Hash().Hex())
	}
	poor, _ := f.dynTx(keyPoor, 0, &addr1, gwei, params.TxGas, nil).MarshalBinary()
	raws = append(raws[:2], append([][]byte{poor, {0x02, 0x01}}, raws[2:]...)...)
	want = append(want[:2], append([]string{"insufficient_funds", "malformed"}, want[2:]...)...)
	res, err := f.client.SendRawTxs(ctx, raws)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d", len(res), len(want))
	}
	for i, r := range res {
		switch {
		case strings.HasPrefix(want[i], "0x"):
			if r.Hash == nil || r.Hash.Hex() != want[i] || r.Error != nil {
				t.Fatalf("item %d: %+v, want hash %s", i, r, want[i])
			}
		default:
			if r.Error == nil || r.Error.Code != want[i] || r.Hash != nil {
				t.Fatalf("item %d: %+v, want error %s", i, r, want[i])
			}
		}
	}
	if st := f.pool.Stats(); st.Pending != 5 {
		t.Fatalf("pool has %d pending, want 5", st.Pending)
	}

	// The single form answers as before.
	tx := f.dynTx(key0, 5, &addr1, gwei, params.TxGas, nil)
	f.send(tx)
}

// TestSendRawTxsMalformed checks that a batch that is not valid JSON, not
// hex, empty or too long is a 400 and submits nothing.
func TestSendRawTxsMalformed(t *testing.T) {
	f := newFixture(t)
	good := rawHex(t, f.dynTx(key0, 0, &addr1, gwei, params.TxGas, nil))
	bodies := []string{
		`{"txs":["` + good + `",]}`,
		`{"txs":["` + good + `","0xzz"]}`,
		`{"txs":["` + good + `",""]}`,
		`{"txs":[]}`,
		`{"txs":["` + good + `"],"raw":"` + good + `"}`,
		`{"txs":"` + good + `"}`,
		`{"txs":[` + strings.Repeat(`"0x01",`, 1000) + `"0x01"]}`,
	}
	for _, b := range bodies {
		code, body := f.do("POST", "/v1/txs", b)
		if code != 400 {
			t.Fatalf("body %.80s: %d %s, want 400", b, code, body)
		}
		if apitest.JSONMap(t, body)["error"] == nil {
			t.Fatalf("body %.80s: no error object in %s", b, body)
		}
	}
	if st := f.pool.Stats(); st.Pending+st.Queued != 0 {
		t.Fatalf("malformed batches changed the pool: %+v", st)
	}
}
