package chain

import (
	"cairn/chain/staking"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestDevnetGenesisFundsDevAccounts(t *testing.T) {
	c := newTestChain(t)
	if c.Head().Height() != 0 {
		t.Fatalf("new chain head %d, want 0", c.Head().Height())
	}
	if got := crypto.PubkeyToAddress(devKey0.PublicKey); got != DevnetAccounts[0] {
		t.Fatalf("dev key 0 is %s, want %s", got, DevnetAccounts[0])
	}
	for _, a := range DevnetAccounts {
		acc, err := c.Account(a)
		if err != nil {
			t.Fatal(err)
		}
		if acc.Balance.Cmp(CRN(1_000_000)) != 0 || acc.Nonce != 0 {
			t.Fatalf("%s: balance %v nonce %d, want 1,000,000 CRN and 0", a, acc.Balance, acc.Nonce)
		}
	}
	if c.ChainID().Uint64() != 7777 {
		t.Fatalf("chain id %v", c.ChainID())
	}
}

func TestTransfersAreExecutedAndCommitted(t *testing.T) {
	c := newTestChain(t)
	to := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	tx1 := transfer(t, c, devKey0, 0, to, 1000)
	tx2 := legacyTransfer(t, c, devKey0, 1, to, 500)
	b, dropped := produce(t, c, tx1, tx2)
	if len(dropped) != 0 || len(b.Txs) != 2 {
		t.Fatalf("block has %d txs, dropped %v", len(b.Txs), dropped)
	}
	if b.Header.GasUsed != 42000 {
		t.Fatalf("gas used %d, want 42000", b.Header.GasUsed)
	}
	acc, _ := c.Account(to)
	if acc.Balance.Int64() != 1500 {
		t.Fatalf("recipient balance %v, want 1500", acc.Balance)
	}
	sender, _ := c.Account(DevnetAccounts[0])
	if sender.Nonce != 2 {
		t.Fatalf("sender nonce %d, want 2", sender.Nonce)
	}
	// The sender paid value plus gas at the effective price; the staking
	// contract took the tips (2 gwei for the 1559 tx, 5-1 gwei for the
	// legacy one) and the block reward, for the signers of the commit.
	stake, _ := c.Account(staking.Address)
	wantTips := new(big.Int).Mul(big.NewInt(21000), big.NewInt(2e9+4e9))
	want := new(big.Int).Add(Devnet().Validators[0].Stake.Int(), wantTips)
	want.Add(want, c.Params().Staking.BlockReward.Int())
	if stake.Balance.Cmp(want) != 0 {
		t.Fatalf("staking contract holds %v, want stake + tips %v + reward = %v", stake.Balance, wantTips, want)
	}
	look, err := c.Transaction(tx2.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if look.Block.Height() != 1 || look.Index != 1 || look.Receipt.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("lookup: height %d index %d status %d", look.Block.Height(), look.Index, look.Receipt.Status)
	}
	if look.Receipt.BlockHash != b.Hash() || look.Receipt.GasUsed != 21000 {
		t.Fatalf("receipt derived fields wrong: %+v", look.Receipt)
	}
}

func TestProposerDropsInvalidTransactions(t *testing.T) {
	c := newTestChain(t)
	to := common.HexToAddress("0xbb")
	good := transfer(t, c, devKey0, 0, to, 1)
	stale := transfer(t, c, devKey0, 0, to, 2) // same nonce again: invalid after good
	poor, _ := crypto.GenerateKey()
	unfunded := transfer(t, c, poor, 0, to, 1)
	b, dropped := produce(t, c, good, stale, unfunded)
	if len(b.Txs) != 1 || b.Txs[0].Hash() != good.Hash() {
		t.Fatalf("block txs %d, want only the good one", len(b.Txs))
	}
	if len(dropped) != 2 {
		t.Fatalf("dropped %d, want 2", len(dropped))
	}
	for _, d := range dropped {
		if d.Reason == "" {
			t.Fatal("dropped without a reason")
		}
	}
}

func TestExecuteAcceptsProposedBlockAndRejectsTampering(t *testing.T) {
	proposer := newTestChain(t)
	to := common.HexToAddress("0xcc")
	b, _ := produce(t, proposer, transfer(t, proposer, devKey0, 0, to, 7))

	validator := newTestChain(t)
	res, err := validator.Execute(b)
	if err != nil {
		t.Fatalf("valid block refused: %v", err)
	}
	tampered := []func(h *Header){
		func(h *Header) { h.StateRoot[0] ^= 1 },
		func(h *Header) { h.GasUsed++ },
		func(h *Header) { h.BaseFee = big.NewInt(1) },
		func(h *Header) { h.Time = 0 },
		func(h *Header) { h.Height = 5 },
		func(h *Header) { h.Proposer = common.HexToAddress("0x01") },
		func(h *Header) { h.TxRoot[0] ^= 1 },
		func(h *Header) { h.ReceiptRoot[0] ^= 1 },
	}
	for i, f := range tampered {
		hdr := b.Header.Copy()
		f(hdr)
		bad := &Block{Header: hdr, Txs: b.Txs}
		if _, err := validator.Execute(bad); !errors.Is(err, ErrInvalidBlock) {
			t.Errorf("tampering %d: got %v, want ErrInvalidBlock", i, err)
		}
	}
	if err := validator.Commit(b, res, devnetCommit(validator, b)); err != nil {
		t.Fatal(err)
	}
	if validator.Head().Hash() != b.Hash() {
		t.Fatal("validator did not reach the proposer's block")
	}
}

func TestCommitRefusesResultOfAnotherHead(t *testing.T) {
	c := newTestChain(t)
	b1, res1, _, err := c.Propose(proposal(c), newSource(c))
	if err != nil {
		t.Fatal(err)
	}
	produce(t, c) // head moves on
	if err := c.Commit(b1, res1, nil); err == nil || !strings.Contains(err.Error(), "another head") {
		t.Fatalf("stale commit: %v", err)
	}
}

func TestBaseFeeFollowsGasUsed(t *testing.T) {
	c := newTestChain(t)
	p := c.Params()
	parent := &Header{Height: 5, GasLimit: 1000000, BaseFee: big.NewInt(8e9)}
	cases := []struct {
		used uint64
		want int64
	}{
		{500000, 8e9},  // at target: unchanged
		{1000000, 9e9}, // full: +1/8
		{0, 7e9},       // empty: -1/8
	}
	for _, tc := range cases {
		parent.GasUsed = tc.used
		if got := c.NextBaseFee(parent); got.Int64() != tc.want {
			t.Errorf("used %d: base fee %v, want %d", tc.used, got, tc.want)
		}
	}
	parent.BaseFee, parent.GasUsed = p.MinBaseFee.Int(), 0
	if got := c.NextBaseFee(parent); got.Cmp(p.MinBaseFee.Int()) != 0 {
		t.Errorf("base fee fell below the floor: %v", got)
	}
	if got := c.NextBaseFee(&Header{Height: 0}); got.Cmp(p.InitialBaseFee.Int()) != 0 {
		t.Errorf("block 1 base fee %v, want the initial %v", got, p.InitialBaseFee.Int())
	}
}
