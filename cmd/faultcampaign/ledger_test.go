package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

func hashOf(s string) common.Hash { return common.BytesToHash([]byte(s)) }

// testChain is n blocks, block h holding h%3 transactions.
func testChain(n int) []*api.Block {
	var out []*api.Block
	parent := hashOf("genesis")
	for h := 1; h <= n; h++ {
		b := &api.Block{Height: uint64(h), Hash: hashOf("block" + strconv.Itoa(h)), ParentHash: parent}
		for i := 0; i < h%3; i++ {
			b.Transactions = append(b.Transactions, hashOf("tx"+strconv.Itoa(h)+"."+strconv.Itoa(i)))
		}
		b.TxCount = len(b.Transactions)
		out = append(out, b)
		parent = b.Hash
	}
	return out
}

func txCount(bs []*api.Block) int {
	n := 0
	for _, b := range bs {
		n += len(b.Transactions)
	}
	return n
}

func TestLedgerRecordsAndConflicts(t *testing.T) {
	l := newLedger()
	chain := testChain(10)
	for _, b := range chain {
		l.addBlock(b)
	}
	blocks, txs, floor := l.counts()
	if blocks != 10 || txs != txCount(chain) || floor != 10 {
		t.Fatalf("counts %d %d %d", blocks, txs, floor)
	}
	if r := l.tx(chain[4].Transactions[1]); r == nil || r.Height != 5 || r.Index != 1 || r.Block != chain[4].Hash {
		t.Errorf("tx record %+v", r)
	}
	l.addBlock(chain[3]) // the same again: fine
	if len(l.conflicts) != 0 {
		t.Fatalf("conflicts %v", l.conflicts)
	}
	other := *chain[3]
	other.Hash = hashOf("fork")
	l.addBlock(&other)
	if len(l.conflicts) != 1 || !strings.Contains(l.conflicts[0], "block 4") {
		t.Errorf("conflicts %v", l.conflicts)
	}
	l.raiseFloor(7)
	if _, _, f := l.counts(); f != 10 {
		t.Errorf("floor lowered to %d", f)
	}
}

