package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"cairn/node/api"
)

// killMode is the moment of a kill.
type killMode int

const (
	killStartup    killMode = iota // while the node opens its home, before it serves
	killRestart                    // just after it serves again, while it resumes and is checked
	killMidLoad                    // at a random moment under load
	killAfterBlock                 // right after it announced a block with transactions
	numKillModes
)

func (m killMode) String() string {
	return [...]string{"startup", "restart", "mid-load", "after-block"}[m]
}

// killPlan is one kill: its moment and how long after that moment's
// start it lands.
type killPlan struct {
	Mode   killMode
	Delay  time.Duration // startup: after spawn; restart: after /v1/status answered; mid-load: after the load began; after-block: after the block event
	Blocks int           // after-block: the how-manieth block with transactions
}

// planKills draws n kills from seed: about 15% at startup, 15% during a
// restart, 35% mid-load and 35% after a block with transactions, half of
// those within 20ms of it and half around the next block, blockTime later,
// while it is being made and committed.
func planKills(seed uint64, n int, blockTime time.Duration) []killPlan {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	plans := make([]killPlan, n)
	for i := range plans {
		switch r := rng.IntN(100); {
		case r < 15:
			plans[i] = killPlan{Mode: killStartup, Delay: time.Duration(rng.IntN(700)) * time.Millisecond}
		case r < 30:
			plans[i] = killPlan{Mode: killRestart, Delay: time.Duration(rng.IntN(400)) * time.Millisecond}
		case r < 65:
			plans[i] = killPlan{Mode: killMidLoad, Delay: time.Duration(300+rng.IntN(2700)) * time.Millisecond}
		default:
			d := time.Duration(rng.IntN(20000)) * time.Microsecond
			if rng.IntN(2) == 1 {
				d += max(0, blockTime-5*time.Millisecond)
			}
			plans[i] = killPlan{Mode: killAfterBlock, Blocks: 1 + rng.IntN(6), Delay: d}
		}
	}
	return plans
}

// killStats are the figures of a kill campaign.
type killStats struct {
	Kills            [numKillModes]int
	Starts           int
	Restarts         int // starts after a kill that served and were checked
	Checks           checkResult
	FinalTxs         int // transactions found in place by the final check
	FinalBlocks      int
	UnreadableStores int // restarts that did not come back
	Regressions      int // finalized height lower than before a kill
	Stalls           int // lives that committed nothing under load
	MaxResume        time.Duration
	Failures         []string
	Elapsed          time.Duration
}

func (s *killStats) total() int {
	n := 0
	for _, k := range s.Kills {
		n += k
	}
	return n
}

func (s *killStats) fail(format string, args ...any) {
	s.Failures = append(s.Failures, fmt.Sprintf(format, args...))
}

type campaign struct {
	bin       string
	tmp       string
	seed      uint64
	blockTime time.Duration
	rate      float64
	verbose   bool
	logf      func(format string, args ...any)
}

