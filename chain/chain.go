// Package chain holds Cairn's blocks, genesis, store and state, and turns
// transactions into executed, committed blocks. It knows nothing of
// networking or voting: the node's consensus decides which block to commit
// and hands it here.
package chain

import (
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	"cairn/chain/staking"
	"cairn/vm"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/holiman/uint256"
)

// stateCacheBytes sizes the in-memory cache of clean trie nodes.
const stateCacheBytes = 64 << 20

// Chain is a node's view of the finalized chain: the blocks committed so
// far and the state after the last one.
type Chain struct {
	genesis *Genesis
	chainID *big.Int
	store   *Store
	state   *vm.StateDatabase
	exec    *vm.Executor
	staking *staking.Staking
	sets    *lru.Cache[uint64, *ValidatorSet] // by the height they validate
	log     *slog.Logger

	mu       sync.RWMutex // guards head and next
	head     *Block
	next     *ValidatorSet // the set that validates head+1
	commitMu sync.Mutex    // one Commit at a time
}

// Open loads the chain in store, writing the genesis block first if the
// store is empty. A store that belongs to another genesis is refused. If
// the stored state is behind the stored blocks, the missing blocks are
// re-executed before Open returns.
func Open(store *Store, g *Genesis, log *slog.Logger) (*Chain, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Chain{
		genesis: g,
		chainID: g.ChainIDBig(),
		store:   store,
		state:   vm.NewStateDatabase(store.kv, stateCacheBytes),
		exec:    vm.NewExecutor(g.ChainIDBig(), g.Params.MaxTxGas),
		staking: staking.New(g.ChainID, g.Params.Staking),
		log:     log,
	}
	c.sets, _ = lru.New[uint64, *ValidatorSet](4096)
	c.exec.AddNative(c.staking)
	want, err := GenesisBlock(g)
	if err != nil {
		return nil, err
	}
	_, ok, err := store.Head()
	if err != nil {
		return nil, fmt.Errorf("read head: %w", err)
	}
	if !ok {
		if err := c.writeGenesis(); err != nil {
			return nil, err
		}
	}
	have, err := store.GenesisHash()
	if err != nil {
		return nil, fmt.Errorf("read genesis hash: %w", err)
	}
	if have != want.Hash() {
		return nil, fmt.Errorf("store %s holds chain with genesis %x, not %x: use another --home for this genesis", store.Path(), have, want.Hash())
	}
	if err := c.loadHead(); err != nil {
		return nil, err
	}
	return c, nil
}

// GenesisBlock builds the genesis block without touching any store.
func GenesisBlock(g *Genesis) (*Block, error) {
	sdb := vm.NewStateDatabase(rawdb.NewMemoryDatabase(), 0)
	defer sdb.Close()
	root, err := applyAlloc(sdb, g)
	if err != nil {
		return nil, err
	}
	return &Block{Header: g.Header(root)}, nil
}

func applyAlloc(sdb *vm.StateDatabase, g *Genesis) (common.Hash, error) {
	st, err := sdb.Open(types.EmptyRootHash)
	if err != nil {
		return common.Hash{}, err
	}
	for addr, acc := range g.Alloc {
		bal, overflow := uint256.FromBig(acc.Balance.Int())
		if overflow {
			return common.Hash{}, fmt.Errorf("genesis alloc %s: balance overflows 256 bits", addr)
		}
		st.SetBalance(addr, bal, tracing.BalanceIncreaseGenesisBalance)
		st.SetNonce(addr, acc.Nonce, tracing.NonceChangeGenesis)
		if len(acc.Code) > 0 {
			st.SetCode(addr, acc.Code, tracing.CodeChangeGenesis)
		}
		for k, v := range acc.Storage {
			st.SetState(addr, k, v)
		}
	}
	if _, taken := g.Alloc[staking.Address]; taken {
		return common.Hash{}, fmt.Errorf("genesis alloc %s: the staking contract's address is reserved", staking.Address)
	}
	s := staking.New(g.ChainID, g.Params.Staking)
	if err := s.InitGenesis(st, staking.Env{ChainID: g.ChainID, TimeMs: g.Time}, g.stakingValidators()); err != nil {
		return common.Hash{}, fmt.Errorf("genesis staking: %w", err)
	}
	if activeSetOf(s, st).Hash() != g.ValidatorSet().Hash() {
		return common.Hash{}, errors.New("genesis staking: the staking contract's first set is not the genesis validators")
	}
	cfg := vm.ChainConfig(g.ChainIDBig())
	return sdb.Commit(st, vm.Rules(cfg, 0, g.Time/1000), 0)
}

func (c *Chain) writeGenesis() error {
	root, err := applyAlloc(c.state, c.genesis)
	if err != nil {
		return fmt.Errorf("write genesis state: %w", err)
	}
	b := &Block{Header: c.genesis.Header(root)}
	if err := c.store.writeBlock(b, nil, nil, true, c.genesis.ValidatorSet()); err != nil {
		return fmt.Errorf("write genesis: %w", err)
	}
	c.log.Info("wrote genesis", "hash", b.Hash(), "chainId", c.genesis.ChainID)
	return nil
}

