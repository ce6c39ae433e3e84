package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"cairn/chain"
	"cairn/chain/snapshot"
	"cairn/node/api"
	"cairn/node/events"
	"cairn/node/mempool"
	"cairn/node/metrics"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Node is a running Cairn node.
type Node struct {
	cfg    Config
	store  *chain.Store
	chain  *chain.Chain
	pool   *mempool.Pool
	memory *memoryReleaser
	bus    events.Bus
	engine consensusEngine
	// self is this node's validator entry: the operator its consensus key
	// is registered to, with its power in the next block's set. nil until
	// the key is registered (or with no key).
	self    atomic.Pointer[chain.Validator]
	service api.Service
	started time.Time
	// tr connects the node to its peers; nil when it runs alone.
	tr          transport.Transport
	genesisHash common.Hash
	proposals   recentProposals
	sync        *blockSync // nil when alone
	wire        wireCounters
	txOut       *txBatcher // nil when alone
	commitMu    sync.Mutex // see commitBlock

	snapServeOnce sync.Once
	snapServe     *snapshot.Server
	anchorMu      sync.Mutex // guards the anchor of anchorHead, encoded
	anchorHead    common.Hash
	anchorWire    []byte
	snap          *snapSync   // nil unless starting from a snapshot
	snapping      atomic.Bool // set until the snapshot is adopted
	// meters are the node's metrics, set once Start began: /metrics
	// serves them and the status summarizes them.
	meters atomic.Pointer[metrics.Metrics]

	listener net.Listener
	server   *http.Server

	cancel context.CancelFunc
	wg     sync.WaitGroup
	// stopped is closed when the node stops by itself on a fatal error,
	// which err then holds.
	stopped  chan struct{}
	failOnce sync.Once
	err      error
}

// New opens the node's store and chain and builds its parts. It starts
// nothing: call Start.
func New(cfg Config) (*Node, error) {
	if cfg.Genesis == nil {
		return nil, errors.New("node: no genesis")
	}
	cfg = cfg.withDefaults()
	if cfg.Sync != SyncFull && cfg.Sync != SyncSnapshot {
		return nil, fmt.Errorf("node: sync %q: want %q or %q", cfg.Sync, SyncFull, SyncSnapshot)
	}
	marks := readHomeMarks(cfg.Home)
	if err := checkStoreExists(StorePath(cfg.Home), marks, cfg.Resync); err != nil {
		return nil, err
	}
	store, err := chain.OpenStoreWith(StorePath(cfg.Home), chain.StoreOptions{StateWindow: cfg.StateWindow, Archive: cfg.Archive})
	if err != nil {
		return nil, err
	}
	if !cfg.Archive && !store.Counted() {
		cfg.Logger.Warn("this store was written before state pruning and keeps every state; start a new home to prune", "store", store.Path())
	}
	if err := checkStoreNotBehind(store, marks, cfg.Resync); err != nil {
		store.Close()
		return nil, err
	}
	c, err := chain.Open(store, cfg.Genesis, cfg.Logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	// Once a burst's states have left the window, what pruning them grew
	// is given back too.
	n := &Node{cfg: cfg, store: store, chain: c, memory: newMemoryReleaser(int(store.StateWindow()) + 2), stopped: make(chan struct{})}
	genesis, err := c.BlockByHeight(0)
	if err != nil {
		n.closeStore()
		return nil, fmt.Errorf("read genesis block: %w", err)
	}
	n.genesisHash = genesis.Hash()
	if err := n.buildPool(); err != nil {
		n.closeStore()
		return nil, err
	}
	n.self.Store(n.identify(cfg.ValidatorKey))
	if n.self.Load() != nil {
		if err := n.checkSignState(marks, cfg.SignStateGone); err != nil {
			n.closeStore()
			return nil, err
		}
	}
	if err := n.buildTransport(); err != nil {
		n.closeStore()
		return nil, err
	}
	if n.tr != nil {
		n.installValidators()
		n.sync = newBlockSync(n)
		if cfg.Sync == SyncSnapshot {
			n.prepareSnapshot()
		}
		n.txOut = &txBatcher{tr: n.tr, clock: cfg.Clock, logf: cfg.Logger.Debug}
	}
	n.buildService()
	if cfg.ValidatorKey != nil || n.tr != nil {
		e, err := newBFTEngine(n)
		if err != nil {
			n.closeTransport()
			n.closeStore()
			return nil, err
		}
		n.engine = e
	}
	return n, nil
}

func (n *Node) buildPool() error {
	st, err := n.chain.State()
	if err != nil {
		return fmt.Errorf("open head state: %w", err)
	}
	p := n.chain.Params()
	n.pool = mempool.New(mempool.Config{
		ChainID:       n.chain.ChainID(),
		Signer:        n.chain.Signer(), // the executor's: one sender cache for admission and execution
		BlockGasLimit: p.GasLimit,
		MaxTxGas:      p.MaxTxGas,
		MinBaseFee:    p.MinBaseFee.Int(),
		OnAdd: func(tx *types.Transaction, from common.Address, origin mempool.Origin) {
			if origin == mempool.Local {
				n.broadcastLocalTx(tx)
			}
			n.bus.Publish(events.Event{Tx: tx, TxFrom: from})
		},
		OnRemove: func(tx *types.Transaction, _ common.Address, reason string) {
			if reason != mempool.DropStale { // included: the block event says so
				n.bus.Publish(events.Event{Dropped: tx, DroppedReason: reason})
			}
		},
	}, headState{st}, n.chain.NextBaseFee(n.chain.Head().Header))
	return nil
}

// identify returns this node's validator entry for its consensus key: the
// operator that registered the key, in genesis or by createValidator,
// with its power in the next block's set (0 outside it). It is nil with no
// key, or while the key is not registered.
func (n *Node) identify(key ed25519.PrivateKey) *chain.Validator {
	if key == nil {
		return nil
	}
	pub := key.Public().(ed25519.PublicKey)
	st, err := n.chain.State()
	if err != nil {
		return nil
	}
	op, ok := n.chain.Staking().View(st).OperatorOf(common.Hash(pub))
	if !ok {
		return nil
	}
	v := &chain.Validator{Address: op, PubKey: pub}
	if m := n.chain.Validators().ByAddress(op); m != nil {
		v.Power, v.Name = m.Power, m.Name
	}
	return v
}

// committed runs after every committed block, once it is the head (the
// mempool moved to its state when it was sealed): the engine and
// subscribers hear of the block.
func (n *Node) committed(b *chain.Block) {
	st := n.pool.Stats()
	n.memory.observe(len(b.Txs), st.Pending+st.Queued)
	if n.engine != nil {
		n.engine.HeadCommitted(b)
	}
	n.bus.Publish(events.Event{Block: b})
	n.cfg.Logger.Info("committed block", "height", b.Height(), "txs", len(b.Txs), "hash", b.Hash())
}

// Start opens the API listener and starts the engine. It returns once the
// node is serving; Wait or Close end it.
func (n *Node) Start(ctx context.Context) error {
	ctx, n.cancel = context.WithCancel(ctx)
	n.started = time.Now()
	n.meters.Store(n.startMetrics(ctx))
	if err := n.startAPI(ctx); err != nil {
		n.cancel()
		return err
	}
	switch {
	case n.cfg.ValidatorKey == nil:
		n.cfg.Logger.Warn("no validator key: following only, no blocks will be produced")
	case n.self.Load() == nil:
		n.cfg.Logger.Warn("the validator key is not registered on this chain: following; once a createValidator " +
			"transaction registers it, this node validates from the epoch its validator joins the set")
	}
	if n.tr != nil {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.logTraffic(ctx)
		}()
	}
	if n.snap != nil {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.snap.run(ctx); err != nil {
				n.fail(fmt.Errorf("snapshot sync: %w", err))
				return
			}
			if ctx.Err() == nil {
				n.adopted()
				n.follow(ctx)
			}
		}()
	} else {
		n.follow(ctx)
	}
	n.cfg.Logger.Info("node started", "chainId", n.chain.ChainID(), "height", n.chain.Head().Height(),
		"validator", n.validatorAddress(), "api", n.APIAddr())
	return nil
}

