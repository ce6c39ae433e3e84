package node

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"reflect"
	"testing"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/mempool"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// fzKey is the first devnet account's (public) key.
var fzKey, _ = crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

// fzFollower is a devnet node that is not started: its chain, pool and
// gossip validators work, nothing runs.
func fzFollower(f *testing.F) *Node {
	n, err := New(Config{Home: f.TempDir(), Genesis: chain.Devnet()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { n.Close() })
	return n
}

// fzTransfers signs n devnet transfers from key, nonces first.. on.
func fzTransfers(tb testing.TB, key *ecdsa.PrivateKey, chainID *big.Int, first uint64, n int) []*types.Transaction {
	signer := types.LatestSignerForChainID(chainID)
	to := common.HexToAddress("0xc0ffee")
	out := make([]*types.Transaction, n)
	for i := range out {
		tx, err := types.SignNewTx(key, signer, &types.DynamicFeeTx{
			ChainID: chainID, Nonce: first + uint64(i), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(5e9),
			Gas: 21000, To: &to, Value: big.NewInt(int64(i + 1)),
		})
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = tx
	}
	return out
}

// fzBlock is a block at height 1 of the devnet whose header commits to txs.
func fzBlock(txs []*types.Transaction) *chain.Block {
	return &chain.Block{Header: &chain.Header{Height: 1, Time: 1767225601000, TxRoot: chain.TxRoot(txs),
		BaseFee: big.NewInt(1e9), VRFOutput: bytes.Repeat([]byte{1}, 64)}, Txs: txs}
}

// fzSigned are consensus messages the devnet validator signed, about b.
func fzSigned(b *chain.Block) []engine.Message {
	g := chain.Devnet()
	key, id := chain.DevnetValidatorKey(), g.ChainIDBig()
	self := g.ValidatorSet().Validators[0].Address
	hash := b.Hash()
	prop := &engine.Proposal{Height: 1, POLRound: -1, BlockHash: hash, Proposer: self}
	prop.Signature = ed25519.Sign(key, prop.SignBytes(id))
	vote := func(typ chain.VoteType, h common.Hash) *chain.Vote {
		v := &chain.Vote{Type: typ, Height: 1, BlockHash: h, Validator: self}
		v.Sign(id, key)
		return v
	}
	pc, pv := vote(chain.Precommit, hash), vote(chain.Prevote, hash)
	return []engine.Message{
		{Proposal: prop},
		{Vote: pc},
		{Vote: vote(chain.Prevote, common.Hash{})},
		{Commit: &chain.Commit{Height: 1, BlockHash: hash, Signatures: []chain.CommitSig{{Validator: self, Signature: pc.Signature}}}},
		{POL: &engine.POL{Height: 1, BlockHash: hash, Votes: []chain.CommitSig{{Validator: self, Signature: pv.Signature}}}},
	}
}

// fzJSON is the JSON of v, for comparing decoded values.
func fzJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%T does not encode: %v", v, err)
	}
	return string(data)
}

// fzCheckInbound checks a decoded consensus message's shape: one message,
// and a block (whole or compact) only with a proposal or a commit, the one
// it names.
func fzCheckInbound(t *testing.T, in *inbound) {
	t.Helper()
	n := 0
	for _, set := range []bool{in.Msg.Proposal != nil, in.Msg.Vote != nil, in.Msg.Commit != nil, in.Msg.POL != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("decoded %d messages in one", n)
	}
	var want common.Hash
	switch {
	case in.Msg.Proposal != nil:
		want = in.Msg.Proposal.BlockHash
	case in.Msg.Commit != nil && in.Compact == nil:
		want = in.Msg.Commit.BlockHash
	default:
		if in.Block != nil || in.Compact != nil {
			t.Fatalf("a %s carries a block", in.Msg)
		}
	}
	switch {
	case in.Block != nil && in.Compact != nil:
		t.Fatal("a block both whole and compact")
	case in.Block != nil:
		if in.Block.Header == nil || in.Block.Hash() != want {
			t.Fatal("carried block is not the one named")
		}
	case in.Compact != nil:
		if in.Compact.skeleton.Hash() != want || len(in.Compact.skeleton.Txs) != 0 || len(in.Compact.ids) > maxCompactTxs {
			t.Fatal("compact block is not the one named, or carries transactions")
		}
	}
}

