package mempool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// fzPool is a pool for one fuzz input: small limits so eviction, the
// sender cap and the nonce-gap rule are within reach, and hooks that
// record what the pool reports.
type fzPool struct {
	p       *Pool
	st      *fakeState
	added   []Origin
	addedTx []common.Hash
	removed []fzRemoval // since the last offer
}

type fzRemoval struct {
	hash   common.Hash
	reason string
}

func newFzPool(t *testing.T) *fzPool {
	fp := &fzPool{}
	cfg := testConfig()
	cfg.MaxCount = 6
	cfg.MaxBytes = 6 * (200 + txMemOverhead + accountMemOverhead) // room for six small transactions, each from its own sender
	cfg.MaxPerSender = 4
	cfg.MaxNonceGap = 3
	cfg.OnAdd = func(tx *types.Transaction, _ common.Address, o Origin) {
		fp.added = append(fp.added, o)
		fp.addedTx = append(fp.addedTx, tx.Hash())
	}
	cfg.OnRemove = func(tx *types.Transaction, _ common.Address, reason string) {
		fp.removed = append(fp.removed, fzRemoval{tx.Hash(), reason})
	}
	fp.p, fp.st = newTestPool(t, cfg)
	// A poorer sender, so insufficient funds is reachable.
	fp.st.balances[addrOf(testKey(2))] = new(big.Int).Mul(gw(3), big.NewInt(int64(params.TxGas)*2))
	return fp
}

// fzSnapshot is everything visible about a pool's contents.
type fzSnapshot struct {
	stats   Stats
	entries string
	hashes  []common.Hash
}

func snapshotOf(p *Pool) fzSnapshot {
	var s fzSnapshot
	var b bytes.Buffer
	for _, e := range p.Pending() {
		fmt.Fprintf(&b, "%s %s %d %v %d;", e.Tx.Hash(), e.From, e.Tx.Nonce(), e.Queued, e.Size)
		s.hashes = append(s.hashes, e.Tx.Hash())
	}
	s.stats, s.entries = p.Stats(), b.String()
	return s
}

func (s fzSnapshot) same(o fzSnapshot) bool { return s.stats == o.stats && s.entries == o.entries }

var fzReasons = []string{
	ReasonMalformed, ReasonUnsupportedType, ReasonWrongChainID, ReasonInvalidSignature,
	ReasonNonceTooLow, ReasonNonceTooHigh, ReasonInsufficientFunds, ReasonGasLimitExceeded,
	ReasonIntrinsicGas, ReasonOversized, ReasonFeeTooLow, ReasonInvalidFee,
	ReasonReplacementUnderpriced, ReasonPoolFull, ReasonAlreadyKnown, ReasonSenderLimit,
}

// fzCheckOrder checks that every sender's transactions are listed in
// strictly increasing nonce order, from at least the account nonce, with
// the pending ones a contiguous run from the account nonce and the queued
// ones after them.
func fzCheckOrder(t *testing.T, p *Pool, st *fakeState) {
	t.Helper()
	var prev *Entry
	var next uint64
	queued := false
	all := p.Pending()
	for i := range all {
		e := &all[i]
		if prev == nil || prev.From != e.From {
			next, queued = st.Nonce(e.From), false
		} else if e.Tx.Nonce() <= prev.Tx.Nonce() {
			t.Fatalf("sender %s: nonce %d after %d", e.From, e.Tx.Nonce(), prev.Tx.Nonce())
		}
		if e.Tx.Nonce() < st.Nonce(e.From) {
			t.Fatalf("sender %s: nonce %d below account nonce %d", e.From, e.Tx.Nonce(), st.Nonce(e.From))
		}
		switch {
		case !e.Queued && (queued || e.Tx.Nonce() != next):
			t.Fatalf("sender %s: nonce %d pending but not contiguous (want %d)", e.From, e.Tx.Nonce(), next)
		case !e.Queued:
			next++
		case e.Tx.Nonce() == next && !queued:
			t.Fatalf("sender %s: nonce %d queued though it is the next nonce", e.From, e.Tx.Nonce())
		default:
			queued = true
		}
		prev = e
	}
}

