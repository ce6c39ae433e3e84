package localapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/chain/staking"
	"cairn/node/api"
	"cairn/node/api/apitest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

var (
	// key2 is devnet account 2 (Hardhat/Anvil), which registers a validator here.
	key2 = mustKey("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
	// nobody has never staked.
	nobody = common.HexToAddress("0x000000000000000000000000000000000000dEaD")
)

var validatorListShape = map[string]string{"validators": "array", "totalPower": "number"}

var validatorShape = map[string]string{
	"operator": "address", "consensusKey": "hex", "moniker": "string", "commissionBps": "number",
	"status": "string", "tokens": "amount", "selfStake": "amount", "power": "number", "powerShare": "number",
	"jailedUntil": "number", "missedBlocks": "number", "windowBlocks": "number", "uptime": "number",
}

var delegationsShape = map[string]string{
	"delegator": "address", "delegations": "array", "unbondings": "array", "pendingRewards": "amount",
}

var delegationShape = map[string]string{
	"validator": "address", "amount": "amount", "shares": "amount", "pendingRewards": "amount",
}

var unbondingShape = map[string]string{
	"kind": "string", "validator": "address", "amount": "amount", "completionTime": "number", "height": "number",
}

var redelegationShape = func() map[string]string {
	m := map[string]string{"destination": "address"}
	for k, v := range unbondingShape {
		m[k] = v
	}
	return m
}()

// stake sends a call of the staking contract from k through POST /v1/txs,
// with 200,000 gas (300,000 for a redelegation, which pays for walking the
// sender's entries).
func (f *fixture) stake(k *ecdsa.PrivateKey, nonce uint64, value *big.Int, method string, args ...any) *types.Transaction {
	f.t.Helper()
	data, err := staking.ABI.Pack(method, args...)
	if err != nil {
		f.t.Fatal(err)
	}
	to, gas := staking.Address, uint64(200_000)
	if method == "redelegate" {
		gas = 300_000
	}
	tx := f.dynTx(k, nonce, &to, value, gas, data)
	f.send(tx)
	return tx
}

// succeeded fails unless every tx is committed with a successful receipt.
func (f *fixture) succeeded(txs ...*types.Transaction) {
	f.t.Helper()
	for _, tx := range txs {
		lk, err := f.chain.Transaction(tx.Hash())
		if err != nil {
			f.t.Fatalf("transaction %s: %v", tx.Hash(), err)
		}
		if lk.Receipt.Status != types.ReceiptStatusSuccessful {
			f.t.Fatalf("transaction %s failed (gas used %d)", tx.Hash(), lk.Receipt.GasUsed)
		}
	}
}

// createValidator registers k's address as a validator with a fresh
// consensus key and selfStake CRN of self-stake (the transaction is sent,
// not yet included).
func (f *fixture) createValidator(k *ecdsa.PrivateKey, nonce uint64, selfStake int64, moniker string) *types.Transaction {
	f.t.Helper()
	seed := sha256.Sum256([]byte("api test validator " + moniker))
	cons := ed25519.NewKeyFromSeed(seed[:])
	var pub [32]byte
	copy(pub[:], cons.Public().(ed25519.PublicKey))
	op := addrOf(k)
	sig := ed25519.Sign(cons, staking.KeyProof(f.chain.ChainID().Uint64(), op))
	return f.stake(k, nonce, chain.CRN(selfStake), "createValidator", pub, sig, uint16(500), moniker)
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

func TestDevnetKeysForStaking(t *testing.T) {
	for i, k := range []*ecdsa.PrivateKey{key0, key1, key2} {
		if addrOf(k) != chain.DevnetAccounts[i] {
			t.Fatalf("key %d is %s, want devnet account %s", i, addrOf(k), chain.DevnetAccounts[i])
		}
	}
}

func TestValidators(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.produce() // blocks 2 and 3 carry commits: the signing window has counted two
	}
	list := f.getOK("/v1/validators")
	checkShape(t, "validator list", list, validatorListShape)
	if list["totalPower"] != float64(1_000_000) {
		t.Fatalf("totalPower %v, want 1000000", list["totalPower"])
	}
	vals := list["validators"].([]any)
	if len(vals) != 1 {
		t.Fatalf("%d validators listed, want the devnet one: %v", len(vals), vals)
	}
	v := vals[0].(map[string]any)
	checkShape(t, "validator", v, validatorShape)
	pub := chain.DevnetValidatorKey().Public().(ed25519.PublicKey)
	want := map[string]any{
		"status": "active", "power": float64(1_000_000), "powerShare": float64(1), "uptime": float64(1),
		"windowBlocks": float64(2), "missedBlocks": float64(0), "jailedUntil": float64(0),
		"tokens": chain.CRN(1_000_000).String(), "selfStake": chain.CRN(1_000_000).String(),
		"moniker": "devnet-0", "consensusKey": hexutil.Encode(pub),
	}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("validator.%s = %v, want %v", k, v[k], w)
		}
	}
	if !strings.EqualFold(v["operator"].(string), f.validator.Hex()) {
		t.Errorf("validator.operator = %v, want %s", v["operator"], f.validator)
	}

	// One validator by operator address, in any case, is the listed one.
	for _, a := range []string{f.validator.Hex(), strings.ToLower(f.validator.Hex())} {
		if one := f.getOK("/v1/validators/" + a); !reflect.DeepEqual(one, v) {
			t.Fatalf("GET /v1/validators/%s = %v, want %v", a, one, v)
		}
	}
	for _, c := range []struct {
		path   string
		status int
		code   string
	}{
		{"/v1/validators/" + addr1.Hex(), 404, api.CodeNotFound}, // funded, not a validator
		{"/v1/validators/" + nobody.Hex(), 404, api.CodeNotFound},
		{"/v1/validators/0x1234", 400, api.CodeBadRequest},
		{"/v1/validators/0xnothex", 400, api.CodeBadRequest},
		{"/v1/validators/" + strings.Replace(addr0.Hex(), "F", "f", 1), 400, api.CodeBadRequest}, // bad checksum
		{"/v1/delegations/0x1234", 400, api.CodeBadRequest},
		{"/v1/delegations/" + strings.Replace(addr0.Hex(), "F", "f", 1), 400, api.CodeBadRequest},
	} {
		code, body := f.do("GET", c.path, "")
		t.Logf("%s: %s", c.path, apitest.WantError(t, code, body, c.status, c.code))
	}
}

