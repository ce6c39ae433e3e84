package mempool

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// removals records OnRemove calls by transaction hash.
type removals map[common.Hash]string

func (r removals) hook(tx *types.Transaction, _ common.Address, reason string) { r[tx.Hash()] = reason }

func TestEvictByCount(t *testing.T) {
	gone := removals{}
	cfg := testConfig()
	cfg.MaxCount = 3
	cfg.OnRemove = gone.hook
	p, _ := newTestPool(t, cfg)
	a, b, c, d := testKey(0), testKey(1), testKey(2), testKey(3)

	a0, a1, b0 := dyn(a, 0, 10, 1), dyn(a, 1, 10, 1), dyn(b, 0, 10, 3)
	mustAdd(t, p, a0)
	mustAdd(t, p, a1)
	mustAdd(t, p, b0)

	// Full: a better-paying newcomer evicts the cheapest sender's highest
	// nonce, never the nonce its later transactions depend on.
	c0 := dyn(c, 0, 10, 2)
	mustAdd(t, p, c0)
	if !p.Has(a0.Hash()) || p.Has(a1.Hash()) {
		t.Fatalf("after eviction a0 pooled %v, a1 pooled %v; want a1 evicted", p.Has(a0.Hash()), p.Has(a1.Hash()))
	}
	if gone[a1.Hash()] != DropEvicted {
		t.Fatalf("a1 removal reason %q, want %q", gone[a1.Hash()], DropEvicted)
	}

	// Paying the same as the lowest is not enough.
	wantReject(t, p.Add(dyn(d, 0, 10, 1)), ReasonPoolFull)
	checkCounts(t, p, 3, 0)

	// Paying more is.
	d0 := dyn(d, 0, 10, 5)
	mustAdd(t, p, d0)
	if p.Has(a0.Hash()) || gone[a0.Hash()] != DropEvicted {
		t.Fatal("a0 was not evicted for d0")
	}
	checkCounts(t, p, 3, 0)
}

func TestEvictNeverGapsOwnSender(t *testing.T) {
	cfg := testConfig()
	cfg.MaxCount = 2
	p, _ := newTestPool(t, cfg)
	a, b := testKey(0), testKey(1)
	a0, b0 := dyn(a, 0, 10, 1), dyn(b, 0, 10, 5)
	mustAdd(t, p, a0)
	mustAdd(t, p, b0)
	// a1 pays most; the cheapest transaction is a0, but evicting it would
	// strand a1 behind a gap, so b0 (the cheapest other tail) goes.
	a1 := dyn(a, 1, 200, 100)
	mustAdd(t, p, a1)
	if !p.Has(a0.Hash()) || !p.Has(a1.Hash()) || p.Has(b0.Hash()) {
		t.Fatalf("pooled a0=%v a1=%v b0=%v, want a0 and a1", p.Has(a0.Hash()), p.Has(a1.Hash()), p.Has(b0.Hash()))
	}
	checkCounts(t, p, 2, 0)
}

func TestEvictQueuedBeforePending(t *testing.T) {
	cfg := testConfig()
	cfg.MaxCount = 2
	p, _ := newTestPool(t, cfg)
	a, b, c := testKey(0), testKey(1), testKey(2)
	a0, b1 := dyn(a, 0, 10, 1), dyn(b, 1, 10, 9) // b1 waits for b's nonce 0
	mustAdd(t, p, a0)
	mustAdd(t, p, b1)
	checkCounts(t, p, 1, 1)
	mustAdd(t, p, dyn(c, 0, 10, 2))
	if p.Has(b1.Hash()) || !p.Has(a0.Hash()) {
		t.Fatal("a pending newcomer should displace the queued transaction first")
	}
	// A queued newcomer does not displace pending ones that pay less.
	wantReject(t, p.Add(dyn(b, 1, 100, 50)), ReasonPoolFull)
	checkCounts(t, p, 2, 0)
}

func TestEvictUnderpricedFirst(t *testing.T) {
	cfg := testConfig()
	cfg.MaxCount = 2
	p, st := newTestPool(t, cfg)
	a, b, c := testKey(0), testKey(1), testKey(2)
	a0, b0 := dyn(a, 0, 2, 2), dyn(b, 0, 20, 1)
	mustAdd(t, p, a0)
	mustAdd(t, p, b0)
	// The base fee rises above a0's fee cap: a0 stays but ranks lowest.
	p.Update(st, gw(5))
	if !p.Has(a0.Hash()) {
		t.Fatal("Update dropped a transaction for a risen base fee")
	}
	mustAdd(t, p, dyn(c, 0, 20, 1))
	if p.Has(a0.Hash()) || !p.Has(b0.Hash()) {
		t.Fatal("the transaction below the base fee should be evicted first")
	}
}

