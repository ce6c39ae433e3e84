package loadgen

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// TestRunBatches runs with --batch 4 over REST and JSON-RPC: every
// transfer is final, each sender's nonces arrive in order, requests carry
// up to 4 transfers, and a refused transfer in a batch is counted alone.
func TestRunBatches(t *testing.T) {
	for _, proto := range []string{"rest", "rpc"} {
		t.Run(proto, func(t *testing.T) {
			node := newFakeNode(t, 7777)
			keys, addrs := testKeys(t, 3)
			start := []uint64{0, 5, 2}
			for i, a := range addrs {
				node.fundAccount(a, 100, start[i])
			}
			target := protoTarget(t, node, proto)
			rep, err := runAgainst(t, t.Context(), node, target, Config{Txs: 31, Keys: keys, To: ToRing, Concurrency: 8, Batch: 4})
			if err != nil {
				t.Fatal(err)
			}
			checkComplete(t, rep, 31)
			checkNonceOrder(t, node, addrs, start, []int{11, 10, 10})
			node.mu.Lock()
			reqs, largest := node.sendRequests, node.largestBatch
			node.mu.Unlock()
			// 11, 10 and 10 transfers in batches of 4: 3+3+3 requests.
			if largest != 4 || reqs != 9 {
				t.Errorf("%d send requests, largest %d transfers; want 9 and 4", reqs, largest)
			}
		})
	}
}

func TestRunBatchCountsRejections(t *testing.T) {
	for _, proto := range []string{"rest", "rpc"} {
		t.Run(proto, func(t *testing.T) {
			node := newFakeNode(t, 7777)
			keys, addrs := testKeys(t, 2)
			for _, a := range addrs {
				node.fundAccount(a, 100, 0)
			}
			node.reject = func(tx *types.Transaction, from common.Address) string {
				if from == addrs[1] {
					return "sender_limit"
				}
				return ""
			}
			target := protoTarget(t, node, proto)
			rep, err := runAgainst(t, t.Context(), node, target, Config{Txs: 12, Keys: keys, Batch: 3})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Submitted != 12 || rep.Accepted != 6 || rep.Finalized != 6 || rep.Rejected["sender_limit"] != 6 {
				t.Errorf("report: submitted %d accepted %d finalized %d rejected %v",
					rep.Submitted, rep.Accepted, rep.Finalized, rep.Rejected)
			}
		})
	}
}

func TestConfigBatchBounds(t *testing.T) {
	keys, _ := testKeys(t, 1)
	for _, b := range []int{-1, MaxBatch + 1} {
		cfg := Config{Txs: 1, Keys: keys, Batch: b}
		if _, err := cfg.withDefaults(); err == nil {
			t.Errorf("batch %d accepted", b)
		}
	}
}

// protoTarget is the fake node's REST target, or its JSON-RPC one for
// proto "rpc".
func protoTarget(t *testing.T, node *fakeNode, proto string) Target {
	t.Helper()
	if proto == "rpc" {
		return rpcTarget(t, node, false)
	}
	return restTarget(t, node)
}