// FuzzDecodeWire feeds consensus gossip to decodeWire and to the node's
// topic validator. A decoded message has the shape decodeWire promises,
// re-encodes to a message that decodes to the same, and is what the
// validator hands on when it accepts; undecodable data is rejected. An
// accepted message's signatures are the devnet validator's.
func FuzzDecodeWire(f *testing.F) {
	n := fzFollower(f)
	small := fzBlock(fzTransfers(f, fzKey, big.NewInt(chain.DevnetChainID), 0, 2))
	busy := fzBlock(fzTransfers(f, fzKey, big.NewInt(chain.DevnetChainID), 0, compactMinTxs+2))
	for _, b := range []*chain.Block{small, busy} {
		for _, m := range fzSigned(b) {
			var body *chain.Block
			if m.Proposal != nil || m.Commit != nil {
				body = b
			}
			for _, blk := range []*chain.Block{nil, body} {
				data, err := encodeWire(m, blk)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"vote":{},"commit":{}}`))
	f.Add([]byte(`{"proposal":{"POLRound":-1},"block":"0x"}`))
	f.Add([]byte(`{"proposal":{"POLRound":-1},"compact":{"skeleton":"0xc4c0c0c0c0","ids":"0x0001"}}`))
	f.Add([]byte(`{"commit":{"Signatures":[{"Validator":"0x0000000000000000000000000000000000000001","Signature":"AQ=="}]},"compact":{"skeleton":"0x","ids":"0x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := decodeWire(data)
		verdict, payload := n.validateConsensus("fuzz", data)
		if err != nil {
			if verdict != transport.Reject || payload != nil {
				t.Fatalf("undecodable message (%v) got %s", err, verdict)
			}
			return
		}
		fzCheckInbound(t, in)
		switch verdict {
		case transport.Accept:
			got, ok := payload.(*inbound)
			if !ok || fzJSON(t, got.Msg) != fzJSON(t, in.Msg) {
				t.Fatalf("validator accepted and handed on %#v", payload)
			}
			if err := verifySignatures(n.Chain(), in.Msg); err != nil {
				t.Fatalf("accepted a message whose signatures do not verify: %v", err)
			}
			h, head := in.Msg.Height(), n.Chain().Head().Height()
			if h+gossipHeightsBehind < head || h > head+gossipHeightsAhead {
				t.Fatalf("accepted a message at height %d, head %d", h, head)
			}
		case transport.Ignore, transport.Reject:
			if payload != nil {
				t.Fatalf("%s with a payload", verdict)
			}
		default:
			t.Fatalf("verdict %v", verdict)
		}

		// Round trip: what decoded encodes to a message that decodes to
		// the same message and block.
		var again *inbound
		switch {
		case in.Compact != nil:
			w, err := compactOf(in.Compact.skeleton)
			if err != nil {
				t.Fatal(err)
			}
			w.IDs = make([]byte, 8*len(in.Compact.ids))
			for i, id := range in.Compact.ids {
				binary.LittleEndian.PutUint64(w.IDs[8*i:], id)
			}
			re, err := json.Marshal(&wireMsg{Proposal: in.Msg.Proposal, Commit: in.Msg.Commit, Compact: w})
			if err != nil {
				t.Fatal(err)
			}
			if again, err = decodeWire(re); err != nil {
				t.Fatalf("re-encoded compact message does not decode: %v", err)
			}
			if again.Compact == nil || !reflect.DeepEqual(again.Compact.ids, in.Compact.ids) ||
				again.Compact.skeleton.Hash() != in.Compact.skeleton.Hash() {
				t.Fatal("compact block changed through a round trip")
			}
		default:
			re, err := encodeWire(in.Msg, in.Block)
			if err != nil {
				t.Fatalf("decoded message does not encode: %v", err)
			}
			if again, err = decodeWire(re); err != nil {
				t.Fatalf("re-encoded message does not decode: %v\n%s", err, re)
			}
			if in.Block != nil {
				var got common.Hash
				switch {
				case again.Block != nil:
					got = again.Block.Hash()
				case again.Compact != nil:
					got = again.Compact.skeleton.Hash()
				}
				if got != in.Block.Hash() {
					t.Fatal("block changed through a round trip")
				}
			} else if again.Block != nil || again.Compact != nil {
				t.Fatal("a block appeared through a round trip")
			}
		}
		if fzJSON(t, again.Msg) != fzJSON(t, in.Msg) {
			t.Fatalf("message changed through a round trip:\n%s\n%s", fzJSON(t, in.Msg), fzJSON(t, again.Msg))
		}
	})
}

// FuzzTxBatch feeds transaction gossip to decodeTxBatch and the node's
// topic validator. A decoded batch is canonical RLP. Undecodable, empty
// and oversized batches are rejected; a batch is accepted only when it
// admitted something, and ignored only when it changed nothing. What a
// batch admitted is removed again so every input meets the same pool.
func FuzzTxBatch(f *testing.F) {
	n := fzFollower(f)
	id := big.NewInt(chain.DevnetChainID)
	txs := fzTransfers(f, fzKey, id, 0, 3)
	other := fzTransfers(f, fzKey, big.NewInt(1), 0, 1)[0]
	batch := func(txs ...*types.Transaction) []byte {
		var raws [][]byte
		for _, tx := range txs {
			raw, err := tx.MarshalBinary()
			if err != nil {
				f.Fatal(err)
			}
			raws = append(raws, raw)
		}
		data, err := rlp.EncodeToBytes(raws)
		if err != nil {
			f.Fatal(err)
		}
		return data
	}
	f.Add(batch(txs...))
	f.Add(batch(txs[0]))
	f.Add(batch(txs[1], other))
	f.Add(batch(other, txs[2]))
	f.Add(batch())
	f.Add([]byte{0xc1, 0x80})
	f.Add([]byte{0xde, 0xad})
	f.Fuzz(func(t *testing.T, data []byte) {
		pool := n.Pool()
		before := pool.Stats()
		raws, err := decodeTxBatch(data)
		verdict, payload := n.validateTx("fuzz", data)
		// Take out what this batch admitted.
		admitted := 0
		for _, raw := range raws {
			tx := new(types.Transaction)
			if tx.UnmarshalBinary(raw) == nil && pool.Remove(tx.Hash(), "fuzz") {
				admitted++
			}
		}
		if err == nil {
			if enc, _ := rlp.EncodeToBytes(raws); !bytes.Equal(enc, data) {
				t.Fatalf("batch round trip changed the encoding:\n in  %x\n out %x", data, enc)
			}
		}
		switch verdict {
		case transport.Reject:
			if err == nil && len(raws) > 0 && len(raws) <= txBatchMax {
				// Decoded and of a good size: some transaction in it must
				// be one no node would admit.
				bad := false
				for _, raw := range raws {
					if _, aerr := pool.AddRawFrom(raw, mempool.Remote); aerr != nil {
						if rej, ok := mempool.IsReject(aerr); ok && neverAdmissible(rej.Reason) {
							bad = true
						}
					} else {
						tx := new(types.Transaction)
						_ = tx.UnmarshalBinary(raw)
						pool.Remove(tx.Hash(), "fuzz")
					}
				}
				if !bad {
					t.Fatal("a batch of admissible transactions was rejected")
				}
			}
		case transport.Accept:
			if err != nil || payload != admitted || admitted == 0 {
				t.Fatalf("accepted: payload %v, %d admitted (%v)", payload, admitted, err)
			}
		case transport.Ignore:
			if err != nil || admitted != 0 {
				t.Fatalf("ignored, yet %d admitted (%v)", admitted, err)
			}
		}
		if after := pool.Stats(); after != before {
			t.Fatalf("pool %+v after removing what the batch admitted, %+v before", after, before)
		}
	})
}

// FuzzDecodeCompact decodes compact proposals and fills them: from the
// pool's transactions, then with fetched ones for what is missing. A
// decoded compact block names the block asked for and holds no
// transactions; a filled block matches its header's transaction root and
// the short IDs, index by index.
func FuzzDecodeCompact(f *testing.F) {
	id := big.NewInt(chain.DevnetChainID)
	txs := fzTransfers(f, fzKey, id, 0, compactMinTxs+3)
	known := txs[2:]
	for _, b := range []*chain.Block{fzBlock(txs), fzBlock(txs[:1]), fzBlock(nil)} {
		w, err := compactOf(b)
		if err != nil {
			f.Fatal(err)
		}
		var fetched [][]byte
		for _, tx := range b.Txs[:min(2, len(b.Txs))] {
			raw, _ := tx.MarshalBinary()
			fetched = append(fetched, raw)
		}
		fraw, _ := rlp.EncodeToBytes(fetched)
		f.Add([]byte(w.Skeleton), []byte(w.IDs), fraw, true)
		f.Add([]byte(w.Skeleton), []byte(w.IDs[:len(w.IDs)/2]), []byte{0xc0}, false)
	}
	f.Add([]byte{0xc4, 0xc0, 0xc0, 0xc0, 0xc0}, []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{0xc1, 0x80}, true)
	f.Fuzz(func(t *testing.T, skeleton, ids, fetchedRLP []byte, ownHash bool) {
		want := common.HexToHash("0xb10c")
		if ownHash {
			var b chain.Block
			if b.UnmarshalBinary(skeleton) == nil {
				want = b.Hash()
			}
		}
		c, err := decodeCompact(&wireCompact{Skeleton: skeleton, IDs: ids}, want)
		if err != nil {
			return
		}
		if c.skeleton.Hash() != want || len(c.skeleton.Txs) != 0 || len(c.ids)*8 != len(ids) || len(c.ids) > maxCompactTxs {
			t.Fatal("decoded compact block breaks its promises")
		}
		for i, v := range c.ids {
			if binary.LittleEndian.Uint64(ids[8*i:]) != v {
				t.Fatalf("short ID %d reads as %x", i, v)
			}
		}
		fl := c.startFill(known)
		if len(fl.missing) > len(c.ids) {
			t.Fatal("more missing than listed")
		}
		var fetched [][]byte
		if rlp.DecodeBytes(fetchedRLP, &fetched) != nil {
			return
		}
		if err := fl.add(fl.missing, fetched); err != nil {
			return
		}
		b, err := fl.block()
		if err != nil {
			return
		}
		if chain.TxRoot(b.Txs) != b.Header.TxRoot || b.Hash() != want || len(b.Txs) != len(c.ids) {
			t.Fatal("filled block does not match its header")
		}
		k0, k1 := shortIDKeys(b)
		for i, tx := range b.Txs {
			if shortID(k0, k1, tx) != c.ids[i] {
				t.Fatalf("transaction %d does not have the short ID listed", i)
			}
		}
	})
}

// fzEntryOf is the WAL entry a decoded record was written as.
func fzEntryOf(r engine.Record) walEntry {
	if r.Start != nil {
		return startEntry(*r.Start)
	}
	return walEntry{Message: r.Message, Timeout: r.Timeout, Valid: r.Valid, Own: r.Own}
}

// FuzzDecodeWAL decodes consensus WAL records (one per line of the
// input). Every record decodes to one engine record or one block, in
// order; decoding them one by one gives the same as all at once; and each
// decoded record re-encodes to a record that decodes to the same.
func FuzzDecodeWAL(f *testing.F) {
	b := fzBlock(fzTransfers(f, fzKey, big.NewInt(chain.DevnetChainID), 0, 2))
	raw, _ := b.MarshalBinary()
	set := chain.NewValidatorSet([]*chain.Validator{
		{Address: common.HexToAddress("0x0a"), PubKey: make([]byte, 32), Power: 3},
		{Address: common.HexToAddress("0x0b"), PubKey: make([]byte, 32), Power: 4},
	})
	msgs := fzSigned(b)
	var lines [][]byte
	for _, e := range []walEntry{
		startEntry(engine.HeightParams{Height: 1, Validators: set, PrevBeta: []byte{5}}),
		{Block: raw},
		{Message: &msgs[0]},
		{Message: &msgs[3]},
		{Timeout: &engine.TimeoutEvent{Height: 1, Round: 2, Step: engine.StepPrevote}},
		{Valid: &engine.Validity{Height: 1, Hash: b.Hash(), OK: true}},
		{Own: &msgs[1]},
	} {
		data, err := encodeWAL(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		lines = append(lines, data)
	}
	f.Add(bytes.Join(lines, []byte{'\n'}))
	f.Add([]byte(`{"start":{"height":1,"validators":[],"prevBeta":"0x"}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		raws := bytes.Split(data, []byte{'\n'})
		recs, blocks, err := decodeWAL(raws)
		var oneRecs []engine.Record
		var oneBlocks []*chain.Block
		var oneErr error
		for _, r := range raws {
			rs, bs, err := decodeWAL([][]byte{r})
			if err != nil {
				oneErr = err
				break
			}
			if len(rs)+len(bs) != 1 {
				t.Fatalf("one record decoded to %d records and %d blocks", len(rs), len(bs))
			}
			oneRecs, oneBlocks = append(oneRecs, rs...), append(oneBlocks, bs...)
		}
		if (err == nil) != (oneErr == nil) {
			t.Fatalf("all at once: %v; one by one: %v", err, oneErr)
		}
		if err != nil {
			return
		}
		if len(recs)+len(blocks) != len(raws) || len(recs) != len(oneRecs) || len(blocks) != len(oneBlocks) {
			t.Fatalf("%d records gave %d records and %d blocks", len(raws), len(recs), len(blocks))
		}
		for i, bl := range blocks {
			if bl.Header == nil || bl.Hash() != oneBlocks[i].Hash() {
				t.Fatalf("block %d differs decoded alone", i)
			}
			enc, err := bl.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			e, err := encodeWAL(walEntry{Block: enc})
			if err != nil {
				t.Fatal(err)
			}
			_, bs, err := decodeWAL([][]byte{e})
			if err != nil || len(bs) != 1 || bs[0].Hash() != bl.Hash() {
				t.Fatalf("block %d does not survive a round trip: %v", i, err)
			}
		}
		for i, r := range recs {
			first := fzJSON(t, fzEntryOf(r))
			if alone := fzJSON(t, fzEntryOf(oneRecs[i])); alone != first {
				t.Fatalf("record %d differs decoded alone:\n%s\n%s", i, first, alone)
			}
			if r.Start != nil {
				var total uint64
				for _, v := range r.Start.Validators.Validators {
					total += v.Power
				}
				if r.Start.Validators.TotalPower() != total {
					t.Fatal("validator set total is not the sum of its powers")
				}
			}
			e, err := encodeWAL(fzEntryOf(r))
			if err != nil {
				t.Fatalf("record %d does not encode: %v", i, err)
			}
			rs, bs, err := decodeWAL([][]byte{e})
			if err != nil || len(rs) != 1 || len(bs) != 0 {
				t.Fatalf("record %d does not survive a round trip: %v", i, err)
			}
			if again := fzJSON(t, fzEntryOf(rs[0])); again != first {
				t.Fatalf("record %d changed through a round trip:\n%s\n%s", i, first, again)
			}
		}
	})
}