// paddedTx is an EIP-1559 transfer carrying n bytes of calldata.
func paddedTx(k int, nonce uint64, tip int64, n int) *types.Transaction {
	return dynWith(testKey(k), &types.DynamicFeeTx{Nonce: nonce, GasFeeCap: gw(10), GasTipCap: gw(tip), Gas: 100_000,
		To: &testTo, Data: bytes.Repeat([]byte{1}, n)})
}

// footprint is the memory a sender's only pooled transaction is accounted
// at: its own and its sender's.
func footprint(tx *types.Transaction) int {
	return memCost(tx, int(tx.Size())) + accountMemOverhead
}

func TestEvictByBytes(t *testing.T) {
	gone := removals{}
	a, b, c := paddedTx(0, 0, 1, 100), paddedTx(1, 0, 2, 100), paddedTx(2, 0, 3, 100)
	cfg := testConfig()
	cfg.MaxBytes = footprint(a) + footprint(b) + footprint(c)
	cfg.OnRemove = gone.hook
	p, _ := newTestPool(t, cfg)
	for _, tx := range []*types.Transaction{a, b, c} {
		mustAdd(t, p, tx)
	}

	// A transaction larger than one small tx but not two needs two evictions.
	cheap := paddedTx(3, 0, 2, 250) // pays no more than b: cannot make room
	big := paddedTx(3, 0, 5, 250)
	if footprint(big) <= footprint(a) || footprint(big) > footprint(a)+footprint(b) {
		t.Fatalf("test setup: big tx takes %d bytes, small ones %d and %d", footprint(big), footprint(a), footprint(b))
	}
	wantReject(t, p.Add(cheap), ReasonPoolFull)
	if !p.Has(a.Hash()) || len(gone) != 0 {
		t.Fatal("a failed admission evicted transactions")
	}
	mustAdd(t, p, big)
	if p.Has(a.Hash()) || p.Has(b.Hash()) || !p.Has(c.Hash()) {
		t.Fatalf("pooled a=%v b=%v c=%v, want only c left of them", p.Has(a.Hash()), p.Has(b.Hash()), p.Has(c.Hash()))
	}
	if gone[a.Hash()] != DropEvicted || gone[b.Hash()] != DropEvicted {
		t.Fatalf("removal reasons %v", gone)
	}
	if st := p.Stats(); st.Memory > cfg.MaxBytes || st.Memory != footprint(big)+footprint(c) || st.Bytes != int(big.Size()+c.Size()) {
		t.Fatalf("pool holds %d bytes in %d of memory, limit %d", st.Bytes, st.Memory, cfg.MaxBytes)
	}

	// A transaction larger than the whole pool can never fit.
	cfg.MaxBytes = footprint(a)
	p2, _ := newTestPool(t, cfg)
	wantReject(t, p2.Add(big), ReasonPoolFull)
	checkCounts(t, p2, 0, 0)
}