func TestCheckSet(t *testing.T) {
	l := newLedger()
	chain := testChain(30)
	for _, b := range chain[:20] {
		l.addBlock(b)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	heights, txs := l.checkSet(rng, 5)
	if len(heights) != 20 || len(txs) != txCount(chain[:20]) {
		t.Fatalf("first check: %d heights %d txs, want all 20 and %d", len(heights), len(txs), txCount(chain[:20]))
	}
	l.checked(heights)
	for _, b := range chain[20:] {
		l.addBlock(b)
	}
	heights, txs = l.checkSet(rng, 5)
	// The 10 new blocks (and their transactions) and 5 older of each.
	if want := txCount(chain[20:]) + 5; len(heights) != 15 || len(txs) != want {
		t.Fatalf("second check: %d heights %d txs, want 15 and %d", len(heights), len(txs), want)
	}
	for _, h := range []uint64{21, 25, 30} {
		found := false
		for _, x := range heights {
			found = found || x == h
		}
		if !found {
			t.Errorf("new height %d not in the check", h)
		}
	}
	all, allTxs := l.all()
	if len(all) != 30 || len(allTxs) != txCount(chain) {
		t.Errorf("all: %d %d", len(all), len(allTxs))
	}
}

func TestDiffBlockAndTx(t *testing.T) {
	b := testChain(5)[4]
	rec := &blockRec{Height: 5, Hash: b.Hash, Parent: b.ParentHash, Txs: b.Transactions}
	if d := diffBlock(rec, b); len(d) != 0 {
		t.Errorf("same block differs: %v", d)
	}
	changed := *b
	changed.Transactions = []common.Hash{b.Transactions[0], hashOf("other")}
	if d := diffBlock(rec, &changed); len(d) != 1 || !strings.Contains(d[0], "transaction 1") {
		t.Errorf("changed tx: %v", d)
	}
	changed = *b
	changed.Hash, changed.Transactions = hashOf("x"), nil
	if d := diffBlock(rec, &changed); len(d) != 2 {
		t.Errorf("changed hash and txs: %v", d)
	}

	h, i, bh := uint64(5), 1, b.Hash
	tr := &txRec{Hash: b.Transactions[1], Height: 5, Block: b.Hash, Index: 1}
	got := &api.Tx{Hash: tr.Hash, Status: api.TxIncluded, BlockHeight: &h, BlockHash: &bh, Index: &i}
	if d := diffTx(tr, got); len(d) != 0 {
		t.Errorf("same tx differs: %v", d)
	}
	h2, other := uint64(6), hashOf("b6")
	moved := *got
	moved.BlockHeight, moved.BlockHash = &h2, &other
	if d := diffTx(tr, &moved); len(d) != 1 || !strings.Contains(d[0], "now in block 6") {
		t.Errorf("moved: %v", d)
	}
	pending := &api.Tx{Hash: tr.Hash, Status: api.TxPending}
	if d := diffTx(tr, pending); len(d) != 1 || !strings.Contains(d[0], "not included") {
		t.Errorf("pending: %v", d)
	}
}

// fakeNode serves a chain over the REST paths checkNode reads; damage
// makes it answer some reads wrong.
type fakeNode struct {
	chain   []*api.Block
	lostTx  common.Hash // answered 404
	badTx   common.Hash // answered 500
	badRead uint64      // block answered 500
}

func (f *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeErr := func(status int, code, msg string) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
	}
	switch {
	case r.URL.Path == "/v1/blocks":
		from, _ := strconv.ParseUint(r.URL.Query().Get("from"), 10, 64)
		var page []*api.Block
		for _, b := range f.chain {
			if b.Height >= from && len(page) < 100 {
				if b.Height == f.badRead {
					writeErr(500, "internal", "store damaged: block "+strconv.FormatUint(b.Height, 10))
					return
				}
				page = append(page, b)
			}
		}
		json.NewEncoder(w).Encode(page)
	case strings.HasPrefix(r.URL.Path, "/v1/blocks/"):
		h, _ := strconv.ParseUint(strings.TrimPrefix(r.URL.Path, "/v1/blocks/"), 10, 64)
		if h == f.badRead {
			writeErr(500, "internal", "store damaged: block "+strconv.FormatUint(h, 10))
			return
		}
		for _, b := range f.chain {
			if b.Height == h {
				json.NewEncoder(w).Encode(b)
				return
			}
		}
		writeErr(404, "not_found", "no block")
	case strings.HasPrefix(r.URL.Path, "/v1/txs/"):
		hash := common.HexToHash(strings.TrimPrefix(r.URL.Path, "/v1/txs/"))
		switch hash {
		case f.lostTx:
			writeErr(404, "not_found", "unknown transaction")
			return
		case f.badTx:
			writeErr(500, "internal", "store damaged: receipts")
			return
		}
		for _, b := range f.chain {
			for i, h := range b.Transactions {
				if h == hash {
					height, idx, bh := b.Height, i, b.Hash
					json.NewEncoder(w).Encode(api.Tx{Hash: h, Status: api.TxIncluded, BlockHeight: &height, BlockHash: &bh, Index: &idx})
					return
				}
			}
		}
		writeErr(404, "not_found", "unknown transaction")
	default:
		writeErr(404, "not_found", r.URL.Path)
	}
}

func TestCheckNode(t *testing.T) {
	chain := testChain(250)
	l := newLedger()
	for _, b := range chain {
		l.addBlock(b)
	}
	heights, txs := l.all()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Served as recorded.
	f := &fakeNode{chain: chain}
	srv := httptest.NewServer(f)
	defer srv.Close()
	cl := api.NewClient(srv.URL, nil)
	res := checkNode(ctx, cl, l, heights, txs, 4)
	if res.Incomplete != nil || res.Bad() != 0 || res.Blocks != 250 || res.Txs != len(txs) {
		t.Fatalf("clean: %+v", res)
	}

	// A changed block, a lost tx, an unreadable block and tx, and the
	// chain cut short.
	damaged := append([]*api.Block(nil), chain[:240]...)
	changed := *damaged[99]
	changed.Hash = hashOf("changed")
	damaged[99] = &changed
	f = &fakeNode{chain: damaged, lostTx: chain[4].Transactions[0], badTx: chain[7].Transactions[0], badRead: 150}
	srv2 := httptest.NewServer(f)
	defer srv2.Close()
	res = checkNode(ctx, api.NewClient(srv2.URL, nil), l, heights, txs, 4)
	if res.Incomplete != nil {
		t.Fatal(res.Incomplete)
	}
	// Blocks 100 (changed) and 241..250 (missing) are changed; 150 is
	// unreadable, as is one tx; one tx is lost, and those of the missing
	// blocks too; the one of block 100 now reads as in another block.
	if res.ChangedBlocks != 11 || res.Unreadable != 2 || res.Blocks != 238 {
		t.Errorf("blocks: changed %d unreadable %d identical %d\n%s", res.ChangedBlocks, res.Unreadable, res.Blocks, strings.Join(res.Problems, "\n"))
	}
	missingTxs := 0
	for _, b := range chain[240:] {
		missingTxs += len(b.Transactions)
	}
	if res.LostTxs != 1+missingTxs || res.MovedTxs != len(chain[99].Transactions) {
		t.Errorf("txs: lost %d moved %d, want %d %d", res.LostTxs, res.MovedTxs, 1+missingTxs, len(chain[99].Transactions))
	}
	if len(res.Errors) != 2 || !strings.Contains(res.Errors[0]+res.Errors[1], "store damaged") {
		t.Errorf("errors %v", res.Errors)
	}

	// A node that is gone leaves the check incomplete, not failed.
	srv3 := httptest.NewServer(f)
	url := srv3.URL
	srv3.Close()
	res = checkNode(ctx, api.NewClient(url, nil), l, heights, txs, 4)
	if res.Incomplete == nil || res.Bad() != 0 {
		t.Errorf("gone: %+v", res)
	}
}

