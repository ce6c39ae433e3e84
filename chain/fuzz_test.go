package chain

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// fzBlocks are blocks of every shape: a produced devnet block, a header
// with every field set, transactions of each type, a last commit and
// evidence.
func fzBlocks(tb testing.TB) []*Block {
	c := newTestChain(tb)
	to := common.HexToAddress("0x5151")
	b1, _ := produce(tb, c, transfer(tb, c, devKey0, 0, to, 7), legacyTransfer(tb, c, devKey0, 1, to, 8))
	key := DevnetValidatorKey()
	val := c.Validators().Validators[0].Address
	vote := func(typ VoteType, h uint64, r uint32, hash common.Hash) Vote {
		v := Vote{Type: typ, Height: h, Round: r, BlockHash: hash, Validator: val}
		v.Sign(c.ChainID(), key)
		return v
	}
	pc := vote(Precommit, 1, 0, b1.Hash())
	commit := &Commit{Height: 1, BlockHash: b1.Hash(), Signatures: []CommitSig{{Validator: val, Signature: pc.Signature}}}
	al, _ := types.SignNewTx(devKey0, c.Signer(), &types.AccessListTx{ChainID: c.ChainID(), Nonce: 2, GasPrice: big.NewInt(5e9),
		Gas: 30000, To: &to, AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}}}}})
	full := &Block{
		Header: &Header{
			ParentHash: b1.Hash(), Height: 2, Time: b1.Header.Time + 1000, Proposer: val, Round: 3,
			StateRoot: common.Hash{1}, TxRoot: common.Hash{2}, ReceiptRoot: common.Hash{3}, Bloom: types.Bloom{4, 5},
			GasLimit: 30_000_000, GasUsed: 21000, BaseFee: big.NewInt(875_000_000),
			VRFOutput: bytes.Repeat([]byte{6}, 64), VRFProof: bytes.Repeat([]byte{7}, 80),
			ValidatorsHash: c.Validators().Hash(), LastCommitHash: CommitHash(commit),
		},
		Txs:        append(append([]*types.Transaction(nil), b1.Txs...), al),
		LastCommit: commit,
		Evidence:   []Evidence{{VoteA: vote(Prevote, 1, 0, common.Hash{1}), VoteB: vote(Prevote, 1, 0, common.Hash{2})}},
	}
	full.Header.EvidenceHash = EvidenceHash(full.Evidence)
	genesis, err := c.BlockByHeight(0)
	if err != nil {
		tb.Fatal(err)
	}
	return []*Block{genesis, b1, full, {Header: &Header{}}}
}

// FuzzBlockBinary decodes blocks as peers send them (proposals, block
// sync, WAL). An accepted encoding is canonical: it re-encodes to the same
// bytes, and decodes again to the same block. A rejected one leaves the
// block decoded into untouched.
func FuzzBlockBinary(f *testing.F) {
	for _, b := range fzBlocks(f) {
		raw, err := b.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		f.Add(raw[:len(raw)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{0xc0})
	f.Add([]byte{0xc4, 0xc0, 0xc0, 0xc0, 0xc0})
	f.Add([]byte{0xc4, 0x80, 0xc0, 0xc0, 0xc0})
	sentinel := &Block{Header: &Header{Height: 42, BaseFee: big.NewInt(1)}}
	sentinelRaw, _ := sentinel.MarshalBinary()
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &Block{Header: sentinel.Header.Copy()}
		if err := b.UnmarshalBinary(data); err != nil {
			if got, _ := b.MarshalBinary(); !bytes.Equal(got, sentinelRaw) || b.Txs != nil || b.LastCommit != nil {
				t.Fatalf("rejected block (%v) changed the block decoded into", err)
			}
			return
		}
		if b.Header == nil {
			t.Fatal("accepted a block without a header")
		}
		enc, err := b.MarshalBinary()
		if err != nil {
			t.Fatalf("accepted block does not encode: %v", err)
		}
		if !bytes.Equal(enc, data) {
			t.Fatalf("round trip changed the encoding:\n in  %x\n out %x", data, enc)
		}
		var again Block
		if err := again.UnmarshalBinary(enc); err != nil {
			t.Fatalf("re-encoded block does not decode: %v", err)
		}
		if again.Hash() != b.Hash() || len(again.Txs) != len(b.Txs) || (again.LastCommit == nil) != (b.LastCommit == nil) ||
			CommitHash(again.LastCommit) != CommitHash(b.LastCommit) || EvidenceHash(again.Evidence) != EvidenceHash(b.Evidence) {
			t.Fatal("decoding twice gave different blocks")
		}
		for i, tx := range b.Txs {
			if again.Txs[i].Hash() != tx.Hash() {
				t.Fatalf("transaction %d changed", i)
			}
		}
		_ = TxRoot(b.Txs)
		_ = b.Header.Copy().Hash()
		_ = b.Header.Random()
	})
}

