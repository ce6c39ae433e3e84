package chain

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// blockhashRecorder's runtime stores BLOCKHASH(NUMBER-1) in slot 0 when
// called; the init code before it returns the runtime.
var blockhashRecorder = common.FromHex(
	"6009" + "80" + "600b" + "6000" + "39" + "6000" + "f3" + // CODECOPY the 9-byte runtime, RETURN it
		"6001" + "43" + "03" + "40" + "6000" + "55" + "00") // BLOCKHASH(NUMBER-1) → slot 0

func callContract(t *testing.T, c *Chain, nonce uint64, to common.Address) *types.Transaction {
	t.Helper()
	tx, err := types.SignNewTx(devKey0, c.Signer(), &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
		Gas: 100_000, To: &to,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// A block built on a sealed block while that block is written is the block
// any node builds or checks once the sealed block is the head: its state
// root, and what BLOCKHASH says of the sealed block, agree.
func TestBlockBuiltOnSealedBlockIsValid(t *testing.T) {
	c := newTestChain(t)
	recorder := deploy(t, c, 0, blockhashRecorder)
	to := common.HexToAddress("0x00000000000000000000000000000000000000aa")

	b2, res2, _, err := c.Propose(proposal(c), newSource(c, transfer(t, c, devKey0, 1, to, 7), transfer(t, c, devKey1, 0, to, 9)))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := c.Seal(b2, res2, devnetCommit(c, b2))
	if err != nil {
		t.Fatal(err)
	}
	if c.Head().Height() != 1 {
		t.Fatalf("head %d while block 2 is sealed, want 1", c.Head().Height())
	}
	if _, err := c.BlockByHeight(2); err == nil {
		t.Fatal("the store answers for a sealed block before it is written")
	}

	// Build block 3 on the sealed block while it is written.
	p := proposal(c)
	p.Time, p.LastCommit = b2.Header.Time+1000, devnetCommit(c, b2)
	type built struct {
		b   *Block
		err error
	}
	done := make(chan built, 1)
	go func() {
		b3, _, dropped, err := sealed.Propose(p, newSource(c, callContract(t, c, 2, recorder), transfer(t, c, devKey1, 1, to, 11)))
		if err == nil && len(dropped) > 0 {
			t.Errorf("dropped %v", dropped)
		}
		done <- built{b3, err}
	}()
	if err := sealed.Write(); err != nil {
		t.Fatal(err)
	}
	got := <-done
	if got.err != nil {
		t.Fatal(got.err)
	}
	if c.Head().Hash() != b2.Hash() {
		t.Fatalf("head after Write is %d, want block 2", c.Head().Height())
	}
	if err := sealed.Write(); err == nil {
		t.Fatal("a second Write of the same sealed block succeeded")
	}

	// Checked as any validator checks it: on the head, from the store.
	b3 := got.b
	if len(b3.Txs) != 2 {
		t.Fatalf("block 3 has %d transactions, want 2", len(b3.Txs))
	}
	res3, err := c.Execute(b3)
	if err != nil {
		t.Fatalf("block built on the sealed block is refused on the head: %v", err)
	}
	if err := c.Commit(b3, res3, devnetCommit(c, b3)); err != nil {
		t.Fatal(err)
	}
	st, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.GetState(recorder, common.Hash{}); got != b2.Hash() {
		t.Fatalf("BLOCKHASH of the sealed block read %x, want %x", got, b2.Hash())
	}
}

// A sealed block that is abandoned leaves the chain as it was: the next
// commit on the same head works and the abandoned state is not written.
func TestAbortedSealLeavesTheHead(t *testing.T) {
	c := newTestChain(t)
	to := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	b1, res1, _, err := c.Propose(proposal(c), newSource(c, transfer(t, c, devKey0, 0, to, 5)))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := c.Seal(b1, res1, devnetCommit(c, b1))
	if err != nil {
		t.Fatal(err)
	}
	sealed.Abort()
	if err := sealed.Write(); err == nil {
		t.Fatal("Write after Abort succeeded")
	}
	if c.Head().Height() != 0 {
		t.Fatalf("head %d after an abandoned seal, want 0", c.Head().Height())
	}
	if st := pendingLen(c.store.kv); st != 0 {
		t.Fatalf("%d state writes left pending after Abort", st)
	}
	b, _ := produce(t, c, transfer(t, c, devKey0, 0, to, 6))
	acc, err := c.Account(to)
	if err != nil {
		t.Fatal(err)
	}
	if b.Height() != 1 || acc.Balance.Int64() != 6 {
		t.Fatalf("after the abandoned seal: block %d, balance %v; want block 1 and 6", b.Height(), acc.Balance)
	}
}

func pendingLen(kv *stateKV) int {
	kv.mu.RLock()
	defer kv.mu.RUnlock()
	return len(kv.pending)
}
