// Package mempool holds pending Ethereum-format transactions for a Cairn
// node: it validates them on admission, keeps them per sender in nonce
// order, bounds them by count and bytes with fee-ranked eviction, and hands
// the block builder a price-and-nonce ordered selection.
//
// Accepted: EIP-155 legacy, EIP-2930 and EIP-1559 transactions signed for
// the chain ID. Blob (type 3) and set-code (type 4) transactions are
// rejected. A sender's transactions contiguous from its account nonce are
// pending (selectable); those after a nonce gap are queued until the gap
// is filled.
package mempool

import (
	"errors"
	"math/big"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
)

// Pool is the transaction pool. It is safe for concurrent use; one mutex
// guards its state, and signature recovery happens before taking it.
type Pool struct {
	cfg Config
	v   validator

	mu       sync.Mutex
	state    State
	baseFee  uint256.Int
	minFee   uint256.Int
	all      map[common.Hash]*txEntry
	accounts map[common.Address]*account
	evict    evictHeap
	seq      uint64
	pendingN int
	queuedN  int
	bytes    int // encoded size of all entries
	mem      int // accounted memory of all entries (see memory)
}

// removal records a transaction that left the pool, for Config.OnRemove.
type removal struct {
	e      *txEntry
	reason string
}

// New returns an empty pool for the chain in cfg, with st and baseFee
// describing the current head (a nil baseFee counts as zero). It panics if
// cfg.ChainID or st is nil: that is a wiring mistake, not bad input.
func New(cfg Config, st State, baseFee *big.Int) *Pool {
	if cfg.ChainID == nil || cfg.ChainID.Sign() <= 0 {
		panic("mempool: Config.ChainID must be a positive chain ID")
	}
	if st == nil {
		panic("mempool: nil State")
	}
	cfg = cfg.withDefaults()
	p := &Pool{
		cfg:      cfg,
		v:        newValidator(cfg),
		state:    st,
		all:      make(map[common.Hash]*txEntry),
		accounts: make(map[common.Address]*account),
	}
	setU256(&p.minFee, cfg.MinBaseFee)
	setU256(&p.baseFee, baseFee)
	p.evict.base = &p.baseFee
	return p
}

// setU256 stores b in dst, treating nil or negative as zero and saturating
// at 2^256-1.
func setU256(dst *uint256.Int, b *big.Int) {
	if b == nil || b.Sign() <= 0 {
		dst.Clear()
		return
	}
	if dst.SetFromBig(b) {
		dst.SetAllOne()
	}
}

// AddRaw decodes a transaction in its binary (EIP-2718) encoding and adds
// it as submitted here. Undecodable bytes give a RejectError with reason
// "malformed".
func (p *Pool) AddRaw(raw []byte) (*types.Transaction, error) {
	return p.AddRawFrom(raw, Local)
}

// AddRawFrom is AddRaw for a transaction from origin: OnAdd is told where
// it came from, so the node gossips only what was submitted to it (a
// gossiped transaction is forwarded by the gossip layer itself).
func (p *Pool) AddRawFrom(raw []byte, origin Origin) (*types.Transaction, error) {
	tx, err := p.decodeRaw(raw)
	if err != nil {
		return nil, err
	}
	if err := p.AddFrom(tx, origin); err != nil {
		return nil, err
	}
	return tx, nil
}

// decodeRaw decodes one binary transaction, rejecting oversized and
// undecodable bytes.
func (p *Pool) decodeRaw(raw []byte) (*types.Transaction, error) {
	if len(raw) > p.cfg.MaxTxBytes {
		return nil, reject(ReasonOversized, "transaction is %d bytes, limit %d", len(raw), p.cfg.MaxTxBytes)
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		if errors.Is(err, types.ErrTxTypeNotSupported) {
			return nil, reject(ReasonUnsupportedType, "%v", err)
		}
		return nil, reject(ReasonMalformed, "decode transaction: %v", err)
	}
	return tx, nil
}

// Add validates tx, submitted here, and admits it. On rejection the error
// is a *RejectError and the pool is unchanged. Admission may replace a
// same-nonce transaction of the sender or evict lower-ranked ones when the
// pool is full.
func (p *Pool) Add(tx *types.Transaction) error { return p.AddFrom(tx, Local) }

