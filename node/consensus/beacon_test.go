package consensus

import (
	"crypto/ed25519"
	"errors"
	"math/big"
	"testing"

	"cairn/chain"
)

func TestBeaconProvesAndVerifies(t *testing.T) {
	key := chain.DevnetValidatorKey()
	g := chain.Devnet()
	set := g.ValidatorSet()
	chainID := g.ChainIDBig()
	prev := make([]byte, 64)
	beta, pi, err := ProveBeacon(key, chainID, 1, prev)
	if err != nil {
		t.Fatal(err)
	}
	h := &chain.Header{Height: 1, Proposer: set.Validators[0].Address, VRFOutput: beta, VRFProof: pi}
	if err := VerifyProposer(set, chainID, h, prev); err != nil {
		t.Fatalf("valid beacon refused: %v", err)
	}
	for name, mutate := range map[string]func(h *chain.Header){
		"height":   func(h *chain.Header) { h.Height = 2 },
		"output":   func(h *chain.Header) { h.VRFOutput = append([]byte{1}, h.VRFOutput[1:]...) },
		"proof":    func(h *chain.Header) { h.VRFProof = append([]byte{}, h.VRFProof[:79]...) },
		"proposer": func(h *chain.Header) { h.Proposer[0] ^= 1 },
	} {
		bad := h.Copy()
		mutate(bad)
		if err := VerifyProposer(set, chainID, bad, prev); err == nil {
			t.Errorf("%s tampered: accepted", name)
		}
	}
	if err := VerifyProposer(set, big.NewInt(1), h, prev); err == nil {
		t.Error("beacon for another chain accepted")
	}
}

func TestProposerForFollowsStake(t *testing.T) {
	var vals []*chain.Validator
	for i, p := range []uint64{1, 2, 7} {
		seed := make([]byte, 32)
		seed[0] = byte(i + 1)
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		vals = append(vals, &chain.Validator{Address: chain.ConsensusAddress(pub), PubKey: pub, Power: p})
	}
	set := chain.NewValidatorSet(vals)
	counts := map[uint64]int{}
	beta := make([]byte, 64)
	const n = 10000
	for i := 0; i < n; i++ {
		beta[0], beta[1] = byte(i), byte(i>>8)
		counts[ProposerFor(set, beta, 0).Power]++
	}
	// Expected 1000/2000/7000; allow a wide band (this is a sanity check,
	// the consensus issue adds the chi-square fairness test).
	for power, want := range map[uint64]int{1: 1000, 2: 2000, 7: 7000} {
		if got := counts[power]; got < want*8/10 || got > want*12/10 {
			t.Errorf("power %d proposed %d of %d, want about %d", power, got, n, want)
		}
	}
	if !errors.Is(VerifyProposer(set, big.NewInt(1), &chain.Header{Proposer: [20]byte{9}}, beta), ErrWrongProposer) {
		t.Error("wrong proposer not reported as ErrWrongProposer")
	}
}
