package chain

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"
)

// testAnchor is a made-up chain of five headers on the devnet genesis: the
// devnet validator signs blocks 1 and 2, block 2 hands over to a new
// validator, which signs 3 to 5; the anchor proves block 5.
type testAnchor struct {
	g        *Genesis
	headers  []*Header // by height, 1..5 (index 0 unused)
	setA     *ValidatorSet
	setB     *ValidatorSet
	keyA     ed25519.PrivateKey
	keyB     ed25519.PrivateKey
	anchor   *Anchor
	changeAt uint64
}

func signCommit(g *Genesis, h *Header, key ed25519.PrivateKey, set *ValidatorSet) *Commit {
	addr := set.Validators[0].Address
	v := &Vote{Type: Precommit, Height: h.Height, BlockHash: h.Hash(), Validator: addr}
	v.Sign(g.ChainIDBig(), key)
	return &Commit{Height: h.Height, BlockHash: h.Hash(), Signatures: []CommitSig{{Validator: addr, Signature: v.Signature}}}
}

func newTestAnchor(t *testing.T) *testAnchor {
	g := Devnet()
	seed := sha256.Sum256([]byte("anchor test validator B"))
	ta := &testAnchor{g: g, setA: g.ValidatorSet(), keyA: DevnetValidatorKey(), keyB: ed25519.NewKeyFromSeed(seed[:]), changeAt: 2}
	pubB := ta.keyB.Public().(ed25519.PublicKey)
	ta.setB = NewValidatorSet([]*Validator{{Address: ConsensusAddress(pubB), PubKey: pubB, Power: 7}})
	genesis, err := GenesisBlock(g)
	if err != nil {
		t.Fatal(err)
	}
	parent := genesis.Header
	ta.headers = []*Header{parent}
	for h := uint64(1); h <= 5; h++ {
		set, next := ta.setA, ta.setA
		if h > ta.changeAt {
			set = ta.setB
		}
		if h >= ta.changeAt {
			next = ta.setB
		}
		hdr := &Header{ParentHash: parent.Hash(), Height: h, Time: parent.Time + 1000, ValidatorsHash: set.Hash(), NextValidatorsHash: next.Hash(),
			TxRoot: TxRoot(nil), LastCommitHash: CommitHash(nil), EvidenceHash: EvidenceHash(nil), BaseFee: parent.BaseFee}
		ta.headers = append(ta.headers, hdr)
		parent = hdr
	}
	ta.anchor = &Anchor{
		Block:   &Block{Header: ta.headers[5]},
		Commit:  signCommit(g, ta.headers[5], ta.keyB, ta.setB),
		Changes: []SetChange{{Header: ta.headers[2], Commit: signCommit(g, ta.headers[2], ta.keyA, ta.setA), Set: ta.setB}},
		Recent:  ta.headers[1:5],
	}
	return ta
}

// roundTrip encodes and decodes a, as a peer's anchor arrives.
func roundTrip(t *testing.T, a *Anchor) *Anchor {
	t.Helper()
	wire, err := EncodeAnchor(a)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeAnchor(wire)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyAnchorFollowsSetChanges(t *testing.T) {
	ta := newTestAnchor(t)
	trusted, err := VerifyAnchor(ta.g, roundTrip(t, ta.anchor))
	if err != nil {
		t.Fatal(err)
	}
	if trusted.Height() != 5 || trusted.Next.Hash() != ta.setB.Hash() || len(trusted.Proofs) != 1 {
		t.Fatalf("trusted %d, next %x, %d proofs", trusted.Height(), trusted.Next.Hash(), len(trusted.Proofs))
	}
	if trusted.Sets[1].Hash() != ta.setA.Hash() || trusted.Sets[3].Hash() != ta.setB.Hash() || len(trusted.Sets) != 2 {
		t.Fatalf("sets %v", trusted.Sets)
	}
}

func TestVerifyAnchorRefuses(t *testing.T) {
	cases := map[string]func(ta *testAnchor){
		"a change left out": func(ta *testAnchor) { ta.anchor.Changes = nil },
		"a change signed by the new set": func(ta *testAnchor) {
			ta.anchor.Changes[0].Commit = signCommit(ta.g, ta.headers[2], ta.keyB, ta.setB)
		},
		"a change carrying another set": func(ta *testAnchor) { ta.anchor.Changes[0].Set = ta.setA },
		"the pivot signed by the old set": func(ta *testAnchor) {
			ta.anchor.Commit = signCommit(ta.g, ta.headers[5], ta.keyA, ta.setA)
		},
		"a commit of another block": func(ta *testAnchor) {
			ta.anchor.Commit = signCommit(ta.g, ta.headers[4], ta.keyB, ta.setB)
		},
		"a recent header out of the chain": func(ta *testAnchor) {
			h := *ta.headers[3]
			h.Time++
			ta.anchor.Recent = []*Header{ta.headers[1], ta.headers[2], &h, ta.headers[4]}
		},
		"recent headers cut short": func(ta *testAnchor) { ta.anchor.Recent = ta.headers[2:5] },
		"a body the header does not commit to": func(ta *testAnchor) {
			ta.anchor.Block.Evidence = []Evidence{{}}
		},
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			ta := newTestAnchor(t)
			spoil(ta)
			if _, err := VerifyAnchor(ta.g, ta.anchor); !errors.Is(err, ErrBadAnchor) {
				t.Fatalf("verify: %v, want ErrBadAnchor", err)
			}
		})
	}
}

func TestDecodeAnchorRefusesGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, {0xc0}, {0xc1, 0x80}, make([]byte, MaxAnchorBytes+1)} {
		if _, err := DecodeAnchor(b); !errors.Is(err, ErrBadAnchor) {
			t.Fatalf("decode %x: %v, want ErrBadAnchor", b[:min(len(b), 4)], err)
		}
	}
}

// TestVerifyAnchorPivotEndingASet: a pivot that is the last block of its
// set names the next one, which the anchor carries as a change.
func TestVerifyAnchorPivotEndingASet(t *testing.T) {
	ta := newTestAnchor(t)
	a := &Anchor{Block: &Block{Header: ta.headers[2]}, Commit: ta.anchor.Changes[0].Commit, Changes: ta.anchor.Changes, Recent: ta.headers[1:2]}
	trusted, err := VerifyAnchor(ta.g, roundTrip(t, a))
	if err != nil {
		t.Fatal(err)
	}
	if trusted.Next.Hash() != ta.setB.Hash() || trusted.Sets[3].Hash() != ta.setB.Hash() || len(trusted.Proofs) != 0 {
		t.Fatalf("next %x, sets %v, %d proofs", trusted.Next.Hash(), trusted.Sets, len(trusted.Proofs))
	}
	a.Changes = nil
	if _, err := VerifyAnchor(ta.g, a); !errors.Is(err, ErrBadAnchor) {
		t.Fatalf("without the new set: %v, want ErrBadAnchor", err)
	}
}