// AddFrom is Add for a transaction from origin.
func (p *Pool) AddFrom(tx *types.Transaction, origin Origin) error {
	if tx == nil {
		return reject(ReasonMalformed, "nil transaction")
	}
	// Gossip delivers most transactions more than once: skip the signature
	// recovery for those we hold.
	hash := tx.Hash()
	p.mu.Lock()
	_, known := p.all[hash]
	p.mu.Unlock()
	if known {
		return reject(ReasonAlreadyKnown, "transaction %s is already pooled", hash)
	}
	e, err := p.v.check(tx)
	if err != nil {
		return err
	}

	p.mu.Lock()
	removed, err := p.admit(e)
	p.mu.Unlock()

	p.notifyRemoved(removed)
	if err != nil {
		return err
	}
	if p.cfg.OnAdd != nil {
		p.cfg.OnAdd(tx, e.from, origin)
	}
	return nil
}

// admit runs the stateful admission rules for a validated entry and
// inserts it. It returns what left the pool to make way. Caller holds mu.
func (p *Pool) admit(e *txEntry) ([]removal, error) {
	if _, ok := p.all[e.hash]; ok {
		return nil, reject(ReasonAlreadyKnown, "transaction %s is already pooled", e.hash)
	}
	floor := &p.baseFee
	if p.minFee.Gt(floor) {
		floor = &p.minFee
	}
	if e.feeCap.Lt(floor) {
		return nil, reject(ReasonFeeTooLow, "fee cap %v below floor %v", &e.feeCap, floor)
	}

	acc := p.accounts[e.from]
	if acc == nil {
		acc = &account{addr: e.from, nonce: p.state.Nonce(e.from), heapIdx: -1}
		acc.setBalance(p.state.Balance(e.from))
	}
	if e.nonce < acc.nonce {
		return nil, reject(ReasonNonceTooLow, "nonce %d below account nonce %d", e.nonce, acc.nonce)
	}
	idx, found := acc.find(e.nonce)
	var old *txEntry
	if found {
		old = acc.txs[idx]
		if err := checkBump(old, e); err != nil {
			return nil, err
		}
	} else {
		if next := acc.nextNonce(); e.nonce > next && e.nonce-next > p.cfg.MaxNonceGap {
			return nil, reject(ReasonNonceTooHigh, "nonce %d leaves a gap of %d after next nonce %d, limit %d",
				e.nonce, e.nonce-next, next, p.cfg.MaxNonceGap)
		}
		if len(acc.txs) >= p.cfg.MaxPerSender {
			return nil, reject(ReasonSenderLimit, "sender %s already has %d transactions pooled", e.from, len(acc.txs))
		}
	}
	var need uint256.Int
	need.Set(&acc.cost)
	if old != nil {
		need.Sub(&need, &old.cost)
	}
	if _, overflow := need.AddOverflow(&need, &e.cost); overflow || need.Gt(&acc.balance) {
		return nil, reject(ReasonInsufficientFunds, "balance %v below %v needed for this and the sender's other pooled transactions",
			&acc.balance, &need)
	}

	p.seq++
	e.seq = p.seq
	e.added = p.cfg.Now()
	if len(acc.txs) == 0 {
		p.accounts[e.from] = acc
	}
	p.insert(acc, idx, found, e)

	overCount := len(p.all) - p.cfg.MaxCount
	overBytes := p.memory() - p.cfg.MaxBytes
	var removed []removal
	if overCount > 0 || overBytes > 0 {
		i, _ := acc.find(e.nonce)
		plan, ok := p.evict.planEviction(overCount, overBytes, e, i >= acc.pending)
		if !ok {
			p.undoInsert(acc, i, old)
			return nil, reject(ReasonPoolFull, "pool is full and the transaction does not outrank the lowest-ranked one")
		}
		for _, v := range plan {
			a := p.accounts[v.from]
			p.removeAt(a, len(a.txs)-1)
			removed = append(removed, removal{v, DropEvicted})
		}
	}
	if old != nil {
		removed = append(removed, removal{old, DropReplaced})
	}
	return removed, nil
}

