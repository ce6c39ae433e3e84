package snapshot

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"

	"cairn/vm"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/holiman/uint256"
)

// testState is a committed state and what it holds.
type testState struct {
	kv    ethdb.KeyValueStore
	root  common.Hash
	addrs []common.Address
}

var (
	stateOnce sync.Once
	shared    *testState
)

// sharedState is a state of 3,000 accounts: every 10th with a few storage
// slots, every 37th with code, and three with 1,500 slots (several chunks
// at the tests' chunk size). Built once per test binary.
func sharedState(t testing.TB) *testState {
	stateOnce.Do(func() { shared = buildState(t, 3000, 1500, 1) })
	return shared
}

// buildState commits a deterministic state of n accounts; seed varies it.
func buildState(t testing.TB, n, bigSlots int, seed uint64) *testState {
	kv := rawdb.NewMemoryDatabase()
	sdb := vm.NewStateDatabase(kv, 0)
	st, err := sdb.Open(types.EmptyRootHash)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testState{kv: kv}
	for i := range n {
		var a common.Address
		binary.BigEndian.PutUint64(a[:8], seed)
		binary.BigEndian.PutUint64(a[12:], uint64(i))
		ts.addrs = append(ts.addrs, a)
		st.SetBalance(a, uint256.NewInt(uint64(i)*1e9+seed), tracing.BalanceChangeUnspecified)
		st.SetNonce(a, uint64(i%7), tracing.NonceChangeUnspecified)
		if i%37 == 5 {
			st.SetCode(a, []byte(fmt.Sprintf("\x60\x00code-%d-%d", seed, i%200)), tracing.CodeChangeUnspecified)
		}
		slots := 0
		switch {
		case i%1000 == 3:
			slots = bigSlots
		case i%10 == 1:
			slots = 1 + i%5
		}
		for s := range slots {
			st.SetState(a, u64Hash(uint64(s)), u64Hash(uint64(s+1)*uint64(i+1)))
		}
	}
	root, err := sdb.Commit(st, params.Rules{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ts.root = root
	return ts
}

// openState opens the state at root in kv with go-ethereum's state.New.
func openState(t testing.TB, kv ethdb.KeyValueStore, root common.Hash) *state.StateDB {
	tdb := triedb.NewDatabase(rawdb.NewDatabase(kv), triedb.HashDefaults)
	st, err := state.New(root, state.NewDatabase(tdb, state.NewCodeDB(kv)))
	if err != nil {
		t.Fatalf("open state %x: %v", root, err)
	}
	return st
}

// source answers a task's request; tests wrap servers with faults.
type source func(*Request) (*Chunk, error)

// roundTrip serves req through the wire encoding, as a peer would.
func roundTrip(s *Server) source {
	return func(req *Request) (*Chunk, error) {
		rb, err := EncodeRequest(req)
		if err != nil {
			return nil, err
		}
		dreq, err := DecodeRequest(rb)
		if err != nil {
			return nil, err
		}
		c, err := s.Serve(dreq)
		if err != nil {
			return nil, err
		}
		cb, err := EncodeChunk(c)
		if err != nil {
			return nil, err
		}
		return DecodeChunk(cb)
	}
}

// download runs plan to completion against src, one task at a time, and
// returns the number of chunks refused.
func download(t testing.TB, plan *Plan, src source) int {
	refused := 0
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("download does not end")
		}
		task := plan.Next()
		if task == nil {
			break
		}
		c, err := src(task.Request())
		if err != nil {
			task.Failed()
			t.Fatalf("serve %+v: %v", task.Request(), err)
		}
		if err := task.Done(c); err != nil {
			refused++
		}
	}
	if err := plan.Finish(); err != nil {
		t.Fatal(err)
	}
	return refused
}

// checkSame checks that every account of ts reads the same from the
// rebuilt store.
func checkSame(t testing.TB, ts *testState, kv ethdb.KeyValueStore) {
	t.Helper()
	a, b := openState(t, ts.kv, ts.root), openState(t, kv, ts.root)
	for _, addr := range ts.addrs {
		if a.GetBalance(addr).Cmp(b.GetBalance(addr)) != 0 || a.GetNonce(addr) != b.GetNonce(addr) {
			t.Fatalf("account %x differs", addr)
		}
		if string(a.GetCode(addr)) != string(b.GetCode(addr)) {
			t.Fatalf("code of %x differs", addr)
		}
		if a.GetStorageRoot(addr) != b.GetStorageRoot(addr) {
			t.Fatalf("storage root of %x differs", addr)
		}
		for s := range 1500 {
			k := u64Hash(uint64(s))
			if a.GetState(addr, k) != b.GetState(addr, k) {
				t.Fatalf("slot %d of %x differs", s, addr)
			}
			if a.GetState(addr, k) == (common.Hash{}) {
				break
			}
		}
	}
}

func u64Hash(v uint64) common.Hash {
	var h common.Hash
	binary.BigEndian.PutUint64(h[24:], v)
	return h
}
