package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// The network campaign: a four-validator devnet (the homes of `cairn
// devnet init -n 4`, each run as its own `cairn node` on 127.0.0.1), one
// validator SIGKILLed at a time at a random moment under load while the
// other three go on. Every block any node announces goes into one ledger,
// so two nodes announcing different blocks at one height is a fork. After
// each restart the victim must come back, at a height no lower than it
// announced, serve what it announced unchanged, and catch up.

const netNodes = 4

type netStats struct {
	Kills       int
	Restarts    int
	Checks      checkResult
	FinalBlocks int
	FinalTxs    int
	Forks       int
	Regressions int
	MaxCatchUp  time.Duration
	Failures    []string
	Elapsed     time.Duration
	Height      uint64
}

func (s *netStats) fail(format string, args ...any) {
	s.Failures = append(s.Failures, fmt.Sprintf(format, args...))
}

type netMember struct {
	home  string
	log   string
	proc  *nodeProc
	cl    *api.Client
	rec   *recorder
	mu    sync.Mutex
	floor uint64 // the highest block it announced
}

func (m *netMember) raise(h uint64) {
	m.mu.Lock()
	m.floor = max(m.floor, h)
	m.mu.Unlock()
}

func (m *netMember) getFloor() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.floor
}

// freePortRun finds n consecutive ports free for TCP and UDP on 127.0.0.1.
func freePortRun(rng *rand.Rand, n int) (int, error) {
	for try := 0; try < 100; try++ {
		base := 20000 + rng.IntN(40000)
		ok := true
		for p := base; p < base+n && ok; p++ {
			addr := fmt.Sprintf("127.0.0.1:%d", p)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				ok = false
				break
			}
			ln.Close()
			pc, err := net.ListenPacket("udp", addr)
			if err != nil {
				ok = false
				break
			}
			pc.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d consecutive free ports found", n)
}

func (c *campaign) runNet(ctx context.Context, kills int) *netStats {
	start := time.Now()
	s := &netStats{}
	defer func() { s.Elapsed = time.Since(start) }()
	rng := rand.New(rand.NewPCG(c.seed, 4))
	dir := filepath.Join(c.tmp, "net-devnet")
	base, err := freePortRun(rng, netNodes)
	if err != nil {
		s.fail("%v", err)
		return s
	}
	apiBase, err := freePortRun(rng, netNodes)
	if err != nil {
		s.fail("%v", err)
		return s
	}
	ictx, cancel := context.WithTimeout(ctx, time.Minute)
	err = runQuiet(ictx, c.bin, "devnet", "init", "-n", fmt.Sprint(netNodes), "--home", dir, "--block-time", c.blockTime.String(),
		"--base-p2p-port", fmt.Sprint(base), "--base-api-port", fmt.Sprint(apiBase))
	cancel()
	if err != nil {
		s.fail("devnet init: %v", err)
		return s
	}
	l := newLedger()
	members := make([]*netMember, netNodes)
	for i := range members {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i+1))
		members[i] = &netMember{home: home, log: filepath.Join(c.tmp, fmt.Sprintf("net-node%d.log", i+1))}
	}
	loadLog := filepath.Join(c.tmp, "net-loadgen.log")
	defer func() {
		for _, m := range members {
			if m.rec != nil {
				m.rec.stop()
			}
			if m.proc != nil && !m.proc.Exited() {
				m.proc.kill()
			}
		}
	}()

	// up starts member i and waits for it to serve; false on failure.
	up := func(i int) bool {
		m := members[i]
		p, err := startNode(c.bin, []string{"node", "--home", m.home, "--api", "127.0.0.1:0"}, m.log)
		if err != nil {
			s.fail("start node%d: %v", i+1, err)
			return false
		}
		m.proc = p
		cl, st, err := p.waitServing(ctx, 60*time.Second)
		if err != nil {
			s.fail("node%d did not come back: %v\n%s", i+1, err, p.Tail(30))
			return false
		}
		m.cl = cl
		if st.FinalizedHeight < m.getFloor() {
			s.Regressions++
			s.fail("node%d: finalized height went back from %d to %d", i+1, m.getFloor(), st.FinalizedHeight)
		}
		l.mu.Lock()
		if l.genesis == ([32]byte{}) {
			l.genesis, l.chainID = st.GenesisHash, st.ChainID
		}
		l.mu.Unlock()
		if st.GenesisHash != l.genesis {
			s.fail("node%d: genesis %s, not %s", i+1, short(st.GenesisHash), short(l.genesis))
		}
		m.raise(st.FinalizedHeight)
		rec, err := startRecorder(ctx, cl, l, func(b *api.Block) { m.raise(b.Height) })
		if err != nil {
			s.fail("node%d: subscribe: %v", i+1, err)
			return false
		}
		m.rec = rec
		return true
	}
	for i := range members {
		if !up(i) {
			return s
		}
	}
	// The network makes blocks.
	if _, err := waitHeight(ctx, members[0].cl, 3, 60*time.Second); err != nil {
		s.fail("the devnet made no blocks: %v\n%s", err, members[0].proc.Tail(20))
		return s
	}

	for k := 0; k < kills; k++ {
		if ctx.Err() != nil {
			s.fail("interrupted after %d kills", s.Kills)
			return s
		}
		victim := rng.IntN(netNodes)
		target := (victim + 1 + rng.IntN(netNodes-1)) % netNodes
		lg, err := startLoadgen(c.bin, members[target].cl.BaseURL(), 3000, c.rate, loadLog)
		if err != nil {
			s.fail("start loadgen: %v", err)
			return s
		}
		sleepCtx(ctx, time.Duration(300+rng.IntN(2700))*time.Millisecond)
		v := members[victim]
		if v.proc.Exited() {
			s.fail("node%d exited by itself:\n%s", victim+1, v.proc.Tail(30))
			lg.stop()
			return s
		}
		v.proc.kill()
		v.rec.stop()
		s.Kills++
		sleepCtx(ctx, time.Duration(rng.IntN(1500))*time.Millisecond)
		restarted := time.Now()
		if !up(victim) {
			lg.stop()
			return s
		}
		s.Restarts++
		// It serves what it announced before the kill, unchanged.
		st, err := v.cl.Status(ctx)
		if err != nil {
			s.fail("node%d status: %v", victim+1, err)
			lg.stop()
			return s
		}
		heights, txs := l.sampleUpTo(rng, st.FinalizedHeight, 20, 200, 500)
		cctx, ccancel := context.WithTimeout(ctx, 60*time.Second)
		res := checkNode(cctx, v.cl, l, heights, txs, 8)
		ccancel()
		s.account(res)
		// It catches up with the others.
		others := uint64(0)
		for i, m := range members {
			if i != victim {
				if st, err := m.cl.Status(ctx); err == nil {
					others = max(others, st.FinalizedHeight)
				}
			}
		}
		if _, err := waitHeight(ctx, v.cl, others, 60*time.Second); err != nil {
			s.fail("node%d did not catch up to %d within 60s: %v\n%s", victim+1, others, err, v.proc.Tail(20))
		}
		s.MaxCatchUp = max(s.MaxCatchUp, time.Since(restarted))
		lg.stop()
		if c.verbose || (k+1)%5 == 0 {
			blocks, txsN, floor := l.counts()
			c.logf("net kill %3d node%d  height %5d  recorded %5d blocks %6d txs  checked %6d txs  bad %d",
				k+1, victim+1, floor, blocks, txsN, s.Checks.Txs, s.Checks.Bad())
		}
	}

	// At the end every node serves everything up to the lowest head, the
	// same.
	low := uint64(1<<63 - 1)
	for _, m := range members {
		st, err := m.cl.Status(ctx)
		if err != nil {
			s.fail("final status: %v", err)
			return s
		}
		low = min(low, st.FinalizedHeight)
	}
	s.Height = low
	for i, m := range members {
		// Every block on every node; every transaction on node1 and
		// 2000 on each of the others.
		heights, txs := l.sampleUpTo(rng, low, 1<<30, 0, 0)
		if i > 0 {
			rng.Shuffle(len(txs), func(a, b int) { txs[a], txs[b] = txs[b], txs[a] })
			txs = txs[:min(2000, len(txs))]
		}
		cctx, ccancel := context.WithTimeout(ctx, 3*time.Minute)
		res := checkNode(cctx, m.cl, l, heights, txs, 8)
		ccancel()
		s.account(res)
		if res.Incomplete != nil {
			s.fail("node%d: final check did not finish: %v", i+1, res.Incomplete)
		}
		if i == 0 {
			s.FinalBlocks, s.FinalTxs = res.Blocks, res.Txs
		}
	}
	for _, m := range members {
		m.rec.stop()
		if err := m.proc.term(30 * time.Second); err != nil {
			s.fail("stop %s: %v", filepath.Base(m.home), err)
		}
	}
	s.Forks = len(l.conflicts)
	for _, cf := range l.conflicts {
		s.fail("fork: %s", cf)
	}
	return s
}