func TestUpdateAfterBlock(t *testing.T) {
	gone := removals{}
	cfg := testConfig()
	cfg.OnRemove = gone.hook
	p, st := newTestPool(t, cfg)
	a, b, c, d := testKey(0), testKey(1), testKey(2), testKey(3)

	var as []*types.Transaction
	for n := uint64(0); n < 5; n++ {
		as = append(as, dyn(a, n, 10, 1))
		mustAdd(t, p, as[n])
	}
	b1, b2 := dyn(b, 1, 10, 1), dyn(b, 2, 10, 1)
	mustAdd(t, p, b1)
	mustAdd(t, p, b2)
	c0 := dyn(c, 0, 10, 1)
	mustAdd(t, p, c0)
	d0 := dyn(d, 0, 2, 1)
	mustAdd(t, p, d0)
	checkCounts(t, p, 7, 2)

	// The block included a0, a1, b0 (from elsewhere) and c0; a's balance
	// now covers two and a half of its remaining transactions; the base
	// fee rose above d0's fee cap.
	cost := as[0].Cost()
	st.nonces[addrOf(a)] = 2
	st.balances[addrOf(a)] = new(big.Int).Add(new(big.Int).Mul(cost, big.NewInt(2)), new(big.Int).Div(cost, big.NewInt(2)))
	st.nonces[addrOf(b)] = 1
	st.nonces[addrOf(c)] = 1
	p.Update(st, gw(3))

	want := map[common.Hash]string{
		as[0].Hash(): DropStale, as[1].Hash(): DropStale, c0.Hash(): DropStale,
		as[4].Hash(): DropUnfundable,
	}
	if len(gone) != len(want) {
		t.Fatalf("removed %v, want %v", gone, want)
	}
	for h, r := range want {
		if gone[h] != r {
			t.Errorf("tx %s removed with %q, want %q", h, gone[h], r)
		}
	}
	// a2, a3 pending; b1, b2 promoted; d0 kept though not selectable now.
	checkCounts(t, p, 5, 0)
	if s := p.Stats(); s.Senders != 3 {
		t.Fatalf("%d senders, want 3 (c is gone)", s.Senders)
	}
	if n := p.PendingNonce(addrOf(b)); n != 3 {
		t.Fatalf("b pending nonce %d, want 3", n)
	}
	if got := drain(p.Select(gw(3))); len(got) != 4 {
		t.Fatalf("selection at the new base fee has %d txs, want 4 (not d0)", len(got))
	}
	if got := drain(p.Select(gw(2))); len(got) != 5 {
		t.Fatalf("selection at a lower base fee has %d txs, want 5", len(got))
	}
	// New transactions must meet the new base fee.
	wantReject(t, p.Add(dyn(d, 1, 2, 1)), ReasonFeeTooLow)
	// An account's nonce is re-read: a's next nonce is now 4.
	wantReject(t, p.Add(dyn(a, 1, 10, 1)), ReasonNonceTooLow)
}

func TestRemoveQueuesFollowers(t *testing.T) {
	gone := removals{}
	cfg := testConfig()
	cfg.OnRemove = gone.hook
	p, _ := newTestPool(t, cfg)
	k := testKey(0)
	var txs []*types.Transaction
	for n := uint64(0); n < 4; n++ {
		txs = append(txs, dyn(k, n, 10, 1))
		mustAdd(t, p, txs[n])
	}
	if !p.Remove(txs[1].Hash(), "timeout") {
		t.Fatal("Remove of a pooled tx reported false")
	}
	if gone[txs[1].Hash()] != "timeout" {
		t.Fatalf("OnRemove reason %q, want timeout", gone[txs[1].Hash()])
	}
	checkCounts(t, p, 1, 2)
	if e, ok := p.Lookup(txs[2].Hash()); !ok || !e.Queued {
		t.Fatalf("nonce 2 after removing nonce 1: %+v, %v; want queued", e, ok)
	}
	if got := drain(p.Select(gw(1))); len(got) != 1 || got[0] != txs[0] {
		t.Fatal("only nonce 0 should stay selectable")
	}
	if p.Remove(txs[1].Hash(), "again") || p.Remove(common.Hash{1}, "unknown") {
		t.Fatal("Remove of an unknown tx reported true")
	}
	mustAdd(t, p, txs[1])
	checkCounts(t, p, 4, 0)
	// Removing the only transaction forgets the sender.
	for _, tx := range txs {
		p.Remove(tx.Hash(), "test")
	}
	if s := p.Stats(); s != (Stats{}) {
		t.Fatalf("empty pool has stats %+v", s)
	}
}

func TestReplacementThatCannotFitRestoresOriginal(t *testing.T) {
	a, b := paddedTx(0, 0, 1, 100), paddedTx(1, 0, 9, 100)
	cfg := testConfig()
	cfg.MaxBytes = footprint(a) + footprint(b)
	p, _ := newTestPool(t, cfg)
	mustAdd(t, p, a)
	mustAdd(t, p, b)
	// A bumped replacement of a that is larger needs room only b could
	// give, and b pays more: the replacement fails and a stays.
	bigger := dynWith(testKey(0), &types.DynamicFeeTx{Nonce: 0, GasFeeCap: gw(20), GasTipCap: gw(2), Gas: 100_000,
		To: &testTo, Data: bytes.Repeat([]byte{1}, 150)})
	wantReject(t, p.Add(bigger), ReasonPoolFull)
	if !p.Has(a.Hash()) || !p.Has(b.Hash()) || p.Has(bigger.Hash()) {
		t.Fatal("a failed replacement changed the pool")
	}
	checkCounts(t, p, 2, 0)
	checkInvariants(t, p)
}
