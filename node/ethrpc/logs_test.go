package ethrpc

import (
	"encoding/json"
	"math/big"
	"sync/atomic"
	"testing"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// countingChain counts the receipts and headers' blooms the endpoint
// reads.
type countingChain struct {
	Chain
	receipts, blooms atomic.Int64
}

func (c *countingChain) Blooms(from, to uint64, fn func(uint64, *types.Bloom) (bool, error)) error {
	return c.Chain.Blooms(from, to, func(h uint64, b *types.Bloom) (bool, error) {
		c.blooms.Add(1)
		return fn(h, b)
	})
}

func (c *countingChain) Receipts(b *chain.Block) ([]*types.Receipt, error) {
	c.receipts.Add(1)
	return c.Chain.Receipts(b)
}

var incremented = crypto.Keccak256Hash([]byte("Incremented(address,uint256)"))

// logChain is 20 blocks: the Counter deployed in block 1, increments by
// key0 in blocks 5 and 10 and by key1 in block 15, transfers (no logs) in
// the others.
type logChain struct {
	f       *fixture
	counter common.Address
	logs    *countingChain
}

func newLogChain(t *testing.T, opts ...func(*Config)) *logChain {
	lc := &logChain{}
	opts = append(opts, func(c *Config) { lc.logs = &countingChain{Chain: c.Chain}; c.Chain = lc.logs })
	lc.f = newFixture(t, opts...)
	f := lc.f
	lc.counter = f.deployCounter(0)
	n0, n1 := uint64(1), uint64(0)
	for h := 2; h <= 20; h++ {
		switch h {
		case 5, 10:
			f.send(f.dynTx(key0, n0, &lc.counter, nil, 200_000, counter.Pack("increment")))
			n0++
		case 15:
			f.send(f.dynTx(key1, n1, &lc.counter, nil, 200_000, counter.Pack("increment")))
			n1++
		default:
			f.send(f.legacyTx(key1, n1, addr0, big.NewInt(1)))
			n1++
		}
		f.produce()
	}
	return lc
}

func (lc *logChain) getLogs(t *testing.T, q map[string]any) []*types.Log {
	t.Helper()
	var logs []*types.Log
	raw := lc.f.raw("eth_getLogs", q)
	var objs []map[string]any
	json.Unmarshal(raw, &objs)
	for _, o := range objs {
		checkSchema(t, "log", o, logSchema)
	}
	if err := json.Unmarshal(raw, &logs); err != nil {
		t.Fatal(err)
	}
	return logs
}

func topicOf(a common.Address) common.Hash { return common.BytesToHash(a.Bytes()) }

func TestGetLogsFilters(t *testing.T) {
	lc := newLogChain(t)
	all := map[string]any{"fromBlock": "earliest", "toBlock": "latest", "address": lc.counter}
	for _, tc := range []struct {
		name    string
		q       map[string]any
		heights []uint64
	}{
		{"by address", all, []uint64{5, 10, 15}},
		{"address list", map[string]any{"fromBlock": "0x0", "address": []common.Address{addr1, lc.counter}}, []uint64{5, 10, 15}},
		{"topic 0", map[string]any{"fromBlock": "0x0", "topics": []any{incremented}}, []uint64{5, 10, 15}},
		{"sender key1", map[string]any{"fromBlock": "0x0", "topics": []any{nil, topicOf(addr1)}}, []uint64{15}},
		{"either sender", map[string]any{"fromBlock": "0x0", "topics": []any{incremented, []common.Hash{topicOf(addr0), topicOf(addr1)}}}, []uint64{5, 10, 15}},
		{"a range", map[string]any{"fromBlock": "0x6", "toBlock": "0xf"}, []uint64{10, 15}},
		{"one block", map[string]any{"fromBlock": "0xa", "toBlock": "0xa"}, []uint64{10}},
		{"no match", map[string]any{"fromBlock": "0x0", "address": addr1}, nil},
		{"topic no match", map[string]any{"fromBlock": "0x0", "topics": []any{common.Hash{1}}}, nil},
		{"more topics than logs have", map[string]any{"fromBlock": "0x0", "topics": []any{nil, nil, nil}}, nil},
		{"default is latest", map[string]any{}, nil},
		{"past the head", map[string]any{"fromBlock": "0x64", "toBlock": "0x65"}, nil},
		{"to past the head", map[string]any{"fromBlock": "0xf", "toBlock": "0x1000"}, []uint64{15}},
		{"by block hash", map[string]any{"blockHash": lc.hashAt(t, 10)}, []uint64{10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := lc.getLogs(t, tc.q)
			if len(logs) != len(tc.heights) {
				t.Fatalf("%d logs, want %d (%v)", len(logs), len(tc.heights), logs)
			}
			for i, l := range logs {
				if l.BlockNumber != tc.heights[i] || l.Address != lc.counter || l.BlockHash != lc.hashAt(t, l.BlockNumber) || l.Removed {
					t.Errorf("log %d = %+v, want block %d", i, l, tc.heights[i])
				}
			}
		})
	}
}

func (lc *logChain) hashAt(t *testing.T, h uint64) common.Hash {
	b, err := lc.f.chain.BlockByHeight(h)
	if err != nil {
		t.Fatal(err)
	}
	return b.Hash()
}

func TestGetLogsReadsOnlyBlocksTheBloomAdmits(t *testing.T) {
	lc := newLogChain(t)
	lc.logs.receipts.Store(0)
	if logs := lc.getLogs(t, map[string]any{"fromBlock": "0x0", "address": lc.counter}); len(logs) != 3 {
		t.Fatalf("%d logs", len(logs))
	}
	// Blocks 5, 10 and 15 hold the logs; the other 18 blocks (transfers
	// and the deployment, whose blooms are empty) are skipped unread.
	if n := lc.logs.receipts.Load(); n != 3 {
		t.Errorf("read the receipts of %d blocks for 3 blocks with logs", n)
	}
	lc.logs.receipts.Store(0)
	lc.getLogs(t, map[string]any{"fromBlock": "0x0", "address": addr1})
	if n := lc.logs.receipts.Load(); n != 0 {
		t.Errorf("read the receipts of %d blocks for an address no bloom holds", n)
	}
}

func TestGetLogsTakesBloomsFromMemory(t *testing.T) {
	lc := newLogChain(t)
	lc.f.settle()
	lc.logs.blooms.Store(0)
	q := map[string]any{"fromBlock": "0x0", "address": lc.counter}
	if logs := lc.getLogs(t, q); len(logs) != 3 {
		t.Fatalf("%d logs", len(logs))
	}
	// The feed saw blocks 1 to 20 committed; only genesis, committed
	// before the endpoint started, is read from the store.
	if n := lc.logs.blooms.Load(); n != 1 {
		t.Errorf("read %d headers' blooms, want 1 (genesis)", n)
	}
	lc.f.srv.backend.blooms.c.Purge()
	lc.logs.blooms.Store(0)
	if logs := lc.getLogs(t, q); len(logs) != 3 {
		t.Fatalf("%d logs from headers", len(logs))
	}
	if n := lc.logs.blooms.Load(); n != 21 {
		t.Errorf("read %d headers' blooms with an empty cache, want 21", n)
	}
	lc.logs.blooms.Store(0)
	lc.getLogs(t, q)
	if n := lc.logs.blooms.Load(); n != 0 {
		t.Errorf("read %d headers' blooms a second time, want 0", n)
	}
}

func TestGetLogsLimitsAndBadRanges(t *testing.T) {
	lc := newLogChain(t, func(c *Config) { c.MaxBlockRange = 10; c.MaxLogs = 1 })
	f := lc.f
	for _, tc := range []struct {
		name string
		q    map[string]any
		code int
	}{
		{"range over the cap", map[string]any{"fromBlock": "0x1", "toBlock": "0xb"}, codeLimitExceeded},
		{"too many logs", map[string]any{"fromBlock": "0x5", "toBlock": "0xe", "topics": []any{incremented}}, codeLimitExceeded},
		{"from after to", map[string]any{"fromBlock": "0x5", "toBlock": "0x4"}, codeInvalidParams},
		{"hash and range", map[string]any{"blockHash": lc.hashAt(t, 5), "fromBlock": "0x1"}, codeInvalidParams},
		{"unknown hash", map[string]any{"blockHash": common.Hash{5}}, codeServer},
		{"five topics", map[string]any{"topics": []any{nil, nil, nil, nil, nil}}, codeInvalidParams},
		{"bad address", map[string]any{"address": "0x12"}, codeInvalidParams},
		{"null in a list", map[string]any{"address": []any{nil}}, codeInvalidParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, f.call(nil, "eth_getLogs", tc.q), tc.code)
		})
	}
	// Exactly at the caps is fine.
	if logs := lc.getLogs(t, map[string]any{"fromBlock": "0xb", "toBlock": "0x14"}); len(logs) != 1 {
		t.Errorf("10 blocks, 1 log: got %d", len(logs))
	}
}
