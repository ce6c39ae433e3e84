package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"cairn/node"
)

// TestNetworkCrashRecovery kills validators of a four-node devnet with
// SIGKILL. Its stakes are 8, 7, 6 and 5 (of 26): any three hold more than
// two thirds of the power, any two less. With node2 killed the other three
// go on finalizing the same blocks; with node3 killed too, the two left
// cannot finalize anything new (at most the one block already voted on
// when the kill came) and they do not fork. Restarted from their homes,
// the two catch up and all four go on, agreeing on every block.
func TestNetworkCrashRecovery(t *testing.T) {
	dp := startDevnetProcs(t, 4)
	ps := dp.nodes
	low := waitHeights(t, ps, 3, 3, 90*time.Second)
	sameBlock(t, ps, low)

	// One down: the three others hold 19/26 of the power. A round whose
	// proposer is the dead node times out (3s), so allow for several.
	killedAt := map[int]uint64{1: headOf(t, ps[1])}
	ps[1].kill()
	three := []*nodeProc{ps[0], ps[2], ps[3]}
	from := maxHeight(t, three)
	low = waitHeights(t, three, from+3, 2, 90*time.Second)
	sameBlock(t, three, low)
	noFork(t, three)
	t.Logf("node2 killed at height %d: the other three went on to %d", from, low)

	// Two down: node1 and node4 hold 13/26. Whatever had more than two
	// thirds of the precommits when node3 died may still commit (one
	// block, and only one: the next needs a precommit of a dead node).
	killedAt[2] = headOf(t, ps[2])
	ps[2].kill()
	two := []*nodeProc{ps[0], ps[3]}
	stalled := maxHeight(t, two)
	top := stalled
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		top = max(top, maxHeight(t, two))
		if top > stalled+1 {
			t.Fatalf("two of four validators (13/26 of the power) finalized from %d to %d", stalled, top)
		}
	}
	noFork(t, two)
	t.Logf("node3 killed at height %d: the two left stayed at %d over 3s", stalled, top)

	// node2 comes back having lost its WAL (moved aside, as for a damaged
	// one) and its sign state: it refuses to start, since it could sign
	// again where it signed before the kill, until the operator says the
	// state is gone; it then signs nothing up to the height after its head
	// and rejoins. node3 comes back from its intact home.
	loseSignState(t, dp.net.Nodes[1].Home)
	if _, err := tryStartNode(t, "--home", dp.net.Nodes[1].Home); err == nil || !strings.Contains(err.Error(), "--i-know-my-sign-state-is-gone") {
		t.Fatalf("node2 without its sign state started, or did not say why not: %v", err)
	}
	recovery := map[int][]string{1: {"--i-know-my-sign-state-is-gone"}}
	for _, i := range []int{1, 2} {
		p, err := tryStartNode(t, append([]string{"--home", dp.net.Nodes[i].Home}, recovery[i]...)...)
		if err != nil {
			t.Fatalf("restart node%d: %v", i+1, err)
		}
		ps[i] = p
		// What it had committed before the kill is still there.
		if h := headOf(t, p); h < killedAt[i] {
			t.Fatalf("node%d restarted at height %d, below the %d it had before the kill", i+1, h, killedAt[i])
		}
	}
	restarted := time.Now()
	low = waitHeights(t, ps, top+3, 3, 120*time.Second)
	sameBlock(t, ps, low)
	noFork(t, ps)
	t.Logf("node2 and node3 restarted: all four at %d or above after %v, no fork", low, time.Since(restarted).Round(time.Millisecond))
	if !ps[1].logContains("sign state rebuilt") {
		t.Fatalf("node2 did not say it rebuilt its sign state:\n%s", ps[1].logTail())
	}
}

// loseSignState moves a home's consensus WAL aside and deletes its sign
// state.
func loseSignState(t *testing.T, home string) {
	t.Helper()
	if err := os.Rename(node.WALPath(home), node.WALPath(home)+".bak"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(node.SignStatePath(home)); err != nil {
		t.Fatal(err)
	}
}

// headOf is p's head height.
func headOf(t *testing.T, p *nodeProc) uint64 {
	t.Helper()
	st, err := p.client.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Height
}
