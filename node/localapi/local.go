// Package localapi is the in-process api.Service over a node's chain,
// mempool and event bus: what the REST API, the console and the CLI read
// when they run in the node's process.
package localapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"sync"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/node/events"
	"cairn/node/mempool"
	"cairn/vm"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	gethvm "github.com/ethereum/go-ethereum/core/vm"
)

// Defaults of Config.
const (
	DefaultCallTimeout   = 5 * time.Second
	DefaultCallMaxReturn = 1 << 20
	DefaultMempoolList   = 1000
	DefaultEventBuffer   = 4096
)

// NodeInfo is what only the node knows about itself; Local asks for it on
// every Status.
type NodeInfo struct {
	Validator *common.Address // this node's validator address, nil if it is not one
	Started   time.Time       // when the node started
	Version   string          // the node software's version
	Consensus *api.ConsensusStatus
	NodeID    string          // peer ID on the network, "" when alone
	Listen    []string        // addresses peers can dial
	Peers     int             // connected peers
	Syncing   *api.SyncStatus // nil unless block sync is running
	Snapshot  *api.SnapshotStatus
	State     api.StateKept
	Metrics   *api.MetricsSummary // nil for a node that keeps no metrics
}

// Config wires a Local to the node's parts. Chain, Pool and Bus are
// required; zero values of the rest take the documented defaults.
type Config struct {
	Chain *chain.Chain
	Pool  *mempool.Pool
	Bus   *events.Bus
	// Info reports node-only status fields (nil: none).
	Info func() NodeInfo
	// Peers lists the connected peers (nil: none).
	Peers func() []api.Peer
	// CallTimeout bounds a read-only call (default 5 s).
	CallTimeout time.Duration
	// CallGasCap caps a read-only call's gas (0: the chain's per-transaction cap).
	CallGasCap uint64
	// CallMaxReturn caps a read-only call's return data (default 1 MiB).
	CallMaxReturn int
	// MempoolList caps the transactions Mempool lists (default 1000).
	MempoolList int
	// EventBuffer is how many events a subscriber may lag behind before it
	// loses some (default 4096).
	EventBuffer int
	// Now is the clock for uptime and mempool ages (default time.Now).
	Now func() time.Time
	// Log receives problems met while serving (default: discarded).
	Log *slog.Logger
}

// Local is the in-process Service over a node's chain, mempool and event
// bus. It is safe for concurrent use.
type Local struct {
	cfg   Config
	chain *chain.Chain
	pool  *mempool.Pool
	bus   *events.Bus
	log   *slog.Logger
}

var _ api.Service = (*Local)(nil)

