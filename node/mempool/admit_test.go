package mempool

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

func TestRejections(t *testing.T) {
	k, k2 := testKey(0), testKey(1)
	from := addrOf(k)
	bigData := bytes.Repeat([]byte{1}, 130<<10)
	cases := []struct {
		name   string
		cfg    func(*Config)
		setup  func(t *testing.T, p *Pool, st *fakeState)
		add    func(p *Pool) error
		reason string
	}{
		{name: "garbage bytes", reason: ReasonMalformed,
			add: func(p *Pool) error { _, err := p.AddRaw([]byte{0xf8, 0x01, 0x02}); return err }},
		{name: "empty bytes", reason: ReasonMalformed,
			add: func(p *Pool) error { _, err := p.AddRaw(nil); return err }},
		{name: "nil tx", reason: ReasonMalformed,
			add: func(p *Pool) error { return p.Add(nil) }},
		{name: "blob tx", reason: ReasonUnsupportedType,
			add: func(p *Pool) error {
				return p.Add(types.MustSignNewTx(k, testSigner, &types.BlobTx{
					ChainID: uint256.MustFromBig(testChainID), GasFeeCap: uint256.MustFromBig(gw(2)),
					GasTipCap: uint256.NewInt(1), Gas: params.TxGas, To: testTo, BlobFeeCap: uint256.NewInt(1),
					BlobHashes: []common.Hash{{0x01}}}))
			}},
		{name: "set-code tx", reason: ReasonUnsupportedType,
			add: func(p *Pool) error {
				return p.Add(types.MustSignNewTx(k, testSigner, &types.SetCodeTx{
					ChainID: uint256.MustFromBig(testChainID), GasFeeCap: uint256.MustFromBig(gw(2)),
					GasTipCap: uint256.NewInt(1), Gas: 100_000, To: testTo,
					AuthList: []types.SetCodeAuthorization{{Address: testTo}}}))
			}},
		{name: "unknown type byte", reason: ReasonUnsupportedType,
			add: func(p *Pool) error { _, err := p.AddRaw([]byte{0x09, 0xc0}); return err }},
		{name: "other chain", reason: ReasonWrongChainID,
			add: func(p *Pool) error {
				return p.Add(types.MustSignNewTx(k, types.LatestSignerForChainID(big.NewInt(1)), &types.DynamicFeeTx{
					ChainID: big.NewInt(1), GasFeeCap: gw(2), GasTipCap: gw(1), Gas: params.TxGas, To: &testTo}))
			}},
		{name: "legacy other chain", reason: ReasonWrongChainID,
			add: func(p *Pool) error {
				return p.Add(types.MustSignNewTx(k, types.NewEIP155Signer(big.NewInt(5)), &types.LegacyTx{
					GasPrice: gw(2), Gas: params.TxGas, To: &testTo}))
			}},
		{name: "unprotected legacy", reason: ReasonWrongChainID,
			add: func(p *Pool) error {
				return p.Add(types.MustSignNewTx(k, types.HomesteadSigner{}, &types.LegacyTx{
					GasPrice: gw(2), Gas: params.TxGas, To: &testTo}))
			}},
		{name: "bad signature", reason: ReasonInvalidSignature,
			add: func(p *Pool) error {
				return p.Add(types.NewTx(&types.DynamicFeeTx{ChainID: testChainID, GasFeeCap: gw(2), GasTipCap: gw(1),
					Gas: params.TxGas, To: &testTo, V: big.NewInt(0), R: big.NewInt(0), S: big.NewInt(1)}))
			}},
		{name: "nonce below account", reason: ReasonNonceTooLow,
			setup: func(t *testing.T, p *Pool, st *fakeState) { st.nonces[from] = 5 },
			add:   func(p *Pool) error { return p.Add(dyn(k, 4, 2, 1)) }},
		{name: "nonce gap too wide", reason: ReasonNonceTooHigh,
			setup: func(t *testing.T, p *Pool, st *fakeState) { st.nonces[from] = 5 },
			add:   func(p *Pool) error { return p.Add(dyn(k, 5+DefaultMaxNonceGap+1, 2, 1)) }},
		{name: "nonce gap past pending run", reason: ReasonNonceTooHigh,
			cfg: func(c *Config) { c.MaxNonceGap = 2 },
			setup: func(t *testing.T, p *Pool, st *fakeState) {
				mustAdd(t, p, dyn(k, 0, 2, 1))
				mustAdd(t, p, dyn(k, 3, 2, 1)) // gap of 2 after next nonce 1: allowed
			},
			add: func(p *Pool) error { return p.Add(dyn(k, 4, 2, 1)) }},
		{name: "balance short", reason: ReasonInsufficientFunds,
			setup: func(t *testing.T, p *Pool, st *fakeState) {
				st.balances[from] = new(big.Int).Mul(gw(2), big.NewInt(int64(params.TxGas))) // exactly gas*feeCap, no value
			},
			add: func(p *Pool) error { return p.Add(dyn(k, 0, 2, 1)) }},
		{name: "balance short counting earlier txs", reason: ReasonInsufficientFunds,
			setup: func(t *testing.T, p *Pool, st *fakeState) {
				one := new(big.Int).Add(new(big.Int).Mul(gw(2), big.NewInt(int64(params.TxGas))), big.NewInt(1))
				st.balances[from] = new(big.Int).Add(one, one)
				mustAdd(t, p, dyn(k, 0, 2, 1))
				mustAdd(t, p, dyn(k, 1, 2, 1))
			},
			add: func(p *Pool) error { return p.Add(dyn(k, 2, 2, 1)) }},
		{name: "gas above block limit", reason: ReasonGasLimitExceeded,
			cfg: func(c *Config) { c.BlockGasLimit = 1_000_000 },
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: 1_000_001, To: &testTo}))
			}},
		{name: "gas above per-tx cap", reason: ReasonGasLimitExceeded,
			cfg: func(c *Config) { c.MaxTxGas = 100_000 },
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: 100_001, To: &testTo}))
			}},
		{name: "gas above EIP-7825 cap", reason: ReasonGasLimitExceeded,
			cfg: func(c *Config) { c.BlockGasLimit = 60_000_000 },
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: params.MaxTxGas + 1, To: &testTo}))
			}},
		{name: "gas below intrinsic", reason: ReasonIntrinsicGas,
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: params.TxGas - 1, To: &testTo}))
			}},
		{name: "gas below creation intrinsic", reason: ReasonIntrinsicGas,
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: params.TxGas, Data: []byte{0x60}}))
			}},
		{name: "gas below calldata floor", reason: ReasonIntrinsicGas,
			add: func(p *Pool) error {
				// 1000 non-zero bytes: intrinsic 37,000, EIP-7623 floor 61,000.
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: 40_000, To: &testTo,
					Data: bytes.Repeat([]byte{1}, 1000)}))
			}},
		{name: "too many bytes", reason: ReasonOversized,
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: 10_000_000, To: &testTo, Data: bigData}))
			}},
		{name: "too many raw bytes", reason: ReasonOversized,
			add: func(p *Pool) error { _, err := p.AddRaw(make([]byte, DefaultMaxTxBytes+1)); return err }},
		{name: "init code too long", reason: ReasonOversized,
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: 10_000_000,
					Data: bytes.Repeat([]byte{1}, params.MaxInitCodeSize+1)}))
			}},
		{name: "fee cap below base fee", reason: ReasonFeeTooLow,
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: big.NewInt(params.GWei - 1), GasTipCap: big.NewInt(1), Gas: params.TxGas, To: &testTo}))
			}},
		{name: "gas price below floor", reason: ReasonFeeTooLow,
			cfg: func(c *Config) { c.MinBaseFee = gw(5) },
			add: func(p *Pool) error {
				return p.Add(types.MustSignNewTx(k, testSigner, &types.LegacyTx{GasPrice: gw(4), Gas: params.TxGas, To: &testTo}))
			}},
		{name: "tip above fee cap", reason: ReasonInvalidFee,
			add: func(p *Pool) error { return p.Add(dyn(k, 0, 2, 3)) }},
		{name: "duplicate", reason: ReasonAlreadyKnown,
			setup: func(t *testing.T, p *Pool, st *fakeState) { mustAdd(t, p, dyn(k, 0, 2, 1)) },
			add:   func(p *Pool) error { return p.Add(dyn(k, 0, 2, 1)) }},
		{name: "sender full", reason: ReasonSenderLimit,
			cfg: func(c *Config) { c.MaxPerSender = 2 },
			setup: func(t *testing.T, p *Pool, st *fakeState) {
				mustAdd(t, p, dyn(k, 0, 2, 1))
				mustAdd(t, p, dyn(k, 1, 2, 1))
				mustAdd(t, p, dyn(k2, 0, 2, 1)) // another sender is not limited by k's count
			},
			add: func(p *Pool) error { return p.Add(dyn(k, 2, 2, 1)) }},
		{name: "same nonce without bump", reason: ReasonReplacementUnderpriced,
			setup: func(t *testing.T, p *Pool, st *fakeState) { mustAdd(t, p, dyn(k, 0, 2, 1)) },
			add: func(p *Pool) error {
				return p.Add(dynWith(k, &types.DynamicFeeTx{GasFeeCap: gw(2), GasTipCap: gw(1), Gas: params.TxGas, To: &testTo, Value: big.NewInt(2)}))
			}},
		{name: "full of better-paying txs", reason: ReasonPoolFull,
			cfg: func(c *Config) { c.MaxCount = 1 },
			setup: func(t *testing.T, p *Pool, st *fakeState) {
				mustAdd(t, p, dyn(k2, 0, 10, 5))
			},
			add: func(p *Pool) error { return p.Add(dyn(k, 0, 10, 5)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			p, st := newTestPool(t, cfg)
			if tc.setup != nil {
				tc.setup(t, p, st)
			}
			before := p.Stats()
			beforeEntries := p.Pending()
			err := tc.add(p)
			wantReject(t, err, tc.reason)
			if !strings.HasPrefix(err.Error(), tc.reason+": ") {
				t.Errorf("Error() = %q, want %q prefix", err.Error(), tc.reason+": ")
			}
			if after := p.Stats(); after != before {
				t.Errorf("rejection changed stats from %+v to %+v", before, after)
			}
			afterEntries := p.Pending()
			for i := range beforeEntries {
				if afterEntries[i].Tx.Hash() != beforeEntries[i].Tx.Hash() {
					t.Errorf("rejection changed pooled transaction %d", i)
				}
			}
		})
	}
}