// checkBump enforces the replacement rule: a same-nonce transaction must
// raise both the fee cap and the tip cap by at least 10%.
func checkBump(old, e *txEntry) error {
	var minFee, minTip uint256.Int
	bump := func(dst, v *uint256.Int) {
		// v*110/100 cannot overflow for realistic fees; saturate otherwise.
		if _, overflow := dst.MulOverflow(v, uint256.NewInt(110)); overflow {
			dst.SetAllOne()
			return
		}
		dst.Div(dst, uint256.NewInt(100))
	}
	bump(&minFee, &old.feeCap)
	bump(&minTip, &old.tipCap)
	if !e.feeCap.Gt(&old.feeCap) || !e.tipCap.Gt(&old.tipCap) || e.feeCap.Lt(&minFee) || e.tipCap.Lt(&minTip) {
		return reject(ReasonReplacementUnderpriced,
			"replacing nonce %d needs fee cap >= %v and tip cap >= %v (10%% bump), got %v and %v",
			e.nonce, &minFee, &minTip, &e.feeCap, &e.tipCap)
	}
	return nil
}

// insert puts e at idx of acc, replacing the entry there when replace is
// set, and updates the indexes, totals and eviction order. Caller holds mu.
func (p *Pool) insert(acc *account, idx int, replace bool, e *txEntry) {
	l0, p0 := len(acc.txs), acc.pending
	if replace {
		old := acc.txs[idx]
		acc.txs[idx] = e
		delete(p.all, old.hash)
		p.bytes -= old.size
		p.mem -= old.mem
		acc.cost.Sub(&acc.cost, &old.cost)
	} else {
		acc.txs = append(acc.txs, nil)
		copy(acc.txs[idx+1:], acc.txs[idx:])
		acc.txs[idx] = e
		if idx <= acc.pending {
			acc.recomputePending()
		}
	}
	p.all[e.hash] = e
	p.bytes += e.size
	p.mem += e.mem
	acc.cost.Add(&acc.cost, &e.cost)
	p.recount(l0, p0, acc)
	p.evict.fix(acc)
}

// undoInsert reverts the insert of the entry at idx: it puts old back if
// the insert was a replacement, or takes the entry out. Caller holds mu.
func (p *Pool) undoInsert(acc *account, idx int, old *txEntry) {
	if old != nil {
		p.insert(acc, idx, true, old)
		return
	}
	p.removeAt(acc, idx)
}

// removeAt takes the entry at idx out of acc; any later nonces of the
// sender become queued. An emptied account is forgotten. Caller holds mu.
func (p *Pool) removeAt(acc *account, idx int) *txEntry {
	e := acc.txs[idx]
	l0, p0 := len(acc.txs), acc.pending
	copy(acc.txs[idx:], acc.txs[idx+1:])
	acc.txs[len(acc.txs)-1] = nil
	acc.txs = acc.txs[:len(acc.txs)-1]
	if idx < acc.pending {
		acc.pending = idx
	}
	delete(p.all, e.hash)
	p.bytes -= e.size
	p.mem -= e.mem
	acc.cost.Sub(&acc.cost, &e.cost)
	p.recount(l0, p0, acc)
	if len(acc.txs) == 0 {
		p.evict.remove(acc)
		delete(p.accounts, acc.addr)
	} else {
		p.evict.fix(acc)
	}
	return e
}

// recount moves the pool's pending and queued totals by the change in acc
// since it had l0 transactions of which p0 pending. Caller holds mu.
func (p *Pool) recount(l0, p0 int, acc *account) {
	p.pendingN += acc.pending - p0
	p.queuedN += (len(acc.txs) - acc.pending) - (l0 - p0)
}

// notifyRemoved reports removals to Config.OnRemove. Call without mu.
func (p *Pool) notifyRemoved(removed []removal) {
	if p.cfg.OnRemove == nil {
		return
	}
	for _, r := range removed {
		p.cfg.OnRemove(r.e.tx, r.e.from, r.reason)
	}
}
