package node

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/consensus/engine"

	"github.com/ethereum/go-ethereum/common"
)

// testBlock is block 1 of a devnet chain.
func testBlock(t *testing.T) *chain.Block {
	t.Helper()
	n := producedChain(t, 1)
	b, err := n.Chain().BlockByHeight(1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWireMessagesRoundTripAndBadOnesAreRefused(t *testing.T) {
	b := testBlock(t)
	prop := &engine.Proposal{Height: 1, Round: 2, POLRound: -1, BlockHash: b.Hash(),
		Proposer: common.HexToAddress("0x01"), Signature: []byte{1, 2, 3}}
	data, err := encodeWire(engine.Message{Proposal: prop}, b)
	if err != nil {
		t.Fatal(err)
	}
	m, got, err := decodeWire(data)
	if err != nil || m.Proposal == nil || !bytes.Equal(m.Proposal.Signature, prop.Signature) || m.Proposal.POLRound != -1 ||
		got == nil || got.Hash() != b.Hash() {
		t.Fatalf("round trip: %+v %v %v", m.Proposal, got, err)
	}

	vote := &chain.Vote{Type: chain.Precommit, Height: 1, BlockHash: b.Hash(), Validator: common.HexToAddress("0x02"), Signature: []byte{9}}
	other := *prop
	other.BlockHash = common.Hash{1}
	wrongBlock, _ := encodeWire(engine.Message{Proposal: &other}, b)
	voteData, _ := encodeWire(engine.Message{Vote: vote}, nil)
	var w wireMsg
	json.Unmarshal(voteData, &w)
	raw, _ := b.MarshalBinary()
	w.Block = raw
	voteWithBlock, _ := json.Marshal(w)
	w = wireMsg{Vote: vote, Commit: &chain.Commit{Height: 1}}
	two, _ := json.Marshal(w)

	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"oversized":           {bytes.Repeat([]byte{' '}, maxConsensusMsg+1), "exceeds"},
		"not json":            {[]byte("{"), "decode"},
		"empty":               {[]byte("{}"), "exactly one"},
		"two messages":        {two, "exactly one"},
		"block not the named": {wrongBlock, "not the one named"},
		"vote with a block":   {voteWithBlock, "carries a block"},
	} {
		if _, _, err := decodeWire(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
	if m, blk, err := decodeWire(voteData); err != nil || m.Vote == nil || m.Vote.Type != chain.Precommit || blk != nil {
		t.Fatalf("vote: %+v %v", m, err)
	}
}

func TestWALEntriesDecodeToEngineRecordsAndBlocks(t *testing.T) {
	b := testBlock(t)
	set := chain.NewValidatorSet([]*chain.Validator{
		{Address: common.HexToAddress("0x0a"), PubKey: make([]byte, 32), Power: 3},
		{Address: common.HexToAddress("0x0b"), PubKey: make([]byte, 32), Power: 4},
	})
	raw, _ := b.MarshalBinary()
	vote := &chain.Vote{Type: chain.Prevote, Height: 2, Round: 1, Validator: common.HexToAddress("0x0a"), Signature: []byte{7}}
	entries := []walEntry{
		startEntry(engine.HeightParams{Height: 2, Validators: set, PrevBeta: []byte{5}}),
		{Block: raw},
		{Message: &engine.Message{Vote: vote}},
		{Timeout: &engine.TimeoutEvent{Height: 2, Round: 1, Step: engine.StepPrevote}},
		{Valid: &engine.Validity{Height: 2, Hash: b.Hash(), OK: true}},
		{Own: &engine.Message{Vote: vote}},
	}
	var recs [][]byte
	for _, e := range entries {
		data, err := encodeWAL(e)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, data)
	}
	got, blocks, err := decodeWAL(recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || len(blocks) != 1 || blocks[0].Hash() != b.Hash() {
		t.Fatalf("%d records, %d blocks", len(got), len(blocks))
	}
	st := got[0].Start
	if st == nil || st.Height != 2 || st.Validators.TotalPower() != 7 || st.Validators.Hash() != set.Hash() || !bytes.Equal(st.PrevBeta, []byte{5}) {
		t.Fatalf("start %+v", st)
	}
	if got[1].Message.Vote.Round != 1 || got[2].Timeout.Step != engine.StepPrevote || !got[3].Valid.OK || got[4].Own.Vote == nil {
		t.Fatalf("records %+v", got)
	}
	if _, _, err := decodeWAL([][]byte{[]byte("{bad")}); err == nil {
		t.Fatal("a damaged record decoded")
	}
}

func TestOnlyValidatorsMakeANodeKeepABlock(t *testing.T) {
	n, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	d := n.engine.(*bftEngine)
	chainID := n.Chain().ChainID()
	key := chain.DevnetValidatorKey()
	self := n.Validator().Address
	hash := common.Hash{7}

	signed := func(k ed25519.PrivateKey, proposer common.Address) engine.Message {
		p := &engine.Proposal{Height: 1, POLRound: -1, BlockHash: hash, Proposer: proposer}
		p.Signature = ed25519.Sign(k, p.SignBytes(chainID))
		return engine.Message{Proposal: p}
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	precommit := &chain.Vote{Type: chain.Precommit, Height: 1, BlockHash: hash, Validator: self}
	precommit.Sign(chainID, key)
	good := &chain.Commit{Height: 1, BlockHash: hash, Signatures: []chain.CommitSig{{Validator: self, Signature: precommit.Signature}}}
	forged := &chain.Commit{Height: 1, BlockHash: hash, Signatures: []chain.CommitSig{{Validator: self, Signature: make([]byte, 64)}}}

	for name, tc := range map[string]struct {
		m    engine.Message
		want bool
	}{
		"proposal by the validator":        {signed(key, self), true},
		"proposal signed by a stranger":    {signed(stranger, self), false},
		"proposal by a non-validator":      {signed(stranger, common.HexToAddress("0x99")), false},
		"commit of the validator set":      {engine.Message{Commit: good}, true},
		"commit with a forged signature":   {engine.Message{Commit: forged}, false},
		"a vote never vouches for a block": {engine.Message{Vote: precommit}, false},
	} {
		if got := d.vouched(tc.m); got != tc.want {
			t.Errorf("%s: vouched %v, want %v", name, got, tc.want)
		}
	}
}
