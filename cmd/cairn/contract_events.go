package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"

	"cairn/node/api"
	"cairn/wallet/contracts"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/spf13/cobra"
)

func newContractEventsCmd() *cobra.Command {
	var rf readFlags
	var af abiFlags
	var fromBlock, toBlock, event string
	cmd := &cobra.Command{
		Use:   "events CONTRACT",
		Short: "List a contract's events (logs), decoded with its ABI",
		Long: "events reads the logs of CONTRACT (a 0x address or a name in the address book) from the\n" +
			"node's Ethereum JSON-RPC endpoint (eth_getLogs, on the same address as --api) and decodes\n" +
			"them with the contract's ABI (--abi or the address book); logs the ABI does not explain are\n" +
			"shown raw. --event keeps one event, by name or signature. A long range is read in windows\n" +
			"of blocks the node accepts; a window with more logs than the node returns in one answer\n" +
			"fails: narrow --event or --from-block/--to-block.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("contract events takes one argument: the contract's address or name")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			book, t, err := rf.target(args[0], af)
			if err != nil {
				return err
			}
			q := ethereum.FilterQuery{Addresses: []common.Address{t.addr}}
			if q.FromBlock, err = parseBlockArg(fromBlock); err != nil {
				return usageErr("--from-block: %v", err)
			}
			if q.ToBlock, err = parseBlockArg(toBlock); err != nil {
				return usageErr("--to-block: %v", err)
			}
			if q.FromBlock != nil && q.ToBlock != nil && q.FromBlock.Sign() >= 0 && q.ToBlock.Sign() >= 0 && q.FromBlock.Cmp(q.ToBlock) > 0 {
				return usageErr("--from-block %s is after --to-block %s", q.FromBlock, q.ToBlock)
			}
			if event != "" {
				if t.abi == nil {
					return usageErr("--event needs the contract's ABI: give --abi FILE, or add the contract with `cairn contract add`")
				}
				ev, err := contracts.FindEvent(t.abi, event)
				if err != nil {
					return usageErr("--event: %v", err)
				}
				q.Topics = [][]common.Hash{{ev.ID}}
			}
			logs, err := filterLogs(cmd.Context(), rf.qf, q)
			if err != nil {
				return err
			}
			out := make([]*logJSON, len(logs))
			for i, l := range logs {
				n, h := l.BlockNumber, l.TxHash
				out[i] = &logJSON{Address: checksummed(l.Address), BlockNumber: &n, TxHash: &h, LogIndex: l.Index, Topics: l.Topics, Data: l.Data}
				if out[i].Topics == nil {
					out[i].Topics = []common.Hash{}
				}
				decodeLog(book, t, out[i])
			}
			p := &queryPrinter{w: cmd.OutOrStdout(), json: rf.qf.json}
			return p.show(out, func() {
				if len(out) == 0 {
					fmt.Fprintf(p.w, "no events of %s in those blocks\n", t.label())
					return
				}
				for _, l := range out {
					printLog(p.w, "", l)
				}
			})
		},
	}
	fl := cmd.Flags()
	af.register(fl)
	fl.StringVar(&fromBlock, "from-block", "0", "the first block to read: a height, or \"latest\"")
	fl.StringVar(&toBlock, "to-block", "latest", "the last block to read: a height, or \"latest\"")
	fl.StringVar(&event, "event", "", "only this event: its name (\"Transfer\") or signature")
	rf.register(fl)
	return cmd
}

// parseBlockArg reads a block height or a tag; nil means latest.
func parseBlockArg(s string) (*big.Int, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "latest", "finalized", "safe", "":
		return nil, nil
	case "earliest":
		return new(big.Int), nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 0, 63)
	if err != nil {
		return nil, fmt.Errorf("%q is not a block height: want a whole number or \"latest\"", s)
	}
	return new(big.Int).SetUint64(n), nil
}

// rpcURL is the node's JSON-RPC endpoint: the root of the API's address.
func rpcURL(apiAddr string) string { return api.NormalizeURL(apiAddr) + "/" }

// logsWindow is how many blocks one eth_getLogs asks for at first: the
// node's default cap. A node that refuses a window (code -32005, limit
// exceeded) is asked again with half as many blocks.
const logsWindow = 10_000

// codeLimitExceeded is JSON-RPC's "limit exceeded" error code.
const codeLimitExceeded = -32005

// filterLogs runs eth_getLogs on the node over q's blocks in windows the
// node accepts, within the timeout, with failures as one line that says
// what to do. A nil FromBlock or ToBlock is the latest block.
func filterLogs(ctx context.Context, qf queryFlags, q ethereum.FilterQuery) ([]types.Log, error) {
	ctx, cancel := context.WithTimeout(ctx, qf.timeout)
	defer cancel()
	url := rpcURL(qf.api)
	rc, err := rpc.DialContext(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to the node's JSON-RPC at %s: %w", url, err)
	}
	defer rc.Close()
	ec := ethclient.NewClient(rc)
	logs, err := pagedLogs(ctx, ec, q)
	if err == nil {
		return logs, nil
	}
	var rpcErr rpc.Error
	var httpErr rpc.HTTPError
	var netErr *net.OpError
	switch {
	case errors.As(err, &rpcErr):
		return nil, fmt.Errorf("the node refused the query: %s", rpcErr.Error())
	case errors.As(err, &httpErr):
		if httpErr.StatusCode == 404 || httpErr.StatusCode == 405 {
			return nil, fmt.Errorf("the node at %s serves no JSON-RPC (HTTP %d): is it a Cairn node with its Ethereum JSON-RPC endpoint?", url, httpErr.StatusCode)
		}
		return nil, fmt.Errorf("the node's JSON-RPC at %s answered HTTP %d", url, httpErr.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("the node at %s did not answer within %v (raise --timeout, or narrow the blocks)", url, qf.timeout)
	case errors.As(err, &netErr):
		return nil, fmt.Errorf("cannot reach the node at %s: is `cairn node` running? (use --api to point elsewhere)", url)
	}
	return nil, fmt.Errorf("eth_getLogs at %s: %w", url, err)
}

// pagedLogs reads q's logs window by window, from its first block to its
// last (the head, when open-ended, as of the first request).
func pagedLogs(ctx context.Context, ec *ethclient.Client, q ethereum.FilterQuery) ([]types.Log, error) {
	head, err := ec.BlockNumber(ctx)
	if err != nil {
		return nil, err
	}
	from, to := head, head
	if q.FromBlock != nil {
		from = q.FromBlock.Uint64()
	}
	if q.ToBlock != nil {
		to = min(q.ToBlock.Uint64(), head)
	}
	out := []types.Log{}
	window := uint64(logsWindow)
	for start := from; start <= to; {
		end := to
		if to-start >= window {
			end = start + window - 1
		}
		page := q
		page.FromBlock, page.ToBlock = new(big.Int).SetUint64(start), new(big.Int).SetUint64(end)
		logs, err := ec.FilterLogs(ctx, page)
		var rpcErr rpc.Error
		if errors.As(err, &rpcErr) && rpcErr.ErrorCode() == codeLimitExceeded && end > start {
			window = max(1, (end-start+1)/2)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, logs...)
		if end == to {
			break
		}
		start = end + 1
	}
	return out, nil
}
