package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"cairn/node/api"
)

// syncBacklog is how many finalized blocks a late follower has to fetch.
const syncBacklog = 1000

// TestNetworkLateFollower lets a devnet finalize more than syncBacklog
// blocks, then starts a follower: a new home with the devnet's genesis, no
// validator key, node1 as its only bootstrap peer. Its status must show
// block sync under way towards a target of syncBacklog or more, it must
// reach the head the validators had when it started, then keep following
// them (the same blocks as they finalize more), and its status must show
// sync over again. The sync speed goes to the test log.
//
// The validators are four, as elsewhere, with a 20ms block time. Under
// the race detector four validator processes finalize only 5 to 10
// blocks a second on two cores (each spends some 70ms of CPU a block),
// so the backlog alone would take two to three minutes; there the devnet
// is one validator with a 10ms block time (some 60 blocks a second). The
// restarted validators of TestNetworkCrashRecovery exercise block sync
// in a four-validator network either way.
func TestNetworkLateFollower(t *testing.T) {
	validators, blockTime := 4, "20ms"
	if raceEnabled {
		validators, blockTime = 1, "10ms"
	}
	start := time.Now()
	dp := startDevnetProcsArgs(t, validators, "--block-time", blockTime)
	vals := dp.nodes
	waitHeights(t, vals, syncBacklog, validators-1, 150*time.Second)
	head := maxHeight(t, vals)
	t.Logf("%d validator(s), block time %s: height %d after %v", validators, blockTime, head, time.Since(start).Round(time.Millisecond))

	home := t.TempDir()
	f := startNodeArgs(t, "--home", home, "--genesis", filepath.Join(dp.net.Dir, "genesis.json"),
		"--p2p", "/ip4/127.0.0.1/tcp/0", "--bootstrap", dp.net.Nodes[0].P2P)

	// Poll the follower's status fast: the sync of the backlog takes
	// seconds.
	type sample struct {
		at      time.Time
		height  uint64
		syncing *api.SyncStatus
	}
	var (
		firstSync, caughtUp, syncOver *sample
		samples                       int
	)
	deadline := time.Now().Add(120 * time.Second)
	for firstSync == nil || caughtUp == nil || syncOver == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := f.client.Status(ctx)
		cancel()
		if err != nil {
			t.Fatalf("follower status: %v\n%s", err, f.logTail())
		}
		if st.Validator != nil {
			t.Fatalf("the follower runs as validator %s", st.Validator)
		}
		s := &sample{at: time.Now(), height: st.Height, syncing: st.Syncing}
		samples++
		switch {
		case firstSync == nil:
			if s.syncing != nil {
				if s.syncing.Target < syncBacklog {
					t.Fatalf("the follower syncs towards %d, want at least %d (validators at %d)", s.syncing.Target, syncBacklog, head)
				}
				firstSync = s
			} else if s.height >= head {
				t.Fatalf("the follower reached %d without its status showing a sync (%d samples)", s.height, samples)
			}
		case caughtUp == nil:
			if s.height >= head {
				caughtUp = s
			}
		case syncOver == nil:
			if s.syncing == nil {
				syncOver = s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 120s: sync seen %v, caught up with %d %v, sync over %v (last: height %d, syncing %+v)\n%s",
				firstSync != nil, head, caughtUp != nil, syncOver != nil, s.height, s.syncing, f.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := caughtUp.at.Sub(firstSync.at)
	t.Logf("follower: syncing %+v first seen, reached the validators' head %d after %v: %.0f blocks/s (%d → %d); sync over at %d, %v later",
		*firstSync.syncing, head, took.Round(time.Millisecond), float64(caughtUp.height-firstSync.height)/took.Seconds(),
		firstSync.height, caughtUp.height, syncOver.height, syncOver.at.Sub(caughtUp.at).Round(time.Millisecond))

	// It keeps following: it reaches what the validators finalize after
	// it caught up, with the same blocks.
	later := waitHeights(t, vals, caughtUp.height+20, validators-1, 60*time.Second)
	waitHeights(t, []*nodeProc{f}, later, 1, 60*time.Second)
	all := append(vals[:len(vals):len(vals)], f)
	sameBlock(t, all, later)
	noFork(t, all)
	peers := peerIDs(t, f)
	if len(peers) == 0 {
		t.Fatal("the follower lists no peers")
	}
	t.Logf("follower at %d with %d peer(s), the same chain as the validators", later, len(peers))
}
