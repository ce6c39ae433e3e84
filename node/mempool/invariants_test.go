package mempool

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// checkInvariants verifies the pool's internal bookkeeping against a
// recount from scratch.
func checkInvariants(t *testing.T, p *Pool) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	var count, bytes, mem, pending, queued int
	for addr, acc := range p.accounts {
		if acc.addr != addr || len(acc.txs) == 0 {
			t.Fatalf("account %s: addr %s, %d txs", addr, acc.addr, len(acc.txs))
		}
		if acc.heapIdx < 0 || acc.heapIdx >= len(p.evict.items) || p.evict.items[acc.heapIdx] != acc || acc.planned != 0 {
			t.Fatalf("account %s: heap index %d, planned %d", addr, acc.heapIdx, acc.planned)
		}
		var cost uint256.Int
		run := 0
		for i, e := range acc.txs {
			if e.from != addr || p.all[e.hash] != e {
				t.Fatalf("account %s: entry %d not indexed", addr, i)
			}
			if e.nonce < acc.nonce || (i > 0 && e.nonce <= acc.txs[i-1].nonce) {
				t.Fatalf("account %s: nonces out of order at %d", addr, i)
			}
			if e.nonce == acc.nonce+uint64(i) && run == i {
				run++
			}
			cost.Add(&cost, &e.cost)
			bytes += e.size
			mem += e.mem
			if e.mem != memCost(e.tx, e.size) || e.mem <= e.size {
				t.Fatalf("account %s: entry %d accounted at %d bytes of memory, size %d", addr, i, e.mem, e.size)
			}
		}
		if run != acc.pending {
			t.Fatalf("account %s: pending %d, recount %d", addr, acc.pending, run)
		}
		if !cost.Eq(&acc.cost) {
			t.Fatalf("account %s: cost %v, recount %v", addr, &acc.cost, &cost)
		}
		count += len(acc.txs)
		pending += acc.pending
		queued += len(acc.txs) - acc.pending
	}
	if count != len(p.all) || bytes != p.bytes || mem != p.mem || pending != p.pendingN || queued != p.queuedN {
		t.Fatalf("totals: count %d/%d bytes %d/%d memory %d/%d pending %d/%d queued %d/%d",
			count, len(p.all), bytes, p.bytes, mem, p.mem, pending, p.pendingN, queued, p.queuedN)
	}
	if len(p.evict.items) != len(p.accounts) {
		t.Fatalf("eviction heap has %d senders, pool %d", len(p.evict.items), len(p.accounts))
	}
	for i := 1; i < len(p.evict.items); i++ {
		if p.evict.Less(i, (i-1)/2) {
			t.Fatalf("eviction heap order broken at %d", i)
		}
	}
	if len(p.all) > p.cfg.MaxCount || p.memory() > p.cfg.MaxBytes {
		t.Fatalf("limits exceeded: %d txs, %d bytes of memory", len(p.all), p.memory())
	}
}

// TestRandomOperations drives the pool with a seeded random mix of adds,
// replacements, removals, head updates and selections, checking the
// bookkeeping after every step and the selection's ordering rules.
func TestRandomOperations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cfg := testConfig()
	cfg.MaxCount = 30
	cfg.MaxBytes = 28*(116+txMemOverhead) + 8*accountMemOverhead // 28 transfers of 8 senders
	cfg.MaxNonceGap = 6
	evicted, unfundable := 0, 0
	cfg.OnRemove = func(_ *types.Transaction, _ common.Address, reason string) {
		switch reason {
		case DropEvicted:
			evicted++
		case DropUnfundable:
			unfundable++
		}
	}
	reasons := map[string]int{}
	p, st := newTestPool(t, cfg)
	const senders = 16
	baseFee := gw(1)
	const steps = 1500
	accepted := 0
	for step := 0; step < steps; step++ {
		switch op := rng.IntN(20); {
		case op < 14: // add
			k := rng.IntN(senders)
			from := addrOf(testKey(k))
			nonce := st.nonces[from] + uint64(rng.IntN(10))
			fee := int64(1 + rng.IntN(8))
			tip := int64(rng.IntN(int(fee) + 1))
			tx := dynWith(testKey(k), &types.DynamicFeeTx{Nonce: nonce, GasFeeCap: gw(fee), GasTipCap: gw(tip),
				Gas: params.TxGas, To: &testTo, Value: big.NewInt(int64(rng.IntN(3)))})
			if err := p.Add(tx); err == nil {
				accepted++
			} else if re, ok := IsReject(err); ok {
				reasons[re.Reason]++
			} else {
				t.Fatalf("step %d: non-rejection error %v", step, err)
			}
		case op < 16: // remove a random pooled tx
			if all := p.Pending(); len(all) > 0 {
				p.Remove(all[rng.IntN(len(all))].Tx.Hash(), "test")
			}
		case op < 18: // a block: advance some nonces, change balances and base fee
			for _, e := range p.Pending() {
				if !e.Queued && rng.IntN(3) == 0 && e.Tx.Nonce() == st.nonces[e.From] {
					st.nonces[e.From]++
				}
			}
			k := addrOf(testKey(rng.IntN(senders)))
			st.balances[k] = new(big.Int).Mul(gw(int64(rng.IntN(60))), big.NewInt(int64(params.TxGas)))
			baseFee = gw(int64(1 + rng.IntN(4)))
			p.Update(st, baseFee)
		default: // select and check the order rules
			base := gw(int64(1 + rng.IntN(5)))
			checkSelection(t, p, st, base, rng)
		}
		checkInvariants(t, p)
	}
	t.Logf("accepted %d, evicted %d, unfundable %d, rejected %v", accepted, evicted, unfundable, reasons)
	if accepted < steps/10 || evicted == 0 || unfundable == 0 || reasons[ReasonInsufficientFunds] == 0 || reasons[ReasonPoolFull] == 0 || reasons[ReasonReplacementUnderpriced] == 0 {
		t.Fatal("the operation mix no longer reaches evictions, drops and every expected rejection")
	}
}

// checkSelection drains a selection with random Pops and checks that every
// sender's transactions come in nonce order from the account nonce, that
// none is below the base fee, and that no sender reappears after a Pop.
func checkSelection(t *testing.T, p *Pool, st *fakeState, base *big.Int, rng *rand.Rand) {
	t.Helper()
	s := p.Select(base)
	next := map[common.Address]uint64{}
	popped := map[common.Address]bool{}
	for tx := s.Peek(); tx != nil; tx = s.Peek() {
		from := s.PeekSender()
		if popped[from] {
			t.Fatalf("sender %s selected after Pop", from)
		}
		want, seen := next[from]
		if !seen {
			want = st.nonces[from]
		}
		if tx.Nonce() != want {
			t.Fatalf("sender %s: selected nonce %d, want %d", from, tx.Nonce(), want)
		}
		if tx.GasFeeCap().Cmp(base) < 0 {
			t.Fatalf("selected fee cap %v below base fee %v", tx.GasFeeCap(), base)
		}
		next[from] = want + 1
		if rng.IntN(5) == 0 {
			popped[from] = true
			s.Pop()
		} else {
			s.Shift()
		}
	}
}