// follow starts consensus and block sync, which carry the node along the
// chain from its head.
func (n *Node) follow(ctx context.Context) {
	if n.engine != nil {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.engine.Run(ctx); err != nil {
				n.fail(fmt.Errorf("consensus: %w", err))
			}
		}()
	}
	if n.sync != nil {
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			if err := n.sync.run(ctx); err != nil {
				n.fail(fmt.Errorf("block sync: %w", err))
			}
		}()
	}
}

// Close stops the engine and the API, waits for them, and closes the
// store. The last committed block is on disk whatever moment it is called.
func (n *Node) Close() error {
	n.cfg.Logger.Info("stopping node", "height", n.chain.Head().Height())
	if n.cancel != nil {
		n.cancel()
	}
	if n.server != nil {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n.server.Shutdown(shutdownCtx)
		cancel()
	}
	n.wg.Wait()
	if e, ok := n.engine.(*bftEngine); ok {
		if err := e.close(); err != nil {
			n.cfg.Logger.Warn("close consensus WAL", "err", err)
		}
	}
	n.closeTransport()
	if err := n.closeStore(); err != nil {
		return err
	}
	n.cfg.Logger.Info("node stopped")
	return nil
}

// fail stops the node on an error it cannot go on after (a WAL or store
// write refused): the API stops serving a head that no longer moves, and
// Done and Err tell the program running the node.
func (n *Node) fail(err error) {
	n.failOnce.Do(func() {
		n.err = err
		n.cfg.Logger.Error("node stopping on a fatal error", "err", err)
		if n.cancel != nil {
			n.cancel()
		}
		if n.server != nil {
			n.server.Close()
		}
		close(n.stopped)
	})
}

// Done is closed when the node has stopped by itself on a fatal error;
// Err says which. A node stopped by Close never closes it.
func (n *Node) Done() <-chan struct{} { return n.stopped }

// Err is the fatal error the node stopped on, nil while Done is open.
func (n *Node) Err() error {
	select {
	case <-n.stopped:
		return n.err
	default:
		return nil
	}
}

func (n *Node) closeTransport() {
	if n.tr != nil {
		if err := n.tr.Close(); err != nil {
			n.cfg.Logger.Warn("close network", "err", err)
		}
	}
}

func (n *Node) closeStore() error {
	n.chain.Close()
	return n.store.Close()
}

// Chain is the node's chain.
func (n *Node) Chain() *chain.Chain { return n.chain }

// Pool is the node's mempool.
func (n *Node) Pool() *mempool.Pool { return n.pool }

// Events is the node's event bus.
func (n *Node) Events() *events.Bus { return &n.bus }

// Started is when Start ran.
func (n *Node) Started() time.Time { return n.started }

// Validator is this node's validator entry, or nil if it is not one.
func (n *Node) Validator() *chain.Validator { return n.self.Load() }

func (n *Node) validatorAddress() string {
	self := n.self.Load()
	if self == nil {
		return "none"
	}
	return self.Address.Hex()
}

// APIAddr is the address the API listens on, once started ("" if off).
func (n *Node) APIAddr() string {
	if n.listener == nil {
		return ""
	}
	return n.listener.Addr().String()
}
