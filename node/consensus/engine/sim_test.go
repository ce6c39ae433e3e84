package engine_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/consensus/engine"

	"github.com/ethereum/go-ethereum/common"
)

// The simulation runs full engines over a simulated network and clock. Every
// scenario comes from one seed (math/rand/v2 PCG), so a failure replays
// exactly:
//
//	CAIRN_SIM_SEED=<seed> go test ./node/consensus/engine -run 'TestSimulation$' -v
//
// CAIRN_SIM_SCENARIOS=<n> sets how many scenarios run (default 2000);
// CAIRN_SIM_TRACE=1 with a seed prints the scenario's event log.

// livenessBound is how long after healing every honest validator must have
// finalized a new height, in simulated time.
const livenessBound = 5 * time.Minute

// scenario is everything random about one run.
type scenario struct {
	seed       uint64
	powers     []uint64
	kinds      []byzKind
	realCrypto bool
	drop, dup  float64
	spike      float64
	minDelay   time.Duration
	maxDelay   time.Duration
	execDelay  time.Duration
	interval   time.Duration
	healAt     time.Duration
	partitions []*event
	crashes    []*event
}

func (sc *scenario) String() string {
	var byz []string
	for i, k := range sc.kinds {
		if k != honest {
			byz = append(byz, fmt.Sprintf("%d:%s", i, k))
		}
	}
	return fmt.Sprintf("seed %d: %d validators %v, byzantine %v, real crypto %v, drop %.2f dup %.2f delay %v-%v, %d partitions, %d crashes, heal at %v",
		sc.seed, len(sc.powers), sc.powers, byz, sc.realCrypto, sc.drop, sc.dup, sc.minDelay, sc.maxDelay,
		len(sc.partitions), len(sc.crashes), sc.healAt)
}

func newScenario(seed uint64) *scenario {
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	n := 4 + rng.IntN(7)
	sc := &scenario{seed: seed, realCrypto: seed%16 == 0, interval: time.Second}
	var total uint64
	for i := 0; i < n; i++ {
		p := uint64(1 + rng.IntN(100))
		sc.powers = append(sc.powers, p)
		total += p
	}
	// Byzantine validators, less than 1/3 of the power together.
	sc.kinds = make([]byzKind, n)
	want := rng.IntN(n/3 + 2)
	var byzPower uint64
	for _, i := range rng.Perm(n) {
		if want == 0 {
			break
		}
		if 3*(byzPower+sc.powers[i]) < total {
			byzPower += sc.powers[i]
			sc.kinds[i] = byzKind(1 + rng.IntN(4))
			want--
		}
	}
	sc.drop = rng.Float64() * 0.3
	sc.dup = rng.Float64() * 0.2
	sc.spike = rng.Float64() * 0.05
	sc.minDelay = time.Duration(1+rng.IntN(50)) * time.Millisecond
	sc.maxDelay = sc.minDelay + time.Duration(rng.IntN(500))*time.Millisecond
	sc.execDelay = time.Duration(rng.IntN(50)) * time.Millisecond
	sc.healAt = time.Duration(5+rng.IntN(20)) * time.Second

	for k := rng.IntN(4); k > 0; k-- {
		at := time.Duration(rng.Int64N(int64(sc.healAt)))
		groups := make([]int, n)
		parts := 2 + rng.IntN(2)
		for i := range groups {
			groups[i] = rng.IntN(parts)
		}
		sc.partitions = append(sc.partitions, &event{at: at, kind: evPartition, groups: groups})
		end := at + time.Duration(rng.Int64N(int64(sc.healAt-at)+1))
		sc.partitions = append(sc.partitions, &event{at: end, kind: evPartition, groups: make([]int, n)})
	}
	for k := rng.IntN(4); k > 0; k-- {
		i := rng.IntN(n)
		if sc.kinds[i] != honest {
			continue
		}
		at := time.Duration(rng.Int64N(int64(sc.healAt)))
		down := time.Duration(rng.Int64N(int64(10 * time.Second)))
		sc.crashes = append(sc.crashes,
			&event{at: at, kind: evCrash, node: i, mid: rng.IntN(2) == 0},
			&event{at: at + down, kind: evRestart, node: i})
	}
	return sc
}

// result is what a scenario run reports.
type result struct {
	problems   []string
	recovery   time.Duration // healing to every honest node past the height finalized before
	heights    uint64
	events     int
	evidence   int
	refused    int
	proposers  []int // proposer of each height's finalized block, node 0's view
	trace      string
	scenarioID string
}