func (s *netStats) account(res checkResult) {
	s.Checks.add(res)
	for _, p := range append(res.Problems, res.Errors...) {
		s.fail("%s", p)
	}
}

// sampleUpTo picks, among the recorded heights up to top, the newest
// newest with all their transactions, and sample older ones at random
// with txSample of their transactions.
func (l *ledger) sampleUpTo(rng *rand.Rand, top uint64, newest, sample, txSample int) (heights []uint64, txs []common.Hash) {
	all, _ := l.all()
	var upto []uint64
	for _, h := range all {
		if h <= top {
			upto = append(upto, h)
		}
	}
	cut := max(0, len(upto)-newest)
	older := slices.Clone(upto[:cut])
	heights = slices.Clone(upto[cut:])
	for _, h := range heights {
		txs = append(txs, l.block(h).Txs...)
	}
	rng.Shuffle(len(older), func(i, j int) { older[i], older[j] = older[j], older[i] })
	older = older[:min(sample, len(older))]
	var olderTxs []common.Hash
	for _, h := range older {
		olderTxs = append(olderTxs, l.block(h).Txs...)
	}
	rng.Shuffle(len(olderTxs), func(i, j int) { olderTxs[i], olderTxs[j] = olderTxs[j], olderTxs[i] })
	txs = append(txs, olderTxs[:min(txSample, len(olderTxs))]...)
	heights = append(heights, older...)
	slices.Sort(heights)
	return heights, txs
}

func (s *netStats) print(w func(format string, args ...any)) {
	w("network campaign: %d validators, %d kills of one of them under load, %d restarts, in %s; all at height %d or more at the end",
		netNodes, s.Kills, s.Restarts, s.Elapsed.Round(time.Second), s.Height)
	w("  read back over all checks: %d blocks identical, %d committed txs found in place; the final check of node1 alone: %d blocks, %d txs",
		s.Checks.Blocks, s.Checks.Txs, s.FinalBlocks, s.FinalTxs)
	w("  forks %d, lost txs %d, moved txs %d, changed blocks %d, unreadable reads %d, height regressions %d; slowest restart to caught up: %s",
		s.Forks, s.Checks.LostTxs, s.Checks.MovedTxs, s.Checks.ChangedBlocks, s.Checks.Unreadable, s.Regressions, s.MaxCatchUp.Round(time.Millisecond))
	for i, f := range s.Failures {
		if i == 20 {
			w("  … and %d more failures", len(s.Failures)-20)
			break
		}
		w("  FAIL: %s", indent(f))
	}
}
