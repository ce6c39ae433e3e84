package node

import (
	"math/big"
	"testing"
	"time"

	"cairn/node/clock"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// TestSubmittedTransactionsGoOutInBatches: transactions admitted here wait
// a few milliseconds on the node's clock and leave as one message; a full
// batch leaves at once.
func TestSubmittedTransactionsGoOutInBatches(t *testing.T) {
	hub := transport.NewHub()
	out, _ := hub.Join("me", &txServer{})
	peer, _ := hub.Join("peer", &txServer{})
	sim := clock.NewSim(time.Unix(1_800_000_000, 0))
	b := &txBatcher{tr: out, clock: sim, logf: t.Logf}
	txs := transfers(t, big.NewInt(7777), devKey0, txBatchMax+3)
	for _, tx := range txs[:3] {
		b.add(tx)
	}
	select {
	case m := <-peer.Messages():
		t.Fatalf("sent before the batch delay: %d bytes", len(m.Data))
	default:
	}
	sim.Advance(txBatchDelay)
	if got := batchOf(t, receive(t, peer)); len(got) != 3 || got[0] != txs[0].Hash() || got[2] != txs[2].Hash() {
		t.Fatalf("first batch %v", got)
	}
	for _, tx := range txs[3:] {
		b.add(tx)
	}
	if got := batchOf(t, receive(t, peer)); len(got) != txBatchMax || got[0] != txs[3].Hash() {
		t.Fatalf("full batch of %d, want %d", len(got), txBatchMax)
	}
	if n := sim.Pending(); n != 0 {
		t.Fatalf("%d timers left after a full batch went out", n)
	}
}

func receive(t *testing.T, tr transport.Transport) transport.Message {
	t.Helper()
	select {
	case m := <-tr.Messages():
		return m
	case <-time.After(waitLimit):
		t.Fatal("no message")
	}
	return transport.Message{}
}

func batchOf(t *testing.T, m transport.Message) []any {
	t.Helper()
	raws, err := decodeTxBatch(m.Data)
	if err != nil || m.Topic != transport.TopicTx {
		t.Fatalf("topic %s: %v", m.Topic, err)
	}
	var out []any
	for _, raw := range raws {
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(raw); err != nil {
			t.Fatal(err)
		}
		out = append(out, tx.Hash())
	}
	return out
}

// TestGossipedBatchesAreAdmittedOrBlamed: a batch with anything new is
// admitted and passed on; one with nothing new is dropped quietly; one
// holding a transaction no node could admit is rejected.
func TestGossipedBatchesAreAdmittedOrBlamed(t *testing.T) {
	n := follower(t)
	txs := transfers(t, n.Chain().ChainID(), devKey0, 4)
	batch := func(txs ...*types.Transaction) []byte {
		data, err := rlp.EncodeToBytes(encodeTxs(t, txs))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	otherChain := transfers(t, big.NewInt(1), devKey0, 1)[0]
	for _, tc := range []struct {
		name string
		data []byte
		want transport.Verdict
	}{
		{"new transactions", batch(txs[0], txs[1]), transport.Accept},
		{"known ones", batch(txs[0], txs[1]), transport.Ignore},
		{"one new among known", batch(txs[1], txs[2]), transport.Accept},
		{"one for another chain", batch(txs[3], otherChain), transport.Reject},
		{"not a list", []byte{0xde, 0xad}, transport.Reject},
		{"an empty list", batch(), transport.Reject},
	} {
		if got, _ := n.validateTx("peer", tc.data); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if st := n.Pool().Stats(); st.Pending+st.Queued != 4 {
		t.Fatalf("pool holds %d, want the 4 good transactions", st.Pending+st.Queued)
	}
}