func TestValidatorsOrder(t *testing.T) {
	f := newFixture(t)
	// Registered in this order, with less stake than the devnet validator
	// and out of stake order: both wait, inactive, for the epoch's end.
	small := f.createValidator(key1, 0, 1_000, "small")
	large := f.createValidator(key2, 0, 5_000, "big")
	f.produce()
	f.succeeded(small, large)

	list := f.getOK("/v1/validators")
	vals := list["validators"].([]any)
	wantOrder := []common.Address{f.validator, addr2(), addr1}
	if len(vals) != len(wantOrder) {
		t.Fatalf("%d validators listed, want %d: %v", len(vals), len(wantOrder), vals)
	}
	for i, w := range wantOrder {
		v := vals[i].(map[string]any)
		checkShape(t, "validator", v, validatorShape)
		if !strings.EqualFold(v["operator"].(string), w.Hex()) {
			t.Fatalf("validator %d is %v, want %s (order: active by power, then by tokens)", i, v["operator"], w)
		}
	}
	if list["totalPower"] != float64(1_000_000) {
		t.Fatalf("totalPower %v, want the set's 1000000 (newcomers wait for the epoch's end)", list["totalPower"])
	}
	b := vals[1].(map[string]any)
	want := map[string]any{
		"status": "inactive", "power": float64(0), "powerShare": float64(0), "uptime": float64(1),
		"windowBlocks": float64(0), "commissionBps": float64(500), "moniker": "big",
		"tokens": chain.CRN(5_000).String(), "selfStake": chain.CRN(5_000).String(),
	}
	for k, w := range want {
		if b[k] != w {
			t.Errorf("new validator.%s = %v, want %v", k, b[k], w)
		}
	}
	if one := f.getOK("/v1/validators/" + addr2().Hex()); !reflect.DeepEqual(one, b) {
		t.Fatalf("GET /v1/validators/%s = %v, want %v", addr2(), one, b)
	}
}

