package node

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"math/big"
	"testing"
	"time"

	"cairn/chain"
	"cairn/chain/staking"
	"cairn/node/consensus/engine"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// operatorKeys are the transaction keys of the staking test chain's
// validator operators.
func operatorKeys() []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, 4)
	for i := range keys {
		keys[i], _ = crypto.ToECDSA(crypto.Keccak256(fmt.Appendf(nil, "cairn staking test operator %d", i)))
	}
	return keys
}

// stakingGenesis is the four-validator test chain with funded operators,
// short epochs and a short signing window, so set changes and jailing
// happen within a test.
func stakingGenesis(keys []ed25519.PrivateKey) *chain.Genesis {
	g := fourValidatorGenesis(keys)
	// Twice the other hub tests' block time: a validator that restarts
	// must catch up and vote again within its signing window, also under
	// the race detector on two cores.
	g.Params.BlockTimeMs *= 2
	for i, k := range operatorKeys() {
		g.Validators[i].Address = crypto.PubkeyToAddress(k.PublicKey)
		g.Alloc[g.Validators[i].Address] = chain.GenesisAccount{Balance: chain.NewBigInt(chain.CRN(100))}
	}
	s := &g.Params.Staking
	s.EpochBlocks = 5
	// A stopped validator misses all 20; a live one, however slow, signs
	// more than 4 (its late precommits count).
	s.SignedBlocksWindow = 20
	s.MinSignedPerWindow = 4
	s.DowntimeJailMs = 500
	return g
}

