package ethrpc

import (
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

func (f *fixture) changes(id string, out any) error {
	return f.call(out, "eth_getFilterChanges", id)
}

func TestBlockAndPendingFilters(t *testing.T) {
	f := newFixture(t)
	var blocks, pending string
	if err := f.call(&blocks, "eth_newBlockFilter"); err != nil {
		t.Fatal(err)
	}
	if err := f.call(&pending, "eth_newPendingTransactionFilter"); err != nil {
		t.Fatal(err)
	}
	var hashes []common.Hash
	if err := f.changes(blocks, &hashes); err != nil || len(hashes) != 0 {
		t.Fatalf("a new block filter's changes: %v %v", hashes, err)
	}
	tx := f.legacyTx(key0, 0, addr1, big.NewInt(1))
	f.send(tx)
	b1 := f.produce()
	b2 := f.produce()
	f.settle()
	if err := f.changes(blocks, &hashes); err != nil || len(hashes) != 2 || hashes[0] != b1.Hash() || hashes[1] != b2.Hash() {
		t.Fatalf("block filter changes = %v, %v; want blocks 1 and 2", hashes, err)
	}
	if err := f.changes(blocks, &hashes); err != nil || len(hashes) != 0 {
		t.Fatalf("block filter polled again = %v, %v; want nothing new", hashes, err)
	}
	if err := f.changes(pending, &hashes); err != nil || len(hashes) != 1 || hashes[0] != tx.Hash() {
		t.Fatalf("pending filter changes = %v, %v", hashes, err)
	}
	var ok bool
	if err := f.call(&ok, "eth_uninstallFilter", blocks); err != nil || !ok {
		t.Fatalf("uninstall: %v %v", ok, err)
	}
	if err := f.call(&ok, "eth_uninstallFilter", blocks); err != nil || ok {
		t.Fatalf("uninstall twice: %v %v", ok, err)
	}
	wantCode(t, f.changes(blocks, &hashes), codeServer)
	wantCode(t, f.changes("0xdeadbeef", &hashes), codeServer)
	wantCode(t, f.call(nil, "eth_getFilterLogs", pending), codeInvalidParams)
}

func TestLogFilter(t *testing.T) {
	f := newFixture(t)
	ctr := f.deployCounter(0)
	var id string
	if err := f.call(&id, "eth_newFilter", map[string]any{"address": ctr, "topics": []any{incremented}}); err != nil {
		t.Fatal(err)
	}
	f.send(f.dynTx(key0, 1, &ctr, nil, 200_000, counter.Pack("increment")))
	f.send(f.dynTx(key0, 2, &addr1, big.NewInt(1), 21000, nil))
	f.produce()
	f.send(f.dynTx(key0, 3, &ctr, nil, 200_000, counter.Pack("add", big.NewInt(2))))
	f.produce()
	f.settle()
	var raw json.RawMessage
	if err := f.changes(id, &raw); err != nil {
		t.Fatal(err)
	}
	var logs []*types.Log
	json.Unmarshal(raw, &logs)
	if len(logs) != 2 || logs[0].BlockNumber != 2 || logs[1].BlockNumber != 3 || logs[0].Address != ctr {
		t.Fatalf("log filter changes = %s", raw)
	}
	if err := f.changes(id, &logs); err != nil || len(logs) != 0 {
		t.Fatalf("log filter polled again: %v %v", logs, err)
	}
	var all []*types.Log
	if err := f.call(&all, "eth_getFilterLogs", id); err != nil || len(all) != 1 {
		// The filter's range defaults to latest, as eth_getLogs' does.
		t.Fatalf("eth_getFilterLogs = %v, %v; want the log of the latest block", all, err)
	}
	var ranged string
	f.call(&ranged, "eth_newFilter", map[string]any{"fromBlock": "0x0", "address": ctr})
	if err := f.call(&all, "eth_getFilterLogs", ranged); err != nil || len(all) != 2 {
		t.Fatalf("eth_getFilterLogs from 0 = %v, %v", all, err)
	}
	wantCode(t, f.call(nil, "eth_newFilter", map[string]any{"topics": []any{1}}), codeInvalidParams)
}

func TestFiltersExpireWhenNotPolled(t *testing.T) {
	f := newFixture(t)
	var stale, polled string
	f.call(&stale, "eth_newBlockFilter")
	f.call(&polled, "eth_newBlockFilter")
	var hashes []common.Hash
	f.advance(4 * time.Minute)
	if err := f.changes(polled, &hashes); err != nil {
		t.Fatalf("a filter polled within 5 minutes: %v", err)
	}
	f.advance(4 * time.Minute) // stale: 8 minutes unpolled; polled: 4
	f.produce()
	f.settle()
	fs := f.srv.backend.filters
	fs.mu.Lock()
	_, staleKept := fs.m[rpc.ID(stale)]
	fs.mu.Unlock()
	if staleKept {
		t.Error("a filter unpolled for 8 minutes is still held after a block")
	}
	wantCode(t, f.changes(stale, &hashes), codeServer)
	if err := f.changes(polled, &hashes); err != nil || len(hashes) != 1 {
		t.Fatalf("the polled filter: %v %v", hashes, err)
	}
	f.advance(5*time.Minute + time.Second)
	wantCode(t, f.changes(polled, &hashes), codeServer)
}

func TestFilterCap(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxFilters = 2 })
	var id string
	f.call(&id, "eth_newBlockFilter")
	f.call(nil, "eth_newPendingTransactionFilter")
	wantCode(t, f.call(nil, "eth_newBlockFilter"), codeLimitExceeded)
	f.call(nil, "eth_uninstallFilter", id)
	if err := f.call(nil, "eth_newBlockFilter"); err != nil {
		t.Fatalf("a filter after one was uninstalled: %v", err)
	}
}
