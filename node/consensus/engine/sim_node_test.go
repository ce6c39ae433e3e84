package engine_test

import (
	"crypto"
	"time"

	"cairn/chain"
	"cairn/node/consensus/engine"

	"github.com/ethereum/go-ethereum/common"
)

// byzKind is how a validator behaves.
type byzKind uint8

const (
	honest     byzKind = iota
	silent             // never sends anything
	equivocate         // sends conflicting votes and proposals to different peers
	garbage            // votes for and proposes invalid blocks
	mixed              // any of the above, message by message
)

func (k byzKind) String() string {
	return [...]string{"honest", "silent", "equivocate", "garbage", "mixed"}[k]
}

// final is a block a node finalized, kept as durably as a block store.
type final struct {
	hash   common.Hash
	commit *chain.Commit
}

// simNode is one validator with its driver: WAL, guard store and chain
// survive a crash; the engine and pending timers do not.
type simNode struct {
	s         *sim
	idx       int
	addr      common.Address
	key       crypto.Signer
	kind      byzKind
	eng       *engine.Engine
	up        bool
	inc       int
	wal       []engine.Record
	store     *engine.MemStore
	chain     []final
	proposed  map[[2]uint64]common.Hash // blocks built, by height and round: on disk
	crashNext bool
}

func (n *simNode) honest() bool      { return n.kind == honest }
func (n *simNode) live(inc int) bool { return n.up && inc == n.inc }
func (n *simNode) Sign(r engine.SignRequest) ([]byte, error) { // Byzantine: signs anything
	return rawSigner{n.key}.sign(r.SignBytes), nil
}

// Propose is the node's ProposalSource: a fresh valid block, kept so the
// same is returned after a restart.
func (n *simNode) Propose(height uint64, round uint32) (common.Hash, error) {
	k := [2]uint64{height, uint64(round)}
	if h, ok := n.proposed[k]; ok {
		return h, nil
	}
	h := n.s.newBlock(height, round, n.idx, true)
	n.proposed[k] = h
	return h, nil
}

func (n *simNode) config(signer engine.Signer) engine.Config {
	cfg := engine.DefaultConfig(n.s.chainID, n.addr, signer, n)
	cfg.Verifier = n.s.keys
	return cfg
}

func (n *simNode) params(h uint64) engine.HeightParams {
	beta := n.s.genesis
	if h > 1 {
		b := n.chain[h-2].hash
		beta = b[:]
	}
	return engine.HeightParams{Height: h, Validators: n.s.set, PrevBeta: beta}
}

func (n *simNode) start() {
	if n.kind == silent {
		return
	}
	var signer engine.Signer = n
	if n.honest() {
		g, err := engine.NewSignGuard(n.key, n.store)
		if err != nil {
			n.s.fail("node %d: guard: %v", n.idx, err)
			return
		}
		signer = g
	}
	p := n.params(1)
	eng, err := engine.New(n.config(signer), p)
	if err != nil {
		n.s.fail("node %d: start: %v", n.idx, err)
		return
	}
	n.eng, n.up = eng, true
	n.wal = []engine.Record{{Start: &p}}
	n.handle()
}

func (n *simNode) crash() {
	if !n.up {
		return
	}
	n.s.logf("node %d crashes", n.idx)
	n.up, n.eng, n.crashNext = false, nil, false
	n.inc++
}

// restart rebuilds the engine from the WAL and the guard's store.
func (n *simNode) restart() {
	if n.up || !n.honest() {
		return
	}
	g, err := engine.NewSignGuard(n.key, n.store)
	if err != nil {
		n.s.fail("node %d: guard after restart: %v", n.idx, err)
		return
	}
	eng, err := engine.Restore(n.config(g), n.wal)
	if err != nil {
		n.s.fail("node %d: restore: %v", n.idx, err)
		return
	}
	st := eng.Status()
	n.s.logf("node %d restarts at %d/%d %s", n.idx, st.Height, st.Round, st.Step)
	n.eng, n.up = eng, true
	n.handle()
}

func (n *simNode) deliver(from int, m engine.Message) {
	if !n.up {
		return
	}
	if m.Commit != nil {
		n.s.logf("node %d gets %s from %d", n.idx, m, from)
	}
	if err := n.input(engine.Record{Message: &m}); err != nil && n.s.nodes[from].honest() {
		n.s.fail("node %d refused %s from honest node %d: %v", n.idx, m, from, err)
	}
}

// input logs one input, gives it to the engine and handles the result,
// unless a crash was set to strike right after the engine took it.
func (n *simNode) input(r engine.Record) error {
	if n.honest() {
		n.wal = append(n.wal, r)
	}
	var err error
	switch {
	case r.Message != nil:
		err = n.eng.Step(*r.Message)
	case r.Timeout != nil:
		n.eng.Timeout(*r.Timeout)
	case r.Valid != nil:
		n.eng.ProposalValid(r.Valid.Height, r.Valid.Hash, r.Valid.OK)
	}
	if n.crashNext {
		n.crash() // the guard may have signed; Ready is lost
		return err
	}
	n.handle()
	return err
}

func (n *simNode) newHeight(h uint64) {
	if st := n.eng.Status(); st.Height != h-1 || !st.Decided {
		return
	}
	p := n.params(h)
	if err := n.eng.NewHeight(p); err != nil {
		n.s.fail("node %d: new height %d: %v", n.idx, h, err)
		return
	}
	if n.honest() {
		n.wal = []engine.Record{{Start: &p}}
	}
	n.handle()
}