// stakingCall signs a call of the staking contract from key with
// go-ethereum's signer, as any Ethereum wallet would.
func stakingCall(t *testing.T, c *chain.Chain, key *ecdsa.PrivateKey, nonce uint64, value *big.Int, method string, args ...any) *types.Transaction {
	t.Helper()
	data, err := staking.ABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	to := staking.Address
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(c.ChainID()), &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(5e9),
		Gas: 500_000, To: &to, Value: value, Data: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// waitFor waits, on node i's committed blocks, until cond holds.
func (tn *testNet) waitFor(i int, what string, cond func() bool) {
	tn.t.Helper()
	deadline := time.After(waitLimit)
	for !cond() {
		select {
		case <-tn.subs[i].C:
		case <-deadline:
			tn.t.Fatalf("node %d at height %d: %s did not happen within %s", i, tn.head(i), what, waitLimit)
		}
	}
}

// signedBy reports whether op's precommit for block h is in the commit c
// stored for it or in the last commit of block h+1 (which pays for it).
func signedBy(c *chain.Chain, h uint64, op common.Address) bool {
	var commits []*chain.Commit
	if commit, err := c.CommitAt(h); err == nil {
		commits = append(commits, commit)
	}
	if next, err := c.BlockByHeight(h + 1); err == nil {
		commits = append(commits, next.LastCommit)
	}
	for _, commit := range commits {
		for _, s := range commit.Signatures {
			if s.Validator == op {
				return true
			}
		}
	}
	return false
}

func TestValidatorCreatedByTransactionJoinsProposesAndSigns(t *testing.T) {
	keys := testValidatorKeys()
	seed := sha256.Sum256([]byte("cairn staking test: a fifth validator"))
	fifth := ed25519.NewKeyFromSeed(seed[:])
	tn := newTestNetWith(t, stakingGenesis(keys), append(keys, fifth))
	all := []int{0, 1, 2, 3, 4}
	op := crypto.PubkeyToAddress(devKey0.PublicKey)
	c := tn.nodes[4].Chain()
	if tn.nodes[4].Validator() != nil {
		t.Fatal("the fifth node is a validator before its key is registered")
	}

	sig := ed25519.Sign(fifth, staking.KeyProof(c.ChainID().Uint64(), op))
	create := stakingCall(t, c, devKey0, 0, chain.CRN(30), "createValidator", [32]byte(fifth.Public().(ed25519.PublicKey)), sig, uint16(500), "fifth")
	if err := tn.nodes[4].Pool().Add(create); err != nil {
		t.Fatal(err)
	}
	tn.waitFor(4, "the createValidator transaction", func() bool {
		look, err := c.Transaction(create.Hash())
		return err == nil && look.Receipt.Status == types.ReceiptStatusSuccessful
	})
	registered, _ := c.Transaction(create.Hash())
	at := registered.Block.Height()
	epoch := c.Params().Staking.EpochBlocks
	joins := (at/epoch+1)*epoch + 1 // the first block of the next epoch
	tn.waitFor(4, "the new validator joining the set", func() bool { return c.Validators().ByAddress(op) != nil })
	if h := c.Head().Height() + 1; h != joins {
		t.Fatalf("the new validator joined at block %d, want %d (registered in block %d, epochs of %d)", h, joins, at, epoch)
	}
	if self := tn.nodes[4].Validator(); self == nil || self.Address != op {
		t.Fatalf("the fifth node's identity is %+v, want operator %s", self, op)
	}
	// Signing: its precommits are in the commits from then on; proposing:
	// with 30 of 130 power it is picked within a few dozen blocks.
	tn.waitFor(4, "a commit signed by the new validator", func() bool { return signedBy(c, c.Head().Height(), op) })
	tn.waitFor(4, "a block proposed by the new validator", func() bool { return c.Head().Header.Proposer == op })
	tn.waitHeight(c.Head().Height()+2, all...)
	tn.checkAgreement()
}

func TestStoppedValidatorIsJailedUnjailsAndRejoins(t *testing.T) {
	keys := testValidatorKeys()
	tn := newTestNetWith(t, stakingGenesis(keys), keys)
	live := []int{0, 1, 2}
	c := tn.nodes[0].Chain()
	down := tn.nodes[3].Validator().Address
	tn.waitHeight(2, live...)
	tn.stop(3)
	view := func() staking.ValidatorInfo {
		st, err := c.State()
		if err != nil {
			t.Fatal(err)
		}
		v, _ := c.Staking().View(st).Validator(down)
		return v
	}
	tn.waitFor(0, "the stopped validator being jailed", func() bool { return view().Status == staking.StatusJailed })
	jailedAt := c.Head().Height()
	tn.waitFor(0, "the jailed validator leaving the set", func() bool { return c.Validators().ByAddress(down) == nil })
	// The chain goes on without it.
	tn.waitHeight(c.Head().Height()+3, live...)

	// Back up, its operator sends unjail() once the jail time is over.
	tn.start(3)
	until := view().JailedUntil
	tn.waitFor(0, "the jail time passing", func() bool { return c.Head().Header.Time >= until })
	unjail := stakingCall(t, c, operatorKeys()[3], 0, nil, "unjail")
	if err := tn.nodes[0].Pool().Add(unjail); err != nil {
		t.Fatal(err)
	}
	tn.waitFor(0, "the unjail transaction", func() bool {
		look, err := c.Transaction(unjail.Hash())
		return err == nil && look.Receipt.Status == types.ReceiptStatusSuccessful
	})
	tn.waitFor(0, "the validator rejoining the set", func() bool { return c.Validators().ByAddress(down) != nil })
	tn.waitFor(0, "the rejoined validator signing", func() bool {
		if tn.head(0)%100 == 0 {
			t.Logf("node 0 at %d, node 3 at %d; the validator: %+v", tn.head(0), tn.head(3), view())
		}
		return signedBy(c, c.Head().Height()-1, down)
	})
	t.Logf("jailed at block %d; back in the set and signing at block %d", jailedAt, c.Head().Height())
	// The validators that never stopped were never jailed: a slower one's
	// late precommits count.
	st, _ := c.State()
	for _, v := range c.Staking().View(st).Validators() {
		if v.Operator != down && v.Status != staking.StatusActive {
			t.Errorf("validator %s (never stopped) has status %d", v.Moniker, v.Status)
		}
	}
	tn.checkAgreement()
}

// doubleSign has key's validator sign two conflicting prevotes for each of
// the next few heights and broadcasts them from a peer of its own, as a
// Byzantine validator running a second copy of its key would.
func (tn *testNet) doubleSign(key ed25519.PrivateKey, op common.Address) {
	tn.t.Helper()
	tr, err := tn.hub.Join("byzantine", nil)
	if err != nil {
		tn.t.Fatal(err)
	}
	tn.t.Cleanup(func() { tr.Close() })
	c := tn.nodes[0].Chain()
	head := c.Head().Height()
	for h := head + 1; h <= head+3; h++ {
		for _, block := range []string{"x", "y"} {
			v := &chain.Vote{Type: chain.Prevote, Height: h, BlockHash: crypto.Keccak256Hash([]byte(block)), Validator: op}
			v.Sign(c.ChainID(), key)
			data, err := encodeWire(engine.Message{Vote: v}, nil)
			if err != nil {
				tn.t.Fatal(err)
			}
			if err := tr.Broadcast(transport.TopicConsensus, data); err != nil {
				tn.t.Fatal(err)
			}
		}
	}
}

func TestDoubleSignerIsSlashedAndTombstoned(t *testing.T) {
	keys := testValidatorKeys()
	g := stakingGenesis(keys)
	// No downtime jailing here: only the double-sign moves the stake.
	g.Params.Staking.SignedBlocksWindow, g.Params.Staking.MinSignedPerWindow = 1000, 0
	tn := newTestNetWith(t, g, keys)
	c := tn.nodes[0].Chain()
	bad := tn.nodes[3].Validator().Address
	delegator := crypto.PubkeyToAddress(devKey0.PublicKey)
	del := stakingCall(t, c, devKey0, 0, chain.CRN(10), "delegate", bad)
	if err := tn.nodes[0].Pool().Add(del); err != nil {
		t.Fatal(err)
	}
	tn.waitFor(0, "the delegation", func() bool {
		look, err := c.Transaction(del.Hash())
		return err == nil && look.Receipt.Status == types.ReceiptStatusSuccessful
	})
	view := func() staking.Reader {
		st, err := c.State()
		if err != nil {
			t.Fatal(err)
		}
		return c.Staking().View(st)
	}
	before, _ := view().Validator(bad)
	worthBefore, _ := view().Delegation(delegator, bad)

	tn.doubleSign(keys[3], bad)
	tn.waitFor(0, "the double-signer being tombstoned", func() bool {
		v, _ := view().Validator(bad)
		return v.Status == staking.StatusTombstoned
	})
	after, _ := view().Validator(bad)
	bps := big.NewInt(int64(g.Params.Staking.SlashDoubleSignBps))
	cut := new(big.Int).Div(new(big.Int).Mul(before.Tokens, bps), big.NewInt(10_000))
	if want := new(big.Int).Sub(before.Tokens, cut); after.Tokens.Cmp(want) != 0 {
		t.Fatalf("stake after the slash %s, want %s − %s = %s", after.Tokens, before.Tokens, cut, want)
	}
	// The delegator's 10 CRN lose the same share, to a wei of rounding.
	worth, _ := view().Delegation(delegator, bad)
	want := new(big.Int).Sub(worthBefore, new(big.Int).Div(new(big.Int).Mul(worthBefore, bps), big.NewInt(10_000)))
	if d := new(big.Int).Sub(want, worth); d.Sign() < 0 || d.Cmp(big.NewInt(1)) > 0 {
		t.Fatalf("delegation after the slash %s, want %s", worth, want)
	}
	tn.waitFor(0, "the tombstoned validator leaving the set", func() bool { return c.Validators().ByAddress(bad) == nil })
	tn.waitHeight(c.Head().Height()+3, 0, 1, 2)
	tn.checkAgreement()
}
