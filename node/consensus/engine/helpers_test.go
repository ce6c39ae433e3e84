package engine

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math/big"
	"testing"

	"cairn/chain"
	"cairn/node/consensus"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// fixture is a validator set with keys, for driving one engine by hand.
type fixture struct {
	t       *testing.T
	chainID *big.Int
	set     *chain.ValidatorSet
	keys    map[common.Address]ed25519.PrivateKey
	beta    []byte
}

func newFixture(t *testing.T, powers ...uint64) *fixture {
	t.Helper()
	f := &fixture{t: t, chainID: big.NewInt(7777), keys: map[common.Address]ed25519.PrivateKey{}}
	var vals []*chain.Validator
	for i, p := range powers {
		seed := make([]byte, 32)
		binary.BigEndian.PutUint64(seed, uint64(i+1))
		k := ed25519.NewKeyFromSeed(seed)
		pub := k.Public().(ed25519.PublicKey)
		a := chain.ConsensusAddress(pub)
		f.keys[a] = k
		vals = append(vals, &chain.Validator{Address: a, PubKey: pub, Power: p})
	}
	f.set = chain.NewValidatorSet(vals)
	f.beta = []byte("genesis beta")
	return f
}

// addr is the address of the i-th validator in set order.
func (f *fixture) addr(i int) common.Address { return f.set.Validators[i].Address }

// proposer is the index of the proposer of round r.
func (f *fixture) proposer(r uint32) int {
	p := consensus.ProposerFor(f.set, f.beta, r)
	for i, v := range f.set.Validators {
		if v.Address == p.Address {
			return i
		}
	}
	panic("proposer not in set")
}

// pickBeta sets the beacon so that want(proposerOf) holds.
func (f *fixture) pickBeta(want func(prop func(r uint32) int) bool) {
	f.t.Helper()
	for k := 0; k < 100000; k++ {
		f.beta = []byte(fmt.Sprintf("beta %d", k))
		if want(f.proposer) {
			return
		}
	}
	f.t.Fatal("no beacon gives the wanted proposers")
}

func (f *fixture) vote(i int, t chain.VoteType, h uint64, r uint32, hash common.Hash) Message {
	v := &chain.Vote{Type: t, Height: h, Round: r, BlockHash: hash, Validator: f.addr(i)}
	v.Sign(f.chainID, f.keys[v.Validator])
	return Message{Vote: v}
}

func (f *fixture) proposal(i int, h uint64, r uint32, pol int32, hash common.Hash) Message {
	p := &Proposal{Height: h, Round: r, POLRound: pol, BlockHash: hash, Proposer: f.addr(i)}
	p.Signature = ed25519.Sign(f.keys[p.Proposer], p.SignBytes(f.chainID))
	return Message{Proposal: p}
}

// counterSource builds blocks whose hash names height, round and a count.
type counterSource struct{ n int }

func (s *counterSource) Propose(h uint64, r uint32) (common.Hash, error) {
	s.n++
	return blockHash(fmt.Sprintf("block %d/%d #%d", h, r, s.n)), nil
}

func blockHash(s string) common.Hash { return crypto.Keccak256Hash([]byte(s)) }

// node is one engine under test with its guard and proposal source.
type node struct {
	*Engine
	f      *fixture
	self   int
	guard  *SignGuard
	store  *MemStore
	source *counterSource
	cfg    Config
}

func (f *fixture) node(self int, height uint64) *node {
	f.t.Helper()
	n := &node{f: f, self: self, store: &MemStore{}, source: &counterSource{}}
	var err error
	var addr common.Address
	if self >= 0 {
		addr = f.addr(self)
		n.guard, err = NewSignGuard(f.keys[addr], n.store)
		if err != nil {
			f.t.Fatal(err)
		}
	}
	n.cfg = DefaultConfig(f.chainID, addr, n.guard, n.source)
	if self < 0 {
		n.cfg.Signer, n.cfg.Proposals = nil, nil
	}
	n.Engine, err = New(n.cfg, HeightParams{Height: height, Validators: f.set, PrevBeta: f.beta})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// take returns the pending Ready and advances.
func (n *node) take() Ready {
	rd := n.Ready()
	n.Advance()
	return rd
}

func (n *node) step(m Message) {
	n.f.t.Helper()
	if err := n.Step(m); err != nil {
		n.f.t.Fatalf("step %s: %v", m, err)
	}
}

// votesOut lists the votes among rd's messages signed by this node.
func (n *node) votesOut(rd Ready) []*chain.Vote {
	var vs []*chain.Vote
	for _, o := range rd.Messages {
		if v := o.Message.Vote; v != nil && v.Validator == n.cfg.Self {
			vs = append(vs, v)
		}
	}
	return vs
}

// onlyVote asserts rd holds exactly one own vote, of type t for hash.
func (n *node) onlyVote(rd Ready, t chain.VoteType, hash common.Hash) {
	n.f.t.Helper()
	vs := n.votesOut(rd)
	if len(vs) != 1 || vs[0].Type != t || vs[0].BlockHash != hash {
		n.f.t.Fatalf("want one %s for %x, got %v", t, hash[:4], vs)
	}
	if len(rd.Persist) != 1 || rd.Persist[0].Vote != vs[0] {
		n.f.t.Fatalf("own vote not in Persist: %v", rd.Persist)
	}
}

func (n *node) noVote(rd Ready) {
	n.f.t.Helper()
	if vs := n.votesOut(rd); len(vs) != 0 {
		n.f.t.Fatalf("want no vote, got %v", vs)
	}
}

func hasTimer(rd Ready, step Step, round uint32) (Timer, bool) {
	for _, t := range rd.Timers {
		if t.Step == step && t.Round == round {
			return t, true
		}
	}
	return Timer{}, false
}