// loadHead reads the head block and, if its state is missing, re-executes
// blocks from the newest one whose state is on disk.
func (c *Chain) loadHead() error {
	height, _, err := c.store.Head()
	if err != nil {
		return fmt.Errorf("read head: %w", err)
	}
	head, err := c.store.BlockByHeight(height)
	if err != nil {
		return fmt.Errorf("load head: %w", err)
	}
	base := head
	for !c.state.Has(base.Header.StateRoot) {
		if base.Height() == 0 {
			return errors.New("state of the genesis block is missing: the store is damaged")
		}
		if base, err = c.store.BlockByHeight(base.Height() - 1); err != nil {
			return fmt.Errorf("find stored state: %w", err)
		}
	}
	c.head = base
	if c.next, err = c.store.ValidatorSetAt(base.Height() + 1); err != nil {
		return fmt.Errorf("load head: %w", err)
	}
	start := time.Now()
	for h := base.Height() + 1; h <= head.Height(); h++ {
		b, err := c.store.BlockByHeight(h)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if err := c.replay(b); err != nil {
			if errors.Is(err, ErrStoreDamaged) {
				return fmt.Errorf("replay block %d: %w", h, err)
			}
			// A finalized block fails on the state stored before it only
			// if that state is not what it was.
			return c.store.damaged("block %d does not re-execute on the state stored at block %d (%v)", h, base.Height(), err)
		}
	}
	if base != head {
		c.log.Info("re-executed the blocks after the newest state on disk", "from", base.Height()+1, "to", head.Height(), "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// replay re-executes a stored block on the head and makes the state it
// computes the block's layer (statelayers.go), without writing the block
// again or moving the stored head: a node killed while replaying replays
// again at the next open.
func (c *Chain) replay(b *Block) error {
	res, err := c.Execute(b)
	if err != nil {
		return err
	}
	if err := c.commitState(b, res); err != nil {
		c.store.kv.reset()
		return err
	}
	if err := c.store.keepState(b); err != nil {
		return err
	}
	c.setHead(b, res)
	return nil
}

// Genesis is the chain's genesis description.
func (c *Chain) Genesis() *Genesis { return c.genesis }

// ChainID is the chain's EIP-155 chain ID.
func (c *Chain) ChainID() *big.Int { return new(big.Int).Set(c.chainID) }

// Params are the chain's consensus parameters.
func (c *Chain) Params() Params { return c.genesis.Params }

// Validators is the validator set of the next block.
func (c *Chain) Validators() *ValidatorSet {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.next
}

// ValidatorsAt returns the validator set that validates the block at
// height, which must be at most one past the head.
func (c *Chain) ValidatorsAt(height uint64) (*ValidatorSet, error) {
	c.mu.RLock()
	head, next := c.head.Height(), c.next
	c.mu.RUnlock()
	switch {
	case height == head+1:
		return next, nil
	case height > head+1:
		return nil, fmt.Errorf("validator set of block %d: the head is %d", height, head)
	}
	if set, ok := c.sets.Get(height); ok {
		return set, nil
	}
	set, err := c.store.ValidatorSetAt(max(height, 1))
	if err != nil {
		return nil, err
	}
	c.sets.Add(height, set)
	return set, nil
}

// Staking is the chain's staking contract, for reading its views.
func (c *Chain) Staking() *staking.Staking { return c.staking }

// Executor runs transactions for this chain.
func (c *Chain) Executor() *vm.Executor { return c.exec }

// Signer recovers transaction senders for this chain.
func (c *Chain) Signer() types.Signer { return c.exec.Signer() }

// Head is the last committed block.
func (c *Chain) Head() *Block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.head
}

// Close releases the state caches. The store is closed by its owner.
func (c *Chain) Close() error { return c.state.Close() }

// NextBaseFee is the EIP-1559 base fee of the block after parent: it moves
// by up to 1/8 toward keeping blocks half full, never below MinBaseFee.
func (c *Chain) NextBaseFee(parent *Header) *big.Int {
	p := c.genesis.Params
	if parent.Height == 0 {
		return p.InitialBaseFee.Int()
	}
	target := parent.GasLimit / 2
	fee := new(big.Int).Set(parent.BaseFee)
	if target > 0 && parent.GasUsed != target {
		diff := new(big.Int).SetUint64(absDiff(parent.GasUsed, target))
		delta := diff.Mul(diff, parent.BaseFee)
		delta.Div(delta, new(big.Int).SetUint64(target))
		delta.Div(delta, big.NewInt(8))
		if parent.GasUsed > target {
			if delta.Sign() == 0 {
				delta.SetInt64(1)
			}
			fee.Add(fee, delta)
		} else {
			fee.Sub(fee, delta)
		}
	}
	if min := p.MinBaseFee.Int(); fee.Cmp(min) < 0 {
		fee = min
	}
	return fee
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
