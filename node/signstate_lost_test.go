package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/consensus/wal"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
)

// signProbe records every proposal and vote a hub carries, from the start
// of a test to its end, and fails on two different ones signed by one
// validator at one height, round and step: a double sign.
type signProbe struct {
	mu     sync.Mutex
	signed map[signKey]common.Hash
	faults []string
}

type signKey struct {
	validator common.Address
	height    uint64
	round     uint32
	step      engine.Step
}

func watchSignatures(t *testing.T, hub *transport.Hub) *signProbe {
	tr, err := hub.Join("sign-probe", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &signProbe{signed: map[signKey]common.Hash{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range tr.Messages() {
			p.take(m)
		}
	}()
	t.Cleanup(func() {
		tr.Close()
		<-done
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, f := range p.faults {
			t.Error(f)
		}
	})
	return p
}

func (p *signProbe) take(m transport.Message) {
	in, err := decodeWire(m.Data)
	if err != nil {
		return
	}
	var k signKey
	var hash common.Hash
	switch msg := in.Msg; {
	case msg.Vote != nil:
		v := msg.Vote
		k, hash = signKey{v.Validator, v.Height, v.Round, engine.StepPrevote}, v.BlockHash
		if v.Type == chain.Precommit {
			k.step = engine.StepPrecommit
		}
	case msg.Proposal != nil:
		pr := msg.Proposal
		k, hash = signKey{pr.Proposer, pr.Height, pr.Round, engine.StepPropose}, pr.BlockHash
	default:
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.signed[k]; ok && old != hash {
		p.faults = append(p.faults, fmt.Sprintf("%s signed two %s at %d/%d: %x and %x", k.validator, k.step, k.height, k.round, old[:4], hash[:4]))
	}
	p.signed[k] = hash
}

// signedBy lists what a validator signed.
func (p *signProbe) signedBy(v common.Address) map[signKey]common.Hash {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[signKey]common.Hash{}
	for k, h := range p.signed {
		if k.validator == v {
			out[k] = h
		}
	}
	return out
}

// open builds node i from its home with cfg changed by edit, without
// starting it; the hub place is given back if New fails.
func (tn *testNet) open(i int, edit func(*Config)) (*Node, error) {
	src := &lazySource{}
	tr, err := tn.hub.Join(transport.PeerID(fmt.Sprintf("v%d", i)), src)
	if err != nil {
		return nil, err
	}
	cfg := Config{Home: tn.homes[i], Genesis: tn.genesis, ValidatorKey: tn.keys[i],
		BlockTime: tn.blockTime, Transport: tr, Logger: testLogger(i)}
	if edit != nil {
		edit(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		tr.Close()
		return nil, err
	}
	src.n.Store(n)
	return n, nil
}

func (tn *testNet) run(i int, n *Node) {
	tn.t.Helper()
	tn.subs[i] = n.Events().Subscribe(4096)
	if err := n.Start(context.Background()); err != nil {
		tn.t.Fatal(err)
	}
	tn.nodes[i] = n
}

// Defect: a validator stopped mid-height whose WAL was moved aside and
// whose sign state was deleted, emptied, edited or damaged signed a
// different block at a height and round where it had already signed. Now
// each of those is refused at start; the explicit recovery flag starts it
// with a floor, and a probe that saw every signature across the restart
// finds no second, different one.
func TestLostSignStateIsRefusedAndRecoveryNeverSignsTwice(t *testing.T) {
	tn := newTestNet(t)
	probe := watchSignatures(t, tn.hub)
	all := []int{0, 1, 2, 3}
	tn.waitHeight(4, all...)
	self := tn.nodes[3].Validator().Address
	// The defect's setting: the store holds some of this validator's
	// precommits, so it can know it signed. (One that lags so far that its
	// store holds none of its signatures cannot tell, and has signed
	// nothing its head has not passed.)
	tn.waitFor(3, "an own precommit in the store", func() bool {
		own, err := tn.nodes[3].ownPrecommitInStore()
		return err == nil && own != nil
	})
	tn.stop(3)
	if err := os.Rename(WALPath(tn.homes[3]), WALPath(tn.homes[3])+".bak"); err != nil {
		t.Fatal(err)
	}
	path := SignStatePath(tn.homes[3])
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]func() error{
		"deleted":  func() error { return os.Remove(path) },
		"emptied":  func() error { return os.WriteFile(path, []byte("[]"), 0o600) },
		"lowered":  func() error { return os.WriteFile(path, lowerHeights(t, good), 0o600) },
		"bit flip": func() error { return os.WriteFile(path, flipDigit(good), 0o600) },
	} {
		if err := damage(); err != nil {
			t.Fatal(err)
		}
		_, err := tn.open(3, nil)
		if !errors.Is(err, ErrSignStateLost) {
			t.Fatalf("%s sign state: New gave %v, want ErrSignStateLost", name, err)
		}
		if err := os.WriteFile(path, good, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	os.Remove(path)
	n, err := tn.open(3, func(c *Config) { c.SignStateGone = true })
	if err != nil {
		t.Fatalf("start with SignStateGone: %v", err)
	}
	floor := n.Chain().Head().Height() + 1
	tn.run(3, n)
	tn.waitHeight(floor+4, all...)
	tn.checkAgreement()
	// The rebuilt node signed again above the floor; at the floor height
	// the probe saw only what it had signed before the stop (its own
	// messages in the WAL moved aside).
	before := ownInWAL(t, WALPath(tn.homes[3])+".bak")
	for k, hash := range probe.signedBy(self) {
		if k.height == floor && before[k] != hash {
			t.Errorf("signed %s at %d/%d, the floor height, after the restart", k.step, k.height, k.round)
		}
	}
	// It signs again above its floor once it has caught up: wait for that
	// on its blocks, bounded.
	deadline := time.After(waitLimit)
	for !signedAbove(probe.signedBy(self), floor) {
		select {
		case <-tn.subs[3].C:
		case <-deadline:
			t.Fatalf("did not sign above its floor %d within %s", floor, waitLimit)
		}
	}
}

// ownInWAL lists the node's own signed messages in a WAL file.
func ownInWAL(t *testing.T, path string) map[signKey]common.Hash {
	raw, err := wal.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := decodeWAL(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := map[signKey]common.Hash{}
	for _, r := range recs {
		switch m := r.Own; {
		case m == nil:
		case m.Vote != nil:
			st, _ := ownState(m)
			out[signKey{m.Vote.Validator, st.Height, st.Round, st.Step}] = m.Vote.BlockHash
		case m.Proposal != nil:
			out[signKey{m.Proposal.Proposer, m.Proposal.Height, m.Proposal.Round, engine.StepPropose}] = m.Proposal.BlockHash
		}
	}
	return out
}

func signedAbove(signed map[signKey]common.Hash, height uint64) bool {
	for k := range signed {
		if k.height > height {
			return true
		}
	}
	return false
}

// lowerHeights edits every height of a sign state down by one, leaving
// its checksum as it was: what a hand edit does.
func lowerHeights(t *testing.T, data []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range doc["signed"].([]any) {
		e := e.(map[string]any)
		e["height"] = e["height"].(float64) - 1
	}
	out, _ := json.Marshal(doc)
	return out
}

// flipDigit changes one hex digit of the last signature.
func flipDigit(data []byte) []byte {
	out := append([]byte(nil), data...)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] >= '0' && out[i] <= '8' {
			out[i]++
			return out
		}
	}
	return out
}