// FuzzConsensusRLP decodes the input as each consensus object that
// travels in RLP: a vote, a commit (block sync sends one per block) and
// evidence. Whatever decodes is canonical and survives a round trip;
// checking its signatures against the devnet set never panics, and a
// commit that verifies keeps verifying after a round trip.
func FuzzConsensusRLP(f *testing.F) {
	g := Devnet()
	set, chainID := g.ValidatorSet(), g.ChainIDBig()
	key := DevnetValidatorKey()
	val := set.Validators[0].Address
	hash := common.HexToHash("0xb10c")
	v := &Vote{Type: Precommit, Height: 9, Round: 1, BlockHash: hash, Validator: val}
	v.Sign(chainID, key)
	pv := &Vote{Type: Prevote, Height: 9, Round: 1, BlockHash: common.Hash{}, Validator: val}
	pv.Sign(chainID, key)
	commit := &Commit{Height: 9, Round: 1, BlockHash: hash, Signatures: []CommitSig{{Validator: val, Signature: v.Signature}}}
	for _, obj := range []any{v, pv, commit, &Commit{}, &Evidence{VoteA: *v, VoteB: *pv}, []Evidence{{VoteA: *v, VoteB: *pv}},
		&Commit{Height: 1, Signatures: []CommitSig{{}, {Validator: val}}}} {
		raw, err := rlp.EncodeToBytes(obj)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte{0xc0})
	f.Add([]byte{0xc1, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		var vote Vote
		if rlp.DecodeBytes(data, &vote) == nil {
			fzCanonical(t, data, &vote, new(Vote))
			_ = vote.Verify(chainID, set.Validators[0].PubKey)
			_ = vote.Verify(chainID, ed25519.PublicKey(vote.Signature))
			if !bytes.Equal(vote.SignBytes(chainID), vote.SignBytes(chainID)) {
				t.Fatal("sign bytes are not deterministic")
			}
			_ = vote.Type.String()
		}
		var c Commit
		if rlp.DecodeBytes(data, &c) == nil {
			var back Commit
			fzCanonical(t, data, &c, &back)
			if CommitHash(&c) != CommitHash(&back) {
				t.Fatal("commit hash changed through a round trip")
			}
			err := c.Verify(chainID, set, c.Height, c.BlockHash)
			if err2 := back.Verify(chainID, set, back.Height, back.BlockHash); (err == nil) != (err2 == nil) {
				t.Fatalf("verification changed through a round trip: %v, then %v", err, err2)
			}
			if err == nil && (len(c.Signatures) == 0 || !set.HasQuorum(set.ByAddress(c.Signatures[0].Validator).Power)) {
				t.Fatal("a commit without a quorum verified")
			}
			for i := range c.Signatures {
				if cv := c.Vote(i); cv.Type != Precommit || cv.Height != c.Height || cv.BlockHash != c.BlockHash {
					t.Fatalf("signature %d reads as %v", i, cv)
				}
			}
		}
		var ev Evidence
		if rlp.DecodeBytes(data, &ev) == nil {
			fzCanonical(t, data, &ev, new(Evidence))
		}
		var evs []Evidence
		if rlp.DecodeBytes(data, &evs) == nil {
			var back []Evidence
			fzCanonical(t, data, &evs, &back)
			if EvidenceHash(evs) != EvidenceHash(back) {
				t.Fatal("evidence hash changed through a round trip")
			}
		}
	})
}

// fzCanonical checks that v, decoded from data, encodes to data again and
// that the encoding decodes into back.
func fzCanonical(t *testing.T, data []byte, v, back any) {
	t.Helper()
	enc, err := rlp.EncodeToBytes(v)
	if err != nil {
		t.Fatalf("%T decoded but does not encode: %v", v, err)
	}
	if !bytes.Equal(enc, data) {
		t.Fatalf("%T round trip changed the encoding:\n in  %x\n out %x", v, data, enc)
	}
	if err := rlp.DecodeBytes(enc, back); err != nil {
		t.Fatalf("%T re-encoding does not decode: %v", v, err)
	}
}

