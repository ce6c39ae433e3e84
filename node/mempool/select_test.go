package mempool

import (
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
)

func TestSelectOrder(t *testing.T) {
	p, _ := newTestPool(t, testConfig())
	a, b, c := testKey(0), testKey(1), testKey(2)
	a0, a1, a2 := dyn(a, 0, 10, 3), dyn(a, 1, 10, 1), dyn(a, 2, 10, 5)
	b0, b1 := dyn(b, 0, 10, 2), dyn(b, 1, 10, 4)
	// At base fee 1 the effective tip of c0 is min(3, 3-1) = 2, equal to
	// b0's; b0 arrived first.
	c0 := dyn(c, 0, 3, 3)
	for _, tx := range []*types.Transaction{a0, a1, a2, b0, b1, c0} {
		mustAdd(t, p, tx)
	}

	want := []*types.Transaction{a0, b0, b1, c0, a1, a2}
	s := p.Select(gw(1))
	for i, w := range want {
		tx := s.Peek()
		if tx != w {
			t.Fatalf("position %d: got nonce %d of %s, want %s", i, tx.Nonce(), s.PeekSender(), w.Hash())
		}
		s.Shift()
	}
	if s.Peek() != nil || s.Len() != 0 {
		t.Fatal("selection not exhausted")
	}
	s.Shift() // no-ops on an empty selection
	s.Pop()

	// Pop skips the rest of a sender.
	s = p.Select(gw(1))
	if s.Peek() != a0 || s.PeekSender() != addrOf(a) {
		t.Fatal("first pick should be a0")
	}
	s.Pop()
	got := drain(s)
	if len(got) != 3 || got[0] != b0 || got[1] != b1 || got[2] != c0 {
		t.Fatalf("after Pop got %d txs, want b0 b1 c0", len(got))
	}

	// Base fee 4 excludes c0 (fee cap 3).
	got = drain(p.Select(gw(4)))
	if len(got) != 5 {
		t.Fatalf("at base fee 4 got %d txs, want 5", len(got))
	}
	for _, tx := range got {
		if tx == c0 {
			t.Fatal("c0 selected below its fee cap")
		}
	}
}

func TestSelectCutsRunAtLowFeeCap(t *testing.T) {
	p, _ := newTestPool(t, testConfig())
	k := testKey(0)
	d0, d1, d2 := dyn(k, 0, 10, 1), dyn(k, 1, 3, 1), dyn(k, 2, 10, 1)
	for _, tx := range []*types.Transaction{d0, d1, d2} {
		mustAdd(t, p, tx)
	}
	got := drain(p.Select(gw(5)))
	if len(got) != 1 || got[0] != d0 {
		t.Fatalf("got %d txs, want only d0: d1 cannot pay base fee 5 and d2 needs d1", len(got))
	}
}

func TestSelectIsASnapshot(t *testing.T) {
	p, _ := newTestPool(t, testConfig())
	a, b := testKey(0), testKey(1)
	a0, a1 := dyn(a, 0, 10, 1), dyn(a, 1, 10, 1)
	mustAdd(t, p, a0)
	mustAdd(t, p, a1)
	s := p.Select(gw(1))
	// Changes after Select do not reach the selection.
	mustAdd(t, p, dyn(b, 0, 100, 50))
	p.Remove(a1.Hash(), "test")
	got := drain(s)
	if len(got) != 2 || got[0] != a0 || got[1] != a1 {
		t.Fatalf("snapshot gave %d txs, want a0 a1", len(got))
	}
}
