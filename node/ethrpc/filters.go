package ethrpc

import (
	"context"
	"sync"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// maxFilterHashes caps the block or transaction hashes a block or
// pending-transaction filter holds between two polls; older ones go first.
const maxFilterHashes = 10_000

type filterKind int

const (
	blockFilter filterKind = iota
	pendingFilter
	logFilter
)

// filter is one polling filter: what it watches and what it gathered
// since it was last polled.
type filter struct {
	kind     filterKind
	query    *logQuery // logFilter
	hashes   []common.Hash
	logs     []*types.Log
	lastPoll time.Time
}

// filters holds the polling filters of eth_newFilter and friends. It is a
// sink of the feed; a filter not polled for FilterTimeout is removed at
// the next block or call.
type filters struct {
	b  *backend
	mu sync.Mutex
	m  map[rpc.ID]*filter
}

func newFilters(b *backend) *filters {
	fs := &filters{b: b, m: map[rpc.ID]*filter{}}
	b.feed.add(fs)
	return fs
}

func (fs *filters) close() {
	fs.b.feed.remove(fs)
	fs.mu.Lock()
	fs.m = map[rpc.ID]*filter{}
	fs.mu.Unlock()
}

// install adds a filter and returns its id.
func (fs *filters) install(f *filter) (rpc.ID, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	now := fs.b.cfg.Now()
	fs.expireLocked(now)
	if len(fs.m) >= fs.b.cfg.MaxFilters {
		return "", limitExceeded("%d filters are installed, the most this node keeps: uninstall some, or use eth_subscribe", len(fs.m))
	}
	f.lastPoll = now
	id := rpc.NewID()
	fs.m[id] = f
	return id, nil
}

// expireLocked drops the filters not polled within the timeout.
func (fs *filters) expireLocked(now time.Time) {
	for id, f := range fs.m {
		if now.Sub(f.lastPoll) > fs.b.cfg.FilterTimeout {
			delete(fs.m, id)
		}
	}
}

// get returns a live filter and marks it polled.
func (fs *filters) getLocked(id rpc.ID) (*filter, bool) {
	now := fs.b.cfg.Now()
	fs.expireLocked(now)
	f, ok := fs.m[id]
	if ok {
		f.lastPoll = now
	}
	return f, ok
}

func (fs *filters) onBlock(blk *chain.Block, logs func() []*types.Log) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.expireLocked(fs.b.cfg.Now())
	for _, f := range fs.m {
		switch f.kind {
		case blockFilter:
			f.hashes = appendCapped(f.hashes, blk.Hash())
		case logFilter:
			if f.query.mayMatch(&blk.Header.Bloom) {
				f.logs = append(f.logs, f.query.filterLogs(logs())...)
				if over := len(f.logs) - fs.b.cfg.MaxLogs; over > 0 {
					f.logs = f.logs[over:]
				}
			}
		}
	}
}

func (fs *filters) onPendingTx(tx *types.Transaction) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.m {
		if f.kind == pendingFilter {
			f.hashes = appendCapped(f.hashes, tx.Hash())
		}
	}
}

func appendCapped(list []common.Hash, h common.Hash) []common.Hash {
	if len(list) >= maxFilterHashes {
		list = list[1:]
	}
	return append(list, h)
}

// NewFilter is eth_newFilter: a filter of the logs of blocks committed
// from now on. Its range, if given, is not applied to new blocks (every
// new block is past any range a client could mean) except by
// eth_getFilterLogs.
func (api *ethAPI) NewFilter(q logQuery) (rpc.ID, error) {
	return api.b.filters.install(&filter{kind: logFilter, query: &q})
}

// NewBlockFilter is eth_newBlockFilter: the hashes of new blocks.
func (api *ethAPI) NewBlockFilter() (rpc.ID, error) {
	return api.b.filters.install(&filter{kind: blockFilter})
}

// NewPendingTransactionFilter is eth_newPendingTransactionFilter: the
// hashes of transactions newly admitted to the mempool.
func (api *ethAPI) NewPendingTransactionFilter() (rpc.ID, error) {
	return api.b.filters.install(&filter{kind: pendingFilter})
}

// UninstallFilter is eth_uninstallFilter: whether the filter existed.
func (api *ethAPI) UninstallFilter(id rpc.ID) bool {
	fs := api.b.filters
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.expireLocked(fs.b.cfg.Now())
	_, ok := fs.m[id]
	delete(fs.m, id)
	return ok
}

// GetFilterChanges is eth_getFilterChanges: what the filter gathered since
// it was last polled (hashes, or logs for a log filter).
func (api *ethAPI) GetFilterChanges(id rpc.ID) (any, error) {
	fs := api.b.filters
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, ok := fs.getLocked(id)
	if !ok {
		return nil, errFilterNotFound
	}
	if f.kind == logFilter {
		logs := f.logs
		f.logs = nil
		if logs == nil {
			logs = []*types.Log{}
		}
		return logs, nil
	}
	hashes := f.hashes
	f.hashes = nil
	if hashes == nil {
		hashes = []common.Hash{}
	}
	return hashes, nil
}

// GetFilterLogs is eth_getFilterLogs: every log a log filter's query
// matches, as eth_getLogs with its range.
func (api *ethAPI) GetFilterLogs(ctx context.Context, id rpc.ID) ([]*types.Log, error) {
	fs := api.b.filters
	fs.mu.Lock()
	f, ok := fs.getLocked(id)
	fs.mu.Unlock()
	if !ok {
		return nil, errFilterNotFound
	}
	if f.kind != logFilter {
		return nil, invalidParams("filter %s is not a log filter", id)
	}
	return api.b.getLogs(ctx, f.query)
}
