package node

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/transport"

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
	in, err := decodeWire(data)
	if err != nil || in.Msg.Proposal == nil || !bytes.Equal(in.Msg.Proposal.Signature, prop.Signature) || in.Msg.Proposal.POLRound != -1 ||
		in.Block == nil || in.Block.Hash() != b.Hash() || in.Compact != nil {
		t.Fatalf("round trip: %+v %v", in, err)
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
		if _, err := decodeWire(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
	if in, err := decodeWire(voteData); err != nil || in.Msg.Vote == nil || in.Msg.Vote.Type != chain.Precommit || in.Block != nil {
		t.Fatalf("vote: %+v %v", in, err)
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

// TestConsensusGossipIsCheckedBeforeItIsTaken: the consensus topic's
// validator accepts only what validators signed, at heights near the head,
// and rejects (blaming the sender) what no validator signed.
func TestConsensusGossipIsCheckedBeforeItIsTaken(t *testing.T) {
	n, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	chainID := n.Chain().ChainID()
	key := chain.DevnetValidatorKey()
	self := n.Validator().Address
	hash := common.Hash{7}

	signed := func(k ed25519.PrivateKey, proposer common.Address) engine.Message {
		p := &engine.Proposal{Height: 1, POLRound: -1, BlockHash: hash, Proposer: proposer}
		p.Signature = ed25519.Sign(k, p.SignBytes(chainID))
		return engine.Message{Proposal: p}
	}
	vote := func(h uint64, k ed25519.PrivateKey) *chain.Vote {
		v := &chain.Vote{Type: chain.Precommit, Height: h, BlockHash: hash, Validator: self}
		v.Sign(chainID, k)
		return v
	}
	_, stranger, _ := ed25519.GenerateKey(nil)
	precommit := vote(1, key)
	good := &chain.Commit{Height: 1, BlockHash: hash, Signatures: []chain.CommitSig{{Validator: self, Signature: precommit.Signature}}}
	forged := &chain.Commit{Height: 1, BlockHash: hash, Signatures: []chain.CommitSig{{Validator: self, Signature: make([]byte, 64)}}}
	polOK := &engine.POL{Height: 1, BlockHash: hash, Votes: []chain.CommitSig{{Validator: self, Signature: prevoteSig(t, chainID, key, self, hash)}}}
	polBad := &engine.POL{Height: 1, BlockHash: hash, Votes: []chain.CommitSig{{Validator: self, Signature: precommit.Signature}}}

	for name, tc := range map[string]struct {
		m    engine.Message
		want transport.Verdict
	}{
		"proposal by the validator":       {signed(key, self), transport.Accept},
		"proposal signed by a stranger":   {signed(stranger, self), transport.Reject},
		"proposal by a non-validator":     {signed(stranger, common.HexToAddress("0x99")), transport.Reject},
		"commit of the validator set":     {engine.Message{Commit: good}, transport.Accept},
		"commit with a forged signature":  {engine.Message{Commit: forged}, transport.Reject},
		"vote of the validator":           {engine.Message{Vote: precommit}, transport.Accept},
		"vote signed by a stranger":       {engine.Message{Vote: vote(1, stranger)}, transport.Reject},
		"vote far above the head":         {engine.Message{Vote: vote(gossipHeightsAhead+5, key)}, transport.Ignore},
		"proof of lock of the prevotes":   {engine.Message{POL: polOK}, transport.Accept},
		"proof of lock of other messages": {engine.Message{POL: polBad}, transport.Reject},
	} {
		data, err := encodeWire(tc.m, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, dec := n.validateConsensus("peer", data)
		if got != tc.want {
			t.Errorf("%s: %s, want %s", name, got, tc.want)
		}
		if in, ok := dec.(*inbound); (got == transport.Accept) != ok || (ok && in.Msg.String() != tc.m.String()) {
			t.Errorf("%s: decoded %v", name, dec)
		}
	}
	if got, _ := n.validateConsensus("peer", []byte("{not json")); got != transport.Reject {
		t.Errorf("garbage: %s, want reject", got)
	}
}

func prevoteSig(t *testing.T, chainID *big.Int, key ed25519.PrivateKey, self common.Address, hash common.Hash) []byte {
	t.Helper()
	v := &chain.Vote{Type: chain.Prevote, Height: 1, BlockHash: hash, Validator: self}
	v.Sign(chainID, key)
	return v.Signature
}