func addr2() common.Address { return addrOf(key2) }

// stakingFixture is a chain where addr1 delegated 10 CRN to the devnet
// validator, then undelegated 3 and redelegated 2 to a second validator
// (operated by key2), with blocks after for rewards to accrue.
func stakingFixture(t *testing.T) (f *fixture, exit *chain.Block) {
	f = newFixture(t)
	reg := f.createValidator(key2, 0, 1_000, "second")
	f.produce()
	del := f.stake(key1, 0, chain.CRN(10), "delegate", f.validator)
	f.produce()
	f.succeeded(reg, del)
	f.produce()
	f.produce()
	undel := f.stake(key1, 1, new(big.Int), "undelegate", f.validator, chain.CRN(3))
	redel := f.stake(key1, 2, new(big.Int), "redelegate", f.validator, addr2(), chain.CRN(2))
	exit = f.produce()
	f.succeeded(undel, redel)
	f.produce()
	return f, exit
}

func TestDelegations(t *testing.T) {
	f := newFixture(t)
	del := f.stake(key1, 0, chain.CRN(10), "delegate", f.validator)
	f.produce()
	f.succeeded(del)

	d := f.getOK("/v1/delegations/" + addr1.Hex())
	checkShape(t, "delegations", d, delegationsShape)
	if !strings.EqualFold(d["delegator"].(string), addr1.Hex()) {
		t.Fatalf("delegator %v, want %s", d["delegator"], addr1)
	}
	dels := d["delegations"].([]any)
	if len(dels) != 1 || len(d["unbondings"].([]any)) != 0 {
		t.Fatalf("delegations %v, unbondings %v: want one delegation and no entries", dels, d["unbondings"])
	}
	one := dels[0].(map[string]any)
	checkShape(t, "delegation", one, delegationShape)
	if !strings.EqualFold(one["validator"].(string), f.validator.Hex()) || one["amount"] != chain.CRN(10).String() || one["shares"] == "0" {
		t.Fatalf("delegation = %v, want 10 CRN to %s", one, f.validator)
	}

	// The validator signs the next commits: the delegation earns its share.
	f.produce()
	f.produce()
	d = f.getOK("/v1/delegations/" + addr1.Hex())
	one = d["delegations"].([]any)[0].(map[string]any)
	earned := mustAmount(t, one["pendingRewards"])
	if earned.Sign() <= 0 {
		t.Fatalf("pendingRewards %v after two more blocks, want > 0", one["pendingRewards"])
	}
	if d["pendingRewards"] != one["pendingRewards"] {
		t.Fatalf("total pendingRewards %v, want the one delegation's %v", d["pendingRewards"], one["pendingRewards"])
	}
	st, err := f.chain.State()
	if err != nil {
		t.Fatal(err)
	}
	if want := f.chain.Staking().View(st).PendingRewards(addr1, f.validator); earned.Cmp(want) != 0 {
		t.Fatalf("pendingRewards %s, the contract says %s", earned, want)
	}
}