// fzGenesisFour is a genesis with four validators, an operator address,
// contract code, storage and a nonce in the alloc.
func fzGenesisFour() *Genesis {
	g := Devnet()
	g.ChainID = 4242
	g.Validators = nil
	for i := 0; i < 4; i++ {
		pub := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32)).Public().(ed25519.PublicKey)
		v := GenesisValidator{PubKey: []byte(pub), Stake: NewBigInt(CRN(int64(10 * (i + 1)))), Name: "v"}
		if i == 2 {
			v.Address = common.HexToAddress("0xabc")
		}
		g.Validators = append(g.Validators, v)
	}
	g.Alloc[common.HexToAddress("0xc0de")] = GenesisAccount{Balance: NewBigInt(big.NewInt(0)), Nonce: 1,
		Code: []byte{0x60, 0x00}, Storage: map[common.Hash]common.Hash{{1}: {2}}}
	g.Params.MinBaseFee = NewBigInt(big.NewInt(0))
	g.Params.Staking.MinSelfStake = NewBigInt(CRN(10))
	return g
}

// FuzzParseGenesis parses genesis files. An accepted genesis validates,
// survives Marshal and ParseGenesis unchanged (same JSON, same genesis
// block), builds its genesis block, and gives every validator the voting
// power its stake buys, in a set whose power adds up without overflow and
// has a quorum.
func FuzzParseGenesis(f *testing.F) {
	// Small documents: the fuzzer minimizes what it finds, byte by byte.
	small := Devnet()
	small.Alloc = map[common.Address]GenesisAccount{DevnetAccounts[0]: small.Alloc[DevnetAccounts[0]]}
	four := fzGenesisFour()
	four.Alloc = map[common.Address]GenesisAccount{common.HexToAddress("0xc0de"): four.Alloc[common.HexToAddress("0xc0de")]}
	for _, g := range []*Genesis{small, four} {
		data, err := json.Marshal(g)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	good, _ := json.Marshal(small)
	for _, edit := range [][2]string{
		{`"chainId":7777`, `"chainId":0`},
		{`"stake":"1000000000000000000000000"`, `"stake":"0x10"`},
		{`"balance":"1000000000000000000000000"`, `"balance":12345`},
		{`"pubKey":"0x`, `"pubKey":"0x00`},
		{`"gasLimit":600000000`, `"gasLimit":100`},
	} {
		bad := strings.Replace(string(good), edit[0], edit[1], 1)
		if bad == string(good) {
			f.Fatalf("seed edit %q does not apply", edit[0])
		}
		f.Add([]byte(bad))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGenesis(data)
		if err != nil {
			if g != nil {
				t.Fatal("a rejected genesis was returned")
			}
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("accepted genesis does not validate: %v", err)
		}
		enc, err := g.Marshal()
		if err != nil {
			t.Fatalf("accepted genesis does not encode: %v", err)
		}
		back, err := ParseGenesis(enc)
		if err != nil {
			t.Fatalf("re-encoded genesis is refused: %v\n%s", err, enc)
		}
		enc2, _ := back.Marshal()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("genesis changed through a round trip:\n%s\n%s", enc, enc2)
		}
		set := g.ValidatorSet()
		var total uint64
		for i, v := range g.Validators {
			power := new(big.Int).Div(v.Stake.Int(), PowerUnit)
			if !power.IsUint64() || power.Uint64() == 0 {
				t.Fatalf("validators[%d]: stake %s buys %s voting power, which does not fit the set", i, v.Stake.Int(), power)
			}
			if total+power.Uint64() < total {
				t.Fatal("the validators' voting power overflows")
			}
			total += power.Uint64()
			if got := set.ByAddress(v.OperatorAddress()); got == nil || got.Power != power.Uint64() {
				t.Fatalf("validators[%d] is not in the set with power %s", i, power)
			}
		}
		if set.TotalPower() != total || total > math.MaxUint64/3 || !set.HasQuorum(total) {
			t.Fatalf("validator set of total power %d (sum %d) has no quorum of its own", set.TotalPower(), total)
		}
		b1, err := GenesisBlock(g)
		if err != nil {
			t.Fatalf("accepted genesis has no genesis block: %v", err)
		}
		b2, err := GenesisBlock(back)
		if err != nil || b1.Hash() != b2.Hash() {
			t.Fatalf("genesis block changed through a round trip (%v)", err)
		}
	})
}
