package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// checkResult is what reading a ledger back from a node found.
type checkResult struct {
	Blocks        int // blocks read back identical
	Txs           int // transactions found where they were recorded
	ChangedBlocks int // blocks served different, or missing below the head
	LostTxs       int // transactions not found, or not included
	MovedTxs      int // transactions found in another block or at another index
	Unreadable    int // reads the node answered with an error other than not-found
	Problems      []string
	// Errors are the answers of the unreadable reads; Problems the rest.
	Errors []string
	// Incomplete is set when the node stopped answering (a connection
	// error or the deadline): what was not read is not counted.
	Incomplete error
}

func (r *checkResult) problem(format string, args ...any) {
	if len(r.Problems) < 50 {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

func (r *checkResult) add(o checkResult) {
	r.Blocks += o.Blocks
	r.Txs += o.Txs
	r.ChangedBlocks += o.ChangedBlocks
	r.LostTxs += o.LostTxs
	r.MovedTxs += o.MovedTxs
	r.Unreadable += o.Unreadable
	for _, p := range o.Problems {
		r.problem("%s", p)
	}
	r.Errors = append(r.Errors, o.Errors...)
}

func (r *checkResult) unreadable(format string, args ...any) {
	r.Unreadable++
	if len(r.Errors) < 1000 {
		r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
	}
}

// Bad is how many wrong things the check found.
func (r *checkResult) Bad() int {
	return r.ChangedBlocks + r.LostTxs + r.MovedTxs + r.Unreadable
}

// apiError returns the API's answer in err, or nil for a transport error
// (connection refused, reset, deadline).
func apiError(err error) *api.Error {
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// checkStatus compares a node's status with the ledger: the finalized
// height must not be lower than any the node reported before, and the
// chain must be the same one.
func checkStatus(st *api.Status, l *ledger) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var p []string
	if st.FinalizedHeight < l.floor {
		p = append(p, fmt.Sprintf("finalized height went back from %d to %d", l.floor, st.FinalizedHeight))
	}
	if l.genesis != (common.Hash{}) && st.GenesisHash != l.genesis {
		p = append(p, fmt.Sprintf("genesis hash changed from %s to %s", short(l.genesis), short(st.GenesisHash)))
	}
	if l.chainID != 0 && st.ChainID != l.chainID {
		p = append(p, fmt.Sprintf("chain ID changed from %d to %d", l.chainID, st.ChainID))
	}
	return p
}

// checkNode reads heights and txs back from the node and compares them
// with the ledger, with workers transaction lookups in flight.
func checkNode(ctx context.Context, c *api.Client, l *ledger, heights []uint64, txs []common.Hash, workers int) checkResult {
	var res checkResult
	got := map[uint64]*api.Block{}
	for _, h := range heights {
		if ctx.Err() != nil {
			res.Incomplete = ctx.Err()
			return res
		}
		rec := l.block(h)
		if rec == nil {
			continue
		}
		b, ok := got[h]
		if !ok {
			page, err := c.Blocks(ctx, h, 100)
			if err != nil && apiError(err) != nil {
				// One unreadable block fails its whole page: read this one
				// alone.
				var one *api.Block
				if one, err = c.Block(ctx, strconv.FormatUint(h, 10), false); err == nil {
					page = []*api.Block{one}
				}
			}
			if err != nil {
				ae := apiError(err)
				if ae == nil {
					res.Incomplete = err
					return res
				}
				if ae.Status == http.StatusNotFound {
					res.ChangedBlocks++
					res.problem("block %d is not found: %v", h, err)
				} else {
					res.unreadable("block %d: %v", h, err)
				}
				continue
			}
			for _, pb := range page {
				got[pb.Height] = pb
			}
			if b, ok = got[h]; !ok {
				res.ChangedBlocks++
				res.problem("block %d is missing (the node lists up to %s)", h, lastHeight(page, h))
				continue
			}
		}
		if d := diffBlock(rec, b); len(d) > 0 {
			res.ChangedBlocks++
			res.problem("%s", d[0])
			continue
		}
		res.Blocks++
	}

	jobs := make(chan common.Hash)
	var mu sync.Mutex
	var wg sync.WaitGroup
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range jobs {
				rec := l.tx(h)
				if rec == nil {
					continue
				}
				tx, err := c.Tx(cctx, h)
				mu.Lock()
				switch ae := apiError(err); {
				case err == nil:
					if d := diffTx(rec, tx); len(d) > 0 {
						if tx.Status == api.TxIncluded {
							res.MovedTxs++
						} else {
							res.LostTxs++
						}
						res.problem("%s", d[0])
					} else {
						res.Txs++
					}
				case ae != nil && ae.Status == http.StatusNotFound:
					res.LostTxs++
					res.problem("transaction %s of block %d is not found", short(h), rec.Height)
				case ae != nil:
					res.unreadable("transaction %s of block %d: %v", short(h), rec.Height, err)
				default:
					if res.Incomplete == nil {
						res.Incomplete = err
					}
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, h := range txs {
		select {
		case jobs <- h:
		case <-cctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if res.Incomplete == nil && ctx.Err() != nil {
		res.Incomplete = ctx.Err()
	}
	return res
}

func lastHeight(page []*api.Block, asked uint64) string {
	if len(page) == 0 {
		return fmt.Sprintf("below %d", asked)
	}
	return fmt.Sprint(page[len(page)-1].Height)
}