func TestDelegationsWithUnbondings(t *testing.T) {
	f, exit := stakingFixture(t)
	d := f.getOK("/v1/delegations/" + addr1.Hex())
	checkShape(t, "delegations", d, delegationsShape)
	dels := d["delegations"].([]any)
	if len(dels) != 2 {
		t.Fatalf("%d delegations, want 2: %v", len(dels), dels)
	}
	sum := new(big.Int)
	wantAmounts := map[common.Address]*big.Int{f.validator: chain.CRN(5), addr2(): chain.CRN(2)}
	for _, x := range dels {
		one := x.(map[string]any)
		checkShape(t, "delegation", one, delegationShape)
		val := common.HexToAddress(one["validator"].(string))
		if w, ok := wantAmounts[val]; !ok || one["amount"] != w.String() {
			t.Errorf("delegation %v: want amounts %v", one, wantAmounts)
		}
		delete(wantAmounts, val)
		sum.Add(sum, mustAmount(t, one["pendingRewards"]))
	}
	if d["pendingRewards"] != sum.String() || sum.Sign() <= 0 {
		t.Fatalf("total pendingRewards %v, want the delegations' sum %s (> 0)", d["pendingRewards"], sum)
	}

	unbs := d["unbondings"].([]any)
	if len(unbs) != 2 {
		t.Fatalf("%d unbondings, want 2: %v", len(unbs), unbs)
	}
	done := float64(exit.Header.Time + f.chain.Params().Staking.UnbondingMs)
	u := unbs[0].(map[string]any)
	checkShape(t, "unbonding", u, unbondingShape)
	if u["kind"] != "unbonding" || !strings.EqualFold(u["validator"].(string), f.validator.Hex()) ||
		u["amount"] != chain.CRN(3).String() || u["completionTime"] != done || u["height"] != float64(exit.Height()) {
		t.Errorf("unbonding = %v, want 3 CRN from %s done at %v, height %d", u, f.validator, done, exit.Height())
	}
	r := unbs[1].(map[string]any)
	checkShape(t, "redelegation", r, redelegationShape)
	if r["kind"] != "redelegation" || !strings.EqualFold(r["validator"].(string), f.validator.Hex()) ||
		!strings.EqualFold(r["destination"].(string), addr2().Hex()) || r["amount"] != chain.CRN(2).String() ||
		r["completionTime"] != done || r["height"] != float64(exit.Height()) {
		t.Errorf("redelegation = %v, want 2 CRN from %s to %s done at %v, height %d", r, f.validator, addr2(), done, exit.Height())
	}

	// The validators list reflects the stake that moved.
	v2 := f.getOK("/v1/validators/" + addr2().Hex())
	if v2["tokens"] != chain.CRN(1_002).String() || v2["selfStake"] != chain.CRN(1_000).String() {
		t.Fatalf("second validator tokens %v selfStake %v, want 1002 and 1000 CRN", v2["tokens"], v2["selfStake"])
	}
}

func TestDelegationsOfNobody(t *testing.T) {
	f := newFixture(t)
	f.produce()
	for _, a := range []common.Address{nobody, addr1, f.validator} {
		code, body := f.do("GET", "/v1/delegations/"+a.Hex(), "")
		if code != 200 {
			t.Fatalf("GET /v1/delegations/%s: %d %s", a, code, body)
		}
		d := apitest.JSONMap(t, body)
		checkShape(t, "delegations", d, delegationsShape)
		if a == f.validator {
			// The operator's self-stake is a delegation.
			if n := len(d["delegations"].([]any)); n != 1 {
				t.Fatalf("operator has %d delegations, want its self-stake", n)
			}
			continue
		}
		if len(d["delegations"].([]any)) != 0 || len(d["unbondings"].([]any)) != 0 || d["pendingRewards"] != "0" {
			t.Fatalf("delegations of %s = %s, want empty lists and \"0\"", a, body)
		}
	}
}