func TestAcceptsAllTypes(t *testing.T) {
	p, _ := newTestPool(t, testConfig())
	k := testKey(0)
	txs := []*types.Transaction{
		types.MustSignNewTx(k, testSigner, &types.LegacyTx{Nonce: 0, GasPrice: gw(2), Gas: params.TxGas, To: &testTo, Value: big.NewInt(7)}),
		types.MustSignNewTx(k, testSigner, &types.AccessListTx{ChainID: testChainID, Nonce: 1, GasPrice: gw(2), Gas: 30_000, To: &testTo,
			AccessList: types.AccessList{{Address: testTo, StorageKeys: []common.Hash{{1}}}}}),
		dyn(k, 2, 3, 1),
		// A contract creation within the limits.
		dynWith(k, &types.DynamicFeeTx{Nonce: 3, GasFeeCap: gw(2), GasTipCap: gw(1), Gas: 100_000, Data: []byte{0x60, 0x00}}),
	}
	for i, tx := range txs {
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got *types.Transaction
		if i%2 == 0 {
			got, err = p.AddRaw(raw)
		} else {
			got, err = tx, p.Add(tx)
		}
		if err != nil {
			t.Fatalf("type %d: %v", tx.Type(), err)
		}
		if got.Hash() != tx.Hash() {
			t.Fatalf("type %d: AddRaw returned %s, want %s", tx.Type(), got.Hash(), tx.Hash())
		}
		e, ok := p.Lookup(tx.Hash())
		if !ok || e.From != addrOf(k) || e.Queued || e.Size != int(tx.Size()) {
			t.Fatalf("type %d: lookup = %+v, %v", tx.Type(), e, ok)
		}
		if !e.Added.Equal(testConfig().Now()) {
			t.Fatalf("added at %v, want the configured clock", e.Added)
		}
		from, err := p.Sender(got)
		if err != nil || from != addrOf(k) {
			t.Fatalf("Sender = %s, %v", from, err)
		}
	}
	checkCounts(t, p, len(txs), 0)
	if n := p.PendingNonce(addrOf(k)); n != uint64(len(txs)) {
		t.Fatalf("pending nonce %d, want %d", n, len(txs))
	}
}