// runKills runs the kill campaign: kills SIGKILLs of one devnet node on
// one home, each followed by a restart that must give back everything
// the node said it had committed.
func (c *campaign) runKills(ctx context.Context, kills int) *killStats {
	start := time.Now()
	s := &killStats{}
	defer func() { s.Elapsed = time.Since(start) }()
	home := filepath.Join(c.tmp, "kill-home")
	nodeLog := filepath.Join(c.tmp, "kill-node.log")
	loadLog := filepath.Join(c.tmp, "kill-loadgen.log")
	args := []string{"node", "--devnet", "--home", home, "--api", "127.0.0.1:0", "--no-p2p", "--block-time", c.blockTime.String()}
	l := newLedger()
	rng := rand.New(rand.NewPCG(c.seed, 1))
	plans := planKills(c.seed, kills, c.blockTime)

	killed := false // a kill happened since the last check
	for i, plan := range plans {
		if ctx.Err() != nil {
			s.fail("interrupted after %d kills", s.total())
			return s
		}
		p, err := startNode(c.bin, args, nodeLog)
		if err != nil {
			s.fail("start node: %v", err)
			return s
		}
		s.Starts++
		if plan.Mode == killStartup {
			sleepCtx(ctx, plan.Delay)
			if p.Exited() {
				code, sig := p.exitStatus()
				s.fail("kill %d (%s): the node exited by itself (status %d %s) %s after start:\n%s", i+1, plan.Mode, code, sig, time.Since(p.started).Round(time.Millisecond), p.Tail(30))
				return s
			}
			if err := p.kill(); err != nil {
				s.fail("kill %d: %v", i+1, err)
				return s
			}
			s.Kills[plan.Mode]++
			killed = true
			c.progress(s, l, i, plan, "")
			continue
		}
		cl, ok := c.comeBack(ctx, s, l, p, i, killed)
		if !ok {
			return s
		}
		killed = false
		heights, txs := l.checkSet(rng, 20)
		if plan.Mode == killRestart {
			cctx, cancel := context.WithCancel(ctx)
			resCh := make(chan checkResult, 1)
			go func() { resCh <- checkNode(cctx, cl, l, heights, txs, 8) }()
			sleepCtx(ctx, plan.Delay)
			if p.Exited() {
				cancel()
				s.fail("kill %d (%s): the node exited by itself:\n%s", i+1, plan.Mode, p.Tail(30))
				return s
			}
			err := p.kill()
			cancel()
			res := <-resCh
			c.account(s, l, res, heights)
			if err != nil {
				s.fail("kill %d: %v", i+1, err)
				return s
			}
			s.Kills[plan.Mode]++
			killed = true
			c.progress(s, l, i, plan, "")
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		res := checkNode(cctx, cl, l, heights, txs, 8)
		cancel()
		c.account(s, l, res, heights)
		if res.Incomplete != nil {
			s.fail("kill %d: the check after the restart did not finish: %v\n%s", i, res.Incomplete, p.Tail(30))
			p.kill()
			return s
		}

		// Load, then the kill.
		restarted := time.Now()
		rec, err := startRecorder(ctx, cl, l, nil)
		if err != nil {
			s.fail("kill %d: subscribe to events: %v", i+1, err)
			p.kill()
			return s
		}
		// The blocks it committed while nobody listened (since the last
		// one recorded) are what it now serves as committed: record them.
		c.recordServed(ctx, cl, l)
		lg, err := startLoadgen(c.bin, cl.BaseURL(), 3000, c.rate, loadLog)
		if err != nil {
			rec.stop()
			p.kill()
			s.fail("start loadgen: %v", err)
			return s
		}
		note := ""
		switch plan.Mode {
		case killMidLoad:
			sleepCtx(ctx, plan.Delay)
			sctx, scancel := context.WithTimeout(ctx, 500*time.Millisecond)
			if st, err := cl.Status(sctx); err == nil {
				l.raiseFloor(st.FinalizedHeight)
			}
			scancel()
		case killAfterBlock:
			deadline := time.After(20 * time.Second)
			var last *api.Block
		wait:
			for n := 0; n < plan.Blocks; n++ {
				select {
				case last = <-rec.withTxs:
				case <-deadline:
					s.Stalls++
					s.fail("kill %d (%s): no block with transactions within 20s of the restart (%d seen)\nnode:\n%s\nloadgen:\n%s", i+1, plan.Mode, n, p.Tail(15), fileTail(loadLog, 10))
					break wait
				case <-ctx.Done():
					break wait
				}
			}
			spin(plan.Delay)
			if last != nil {
				note = fmt.Sprintf("after block %d (%d txs)", last.Height, len(last.Transactions))
			}
		}
		select {
		case t := <-rec.first:
			s.MaxResume = max(s.MaxResume, t.Sub(restarted))
		default:
		}
		if p.Exited() {
			code, sig := p.exitStatus()
			s.fail("kill %d (%s): the node exited by itself (status %d %s):\n%s", i+1, plan.Mode, code, sig, p.Tail(30))
			lg.stop()
			rec.stop()
			return s
		}
		err = p.kill()
		lg.stop()
		rec.stop()
		if err != nil {
			s.fail("kill %d: %v", i+1, err)
			return s
		}
		s.Kills[plan.Mode]++
		killed = true
		c.progress(s, l, i, plan, note)
	}

	// The last restart reads back everything ever recorded.
	p, err := startNode(c.bin, args, nodeLog)
	if err != nil {
		s.fail("start node: %v", err)
		return s
	}
	s.Starts++
	cl, ok := c.comeBack(ctx, s, l, p, len(plans), killed)
	if !ok {
		return s
	}
	heights, txs := l.all()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	res := checkNode(cctx, cl, l, heights, txs, 8)
	cancel()
	c.account(s, l, res, heights)
	s.FinalBlocks, s.FinalTxs = res.Blocks, res.Txs
	if res.Incomplete != nil {
		s.fail("the final check did not finish: %v", res.Incomplete)
	}
	// And it still makes blocks.
	if st, err := cl.Status(ctx); err == nil {
		if _, err := waitHeight(ctx, cl, st.FinalizedHeight+1, 30*time.Second); err != nil {
			s.Stalls++
			s.fail("after the last restart no new block within 30s: %v\n%s", err, p.Tail(20))
		}
	}
	if err := p.term(30 * time.Second); err != nil {
		s.fail("stop the node at the end: %v\n%s", err, p.Tail(20))
	}
	for _, cf := range l.conflicts {
		s.fail("%s", cf)
	}
	return s
}

// recordServed records the blocks the node serves above the highest one
// recorded, a page of them at most.
func (c *campaign) recordServed(ctx context.Context, cl *api.Client, l *ledger) {
	from := uint64(1)
	l.mu.Lock()
	for h := range l.blocks {
		from = max(from, h+1)
	}
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	page, err := cl.Blocks(ctx, from, 100)
	if err != nil {
		return // a check reads it back later, or the failure shows there
	}
	for _, b := range page {
		l.addBlock(b)
	}
}

// comeBack waits for a (re)started node to serve and checks its status
// against the ledger. It reports false, with the failure noted, if the
// node did not come back.
func (c *campaign) comeBack(ctx context.Context, s *killStats, l *ledger, p *nodeProc, i int, afterKill bool) (*api.Client, bool) {
	cl, st, err := p.waitServing(ctx, 30*time.Second)
	if err != nil && ctx.Err() != nil {
		p.kill()
		s.fail("interrupted after %d kills", s.total())
		return nil, false
	}
	if err != nil {
		if afterKill {
			s.UnreadableStores++
		}
		code, sig := p.exitStatus()
		if !p.Exited() {
			p.kill()
		}
		s.fail("after kill %d the node did not come back (%v; exit status %d %s); its stderr ends:\n%s", i, err, code, sig, p.Tail(30))
		return nil, false
	}
	if afterKill {
		s.Restarts++
	}
	l.mu.Lock()
	if l.genesis == ([32]byte{}) {
		l.genesis, l.chainID = st.GenesisHash, st.ChainID
	}
	l.mu.Unlock()
	for _, pr := range checkStatus(st, l) {
		if strings.HasPrefix(pr, "finalized height went back") {
			s.Regressions++
		}
		s.fail("after kill %d: %s", i, pr)
	}
	l.raiseFloor(st.FinalizedHeight)
	return cl, true
}

// account adds a check's figures to the campaign's and marks its heights
// checked when it finished.
func (c *campaign) account(s *killStats, l *ledger, res checkResult, heights []uint64) {
	s.Checks.add(res)
	for _, p := range append(res.Problems, res.Errors...) {
		s.fail("%s", p)
	}
	if res.Incomplete == nil {
		l.checked(heights)
	}
}

func (c *campaign) progress(s *killStats, l *ledger, i int, plan killPlan, note string) {
	blocks, txs, floor := l.counts()
	if c.verbose || (i+1)%10 == 0 {
		c.logf("kill %3d %-11s height %5d  recorded %5d blocks %6d txs  checked %6d txs  bad %d  %s",
			i+1, plan.Mode, floor, blocks, txs, s.Checks.Txs, s.Checks.Bad(), note)
	}
}

// waitHeight polls until the node's finalized height reaches h.
func waitHeight(ctx context.Context, cl *api.Client, h uint64, timeout time.Duration) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last uint64
	for {
		if st, err := cl.Status(ctx); err == nil {
			last = st.FinalizedHeight
			if last >= h {
				return last, nil
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("height %d not reached (at %d): %w", h, last, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// spin waits d without the timer's granularity: the after-block kills
// land within microseconds of the block.
func spin(d time.Duration) {
	if d > 2*time.Millisecond {
		time.Sleep(d - time.Millisecond)
	}
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

func (s *killStats) print(w func(format string, args ...any)) {
	w("kill campaign: %d kills (startup %d, restart %d, mid-load %d, after-block %d), %d restarts, %d starts, in %s",
		s.total(), s.Kills[killStartup], s.Kills[killRestart], s.Kills[killMidLoad], s.Kills[killAfterBlock],
		s.Restarts, s.Starts, s.Elapsed.Round(time.Second))
	w("  read back over all checks: %d blocks identical, %d committed txs found in place; the final check alone: %d blocks, %d txs",
		s.Checks.Blocks, s.Checks.Txs, s.FinalBlocks, s.FinalTxs)
	w("  lost txs %d, moved txs %d, changed blocks %d, unreadable reads %d, unreadable stores %d, height regressions %d, stalls %d",
		s.Checks.LostTxs, s.Checks.MovedTxs, s.Checks.ChangedBlocks, s.Checks.Unreadable, s.UnreadableStores, s.Regressions, s.Stalls)
	w("  slowest first block after a restart under load: %s", s.MaxResume.Round(time.Millisecond))
	for i, f := range s.Failures {
		if i == 20 {
			w("  … and %d more failures", len(s.Failures)-20)
			break
		}
		w("  FAIL: %s", indent(f))
	}
}
