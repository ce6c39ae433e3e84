package transport

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

type blocks map[uint64]*chain.Block

func (b blocks) Status() Status { return Status{Head: uint64(len(b))} }

func (b blocks) ProposalTxs(common.Hash, []uint32) ([][]byte, error) {
	return nil, errors.New("no proposals")
}

func (b blocks) FinalizedBlock(h uint64) (*chain.Block, *chain.Commit, error) {
	blk, ok := b[h]
	if !ok {
		return nil, nil, errors.New("unknown")
	}
	return blk, &chain.Commit{Height: h, BlockHash: blk.Hash()}, nil
}

func receive(t *testing.T, tr Transport) Message {
	t.Helper()
	select {
	case m := <-tr.Messages():
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
	return Message{}
}

func nothing(t *testing.T, tr Transport) {
	t.Helper()
	select {
	case m := <-tr.Messages():
		t.Fatalf("unexpected message %+v", m)
	default:
	}
}

func join(t *testing.T, h *Hub, n int) []Transport {
	var out []Transport
	for i := 0; i < n; i++ {
		tr, err := h.Join(PeerID(fmt.Sprintf("n%d", i)), blocks{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	return out
}

func TestBroadcastReachesLinkedPeersOnly(t *testing.T) {
	h := NewHub()
	ts := join(t, h, 3)
	ts[0].Broadcast(TopicConsensus, []byte("vote"))
	for _, tr := range ts[1:] {
		if m := receive(t, tr); m.From != "n0" || string(m.Data) != "vote" || m.Topic != TopicConsensus {
			t.Fatalf("got %+v", m)
		}
	}
	nothing(t, ts[0])

	h.Cut("n0", "n2")
	ts[0].Broadcast(TopicTx, []byte("tx"))
	receive(t, ts[1])
	nothing(t, ts[2])
	if got := ts[0].Peers(); len(got) != 1 || got[0].ID != "n1" {
		t.Fatalf("peers after cut: %v", got)
	}
	h.Heal()
	ts[0].Broadcast(TopicTx, []byte("tx2"))
	if m := receive(t, ts[2]); string(m.Data) != "tx2" {
		t.Fatalf("after heal: %+v", m)
	}
}

func TestBroadcastCopiesData(t *testing.T) {
	h := NewHub()
	ts := join(t, h, 2)
	data := []byte("abc")
	ts[0].Broadcast(TopicTx, data)
	data[0] = 'X'
	if m := receive(t, ts[1]); string(m.Data) != "abc" {
		t.Fatalf("receiver saw the sender's later change: %q", m.Data)
	}
}

func TestFullInboxDropsAndCounts(t *testing.T) {
	h := NewHub()
	ts := join(t, h, 2)
	for i := 0; i < inboxSize+10; i++ {
		ts[0].Broadcast(TopicTx, []byte{1})
	}
	if got := h.Dropped("n1"); got != 10 {
		t.Fatalf("dropped %d, want 10", got)
	}
}

func TestFetchBlockAsksReachablePeers(t *testing.T) {
	h := NewHub()
	b := &chain.Block{Header: &chain.Header{Height: 5, ParentHash: common.HexToHash("0x01")}}
	a, _ := h.Join("a", blocks{})
	h.Join("b", blocks{5: b})
	got, c, err := a.FetchBlock(context.Background(), 5)
	if err != nil || got.Hash() != b.Hash() || c.BlockHash != b.Hash() {
		t.Fatalf("fetch: %v", err)
	}
	if got == b {
		t.Fatal("fetch shared the peer's block instead of copying it")
	}
	if _, _, err := a.FetchBlock(context.Background(), 6); !errors.Is(err, ErrNoPeerHasIt) {
		t.Fatalf("missing block: %v", err)
	}
	h.Isolate("a")
	if _, _, err := a.FetchBlock(context.Background(), 5); !errors.Is(err, ErrNoPeerHasIt) {
		t.Fatalf("isolated node fetched: %v", err)
	}
}

func TestCloseLeavesAndRejoinWorks(t *testing.T) {
	h := NewHub()
	ts := join(t, h, 2)
	ts[1].Close()
	ts[1].Close()
	if err := ts[0].Broadcast(TopicTx, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-ts[1].Messages(); ok {
		t.Fatal("closed transport still delivers")
	}
	again, err := h.Join("n1", blocks{})
	if err != nil {
		t.Fatalf("rejoin after close: %v", err)
	}
	ts[0].Broadcast(TopicTx, []byte{2})
	receive(t, again)
	if _, err := h.Join("n0", blocks{}); err == nil {
		t.Fatal("two nodes joined under one ID")
	}
}
