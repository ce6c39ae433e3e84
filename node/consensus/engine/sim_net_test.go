package engine_test

import (
	"container/heap"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"time"

	"cairn/chain"
	"cairn/node/consensus/engine"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The simulated world: a clock, an event queue, a network that delays,
// drops, duplicates, reorders and partitions, and a registry of blocks.

type eventKind uint8

const (
	evDeliver eventKind = iota
	evTimer
	evValid
	evNewHeight
	evCrash
	evRestart
	evPartition
	evHeal
)

type event struct {
	at     time.Duration
	seq    uint64
	kind   eventKind
	node   int
	inc    int // the node's incarnation the event belongs to
	from   int
	msg    engine.Message
	timer  engine.TimeoutEvent
	ref    engine.BlockRef
	height uint64
	groups []int
	mid    bool // crash at the next input, after the engine took it
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// simBlock is a block of the simulation: its hash names height, round,
// proposer and a counter; garbage blocks are invalid.
type simBlock struct {
	height   uint64
	round    uint32
	proposer int
	valid    bool
	created  time.Duration
}

type sim struct {
	sc      *scenario
	rng     *rand.Rand
	now     time.Duration
	q       eventQueue
	seq     uint64
	events  int
	chainID *big.Int
	keys    *simKeys
	set     *chain.ValidatorSet
	nodes   []*simNode
	byAddr  map[common.Address]int
	genesis []byte
	blocks  map[common.Hash]*simBlock
	counter uint64
	group   []int
	healed  bool

	// Checks.
	decided  map[uint64]common.Hash // first honest decision per height
	signed   map[signKey]string     // honest validators' sign bytes
	problems []string               // violations found
	healMax  uint64                 // highest honest height at healing
	reached  map[int]time.Duration  // when each honest node passed healMax
	evidence int                    // evidence pairs reported
	refused  int                    // signatures refused by guards
	trace    *strings.Builder       // event log when tracing
	verbose  bool
}

type signKey struct {
	addr   common.Address
	height uint64
	round  uint32
	step   engine.Step
}

func (s *sim) schedule(at time.Duration, e *event) {
	s.seq++
	e.at, e.seq = at, s.seq
	heap.Push(&s.q, e)
}

func (s *sim) logf(format string, args ...any) {
	if s.trace != nil {
		fmt.Fprintf(s.trace, "%9.3fs ", s.now.Seconds())
		fmt.Fprintf(s.trace, format, args...)
		s.trace.WriteByte('\n')
	}
}

func (s *sim) fail(format string, args ...any) {
	msg := fmt.Sprintf("at %.3fs: ", s.now.Seconds()) + fmt.Sprintf(format, args...)
	s.problems = append(s.problems, msg)
	s.logf("VIOLATION %s", msg)
}

// newBlock registers a block built by proposer for (height, round).
func (s *sim) newBlock(height uint64, round uint32, proposer int, valid bool) common.Hash {
	s.counter++
	var b [8 * 4]byte
	for i, x := range []uint64{height, uint64(round), uint64(proposer), s.counter} {
		for j := 0; j < 8; j++ {
			b[i*8+j] = byte(x >> (56 - 8*j))
		}
	}
	h := crypto.Keccak256Hash(b[:])
	s.blocks[h] = &simBlock{height: height, round: round, proposer: proposer, valid: valid, created: s.now}
	return h
}

// send puts an outbound message on the network.
func (s *sim) send(from int, o engine.Outbound) {
	if o.Broadcast() {
		for to := range s.nodes {
			if to != from {
				s.unicast(from, to, o.Message)
			}
		}
		return
	}
	if to, ok := s.byAddr[o.To]; ok && to != from {
		s.unicast(from, to, o.Message)
	}
}

func (s *sim) unicast(from, to int, m engine.Message) {
	sc := s.sc
	if !s.healed {
		if s.group[from] != s.group[to] || s.rng.Float64() < sc.drop {
			return
		}
	}
	copies := 1
	if s.rng.Float64() < sc.dup {
		copies = 2
	}
	for c := 0; c < copies; c++ {
		d := sc.minDelay + time.Duration(s.rng.Int64N(int64(sc.maxDelay-sc.minDelay)+1))
		if !s.healed && s.rng.Float64() < sc.spike {
			d *= 8 // a straggler: reorders behind later messages
		}
		s.schedule(s.now+d, &event{kind: evDeliver, node: to, from: from, msg: m})
	}
}

// run processes events until stop says so or the queue empties.
func (s *sim) run(until time.Duration, stop func() bool) {
	for s.q.Len() > 0 && !stop() {
		e := heap.Pop(&s.q).(*event)
		if e.at > until {
			heap.Push(&s.q, e)
			return
		}
		s.now = e.at
		s.events++
		if s.events > maxEvents {
			s.fail("runaway: more than %d events", maxEvents)
			return
		}
		s.dispatch(e)
	}
}

const maxEvents = 3_000_000

func (s *sim) dispatch(e *event) {
	switch e.kind {
	case evPartition:
		copy(s.group, e.groups)
		s.logf("partition %v", e.groups)
		return
	case evHeal:
		s.heal()
		return
	}
	n := s.nodes[e.node]
	switch e.kind {
	case evDeliver:
		n.deliver(e.from, e.msg)
	case evTimer:
		if n.live(e.inc) {
			n.input(engine.Record{Timeout: &e.timer})
		}
	case evValid:
		if n.live(e.inc) {
			b := s.blocks[e.ref.Hash]
			v := &engine.Validity{Height: e.ref.Height, Hash: e.ref.Hash, OK: b != nil && b.valid && b.height == e.ref.Height}
			n.input(engine.Record{Valid: v})
		}
	case evNewHeight:
		if n.live(e.inc) {
			n.newHeight(e.height)
		}
	case evCrash:
		if e.mid {
			n.crashNext = true
		} else {
			n.crash()
		}
	case evRestart:
		n.restart()
	}
}

// heal ends every partition and drop, and restarts crashed nodes.
func (s *sim) heal() {
	s.healed = true
	for i := range s.group {
		s.group[i] = 0
	}
	for _, n := range s.nodes {
		if !n.honest() {
			continue
		}
		n.crashNext = false
		if !n.up {
			n.restart()
		}
		if h := uint64(len(n.chain)); h > s.healMax {
			s.healMax = h
		}
	}
	s.logf("healed; highest finalized height %d", s.healMax)
}
