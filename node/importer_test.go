package node

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"cairn/chain"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// producedChain runs a devnet validator until it committed a transfer and
// at least height blocks, and returns the node, stopped.
func producedChain(t *testing.T, height uint64) *Node {
	t.Helper()
	n := startDevnet(t, t.TempDir())
	sub := n.Events().Subscribe(1024)
	defer sub.Close()
	to := common.HexToAddress("0x5151")
	tx, _ := types.SignNewTx(devKey0, n.Chain().Signer(), &types.DynamicFeeTx{
		ChainID: n.Chain().ChainID(), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(5e9), Gas: 21000, To: &to, Value: big.NewInt(99),
	})
	raw, _ := tx.MarshalBinary()
	if _, err := n.Pool().AddRaw(raw); err != nil {
		t.Fatal(err)
	}
	incl := waitBlock(t, sub, func(b *chain.Block) bool { return len(b.Txs) > 0 })
	waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= max(height, incl.Height()+1) })
	n.cancel() // stop producing; the store stays readable
	n.wg.Wait()
	t.Cleanup(func() { n.Close() })
	return n
}

func follower(t *testing.T) *Node {
	t.Helper()
	f, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func blockAndCommit(t *testing.T, n *Node, h uint64) (*chain.Block, *chain.Commit) {
	t.Helper()
	b, err := n.Chain().BlockByHeight(h)
	if err != nil {
		t.Fatal(err)
	}
	c, err := n.Chain().CommitAt(h)
	if err != nil {
		t.Fatal(err)
	}
	return b, c
}

func TestFollowerCatchesUpFromBlocksAndCommits(t *testing.T) {
	src := producedChain(t, 4)
	f := follower(t)
	sub := f.Events().Subscribe(64)
	defer sub.Close()
	head := src.Chain().Head().Height()
	for h := uint64(1); h <= head; h++ {
		b, c := blockAndCommit(t, src, h)
		if err := f.ImportFinalized(b, c); err != nil {
			t.Fatalf("import %d: %v", h, err)
		}
	}
	if f.Chain().Head().Hash() != src.Chain().Head().Hash() {
		t.Fatal("follower did not reach the validator's head")
	}
	acc, _ := f.Chain().Account(common.HexToAddress("0x5151"))
	if acc.Balance.Int64() != 99 {
		t.Fatalf("follower state: balance %v, want 99", acc.Balance)
	}
	if e := <-sub.C; e.Block == nil || e.Block.Height() != 1 {
		t.Fatalf("import did not announce block 1: %+v", e)
	}
}

func TestImportRefusesWhatWasNotFinalized(t *testing.T) {
	src := producedChain(t, 3)
	b1, c1 := blockAndCommit(t, src, 1)
	b2, c2 := blockAndCommit(t, src, 2)

	cases := map[string]func() (*chain.Block, *chain.Commit){
		"gap": func() (*chain.Block, *chain.Commit) { return b2, c2 },
		"commit of another block": func() (*chain.Block, *chain.Commit) {
			return b1, c2
		},
		"forged signature": func() (*chain.Block, *chain.Commit) {
			bad := *c1
			bad.Signatures = []chain.CommitSig{{Validator: c1.Signatures[0].Validator, Signature: make([]byte, 64)}}
			return b1, &bad
		},
		"no signatures": func() (*chain.Block, *chain.Commit) {
			bad := *c1
			bad.Signatures = nil
			return b1, &bad
		},
		"wrong beacon": func() (*chain.Block, *chain.Commit) {
			h := b1.Header.Copy()
			h.VRFOutput[0] ^= 1
			return &chain.Block{Header: h, Txs: b1.Txs}, c1
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			f := follower(t)
			b, c := mk()
			err := f.ImportFinalized(b, c)
			if err == nil {
				t.Fatal("imported")
			}
			if f.Chain().Head().Height() != 0 {
				t.Fatalf("a refused import moved the head to %d", f.Chain().Head().Height())
			}
			if name == "gap" && !errors.Is(err, ErrNotNext) {
				t.Fatalf("gap: %v, want ErrNotNext", err)
			}
		})
	}
}

func TestBlockSyncOverTheTransport(t *testing.T) {
	src := producedChain(t, 5)
	f := follower(t)
	hub := transport.NewHub()
	if _, err := hub.Join("validator", src); err != nil {
		t.Fatal(err)
	}
	tr, err := hub.Join("follower", f)
	if err != nil {
		t.Fatal(err)
	}
	f.tr = tr
	s := newBlockSync(f)
	target := src.Chain().Head().Height()
	n, err := s.syncTo(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if want := int(target); n != want || f.Chain().Head().Hash() != src.Chain().Head().Hash() {
		t.Fatalf("synced %d blocks to %d, want %d to the validator's head", n, f.Chain().Head().Height(), want)
	}
	if n, err := s.syncTo(context.Background(), target); n != 0 || err != nil {
		t.Fatalf("second sync: %d blocks, %v; want nothing to do", n, err)
	}
}