// fzOffer offers raw to the pool and checks what admission promises:
// a rejection is a known *RejectError and changes nothing; an admission
// is a canonical encoding of a supported, replay-protected transaction
// for the pool's chain whose sender recovers, is reported once to OnAdd,
// and whose departures (eviction, replacement) are reported to OnRemove.
func (fp *fzPool) offer(t *testing.T, raw []byte, origin Origin) (*types.Transaction, error) {
	t.Helper()
	p := fp.p
	before := snapshotOf(p)
	nAdded := len(fp.added)
	fp.removed = nil
	tx, err := p.AddRawFrom(raw, origin)
	checkInvariants(t, p)
	fzCheckOrder(t, p, fp.st)
	if err != nil {
		re, ok := IsReject(err)
		if !ok {
			t.Fatalf("AddRawFrom: non-rejection error %v", err)
		}
		if !slices.Contains(fzReasons, re.Reason) {
			t.Fatalf("AddRawFrom: unknown reason %q", re.Reason)
		}
		if tx != nil {
			t.Fatalf("rejected (%v) but returned a transaction", err)
		}
		if after := snapshotOf(p); !after.same(before) {
			t.Fatalf("rejection %v changed the pool:\nbefore %+v\nafter  %+v", err, before, after)
		}
		if len(fp.added) != nAdded || len(fp.removed) != 0 {
			t.Fatalf("rejection %v was reported to OnAdd/OnRemove", err)
		}
		return nil, err
	}
	if tx == nil {
		t.Fatal("admitted without a transaction")
	}
	enc, merr := tx.MarshalBinary()
	if merr != nil || !bytes.Equal(enc, raw) {
		t.Fatalf("admitted transaction re-encodes differently (%v):\n in  %x\n out %x", merr, raw, enc)
	}
	again := new(types.Transaction)
	if err := again.UnmarshalBinary(enc); err != nil || again.Hash() != tx.Hash() {
		t.Fatalf("admitted transaction does not decode again: %v", err)
	}
	switch tx.Type() {
	case types.LegacyTxType, types.AccessListTxType, types.DynamicFeeTxType:
	default:
		t.Fatalf("admitted a type %d transaction", tx.Type())
	}
	if !tx.Protected() || tx.ChainId().Cmp(testChainID) != 0 {
		t.Fatalf("admitted a transaction for chain %v (protected %v)", tx.ChainId(), tx.Protected())
	}
	from, serr := types.Sender(types.LatestSignerForChainID(testChainID), again)
	if serr != nil {
		t.Fatalf("admitted transaction has no recoverable sender: %v", serr)
	}
	e, ok := p.Lookup(tx.Hash())
	if !ok || !p.Has(tx.Hash()) {
		t.Fatal("admitted transaction is not pooled")
	}
	if e.From != from || e.Size != len(raw) {
		t.Fatalf("pooled as from %s size %d, want %s size %d", e.From, e.Size, from, len(raw))
	}
	if got, _ := p.Sender(tx); got != from {
		t.Fatalf("pool's sender %s, want %s", got, from)
	}
	if len(fp.added) != nAdded+1 || fp.added[nAdded] != origin || fp.addedTx[nAdded] != tx.Hash() {
		t.Fatalf("OnAdd reports %v, want one call with origin %v", fp.added[nAdded:], origin)
	}
	// What left the pool to make room, or was replaced, is reported, and
	// nothing else left.
	reported := map[common.Hash]bool{}
	for _, r := range fp.removed {
		if p.Has(r.hash) || !slices.Contains(before.hashes, r.hash) || reported[r.hash] {
			t.Fatalf("%s reported removed (%s): pooled now %v, before %v", r.hash, r.reason, p.Has(r.hash), slices.Contains(before.hashes, r.hash))
		}
		if r.reason != DropEvicted && r.reason != DropReplaced {
			t.Fatalf("admission removed %s for %q", r.hash, r.reason)
		}
		reported[r.hash] = true
	}
	for _, h := range before.hashes {
		if !p.Has(h) && !reported[h] {
			t.Fatalf("%s left the pool unreported", h)
		}
	}
	if _, err := p.AddRawFrom(raw, origin); err == nil {
		t.Fatal("the same transaction was admitted twice")
	} else if re, _ := IsReject(err); re == nil || re.Reason != ReasonAlreadyKnown {
		t.Fatalf("offered again: %v, want %s", err, ReasonAlreadyKnown)
	}
	return tx, nil
}