func TestReplacementBump(t *testing.T) {
	cases := []struct {
		name         string
		feeCap, tip  int64 // percent of the original's fee cap (100 gwei) and tip (10 gwei)
		wantReplaced bool
	}{
		{"9% on both", 109, 109, false},
		{"10% fee cap, 9% tip", 110, 109, false},
		{"9% fee cap, 10% tip", 109, 110, false},
		{"10% on both", 110, 110, true},
		{"20% on both", 120, 120, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var removed []string
			cfg := testConfig()
			cfg.OnRemove = func(tx *types.Transaction, _ common.Address, reason string) {
				removed = append(removed, reason)
			}
			p, _ := newTestPool(t, cfg)
			k := testKey(0)
			// Original: fee cap 100 gwei, tip 10 gwei.
			orig := dyn(k, 0, 100, 10)
			mustAdd(t, p, orig)
			repl := dynWith(k, &types.DynamicFeeTx{Nonce: 0, Gas: params.TxGas, To: &testTo,
				GasFeeCap: gw(tc.feeCap), GasTipCap: new(big.Int).Div(gw(tc.tip), big.NewInt(10))})
			err := p.Add(repl)
			_, hasOrig := p.Get(orig.Hash())
			_, hasRepl := p.Get(repl.Hash())
			if tc.wantReplaced {
				if err != nil {
					t.Fatalf("replacement rejected: %v", err)
				}
				if hasOrig || !hasRepl {
					t.Fatalf("after replacement: original pooled %v, replacement pooled %v", hasOrig, hasRepl)
				}
				if len(removed) != 1 || removed[0] != DropReplaced {
					t.Fatalf("OnRemove reasons %v, want [%s]", removed, DropReplaced)
				}
			} else {
				wantReject(t, err, ReasonReplacementUnderpriced)
				if !hasOrig || hasRepl {
					t.Fatalf("after rejection: original pooled %v, replacement pooled %v", hasOrig, hasRepl)
				}
			}
			checkCounts(t, p, 1, 0)
		})
	}
}

