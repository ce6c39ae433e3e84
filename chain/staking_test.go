package chain

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	"math/big"
	"strings"
	"testing"

	"cairn/chain/staking"
	"cairn/vm"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// stakingTx signs a call of the staking contract from devnet account key.
func stakingTx(t *testing.T, c *Chain, key *ecdsa.PrivateKey, nonce uint64, value *big.Int, method string, args ...any) *types.Transaction {
	t.Helper()
	data, err := staking.ABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	to := staking.Address
	return types.MustSignNewTx(key, c.Signer(), &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
		Gas: 500_000, To: &to, Value: value, Data: data,
	})
}

// A validator registered by a transaction joins the set at the end of the
// epoch: the epoch's last header names the new set, the store keeps it,
// and a reopened chain finds it again.
func TestStakingTransactionChangesTheSetAtTheEpochEnd(t *testing.T) {
	dir := t.TempDir()
	g := Devnet()
	g.Params.Staking.EpochBlocks = 4
	c, store := openTestChainWith(t, dir, g)
	key := ed25519.NewKeyFromSeed(crypto.Keccak256([]byte("second validator")))
	op := crypto.PubkeyToAddress(devKey1.PublicKey)
	sig := ed25519.Sign(key, staking.KeyProof(g.ChainID, op))
	create := stakingTx(t, c, devKey1, 0, CRN(5000), "createValidator", [32]byte(key.Public().(ed25519.PublicKey)), sig, uint16(700), "second")
	b1, _ := produce(t, c, create)
	rs, err := c.Receipts(b1)
	if err != nil || rs[0].Status != types.ReceiptStatusSuccessful {
		t.Fatalf("createValidator receipt: %v %+v", err, rs)
	}
	// The view answers through a read-only call, as eth_call does.
	data, _ := staking.ABI.Pack("validator", op)
	to := staking.Address
	res, err := c.Call(context.Background(), vm.CallMsg{From: op, To: &to, Data: data}, CallLimits{})
	if err != nil || res.Err != nil {
		t.Fatalf("validator view: %v %v", err, res)
	}
	out, err := staking.ABI.Unpack("validator", res.ReturnData)
	if err != nil {
		t.Fatal(err)
	}
	info := *abi.ConvertType(out[0], new(staking.ValidatorInfo)).(*staking.ValidatorInfo)
	if info.Moniker != "second" || info.CommissionBps != 700 || info.Tokens.Cmp(CRN(5000)) != 0 {
		t.Fatalf("validator view %+v", info)
	}
	for c.Head().Height() < 3 {
		produce(t, c)
		if len(c.Validators().Validators) != 1 {
			t.Fatalf("set changed after block %d, before the epoch's end", c.Head().Height())
		}
	}
	b4, _ := produce(t, c)
	set := c.Validators()
	if len(set.Validators) != 2 || set.ByAddress(op) == nil || set.ByAddress(op).Power != 5000 {
		t.Fatalf("set after the epoch: %+v", set.Validators)
	}
	if b4.Header.NextValidatorsHash != set.Hash() || b4.Header.ValidatorsHash == set.Hash() {
		t.Fatal("the epoch's last header does not name the new set")
	}
	b5, _ := produce(t, c) // validated by the new set
	if b5.Header.ValidatorsHash != set.Hash() {
		t.Fatal("block 5 is not validated by the new set")
	}
	c.Close()
	store.Close()

	c, store = openTestChainWith(t, dir, g)
	defer func() { c.Close(); store.Close() }()
	for h, want := range map[uint64]int{1: 1, 4: 1, 5: 2, 6: 2} {
		s, err := c.ValidatorsAt(h)
		if err != nil || len(s.Validators) != want {
			t.Fatalf("reopened: set of block %d: %v, %d members, want %d", h, err, len(s.Validators), want)
		}
	}
}

// Evidence decides a slash, so every node checks it: a proposer keeps only
// valid evidence, and a block with invalid evidence is refused.
func TestBlocksCarryOnlyValidEvidence(t *testing.T) {
	c := newTestChain(t)
	produce(t, c)
	produce(t, c)
	vote := func(height uint64, hash string, key ed25519.PrivateKey) Vote {
		v := Vote{Type: Prevote, Height: height, BlockHash: crypto.Keccak256Hash([]byte(hash)), Validator: devnetValidator()}
		v.Sign(c.ChainID(), key)
		return v
	}
	key := DevnetValidatorKey()
	other := ed25519.NewKeyFromSeed(make([]byte, 32))
	valid := Evidence{VoteA: vote(1, "a", key), VoteB: vote(1, "b", key)}
	bad := map[string]Evidence{
		"not conflicting": {VoteA: vote(1, "a", key), VoteB: vote(1, "a", key)},
		"another key":     {VoteA: vote(1, "a", key), VoteB: vote(1, "b", other)},
		"from the future": {VoteA: vote(3, "a", key), VoteB: vote(3, "b", key)},
		"other heights":   {VoteA: vote(1, "a", key), VoteB: vote(2, "b", key)},
	}
	p := proposal(c)
	p.Evidence = []Evidence{valid}
	for _, ev := range bad {
		p.Evidence = append(p.Evidence, ev)
	}
	b, res, _, err := c.Propose(p, newSource(c))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Evidence) != 1 || b.Evidence[0].VoteB.BlockHash != valid.VoteB.BlockHash {
		t.Fatalf("proposed block carries %d pieces of evidence, want the one valid", len(b.Evidence))
	}
	for name, ev := range bad {
		forged := *b
		h := *b.Header
		forged.Header, forged.Evidence = &h, []Evidence{ev}
		h.EvidenceHash = EvidenceHash(forged.Evidence)
		if _, err := c.Execute(&forged); !errors.Is(err, ErrInvalidBlock) || !strings.Contains(err.Error(), "evidence") {
			t.Errorf("block with %s evidence: %v, want an invalid block", name, err)
		}
	}
	if err := c.Commit(b, res, devnetCommit(c, b)); err != nil {
		t.Fatal(err)
	}
	st, _ := c.State()
	if v, _ := c.Staking().View(st).Validator(devnetValidator()); v.Status != staking.StatusTombstoned {
		t.Fatalf("after valid evidence the validator's status is %d, want tombstoned", v.Status)
	}
}

// TestStakingAddressHasMarkerCode: the staking account holds its marker
// code from genesis, so Solidity's extcodesize check before a call passes,
// and a call there still reaches the native contract, not that code.
func TestStakingAddressHasMarkerCode(t *testing.T) {
	c := newTestChain(t)
	st, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if code := st.GetCode(staking.Address); string(code) != string(staking.MarkerCode) {
		t.Fatalf("code at the staking address %x, want %x", code, staking.MarkerCode)
	}
	data, err := staking.ABI.Pack("validators")
	if err != nil {
		t.Fatal(err)
	}
	to := staking.Address
	res, err := c.Call(context.Background(), vm.CallMsg{To: &to, Data: data}, CallLimits{})
	if err != nil || res.Err != nil || len(res.ReturnData) == 0 {
		t.Fatalf("a call of validators(): %v, %+v", err, res)
	}
}