// fzPrefillTxs are a few transactions of testKey(0) and testKey(1) for the
// pool to hold, so that a fuzzed one can replace, follow, or be blocked by
// them.
func fzPrefillTxs() [][]byte {
	return [][]byte{mustRaw(dyn(testKey(0), 0, 3, 1)), mustRaw(dyn(testKey(0), 1, 3, 1)), mustRaw(dyn(testKey(1), 2, 2, 2))}
}

func (fp *fzPool) prefill(t *testing.T, raws [][]byte) {
	for _, raw := range raws {
		if _, err := fp.offer(t, raw, Local); err != nil {
			t.Fatalf("prefill: %v", err)
		}
	}
}

func mustRaw(tx *types.Transaction) []byte {
	raw, err := tx.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return raw
}

// fzSeedTxs are real transactions of every kind the pool meets, signed
// for the pool's chain unless the name says otherwise.
func fzSeedTxs() [][]byte {
	k, k1 := testKey(0), testKey(1)
	legacy := types.MustSignNewTx(k1, types.NewEIP155Signer(testChainID), &types.LegacyTx{
		Nonce: 0, GasPrice: gw(2), Gas: params.TxGas, To: &testTo, Value: big.NewInt(5)})
	unprotected := types.MustSignNewTx(k1, types.HomesteadSigner{}, &types.LegacyTx{
		Nonce: 0, GasPrice: gw(2), Gas: params.TxGas, To: &testTo})
	accessList := types.MustSignNewTx(k1, testSigner, &types.AccessListTx{
		ChainID: testChainID, Nonce: 1, GasPrice: gw(2), Gas: 30_000, To: &testTo,
		AccessList: types.AccessList{{Address: testTo, StorageKeys: []common.Hash{{1}}}}})
	create := dynWith(k1, &types.DynamicFeeTx{Nonce: 0, GasFeeCap: gw(2), GasTipCap: gw(1), Gas: 100_000,
		Data: []byte{0x60, 0x00, 0x60, 0x00, 0xf3}})
	replacement := dyn(k, 1, 4, 2)
	queued := dyn(k, 3, 2, 1)
	otherChain := types.MustSignNewTx(k, types.LatestSignerForChainID(big.NewInt(1)), &types.DynamicFeeTx{
		ChainID: big.NewInt(1), GasFeeCap: gw(2), GasTipCap: gw(1), Gas: params.TxGas, To: &testTo})
	blob := types.MustSignNewTx(k, testSigner, &types.BlobTx{
		ChainID: uint256.MustFromBig(testChainID), GasFeeCap: uint256.MustFromBig(gw(2)),
		GasTipCap: uint256.NewInt(1), Gas: params.TxGas, To: testTo, BlobFeeCap: uint256.NewInt(1),
		BlobHashes: []common.Hash{{0x01}}})
	poor := dyn(testKey(2), 0, 3, 1)
	return [][]byte{
		mustRaw(dyn(k, 2, 2, 1)), mustRaw(legacy), mustRaw(unprotected), mustRaw(accessList), mustRaw(create),
		mustRaw(replacement), mustRaw(queued), mustRaw(otherChain), mustRaw(blob), mustRaw(poor),
		nil, {0x02}, {0x02, 0xc0}, {0x7f, 0xc0}, {0xc0}, {0xf8, 0x01, 0x02},
	}
}

// FuzzAddRaw offers arbitrary bytes, as the API and transaction gossip
// receive them, to a pool already holding a few transactions.
func FuzzAddRaw(f *testing.F) {
	for i, raw := range fzSeedTxs() {
		f.Add(raw, i%2 == 0)
	}
	prefill := fzPrefillTxs()
	f.Fuzz(func(t *testing.T, raw []byte, remote bool) {
		fp := newFzPool(t)
		fp.prefill(t, prefill)
		origin := Local
		if remote {
			origin = Remote
		}
		fp.offer(t, raw, origin)
	})
}