// NewLocal returns the in-process Service. It panics if Chain, Pool or Bus
// is nil: that is a wiring mistake, not bad input.
func New(cfg Config) *Local {
	if cfg.Chain == nil || cfg.Pool == nil || cfg.Bus == nil {
		panic("api: Config needs Chain, Pool and Bus")
	}
	if cfg.Info == nil {
		cfg.Info = func() NodeInfo { return NodeInfo{} }
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.CallMaxReturn <= 0 {
		cfg.CallMaxReturn = DefaultCallMaxReturn
	}
	if cfg.MempoolList <= 0 {
		cfg.MempoolList = DefaultMempoolList
	}
	if cfg.EventBuffer <= 0 {
		cfg.EventBuffer = DefaultEventBuffer
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Local{cfg: cfg, chain: cfg.Chain, pool: cfg.Pool, bus: cfg.Bus, log: cfg.Log}
}

// devnetGenesisHash is the built-in devnet's genesis block hash (zero if it
// cannot be built, which a test would catch).
var devnetGenesisHash = sync.OnceValue(func() common.Hash {
	b, err := chain.GenesisBlock(chain.Devnet())
	if err != nil {
		return common.Hash{}
	}
	return b.Hash()
})

// Status summarises the node and its head.
func (l *Local) Status(ctx context.Context) (*api.Status, error) {
	head := l.chain.Head()
	genesis, err := l.chain.BlockByHeight(0)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	info := l.cfg.Info()
	st := l.pool.Stats()
	s := &api.Status{
		ChainID: l.chain.ChainID().Uint64(), Height: head.Height(), HeadHash: head.Hash(),
		HeadTime: head.Header.Time, FinalizedHeight: head.Height(), GenesisHash: genesis.Hash(), Devnet: genesis.Hash() == devnetGenesisHash(),
		Mempool:   api.MempoolCounts{Pending: st.Pending, Queued: st.Queued, Bytes: st.Bytes},
		Validator: info.Validator, NodeVersion: info.Version,
		BlockTimeMs: l.chain.Params().BlockTimeMs, Consensus: info.Consensus,
		NodeID: info.NodeID, Listen: info.Listen, Peers: info.Peers, Syncing: info.Syncing,
		Snapshot: info.Snapshot, State: info.State, Metrics: info.Metrics,
	}
	if !info.Started.IsZero() {
		if up := l.cfg.Now().Sub(info.Started); up > 0 {
			s.UptimeSeconds = uint64(up / time.Second)
		}
	}
	return s, nil
}

// Block returns the block named by id ("latest", a height or a 0x hash).
func (l *Local) Block(ctx context.Context, id string, full bool) (*api.Block, error) {
	bid, perr := api.ParseBlockID(id)
	if perr != nil {
		return nil, perr
	}
	var (
		b   *chain.Block
		err error
	)
	switch {
	case bid.Latest:
		b = l.chain.Head()
	case bid.Hash != nil:
		b, err = l.chain.BlockByHash(*bid.Hash)
	default:
		b, err = l.chain.BlockByHeight(bid.Height)
	}
	if errors.Is(err, chain.ErrNotFound) {
		return nil, api.NotFound("block %s not found (head is at %d)", id, l.chain.Head().Height())
	}
	if err != nil {
		return nil, err
	}
	return l.blockView(b, full)
}

// Blocks lists blocks ascending from a height, or newest first from Latest.
func (l *Local) Blocks(ctx context.Context, from uint64, limit int) ([]*api.Block, error) {
	if limit <= 0 {
		limit = api.DefaultBlocksPage
	}
	limit = min(limit, api.MaxBlocksPage)
	head := l.chain.Head().Height()
	var heights []uint64
	if from == api.Latest {
		for h := head; len(heights) < limit; h-- {
			heights = append(heights, h)
			if h == 0 {
				break
			}
		}
	} else {
		for h := from; h <= head && len(heights) < limit; h++ {
			heights = append(heights, h)
		}
	}
	out := make([]*api.Block, 0, len(heights))
	for _, h := range heights {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := l.chain.BlockByHeight(h)
		if err != nil {
			return nil, err
		}
		v, err := l.blockView(b, false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// SendRawTx hands a signed transaction to the mempool.
func (l *Local) SendRawTx(ctx context.Context, raw []byte) (common.Hash, error) {
	tx, err := l.pool.AddRaw(raw)
	if err != nil {
		if re, ok := mempool.IsReject(err); ok {
			return common.Hash{}, rejectError(re)
		}
		return common.Hash{}, fmt.Errorf("add transaction: %w", err)
	}
	return tx.Hash(), nil
}

// SendRawTxs hands a batch to the mempool's AddRawBatch, which recovers
// its senders in parallel; each result carries the hash or the rejection
// as SendRawTx would report it.
func (l *Local) SendRawTxs(ctx context.Context, raws [][]byte) ([]api.TxResult, error) {
	res, err := l.pool.AddRawBatch(raws, mempool.Local)
	if err != nil {
		if errors.Is(err, mempool.ErrBatchTooLarge) {
			return nil, &api.Error{Status: http.StatusRequestEntityTooLarge, Code: api.CodeBodyTooLarge, Message: err.Error()}
		}
		return nil, fmt.Errorf("add transactions: %w", err)
	}
	out := make([]api.TxResult, len(res))
	for i, r := range res {
		switch re, ok := mempool.IsReject(r.Err); {
		case r.Err == nil:
			h := r.Tx.Hash()
			out[i].Hash = &h
		case ok:
			out[i].Error = rejectError(re)
		default:
			out[i].Error = &api.Error{Status: http.StatusInternalServerError, Code: api.CodeInternal, Message: r.Err.Error()}
		}
	}
	return out, nil
}

// Tx finds a committed transaction, else a pooled one.
func (l *Local) Tx(ctx context.Context, hash common.Hash) (*api.Tx, error) {
	v, err := l.committedTx(hash)
	if v != nil || err != nil {
		return v, err
	}
	if e, ok := l.pool.Lookup(hash); ok {
		return pendingTx(e.Tx, e.From), nil
	}
	// The transaction may have left the pool because a block just included
	// it, between the two lookups above.
	v, err = l.committedTx(hash)
	if v != nil || err != nil {
		return v, err
	}
	return nil, api.NotFound("transaction %s is neither in a block nor in the mempool", hash)
}

// committedTx returns the view of a committed transaction, or nil, nil if
// it is not committed.
func (l *Local) committedTx(hash common.Hash) (*api.Tx, error) {
	lk, err := l.chain.Transaction(hash)
	if errors.Is(err, chain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return l.includedTx(lk.Tx, lk.Block, lk.Index, lk.Receipt)
}

// Account reads an account at the head.
func (l *Local) Account(ctx context.Context, addr common.Address) (*api.Account, error) {
	a, err := l.chain.Account(addr)
	if err != nil {
		return nil, fmt.Errorf("read account %s: %w", addr, err)
	}
	pending := max(l.pool.PendingNonce(addr), a.Nonce)
	return &api.Account{
		Address: addr, Balance: api.NewAmount(a.Balance), Nonce: a.Nonce,
		PendingNonce: pending, IsContract: a.IsContract(),
	}, nil
}

// Peers lists the connected peers.
func (l *Local) Peers(ctx context.Context) ([]api.Peer, error) {
	if l.cfg.Peers == nil {
		return []api.Peer{}, nil
	}
	return l.cfg.Peers(), nil
}

// Mempool summarises the pool and lists its first transactions by sender
// and nonce.
func (l *Local) Mempool(ctx context.Context) (*api.Mempool, error) {
	st := l.pool.Stats()
	entries := l.pool.Pending()
	m := &api.Mempool{
		Count: st.Pending + st.Queued, Pending: st.Pending, Queued: st.Queued, Bytes: st.Bytes,
		Truncated: len(entries) > l.cfg.MempoolList,
	}
	entries = entries[:min(len(entries), l.cfg.MempoolList)]
	now := l.cfg.Now()
	m.Transactions = make([]api.MempoolTx, len(entries))
	for i, e := range entries {
		m.Transactions[i] = api.MempoolTx{
			Hash: e.Tx.Hash(), From: e.From, To: e.Tx.To(), Nonce: e.Tx.Nonce(),
			Value: api.NewAmount(e.Tx.Value()), Gas: e.Tx.Gas(),
			GasTipCap: api.NewAmount(e.Tx.GasTipCap()), GasFeeCap: api.NewAmount(e.Tx.GasFeeCap()),
			Size: e.Size, AgeMs: max(now.Sub(e.Added).Milliseconds(), 0), Queued: e.Queued,
		}
	}
	return m, nil
}

// maxCallValue bounds a call's value: 256 bits.
var maxCallValue = new(big.Int).Lsh(big.NewInt(1), 256)

// Call runs a read-only call against the head state within the configured
// time, gas and return-data bounds.
func (l *Local) Call(ctx context.Context, req api.CallRequest) (*api.CallResult, error) {
	msg := vm.CallMsg{From: req.From, To: req.To, Gas: req.Gas, Data: req.Data}
	if req.Value != nil {
		v := req.Value.Int()
		if v.Sign() < 0 || v.Cmp(maxCallValue) >= 0 {
			return nil, api.BadRequest("value %s is out of range (0 to 2^256-1)", v)
		}
		msg.Value = v
	}
	res, err := l.chain.Call(ctx, msg, chain.CallLimits{
		Gas: l.cfg.CallGasCap, Timeout: l.cfg.CallTimeout, MaxReturn: l.cfg.CallMaxReturn,
	})
	if err != nil {
		return nil, l.callError(ctx, err)
	}
	out := &api.CallResult{ReturnData: res.ReturnData, GasUsed: res.GasUsed}
	if out.ReturnData == nil {
		out.ReturnData = []byte{}
	}
	if res.Err != nil {
		out.Error = res.Err.Error()
		if errors.Is(res.Err, gethvm.ErrExecutionReverted) {
			if reason, err := abi.UnpackRevert(res.ReturnData); err == nil {
				out.Error += ": " + reason
			}
		}
	}
	return out, nil
}

// callPreconditions are the errors with which core.ApplyMessage refuses to
// start a call: the caller asked for something the state cannot give.
var callPreconditions = []error{
	core.ErrInsufficientFunds, core.ErrInsufficientFundsForTransfer, core.ErrIntrinsicGas,
	core.ErrFloorDataGas, gethvm.ErrMaxInitCodeSizeExceeded, core.ErrGasUintOverflow,
	core.ErrNonceMax, core.ErrSenderNoEOA, core.ErrGasLimitTooHigh,
}

// callError classifies a failed call: out of time, too much return data,
// refused to start (all the caller's to fix), or an internal failure.
func (l *Local) callError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case errors.Is(err, vm.ErrTimeBound):
		return &api.Error{Status: 400, Code: api.CodeTimeout, Message: fmt.Sprintf("call ran longer than the node's %v bound and was stopped", l.cfg.CallTimeout)}
	case errors.Is(err, chain.ErrReturnTooLarge):
		return &api.Error{Status: 400, Code: api.CodeReturnTooLarge, Message: err.Error()}
	}
	for _, pre := range callPreconditions {
		if errors.Is(err, pre) {
			return &api.Error{Status: 400, Code: api.CodeCallFailed, Message: err.Error()}
		}
	}
	return fmt.Errorf("call: %w", err)
}

// Subscribe forwards the node's events, converted to API views, until ctx
// ends.
func (l *Local) Subscribe(ctx context.Context) (<-chan api.Event, error) {
	sub := l.bus.Subscribe(l.cfg.EventBuffer)
	out := make(chan api.Event, 64)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			var ev events.Event
			select {
			case <-ctx.Done():
				return
			case e, ok := <-sub.C:
				if !ok {
					return
				}
				ev = e
			}
			v, ok := l.eventView(ev)
			if !ok {
				continue
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// eventView converts a bus event; ok is false for events the API does not
// show or cannot convert.
func (l *Local) eventView(e events.Event) (api.Event, bool) {
	switch {
	case e.Block != nil:
		b, err := l.blockView(e.Block, false)
		if err != nil {
			l.log.Warn("event stream: cannot show block", "height", e.Block.Height(), "err", err)
			return api.Event{}, false
		}
		return api.Event{Type: api.EventBlock, Block: b}, true
	case e.Tx != nil:
		return api.Event{Type: api.EventTx, Tx: pendingTx(e.Tx, e.TxFrom)}, true
	case e.Dropped != nil:
		return api.Event{Type: api.EventDropped, Dropped: &api.DroppedTx{Hash: e.Dropped.Hash(), Reason: e.DroppedReason}}, true
	}
	return api.Event{}, false
}