func newSim(sc *scenario, tracing bool) *sim {
	n := len(sc.powers)
	s := &sim{
		sc: sc, rng: rand.New(rand.NewPCG(sc.seed, 0xfeed)), chainID: big.NewInt(7777),
		keys: newSimKeys(n, sc.realCrypto, sc.seed), byAddr: map[common.Address]int{},
		blocks: map[common.Hash]*simBlock{}, group: make([]int, n),
		decided: map[uint64]common.Hash{}, signed: map[signKey]string{}, reached: map[int]time.Duration{},
		genesis: []byte(fmt.Sprintf("genesis of scenario %d", sc.seed)),
	}
	if tracing {
		s.trace = &strings.Builder{}
		s.verbose = os.Getenv("CAIRN_SIM_TRACE") == "2"
	}
	var vals []*chain.Validator
	for i, p := range sc.powers {
		pub := s.keys.pub(i)
		addr := chain.ConsensusAddress(pub)
		vals = append(vals, &chain.Validator{Address: addr, PubKey: pub, Power: p})
		s.byAddr[addr] = i
		s.nodes = append(s.nodes, &simNode{s: s, idx: i, addr: addr, key: s.keys.signers[i], kind: sc.kinds[i], store: &engine.MemStore{}, proposed: map[[2]uint64]common.Hash{}})
	}
	s.set = chain.NewValidatorSet(vals)
	return s
}

// runScenario plays a scenario through healing until every honest node has
// finalized two heights past the highest finalized at healing.
func runScenario(sc *scenario, tracing bool) result {
	s := newSim(sc, tracing)
	for _, e := range append(slices.Clone(sc.partitions), sc.crashes...) {
		c := *e
		s.schedule(c.at, &c)
	}
	s.schedule(sc.healAt, &event{kind: evHeal})
	for _, n := range s.nodes {
		n.start()
	}
	target := func() bool {
		if !s.healed {
			return false
		}
		for _, n := range s.nodes {
			if n.honest() && uint64(len(n.chain)) < s.healMax+2 {
				return false
			}
		}
		return true
	}
	s.run(sc.healAt+livenessBound, target)
	res := result{events: s.events, evidence: s.evidence, refused: s.refused, heights: uint64(len(s.decided))}
	if !target() && len(s.problems) == 0 {
		var at []string
		for _, n := range s.nodes {
			if n.honest() {
				st := "down"
				if n.eng != nil {
					x := n.eng.Status()
					st = fmt.Sprintf("%d/%d %s", x.Height, x.Round, x.Step)
				}
				at = append(at, fmt.Sprintf("node %d: %d finalized, at %s", n.idx, len(n.chain), st))
			}
		}
		s.fail("liveness: honest nodes did not finalize 2 heights past %d within %v of healing (%s)", s.healMax, livenessBound, strings.Join(at, "; "))
	}
	for _, n := range s.nodes {
		if n.honest() {
			if d := s.reached[n.idx] - sc.healAt; d > res.recovery {
				res.recovery = d
			}
		}
	}
	res.problems = s.problems
	for _, f := range s.nodes[0].chain {
		res.proposers = append(res.proposers, s.blocks[f.hash].proposer)
	}
	if s.trace != nil {
		res.trace = s.trace.String()
	}
	return res
}

// noteDecision checks agreement, validity and the certificate of an honest
// node's finalized block, and times liveness.
func (s *sim) noteDecision(n *simNode, c *chain.Commit) {
	h := c.Height
	s.logf("node %d finalizes %d: %x (round %d)", n.idx, h, c.BlockHash[:4], c.Round)
	if first, ok := s.decided[h]; ok && first != c.BlockHash {
		s.fail("agreement: node %d finalized %x at height %d, another honest node %x", n.idx, c.BlockHash[:4], h, first[:4])
	} else if !ok {
		s.decided[h] = c.BlockHash
	}
	if b := s.blocks[c.BlockHash]; b == nil || !b.valid || b.height != h {
		s.fail("validity: node %d finalized an invalid block %x at height %d", n.idx, c.BlockHash[:4], h)
	}
	if err := s.keys.verifyCommit(c, s.chainID, s.set, h, c.BlockHash); err != nil {
		s.fail("certificate of node %d at height %d: %v", n.idx, h, err)
	}
	if _, ok := s.reached[n.idx]; s.healed && !ok && h > s.healMax {
		s.reached[n.idx] = s.now
	}
}

