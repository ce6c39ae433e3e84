package staking

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"fmt"
	"math/big"
	"testing"

	"cairn/chain/bigint"
	cairnvm "cairn/vm"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

const testChainID = 7777

var testCtx = context.Background()

func crn(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), PowerUnit.ToBig()) }

func testParams() Params {
	p := DefaultParams()
	p.EpochBlocks = 10
	p.MaxValidators = 4
	p.MinSelfStake = bigint.New(crn(100))
	p.UnbondingMs = 50_000
	p.SignedBlocksWindow = 10
	p.MinSignedPerWindow = 5
	p.DowntimeJailMs = 20_000
	p.MaxEvidenceAgeBlocks = 100
	return p
}

// account is a funded test account with its transaction key.
type account struct {
	key  *ecdsa.PrivateKey
	addr common.Address
}

// harness runs blocks of staking work on one in-memory state: block-level
// hooks directly, transactions through the EVM with the contract installed.
type harness struct {
	t       testing.TB
	s       *Staking
	st      *state.StateDB
	exec    *cairnvm.Executor
	height  uint64
	timeMs  uint64
	vals    []account            // genesis validators (operators)
	keys    []ed25519.PrivateKey // their consensus keys
	users   []account
	nonces  map[common.Address]uint64
	baseFee *big.Int
	burned  *big.Int // base fees
	supply  *big.Int // genesis balances + genesis stake
}

func newHarness(t testing.TB, p Params, nVals, nUsers int) *harness {
	t.Helper()
	sdb := cairnvm.NewStateDatabase(rawdb.NewMemoryDatabase(), 0)
	t.Cleanup(func() { sdb.Close() })
	st, err := sdb.Open(types.EmptyRootHash)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{
		t: t, s: New(testChainID, p), st: st, exec: cairnvm.NewExecutor(big.NewInt(testChainID), 16_000_000),
		height: 0, timeMs: 1_000_000, nonces: map[common.Address]uint64{},
		baseFee: big.NewInt(1e9), burned: new(big.Int), supply: new(big.Int),
	}
	h.exec.AddNative(h.s)
	fund := crn(1_000_000)
	newAccount := func(i int, kind string) account {
		key, _ := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("%s %d", kind, i))))
		a := account{key, crypto.PubkeyToAddress(key.PublicKey)}
		st.SetBalance(a.addr, uint256.MustFromBig(fund), tracing.BalanceChangeUnspecified)
		h.supply.Add(h.supply, fund)
		return a
	}
	var gen []GenesisValidator
	for i := 0; i < nVals; i++ {
		a := newAccount(i, "operator")
		h.vals = append(h.vals, a)
		ck := ed25519.NewKeyFromSeed(crypto.Keccak256([]byte(fmt.Sprintf("consensus %d", i))))
		h.keys = append(h.keys, ck)
		stake := crn(1000)
		h.supply.Add(h.supply, stake)
		gen = append(gen, GenesisValidator{Operator: a.addr, Key: common.Hash(ck.Public().(ed25519.PublicKey)), Stake: stake, Moniker: fmt.Sprintf("v%d", i)})
	}
	for i := 0; i < nUsers; i++ {
		h.users = append(h.users, newAccount(i, "user"))
	}
	if err := h.s.InitGenesis(st, h.env(), gen); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) env() Env { return Env{ChainID: testChainID, Height: h.height, TimeMs: h.timeMs} }

func (h *harness) view() Reader { return h.s.View(h.st) }

// block runs one block: begin with the previous set's signing (signed
// says who signed; nil means everyone), the transactions, then end. It
// returns the receipts and whether the set changed.
func (h *harness) block(signed func(common.Address) bool, offences []Offence, txs ...*types.Transaction) ([]*types.Receipt, bool) {
	h.t.Helper()
	prev := h.view().ActiveSet()
	h.height++
	h.timeMs += 1000
	var signers []Signer
	for _, m := range prev {
		signers = append(signers, Signer{Operator: m.Operator, Power: m.Power, Signed: signed == nil || signed(m.Operator)})
	}
	h.s.BeginBlock(h.st, h.env(), signers, offences)
	run := h.exec.NewBlockRun(h.st, cairnvm.BlockEnv{
		Number: h.height, Time: h.timeMs / 1000, TimeMs: h.timeMs, Coinbase: Address,
		GasLimit: 100_000_000, BaseFee: h.baseFee,
	})
	tips := new(uint256.Int)
	for _, tx := range txs {
		r, err := run.Apply(tx)
		if err != nil {
			h.t.Fatalf("block %d: apply: %v", h.height, err)
		}
		tip, _ := tx.EffectiveGasTip(h.baseFee)
		r.EffectiveGasPrice = new(big.Int).Add(h.baseFee, tip)
		tips.Add(tips, uint256.MustFromBig(tip.Mul(tip, new(big.Int).SetUint64(r.GasUsed))))
		h.burned.Add(h.burned, new(big.Int).Mul(h.baseFee, new(big.Int).SetUint64(r.GasUsed)))
	}
	changed := h.s.EndBlock(h.st, h.env(), tips)
	h.st.Finalise(h.exec.Rules(&cairnvm.BlockEnv{Number: h.height, Time: h.timeMs / 1000}))
	return run.Receipts(), changed
}

