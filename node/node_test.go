package node

import (
	"context"
	"math/big"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/consensus"
	"cairn/node/events"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

var devKey0, _ = crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

func startDevnet(t *testing.T, home string) *Node {
	t.Helper()
	n, err := New(Config{Home: home, Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
		BlockTime: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitBlock waits for a committed block that satisfies ok.
func waitBlock(t *testing.T, sub *events.Subscription, ok func(*chain.Block) bool) *chain.Block {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e := <-sub.C:
			if e.Block != nil && ok(e.Block) {
				return e.Block
			}
		case <-timeout:
			t.Fatal("no such block within 20s")
		}
	}
}

func TestDevnetProducesVerifiableBlocks(t *testing.T) {
	n := startDevnet(t, t.TempDir())
	defer n.Close()
	sub := n.Events().Subscribe(64)
	defer sub.Close()
	b3 := waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= 3 })

	c := n.Chain()
	for h := uint64(1); h <= b3.Height(); h++ {
		b, err := c.BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		parent, _ := c.BlockByHeight(h - 1)
		if err := consensus.VerifyProposer(c.Validators(), c.ChainID(), b.Header, parent.Header.VRFOutput); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		commit, err := c.CommitAt(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := commit.Verify(c.ChainID(), c.Validators(), h, b.Hash()); err != nil {
			t.Fatalf("commit %d: %v", h, err)
		}
		if h >= 2 && chain.CommitHash(b.LastCommit) != chain.CommitHash(mustCommit(t, c, h-1)) {
			t.Fatalf("block %d does not carry the commit of block %d", h, h-1)
		}
	}
}

func mustCommit(t *testing.T, c *chain.Chain, h uint64) *chain.Commit {
	t.Helper()
	commit, err := c.CommitAt(h)
	if err != nil {
		t.Fatal(err)
	}
	return commit
}

func TestSubmittedTransactionIsIncludedAndSurvivesRestart(t *testing.T) {
	home := t.TempDir()
	n := startDevnet(t, home)
	sub := n.Events().Subscribe(1024)
	to := common.HexToAddress("0x1234")
	tx, err := types.SignNewTx(devKey0, n.Chain().Signer(), &types.DynamicFeeTx{
		ChainID: n.Chain().ChainID(), Nonce: 0, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(5e9),
		Gas: 21000, To: &to, Value: big.NewInt(777),
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tx.MarshalBinary()
	if _, err := n.Pool().AddRaw(raw); err != nil {
		t.Fatal(err)
	}
	b := waitBlock(t, sub, func(b *chain.Block) bool { return len(b.Txs) > 0 })
	if b.Txs[0].Hash() != tx.Hash() {
		t.Fatalf("included %s, want %s", b.Txs[0].Hash(), tx.Hash())
	}
	if n.Pool().Has(tx.Hash()) {
		t.Fatal("included transaction still in the mempool")
	}
	sub.Close()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	height := b.Height()

	n2 := startDevnet(t, home)
	defer n2.Close()
	if n2.Chain().Head().Height() < height {
		t.Fatalf("restarted at %d, below %d", n2.Chain().Head().Height(), height)
	}
	acc, err := n2.Chain().Account(to)
	if err != nil || acc.Balance.Int64() != 777 {
		t.Fatalf("balance after restart %v (%v)", acc.Balance, err)
	}
}

func TestNodeWithoutValidatorKeyFollowsOnly(t *testing.T) {
	n, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.Validator() != nil || n.engine != nil {
		t.Fatal("a node without a key became a validator")
	}
}

func TestStatusShowsTheConsensusView(t *testing.T) {
	n := startDevnet(t, t.TempDir())
	defer n.Close()
	st, err := n.Service().Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := st.Consensus
	if c == nil || c.Height < 1 || c.Step == "" || c.Proposer == nil || *c.Proposer != n.Validator().Address {
		t.Fatalf("consensus view %+v, want the next height proposed by this validator", c)
	}
	if len(c.Validators) != 1 || c.Validators[0].Address != n.Validator().Address || c.Validators[0].Power == 0 {
		t.Fatalf("consensus view lists validators %+v, want this one with its power", c.Validators)
	}
}
