package main

import (
	"context"
	"fmt"
	"math/big"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// fakeLogsNode answers eth_blockNumber and eth_getLogs like a node that
// caps the blocks of one query, with one log in each block of logAt.
type fakeLogsNode struct {
	head     uint64
	maxRange uint64
	logAt    []uint64

	mu     sync.Mutex
	ranges [][2]uint64 // the ranges it answered
}

type limitErr struct{ msg string }

func (e limitErr) Error() string  { return e.msg }
func (e limitErr) ErrorCode() int { return codeLimitExceeded }

func (f *fakeLogsNode) BlockNumber() hexutil.Uint64 { return hexutil.Uint64(f.head) }

func (f *fakeLogsNode) GetLogs(q struct {
	FromBlock hexutil.Uint64 `json:"fromBlock"`
	ToBlock   hexutil.Uint64 `json:"toBlock"`
}) ([]types.Log, error) {
	from, to := uint64(q.FromBlock), uint64(q.ToBlock)
	if to-from+1 > f.maxRange {
		return nil, limitErr{fmt.Sprintf("block range of %d blocks is over the limit of %d", to-from+1, f.maxRange)}
	}
	f.mu.Lock()
	f.ranges = append(f.ranges, [2]uint64{from, to})
	f.mu.Unlock()
	out := []types.Log{}
	for _, h := range f.logAt {
		if h >= from && h <= to {
			out = append(out, types.Log{Address: common.Address{1}, Topics: []common.Hash{{2}}, Data: []byte{}, BlockNumber: h, TxHash: common.Hash{3}, BlockHash: common.Hash{4}})
		}
	}
	return out, nil
}

// TestPagedLogs checks that `contract events` reads a long range in
// windows the node accepts, halving a window the node refuses, with no
// block read twice or left out.
func TestPagedLogs(t *testing.T) {
	for _, c := range []struct {
		name           string
		maxRange       uint64
		from, to       *big.Int
		wantFirst      uint64
		wantLast       uint64
		wantLogs       int
		wantMinQueries int
	}{
		{"all, in node-sized windows", 10_000, big.NewInt(0), nil, 0, 25_000, 4, 3},
		{"a smaller cap halves the window", 3_000, big.NewInt(0), nil, 0, 25_000, 4, 9},
		{"a range inside", 10_000, big.NewInt(10), big.NewInt(15_000), 10, 15_000, 1, 2},
		{"beyond the head", 10_000, big.NewInt(30_000), nil, 0, 0, 0, 0},
		{"to-block past the head stops at it", 10_000, big.NewInt(24_000), big.NewInt(99_999), 24_000, 25_000, 2, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			node := &fakeLogsNode{head: 25_000, maxRange: c.maxRange, logAt: []uint64{5, 15_000, 24_999, 25_000}}
			srv := rpc.NewServer()
			if err := srv.RegisterName("eth", node); err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			defer srv.Stop()
			qf := queryFlags{api: hs.URL, timeout: 30 * time.Second}
			logs, err := filterLogs(context.Background(), qf, ethereum.FilterQuery{FromBlock: c.from, ToBlock: c.to})
			if err != nil {
				t.Fatal(err)
			}
			inRange := 0
			for _, h := range node.logAt {
				lo := uint64(0)
				if c.from != nil {
					lo = c.from.Uint64()
				}
				hi := node.head
				if c.to != nil {
					hi = min(hi, c.to.Uint64())
				}
				if h >= lo && h <= hi {
					inRange++
				}
			}
			if len(logs) != c.wantLogs || len(logs) != inRange {
				t.Fatalf("%d logs, want %d", len(logs), c.wantLogs)
			}
			if c.wantLogs == 0 {
				return
			}
			if len(node.ranges) < c.wantMinQueries {
				t.Fatalf("%d queries, want at least %d", len(node.ranges), c.wantMinQueries)
			}
			// The windows tile the range exactly.
			if node.ranges[0][0] != c.wantFirst || node.ranges[len(node.ranges)-1][1] != c.wantLast {
				t.Fatalf("ranges %v, want %d to %d", node.ranges, c.wantFirst, c.wantLast)
			}
			for i := 1; i < len(node.ranges); i++ {
				if node.ranges[i][0] != node.ranges[i-1][1]+1 {
					t.Fatalf("ranges %v leave a gap or overlap at %d", node.ranges, i)
				}
			}
		})
	}
}

// TestFilterLogsErrors checks the one-line failures of `contract events`.
func TestFilterLogsErrors(t *testing.T) {
	node := &fakeLogsNode{head: 10, maxRange: 0} // refuses everything, even one block
	srv := rpc.NewServer()
	if err := srv.RegisterName("eth", node); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Stop()
	_, err := filterLogs(context.Background(), queryFlags{api: hs.URL, timeout: 30 * time.Second}, ethereum.FilterQuery{FromBlock: big.NewInt(0)})
	if err == nil || !strings.Contains(err.Error(), "the node refused the query") || !strings.Contains(err.Error(), "over the limit") {
		t.Fatalf("refused: %v", err)
	}
	hs.Close()
	_, err = filterLogs(context.Background(), queryFlags{api: hs.URL, timeout: 30 * time.Second}, ethereum.FilterQuery{})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the node") {
		t.Fatalf("no node: %v", err)
	}
}