// tx signs a call to the staking contract from a with value.
func (h *harness) tx(a account, value *big.Int, method string, args ...any) *types.Transaction {
	h.t.Helper()
	data, err := ABI.Pack(method, args...)
	if err != nil {
		h.t.Fatalf("pack %s: %v", method, err)
	}
	to := Address
	n := h.nonces[a.addr]
	h.nonces[a.addr] = n + 1
	if value == nil {
		value = new(big.Int)
	}
	return types.MustSignNewTx(a.key, h.exec.Signer(), &types.DynamicFeeTx{
		ChainID: big.NewInt(testChainID), Nonce: n, Gas: 1_000_000,
		GasFeeCap: big.NewInt(3e9), GasTipCap: big.NewInt(1e9), To: &to, Value: value, Data: data,
	})
}

// send runs one transaction in its own block (everyone signing) and
// returns its receipt.
func (h *harness) send(a account, value *big.Int, method string, args ...any) *types.Receipt {
	h.t.Helper()
	rs, _ := h.block(nil, nil, h.tx(a, value, method, args...))
	return rs[0]
}

// mustSend is send that fails the test unless the call succeeded.
func (h *harness) mustSend(a account, value *big.Int, method string, args ...any) *types.Receipt {
	h.t.Helper()
	r := h.send(a, value, method, args...)
	if r.Status != types.ReceiptStatusSuccessful {
		h.t.Fatalf("%s from %s failed: %s", method, a.addr, h.why(a, value, method, args...))
	}
	return r
}

// why replays a call read-only and returns its revert reason.
func (h *harness) why(a account, value *big.Int, method string, args ...any) string {
	data, _ := ABI.Pack(method, args...)
	to := Address
	res, err := h.exec.Call(testCtx, h.st.Copy(), cairnvm.BlockEnv{Number: h.height, TimeMs: h.timeMs, GasLimit: 100_000_000, BaseFee: h.baseFee},
		cairnvm.CallMsg{From: a.addr, To: &to, Value: value, Data: data}, 10_000_000, 0)
	if err != nil {
		return err.Error()
	}
	if res.Err == nil {
		return "(it succeeds now)"
	}
	reason, _ := abi.UnpackRevert(res.ReturnData)
	return reason
}

// invariants checks what must hold after every block.
func (h *harness) invariants() {
	h.t.Helper()
	r := h.view()
	tot := r.Totals()
	bal := h.st.GetBalance(Address).ToBig()
	sum := new(big.Int).Add(tot.Bonded, tot.Unbonding)
	sum.Add(sum, tot.Outstanding)
	if bal.Cmp(sum) != 0 {
		h.t.Fatalf("block %d: contract balance %s != bonded %s + unbonding %s + outstanding %s", h.height, bal, tot.Bonded, tot.Unbonding, tot.Outstanding)
	}
	tokens, entries := new(big.Int), new(big.Int)
	for _, v := range r.Validators() {
		tokens.Add(tokens, v.Tokens)
		if v.Tokens.Sign() < 0 {
			h.t.Fatalf("validator %s has negative stake", v.Operator)
		}
	}
	if tokens.Cmp(tot.Bonded) != 0 {
		h.t.Fatalf("block %d: Σ validator stake %s != bonded total %s", h.height, tokens, tot.Bonded)
	}
	for _, a := range h.everyone() {
		for _, u := range r.Unbondings(a.addr) {
			if u.Kind == KindUnbonding {
				entries.Add(entries, u.Amount)
			}
		}
	}
	if entries.Cmp(tot.Unbonding) != 0 {
		h.t.Fatalf("block %d: Σ unbonding entries %s != unbonding total %s", h.height, entries, tot.Unbonding)
	}
	// Every wei: what the accounts hold and the contract holds is what
	// genesis made plus rewards minted, less base fees burned and slashes.
	held := new(big.Int).Set(bal)
	for _, a := range h.everyone() {
		held.Add(held, h.st.GetBalance(a.addr).ToBig())
	}
	want := new(big.Int).Add(h.supply, tot.Minted)
	want.Sub(want, h.burned)
	want.Sub(want, tot.Slashed)
	if held.Cmp(want) != 0 {
		h.t.Fatalf("block %d: supply %s held, want genesis + minted − burned − slashed = %s", h.height, held, want)
	}
	// At an epoch's end every member's power is its bonded stake in
	// power units.
	if h.height%h.s.params.EpochBlocks == 0 {
		for _, m := range r.ActiveSet() {
			v, _ := r.Validator(m.Operator)
			if want := new(big.Int).Div(v.Tokens, PowerUnit.ToBig()); want.Uint64() != m.Power {
				h.t.Fatalf("block %d: %s has power %d, stake says %s", h.height, m.Operator, m.Power, want)
			}
		}
	}
	// Delegations never add up to more than their validator holds.
	for _, v := range r.Validators() {
		worth := new(big.Int)
		for _, a := range h.everyone() {
			amt, _ := r.Delegation(a.addr, v.Operator)
			worth.Add(worth, amt)
		}
		if worth.Cmp(v.Tokens) > 0 {
			h.t.Fatalf("block %d: delegations to %s are worth %s, more than its stake %s", h.height, v.Operator, worth, v.Tokens)
		}
	}
}

func (h *harness) everyone() []account { return append(append([]account(nil), h.vals...), h.users...) }
