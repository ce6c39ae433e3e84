package main

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"cairn/node/api"
)

// TestNetworkSnapshotJoin starts a node with --sync snapshot on a devnet
// that has finalized a few hundred blocks: its status shows the snapshot
// sync and then which block it started from; it holds no block before
// that one and says why; it executes the blocks after it to the same
// hashes as the validators; and killed with SIGKILL and restarted, it goes
// on from its own head with the same base.
func TestNetworkSnapshotJoin(t *testing.T) {
	validators, blockTime := 4, "20ms"
	if raceEnabled {
		validators, blockTime = 1, "10ms"
	}
	dp := startDevnetProcsArgs(t, validators, "--block-time", blockTime)
	vals := dp.nodes
	waitHeights(t, vals, 300, validators-1, 150*time.Second)

	home := t.TempDir()
	args := []string{"--home", home, "--genesis", filepath.Join(dp.net.Dir, "genesis.json"),
		"--p2p", "/ip4/127.0.0.1/tcp/0", "--bootstrap", dp.net.Nodes[0].P2P}
	start := time.Now()
	f := startNodeArgs(t, append(args, "--sync", "snapshot")...)
	var st *api.Status
	var phases []string
	deadline := time.Now().Add(120 * time.Second)
	for st == nil || st.State.Base == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s, err := f.client.Status(ctx)
		cancel()
		if err != nil {
			t.Fatalf("status: %v\n%s", err, f.logTail())
		}
		st = s
		if s.Snapshot == nil {
			t.Fatalf("a node started with --sync snapshot shows no snapshot status: %+v", s)
		}
		if len(phases) == 0 || phases[len(phases)-1] != s.Snapshot.Phase {
			phases = append(phases, s.Snapshot.Phase)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot adopted within 120s: %+v\n%s", s.Snapshot, f.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
	base := st.State.Base
	if st.Snapshot.Phase != api.SnapshotDone || st.Snapshot.Height != base || st.State.From < base {
		t.Fatalf("after adoption: snapshot %+v, state %+v", st.Snapshot, st.State)
	}
	t.Logf("joined by snapshot at block %d in %v (phases %q, %d accounts, %d slots, %d bytes)",
		base, time.Since(start).Round(time.Millisecond), phases, st.Snapshot.Accounts, st.Snapshot.Slots, st.Snapshot.Bytes)

	_, err := f.client.Block(context.Background(), "1", false)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("block 1 on the snapshot node: %v, want a 404", err)
	}

	waitHeights(t, []*nodeProc{f}, base+20, 1, 60*time.Second)
	for h := base + 1; h <= base+20; h++ {
		sameBlock(t, []*nodeProc{vals[0], f}, h)
	}

	f.kill()
	f = startNodeArgs(t, append(args, "--sync", "snapshot")...)
	later := waitHeights(t, vals, base+40, validators-1, 60*time.Second)
	waitHeights(t, []*nodeProc{f}, later, 1, 60*time.Second)
	sameBlock(t, []*nodeProc{vals[0], f}, later)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err = f.client.Status(ctx)
	if err != nil || st.State.Base != base || st.Snapshot != nil {
		t.Fatalf("restarted: %+v %v, want base %d and no new snapshot", st, err, base)
	}
	t.Logf("restarted after SIGKILL at base %d, followed to %s", base, strconv.FormatUint(later, 10))
}
