package chain

import (
	"crypto/ecdsa"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	bolt "go.etcd.io/bbolt"
)

// devKey0 is the first key of the public development mnemonic.
var devKey0, _ = crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

// devKey1 is the second key of the public development mnemonic.
var devKey1, _ = crypto.HexToECDSA("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")

func openTestChain(t testing.TB, dir string) (*Chain, *Store) {
	t.Helper()
	return openTestChainWith(t, dir, Devnet())
}

func openTestChainWith(t testing.TB, dir string, g *Genesis) (*Chain, *Store) {
	t.Helper()
	store, err := OpenStore(filepath.Join(dir, "chain.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(store, g, nil)
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	return c, store
}

func newTestChain(t testing.TB) *Chain {
	t.Helper()
	c, store := openTestChain(t, t.TempDir())
	t.Cleanup(func() { c.Close(); store.Close() })
	return c
}

// sliceSource offers transactions in order; Pop skips the sender's rest.
type sliceSource struct {
	txs     []*types.Transaction
	signer  types.Signer
	skipped map[common.Address]bool
}

func newSource(c *Chain, txs ...*types.Transaction) *sliceSource {
	return &sliceSource{txs: txs, signer: c.Signer(), skipped: map[common.Address]bool{}}
}

func (s *sliceSource) Peek() *types.Transaction {
	for len(s.txs) > 0 {
		from, _ := types.Sender(s.signer, s.txs[0])
		if !s.skipped[from] {
			return s.txs[0]
		}
		s.txs = s.txs[1:]
	}
	return nil
}
func (s *sliceSource) Shift() { s.txs = s.txs[1:] }
func (s *sliceSource) Pop() {
	from, _ := types.Sender(s.signer, s.txs[0])
	s.skipped[from] = true
	s.txs = s.txs[1:]
}

// proposal is the devnet validator's proposal for the next block, with
// the commit of the head.
func proposal(c *Chain) Proposal {
	head := c.Head()
	p := Proposal{
		Proposer:  devnetValidator(),
		Time:      head.Header.Time + 1000,
		VRFOutput: make([]byte, 64),
	}
	if head.Height() > 0 {
		commit, err := c.CommitAt(head.Height())
		if err != nil {
			panic(err)
		}
		p.LastCommit = commit
	}
	return p
}

// devnetValidator is the devnet validator's address.
func devnetValidator() common.Address {
	return Devnet().Validators[0].OperatorAddress()
}

// devnetCommit is the devnet validator's commit of b.
func devnetCommit(c *Chain, b *Block) *Commit {
	v := &Vote{Type: Precommit, Height: b.Height(), BlockHash: b.Hash(), Validator: devnetValidator()}
	v.Sign(c.ChainID(), DevnetValidatorKey())
	return &Commit{Height: b.Height(), BlockHash: b.Hash(), Signatures: []CommitSig{{Validator: v.Validator, Signature: v.Signature}}}
}

// produce builds, executes and commits one block with txs.
func produce(t testing.TB, c *Chain, txs ...*types.Transaction) (*Block, []Dropped) {
	t.Helper()
	b, res, dropped, err := c.Propose(proposal(c), newSource(c, txs...))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(b, res, devnetCommit(c, b)); err != nil {
		t.Fatal(err)
	}
	return b, dropped
}

func transfer(t testing.TB, c *Chain, key *ecdsa.PrivateKey, nonce uint64, to common.Address, value int64) *types.Transaction {
	t.Helper()
	tx, err := types.SignNewTx(key, c.Signer(), &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(2e9), GasFeeCap: big.NewInt(10e9),
		Gas: 21000, To: &to, Value: big.NewInt(value),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func legacyTransfer(t testing.TB, c *Chain, key *ecdsa.PrivateKey, nonce uint64, to common.Address, value int64) *types.Transaction {
	t.Helper()
	tx, err := types.SignNewTx(key, types.NewEIP155Signer(c.ChainID()), &types.LegacyTx{
		Nonce: nonce, GasPrice: big.NewInt(5e9), Gas: 21000, To: &to, Value: big.NewInt(value),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// writeAllLayers writes every state layer in memory to the file, as if
// each had left the window, so that the store's head state is on disk and
// its next open re-executes nothing.
func writeAllLayers(t testing.TB, s *Store) {
	t.Helper()
	s.kv.mu.Lock()
	defer s.kv.mu.Unlock()
	err := s.update(func(tx *bolt.Tx) error {
		r := s.newRefCounter(tx)
		if err := s.writeLayers(tx, r, s.kv.layers); err != nil {
			return err
		}
		return r.write()
	})
	if err != nil {
		t.Fatal(err)
	}
	s.kv.dropLayers(len(s.kv.layers))
}