// handle carries out a Ready the way the node's driver will.
func (n *simNode) handle() {
	s := n.s
	rd := n.eng.Ready()
	n.eng.Advance()
	for i := range rd.Persist {
		if n.honest() {
			n.wal = append(n.wal, engine.Record{Own: &rd.Persist[i]})
		}
		s.noteSigned(n, rd.Persist[i])
	}
	if s.verbose {
		for i := range rd.Persist {
			st := n.eng.Status()
			s.logf("node %d signs %s [locked %d %x valid %d %x]", n.idx, rd.Persist[i], st.LockedRound, st.LockedValue[:3], st.ValidRound, st.ValidValue[:3])
		}
	}
	for _, o := range rd.Messages {
		s.noteSigned(n, o.Message)
		if n.honest() {
			s.send(n.idx, o)
		} else {
			n.byzSend(o)
		}
	}
	for _, t := range rd.Timers {
		s.schedule(s.now+t.Duration, &event{kind: evTimer, node: n.idx, inc: n.inc, timer: t.Event()})
	}
	for _, r := range rd.Validate {
		d := time.Duration(s.rng.Int64N(int64(s.sc.execDelay) + 1))
		s.schedule(s.now+d, &event{kind: evValid, node: n.idx, inc: n.inc, ref: r})
	}
	for _, c := range rd.Commits {
		n.commit(c)
	}
	for _, b := range rd.Behind {
		s.logf("node %d: node %d is behind at %d; sending commits up to %d", n.idx, s.byAddr[b.Validator], b.Height, len(n.chain))
		for h := b.Height; h <= uint64(len(n.chain)) && h < b.Height+8; h++ {
			s.send(n.idx, engine.Outbound{To: b.Validator, Message: engine.Message{Commit: n.chain[h-1].commit}})
		}
	}
	for _, ev := range rd.Evidence {
		s.noteEvidence(n, ev)
	}
	for _, err := range rd.Errors {
		s.refused++
		if n.honest() {
			// Replays are exact, so an honest guard never has to refuse.
			s.fail("node %d: %v", n.idx, err)
		}
	}
	for _, m := range rd.Requeue {
		if !n.up {
			return
		}
		_ = n.input(engine.Record{Message: &m})
	}
}

// commit applies a finalized block (once) and schedules the next height a
// block interval after the block was made, or at once when catching up.
func (n *simNode) commit(c *chain.Commit) {
	s := n.s
	h := c.Height
	switch {
	case h <= uint64(len(n.chain)):
		if n.chain[h-1].hash != c.BlockHash {
			s.fail("node %d finalized height %d twice, differently", n.idx, h)
		}
	case h == uint64(len(n.chain))+1:
		n.chain = append(n.chain, final{hash: c.BlockHash, commit: c})
		if n.honest() {
			s.noteDecision(n, c)
		}
	default:
		s.fail("node %d finalized height %d with only %d before", n.idx, h, len(n.chain))
		return
	}
	at := s.now
	if b := s.blocks[c.BlockHash]; b != nil && b.created+s.sc.interval > at {
		at = b.created + s.sc.interval
	}
	s.schedule(at, &event{kind: evNewHeight, node: n.idx, inc: n.inc, height: h + 1})
}

// byzSend sends a Byzantine validator's own messages its way.
func (n *simNode) byzSend(o engine.Outbound) {
	s := n.s
	m := o.Message
	own := (m.Vote != nil && m.Vote.Validator == n.addr) || (m.Proposal != nil && m.Proposal.Proposer == n.addr)
	if !own || !o.Broadcast() {
		s.send(n.idx, o)
		return
	}
	mode := n.kind
	if mode == mixed {
		mode = []byzKind{honest, silent, equivocate, garbage}[s.rng.IntN(4)]
	}
	switch mode {
	case silent:
	case garbage:
		s.send(n.idx, engine.Outbound{Message: n.forge(m, true)})
	case equivocate:
		alt := n.forge(m, s.rng.IntN(2) == 0)
		for to := range s.nodes {
			if to == n.idx {
				continue
			}
			if s.rng.IntN(2) == 0 {
				s.unicast(n.idx, to, m)
			} else {
				s.unicast(n.idx, to, alt)
			}
		}
	default:
		s.send(n.idx, o)
	}
}

// forge makes a conflicting version of an own message: for a garbage
// (invalid) block, or else for nil or another valid block.
func (n *simNode) forge(m engine.Message, junk bool) engine.Message {
	s := n.s
	h, r := m.Height(), m.Round()
	var hash common.Hash
	switch {
	case junk:
		hash = s.newBlock(h, r, n.idx, false)
	case m.Vote != nil && s.rng.IntN(2) == 0:
		// nil vote
	default:
		hash = s.newBlock(h, r, n.idx, true)
	}
	if m.Vote != nil {
		v := *m.Vote
		if v.BlockHash == hash {
			hash = s.newBlock(h, r, n.idx, false)
		}
		v.BlockHash = hash
		v.Signature = rawSigner{n.key}.sign(v.SignBytes(s.chainID))
		return engine.Message{Vote: &v}
	}
	p := *m.Proposal
	if hash == (common.Hash{}) {
		hash = s.newBlock(h, r, n.idx, false)
	}
	p.BlockHash, p.POLRound = hash, -1
	p.Signature = rawSigner{n.key}.sign(p.SignBytes(s.chainID))
	return engine.Message{Proposal: &p}
}