func TestReplacementNeedsFunds(t *testing.T) {
	p, st := newTestPool(t, testConfig())
	k := testKey(0)
	// Enough for the original at 10 gwei, not for a replacement at 20 gwei.
	st.balances[addrOf(k)] = new(big.Int).Mul(gw(15), big.NewInt(int64(params.TxGas)))
	mustAdd(t, p, dyn(k, 0, 10, 1))
	wantReject(t, p.Add(dyn(k, 0, 20, 2)), ReasonInsufficientFunds)
	// A replacement that fits the balance is fine: the old cost is released.
	mustAdd(t, p, dyn(k, 0, 14, 2))
	checkCounts(t, p, 1, 0)
}

func TestNonceGapHeldAndPromoted(t *testing.T) {
	p, _ := newTestPool(t, testConfig())
	k := testKey(0)
	mustAdd(t, p, dyn(k, 0, 2, 1))
	mustAdd(t, p, dyn(k, 2, 2, 1))
	mustAdd(t, p, dyn(k, 3, 2, 1))
	checkCounts(t, p, 1, 2)
	if got := drain(p.Select(gw(1))); len(got) != 1 || got[0].Nonce() != 0 {
		t.Fatalf("selection over a gap gave %d txs, want only nonce 0", len(got))
	}
	if n := p.PendingNonce(addrOf(k)); n != 1 {
		t.Fatalf("pending nonce %d, want 1", n)
	}
	mustAdd(t, p, dyn(k, 1, 2, 1))
	checkCounts(t, p, 4, 0)
	got := drain(p.Select(gw(1)))
	if len(got) != 4 {
		t.Fatalf("selection after filling the gap gave %d txs, want 4", len(got))
	}
	for i, tx := range got {
		if tx.Nonce() != uint64(i) {
			t.Fatalf("position %d has nonce %d", i, tx.Nonce())
		}
	}
}

func TestOnAddHook(t *testing.T) {
	var gotTx []*types.Transaction
	var gotFrom []common.Address
	var gotOrigin []Origin
	cfg := testConfig()
	cfg.OnAdd = func(tx *types.Transaction, from common.Address, o Origin) {
		gotTx = append(gotTx, tx)
		gotFrom = append(gotFrom, from)
		gotOrigin = append(gotOrigin, o)
	}
	p, _ := newTestPool(t, cfg)
	k := testKey(3)
	tx := dyn(k, 0, 2, 1)
	mustAdd(t, p, tx)
	wantReject(t, p.Add(tx), ReasonAlreadyKnown)
	if len(gotTx) != 1 || gotTx[0] != tx || gotFrom[0] != addrOf(k) || gotOrigin[0] != Local {
		t.Fatalf("OnAdd saw %d calls (%v %v), want one for %s, local", len(gotTx), gotFrom, gotOrigin, addrOf(k))
	}
	raw, _ := dyn(k, 1, 2, 1).MarshalBinary()
	if _, err := p.AddRawFrom(raw, Remote); err != nil {
		t.Fatal(err)
	}
	if len(gotOrigin) != 2 || gotOrigin[1] != Remote {
		t.Fatalf("gossiped transaction: OnAdd origins %v, want [local remote]", gotOrigin)
	}
	if got := p.Txs(); len(got) != 2 {
		t.Fatalf("Txs lists %d, want 2", len(got))
	}
}

func TestNewRejectsMissingWiring(t *testing.T) {
	for name, f := range map[string]func(){
		"nil chain ID": func() { New(Config{}, newFakeState(), nil) },
		"nil state":    func() { New(testConfig(), nil, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("New did not panic")
				}
			}()
			f()
		})
	}
}