// FuzzAdmission drives a pool with a script of properly signed
// transactions whose fields come from the input (sender, nonce, fees,
// type, gas, value, calldata), sometimes with one byte of the encoding
// flipped, and checks the pool's bookkeeping and promises after each.
// Random bytes never carry a valid signature; this reaches the stateful
// rules (replacement, gaps, limits, eviction, funds) that they guard.
func FuzzAdmission(f *testing.F) {
	f.Add([]byte{0, 0, 3, 1, 2, 0, 0, 0, 0, 1, 3, 1, 2, 0, 0, 0, 0, 1, 4, 2, 2, 0, 0, 0})
	f.Add([]byte{1, 0, 2, 2, 0, 0, 0, 0, 1, 1, 2, 2, 1, 1, 1, 0, 1, 3, 2, 2, 2, 0, 0, 0})
	f.Add([]byte{2, 0, 3, 1, 2, 0, 0, 0, 2, 1, 3, 1, 2, 0, 0, 0, 2, 2, 3, 1, 2, 0, 0, 0})
	f.Add([]byte{0, 0, 9, 1, 2, 3, 0, 0, 0, 5, 1, 1, 2, 0, 2, 0, 0, 1, 1, 1, 2, 4, 0, 7})
	f.Add(bytes.Repeat([]byte{3, 0, 8, 8, 2, 0, 1, 0}, 8))
	f.Fuzz(func(t *testing.T, script []byte) {
		fp := newFzPool(t)
		// Each step signs and recovers a transaction: a bounded script
		// keeps an input cheap, and the pool's limits are small anyway.
		script = script[:min(len(script), 8*fzMaxSteps)]
		for len(script) >= 8 {
			op := script[:8]
			script = script[8:]
			tx := fzBuild(op)
			raw := mustRaw(tx)
			if pos := int(op[7]); pos != 0 {
				raw = bytes.Clone(raw)
				raw[pos%len(raw)] ^= op[6] | 1
			}
			fp.offer(t, raw, Origin(op[5]%2))
			if op[5]&0x80 != 0 {
				// A block: the first pending nonce of one sender is mined.
				for _, e := range fp.p.Pending() {
					if !e.Queued && e.Tx.Nonce() == fp.st.nonces[e.From] {
						fp.st.nonces[e.From]++
						break
					}
				}
				fp.p.Update(fp.st, gw(int64(1+op[6]%3)))
				checkInvariants(t, fp.p)
				fzCheckOrder(t, fp.p, fp.st)
			}
		}
	})
}

// fzMaxSteps bounds a FuzzAdmission script.
const fzMaxSteps = 24

// fzBuild signs the transaction one script step describes:
// sender, nonce, fee cap, tip, type, flags, value, (mutation position).
func fzBuild(op []byte) *types.Transaction {
	k := testKey(int(op[0] % 4))
	nonce := uint64(op[1] % 8)
	fee, tip := gw(int64(op[2]%10)), gw(int64(op[3]%10))
	gas := params.TxGas
	var data []byte
	to := &testTo
	switch op[5] >> 4 & 3 {
	case 1:
		data = bytes.Repeat([]byte{op[6]}, int(op[6])%64)
		gas += uint64(len(data)) * 40
	case 2:
		to = nil
		gas = 100_000
		data = []byte{0x60, 0x00, 0x60, 0x00, 0xf3}
	case 3:
		gas = uint64(op[6]) * 1000 // often below intrinsic gas
	}
	value := big.NewInt(int64(op[6] % 4))
	if op[6] == 0xff {
		value = new(big.Int).Lsh(big.NewInt(1), 255)
	}
	switch op[4] % 3 {
	case 0:
		return types.MustSignNewTx(k, types.NewEIP155Signer(testChainID), &types.LegacyTx{
			Nonce: nonce, GasPrice: fee, Gas: gas, To: to, Value: value, Data: data})
	case 1:
		return types.MustSignNewTx(k, testSigner, &types.AccessListTx{
			ChainID: testChainID, Nonce: nonce, GasPrice: fee, Gas: gas, To: to, Value: value, Data: data})
	}
	chainID := testChainID
	if op[5]&0x40 != 0 {
		chainID = big.NewInt(1 + int64(binary.BigEndian.Uint16(op[6:8])))
	}
	return types.MustSignNewTx(k, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasFeeCap: fee, GasTipCap: tip, Gas: gas, To: to, Value: value, Data: data})
}