func TestStatusCheck(t *testing.T) {
	l := newLedger()
	l.genesis, l.chainID = hashOf("g"), 7777
	l.raiseFloor(20)
	if p := checkStatus(&api.Status{FinalizedHeight: 21, GenesisHash: hashOf("g"), ChainID: 7777}, l); len(p) != 0 {
		t.Errorf("good status: %v", p)
	}
	p := checkStatus(&api.Status{FinalizedHeight: 3, GenesisHash: hashOf("other"), ChainID: 1}, l)
	if len(p) != 3 || !strings.Contains(p[0], "went back from 20 to 3") {
		t.Errorf("bad status: %v", p)
	}
	v1, v2 := common.HexToAddress("0x01"), common.HexToAddress("0x02")
	was := &api.Status{Validator: &v1, NodeID: "peer-a"}
	if p := identity(was, &api.Status{Validator: &v1, NodeID: "peer-a"}); len(p) != 0 {
		t.Errorf("same identity: %v", p)
	}
	if p := identity(was, &api.Status{NodeID: "peer-b"}); len(p) != 2 || !strings.Contains(p[0], "follower") {
		t.Errorf("lost identity: %v", p)
	}
	if p := identity(was, &api.Status{Validator: &v2, NodeID: "peer-a"}); len(p) != 1 {
		t.Errorf("other validator: %v", p)
	}
}

func TestPlanKills(t *testing.T) {
	bt := 200 * time.Millisecond
	a, b := planKills(7, 400, bt), planKills(7, 400, bt)
	var counts [numKillModes]int
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("kill %d differs for one seed: %+v %+v", i, a[i], b[i])
		}
		counts[a[i].Mode]++
		switch p := a[i]; p.Mode {
		case killStartup:
			if p.Delay >= 700*time.Millisecond {
				t.Errorf("startup delay %s", p.Delay)
			}
		case killMidLoad:
			if p.Delay < 300*time.Millisecond || p.Delay >= 3*time.Second {
				t.Errorf("mid-load delay %s", p.Delay)
			}
		case killAfterBlock:
			if p.Blocks < 1 || p.Blocks > 6 || p.Delay >= bt+15*time.Millisecond {
				t.Errorf("after-block plan %+v", p)
			}
		}
	}
	for m, n := range counts {
		if n < 30 {
			t.Errorf("%s: %d of 400 kills", killMode(m), n)
		}
	}
	if c := planKills(8, 400, bt); c[0] == a[0] && c[1] == a[1] && c[2] == a[2] {
		t.Error("another seed gave the same kills")
	}
}

func TestSampleUpTo(t *testing.T) {
	l := newLedger()
	chain := testChain(100)
	for _, b := range chain {
		l.addBlock(b)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	heights, txs := l.sampleUpTo(rng, 90, 10, 5, 3)
	if len(heights) != 15 {
		t.Fatalf("%d heights, want 15", len(heights))
	}
	for i, h := range heights[5:] {
		if h != uint64(81+i) {
			t.Fatalf("newest heights %v, want 81..90", heights[5:])
		}
	}
	for _, h := range heights[:5] {
		if h > 80 {
			t.Errorf("older height %d above the newest 10", h)
		}
	}
	if want := txCount(chain[80:90]) + 3; len(txs) != want {
		t.Errorf("%d txs, want %d", len(txs), want)
	}
	all, allTxs := l.sampleUpTo(rng, 1000, 1<<30, 0, 0)
	if len(all) != 100 || len(allTxs) != txCount(chain) {
		t.Errorf("everything: %d heights %d txs", len(all), len(allTxs))
	}
}