func TestStakingClientMatchesLocal(t *testing.T) {
	f, _ := stakingFixture(t)
	ctx := context.Background()
	l := both(t, f, "validators", func(s api.Service) (*api.ValidatorList, error) { return s.Validators(ctx) })
	if len(l.Validators) != 2 || l.TotalPower != 1_000_000 {
		t.Fatalf("validators = %+v", l)
	}
	for _, a := range []common.Address{f.validator, addr2(), addr1, nobody} {
		v := both(t, f, "validator "+a.Hex(), func(s api.Service) (*api.Validator, error) { return s.Validator(ctx, a) })
		if (v != nil) != (a == f.validator || a == addr2()) {
			t.Fatalf("validator %s = %+v", a, v)
		}
	}
	_, err := f.client.Validator(ctx, nobody)
	if e, ok := err.(*api.Error); !ok || e.Status != 404 || e.Code != api.CodeNotFound {
		t.Fatalf("client: unknown validator: %v, want a 404 not_found", err)
	}
	for _, a := range []common.Address{addr1, nobody, f.validator, addr2()} {
		d := both(t, f, "delegations "+a.Hex(), func(s api.Service) (*api.Delegations, error) { return s.Delegations(ctx, a) })
		if d.Delegations == nil || d.Unbondings == nil || d.PendingRewards == nil {
			t.Fatalf("delegations of %s has a null part: %+v", a, d)
		}
	}
	d, err := f.client.Delegations(ctx, addr1)
	if err != nil || len(d.Unbondings) != 2 || d.Unbondings[0].Destination != nil ||
		d.Unbondings[1].Destination == nil || *d.Unbondings[1].Destination != addr2() {
		t.Fatalf("client delegations: %v, %+v", err, d)
	}
}

func TestCompareValidators(t *testing.T) {
	a := func(b byte) common.Address { return common.Address{19: b} }
	crn := func(n int64) *big.Int { return chain.CRN(n) }
	in := []staking.ValidatorInfo{
		{Operator: a(1), Status: staking.StatusInactive, Tokens: crn(10)},
		{Operator: a(2), Status: staking.StatusActive, Tokens: crn(5), Power: 5},
		{Operator: a(3), Status: staking.StatusJailed, Tokens: crn(50), Power: 50}, // still in the set, not active
		{Operator: a(4), Status: staking.StatusActive, Tokens: crn(9), Power: 9},
		{Operator: a(5), Status: staking.StatusTombstoned, Tokens: crn(10)},
		{Operator: a(6), Status: staking.StatusActive, Tokens: crn(5), Power: 5},
		{Operator: a(7), Status: staking.StatusInactive, Tokens: crn(20)},
	}
	want := []byte{4, 2, 6, 3, 7, 1, 5}
	rev := slices.Clone(in)
	slices.Reverse(rev)
	for _, order := range [][]staking.ValidatorInfo{in, rev} {
		got := slices.Clone(order)
		slices.SortFunc(got, compareValidators)
		for i, w := range want {
			if got[i].Operator != a(w) {
				t.Fatalf("order %v, want operators %v", got, want)
			}
		}
	}
}

func TestValidatorView(t *testing.T) {
	info := staking.ValidatorInfo{
		Operator: common.Address{1}, ConsensusKey: [32]byte{0xab}, Status: staking.StatusJailed,
		Tokens: big.NewInt(7), SelfStake: big.NewInt(3), Power: 25, JailedUntil: 99,
		MissedBlocks: 25, WindowBlocks: 100,
	}
	v := validatorView(info, 100)
	if v.Status != api.ValidatorJailed || v.PowerShare != 0.25 || v.Uptime != 0.75 || v.JailedUntil != 99 ||
		len(v.ConsensusKey) != 32 || v.ConsensusKey[0] != 0xab || v.Tokens.Int().Int64() != 7 || v.SelfStake.Int().Int64() != 3 {
		t.Fatalf("view = %+v", v)
	}
	info.WindowBlocks, info.MissedBlocks, info.Power = 0, 0, 0
	if v := validatorView(info, 0); v.Uptime != 1 || v.PowerShare != 0 {
		t.Fatalf("empty window, no set: uptime %v powerShare %v, want 1 and 0", v.Uptime, v.PowerShare)
	}
	for status, name := range map[uint8]string{
		staking.StatusInactive: "inactive", staking.StatusActive: "active",
		staking.StatusJailed: "jailed", staking.StatusTombstoned: "tombstoned",
	} {
		info.Status = status
		if got := validatorView(info, 1).Status; got != name {
			t.Errorf("status %d is %q, want %q", status, got, name)
		}
	}
}

func mustAmount(t *testing.T, v any) *big.Int {
	t.Helper()
	s, _ := v.(string)
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("%v is not a decimal amount", v)
	}
	return x
}