// noteSigned checks that no honest validator ever signs two different
// messages for one height, round and step.
func (s *sim) noteSigned(n *simNode, m engine.Message) {
	if !n.honest() {
		return
	}
	var k signKey
	var b []byte
	switch {
	case m.Vote != nil && m.Vote.Validator == n.addr:
		v := m.Vote
		k, b = signKey{n.addr, v.Height, v.Round, stepOf(v.Type)}, v.SignBytes(s.chainID)
	case m.Proposal != nil && m.Proposal.Proposer == n.addr:
		p := m.Proposal
		k, b = signKey{n.addr, p.Height, p.Round, engine.StepPropose}, p.SignBytes(s.chainID)
	default:
		return
	}
	if old, ok := s.signed[k]; ok && old != string(b) {
		s.fail("double sign: honest node %d signed two %s messages at %d/%d", n.idx, k.step, k.height, k.round)
	}
	s.signed[k] = string(b)
}

func stepOf(t chain.VoteType) engine.Step {
	if t == chain.Prevote {
		return engine.StepPrevote
	}
	return engine.StepPrecommit
}

// noteEvidence checks that evidence is real and never names an honest
// validator.
func (s *sim) noteEvidence(n *simNode, ev chain.Evidence) {
	a, b := ev.VoteA, ev.VoteB
	i, ok := s.byAddr[a.Validator]
	switch {
	case !ok || a.Validator != b.Validator || a.Height != b.Height || a.Round != b.Round || a.Type != b.Type || a.BlockHash == b.BlockHash:
		s.fail("node %d reported malformed evidence %+v", n.idx, ev)
	case s.nodes[i].honest():
		s.fail("node %d reported evidence against honest node %d", n.idx, i)
	case !s.keys.Verify(s.keys.pub(i), a.SignBytes(s.chainID), a.Signature) || !s.keys.Verify(s.keys.pub(i), b.SignBytes(s.chainID), b.Signature):
		s.fail("node %d reported evidence with bad signatures", n.idx)
	}
	s.evidence++
}

func envInt(t *testing.T, name string, def uint64) uint64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

func replayCommand(seed uint64) string {
	return fmt.Sprintf("CAIRN_SIM_SEED=%d go test ./node/consensus/engine -run 'TestSimulation$' -v", seed)
}

// TestSimulation runs randomized scenarios of 4 to 10 validators with
// unequal stakes, Byzantine validators under 1/3 of the power, a lossy
// partitioned network and crashing validators, and checks agreement,
// validity, certificates, that honest validators never sign twice, that
// evidence only names the guilty, and liveness after healing.
func TestSimulation(t *testing.T) {
	if os.Getenv("CAIRN_SIM_SEED") != "" {
		seed := envInt(t, "CAIRN_SIM_SEED", 0)
		sc := newScenario(seed)
		res := runScenario(sc, os.Getenv("CAIRN_SIM_TRACE") != "")
		t.Log(sc)
		if res.trace != "" {
			t.Log("\n" + res.trace)
		}
		t.Logf("%d heights, %d events, recovery %v, %d evidence, %d refused signatures", res.heights, res.events, res.recovery, res.evidence, res.refused)
		for _, p := range res.problems {
			t.Error(p)
		}
		return
	}
	count := envInt(t, "CAIRN_SIM_SCENARIOS", 2000)
	if testing.Short() {
		count = min(count, 200)
	}
	var (
		mu       sync.Mutex
		next     uint64
		failed   []uint64
		worst    time.Duration
		worstAt  uint64
		heights  uint64
		events   int
		evidence int
		refused  int
		real     int
	)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= count || len(failed) >= 5 {
					mu.Unlock()
					return
				}
				seed := next + 1
				next++
				mu.Unlock()
				sc := newScenario(seed)
				res := runScenario(sc, false)
				mu.Lock()
				heights += res.heights
				events += res.events
				evidence += res.evidence
				refused += res.refused
				if sc.realCrypto {
					real++
				}
				if res.recovery > worst {
					worst, worstAt = res.recovery, seed
				}
				if len(res.problems) > 0 {
					failed = append(failed, seed)
					t.Errorf("%s\n  %s\n  replay: %s", sc, strings.Join(res.problems[:min(len(res.problems), 5)], "\n  "), replayCommand(seed))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if evidence == 0 && next >= 100 {
		t.Error("no equivocation was detected in any scenario")
	}
	t.Logf("%d scenarios (%d with real ed25519): %d heights finalized, %d events, %d evidence pairs, %d refused signatures; worst time to finalize after healing %v (seed %d)",
		next, real, heights, events, evidence, refused, worst, worstAt)
}
