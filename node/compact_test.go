package node

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// transfers signs n transfers from key, nonces 0..n-1.
func transfers(t testing.TB, chainID *big.Int, key *ecdsa.PrivateKey, n int) []*types.Transaction {
	t.Helper()
	signer := types.LatestSignerForChainID(chainID)
	to := common.HexToAddress("0xc0ffee")
	out := make([]*types.Transaction, n)
	for i := range out {
		tx, err := types.SignNewTx(key, signer, &types.DynamicFeeTx{
			ChainID: chainID, Nonce: uint64(i), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(5e9),
			Gas: 21000, To: &to, Value: big.NewInt(int64(i + 1)),
		})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = tx
	}
	return out
}

// blockOf is a block whose header commits to txs (other fields do not
// matter to the compact encoding).
func blockOf(txs []*types.Transaction) *chain.Block {
	return &chain.Block{Header: &chain.Header{Height: 3, TxRoot: chain.TxRoot(txs), BaseFee: big.NewInt(1)}, Txs: txs}
}

func TestCompactProposalRoundTripsAndFillsFromKnownTransactions(t *testing.T) {
	txs := transfers(t, big.NewInt(7777), devKey0, 40)
	b := blockOf(txs)
	prop := proposalFor(b)
	data, err := encodeWire(prop, b)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := b.MarshalBinary()
	if len(data) >= len(full) {
		t.Fatalf("compact proposal is %d bytes, the block alone %d", len(data), len(full))
	}
	in, err := decodeWire(data)
	if err != nil || in.Compact == nil || in.Block != nil {
		t.Fatalf("decode: %+v %v", in, err)
	}
	// The mempool knows all but three, and some it should not match.
	known := append([]*types.Transaction{}, txs[3:]...)
	known = append(known, transfers(t, big.NewInt(7777), otherKey(t), 5)...)
	f := in.Compact.startFill(known)
	if len(f.missing) != 3 || f.missing[0] != 0 || f.missing[2] != 2 {
		t.Fatalf("missing %v, want [0 1 2]", f.missing)
	}
	if _, err := f.block(); err == nil {
		t.Fatal("an incomplete fill made a block")
	}
	raw := encodeTxs(t, txs[:3])
	if err := f.add([]uint32{0, 1, 2}, [][]byte{raw[1], raw[0], raw[2]}); err == nil {
		t.Fatal("transactions in the wrong places were taken")
	}
	f = in.Compact.startFill(known)
	if err := f.add(f.missing, raw); err != nil {
		t.Fatal(err)
	}
	got, err := f.block()
	if err != nil || got.Hash() != b.Hash() || len(got.Txs) != len(txs) {
		t.Fatalf("filled block: %v", err)
	}
	// A small proposal goes whole.
	small := blockOf(txs[:compactMinTxs])
	data, _ = encodeWire(proposalFor(small), small)
	if in, err := decodeWire(data); err != nil || in.Block == nil || in.Compact != nil {
		t.Fatalf("small proposal: %+v %v", in, err)
	}
}

func TestCompactProposalWithTamperedIDsIsRefused(t *testing.T) {
	b := blockOf(transfers(t, big.NewInt(7777), devKey0, 12))
	w, err := compactOf(b)
	if err != nil {
		t.Fatal(err)
	}
	w.IDs = w.IDs[:len(w.IDs)-3]
	if _, err := decodeCompact(w, b.Hash()); err == nil {
		t.Fatal("short IDs of a ragged length decoded")
	}
	w, _ = compactOf(b)
	if _, err := decodeCompact(w, common.Hash{1}); err == nil {
		t.Fatal("a skeleton of another block decoded")
	}
}

// TestFetchMissingAsksPeersAndBlamesAWrongAnswer: the transactions a
// mempool lacks come from the peer that sent the proposal or, if it
// answers wrongly, from another, and the wrong one is scored down.
func TestFetchMissingAsksPeersAndBlamesAWrongAnswer(t *testing.T) {
	txs := transfers(t, big.NewInt(7777), devKey0, 20)
	b := blockOf(txs)
	hub := transport.NewHub()
	liar := &txServer{blocks: map[common.Hash]*chain.Block{b.Hash(): blockOf(transfers(t, big.NewInt(7777), otherKey(t), 20))}}
	honest := &txServer{blocks: map[common.Hash]*chain.Block{b.Hash(): b}}
	if _, err := hub.Join("liar", liar); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.Join("honest", honest); err != nil {
		t.Fatal(err)
	}
	n := follower(t)
	tr, err := hub.Join("me", n)
	if err != nil {
		t.Fatal(err)
	}
	d := &bftEngine{n: n, tr: tr}
	w, _ := compactOf(b)
	c, err := decodeCompact(w, b.Hash())
	if err != nil {
		t.Fatal(err)
	}
	f := c.startFill(txs[5:])
	got, err := d.fetchMissing(context.Background(), "liar", b.Hash(), f)
	if err != nil || got.Hash() != b.Hash() {
		t.Fatalf("fill: %v", err)
	}
	if hub.Penalties("me", "liar") == 0 || hub.Penalties("me", "honest") != 0 {
		t.Fatalf("penalties: liar %d, honest %d", hub.Penalties("me", "liar"), hub.Penalties("me", "honest"))
	}
	if st := n.WireStats(); st.TxsFetched != 5 {
		t.Fatalf("wire stats %+v, want 5 fetched", st)
	}
}

// txServer is a peer that answers only transaction requests.
type txServer struct{ blocks map[common.Hash]*chain.Block }

func (s *txServer) Status() transport.Status { return transport.Status{} }

func (s *txServer) FinalizedBlock(uint64) (*chain.Block, *chain.Commit, error) {
	return nil, nil, errors.New("no blocks here")
}

func (s *txServer) ProposalTxs(h common.Hash, idx []uint32) ([][]byte, error) {
	b := s.blocks[h]
	if b == nil {
		return nil, errors.New("unknown block")
	}
	var out [][]byte
	for _, i := range idx {
		raw, _ := b.Txs[i].MarshalBinary()
		out = append(out, raw)
	}
	return out, nil
}

func proposalFor(b *chain.Block) engineMessage {
	return engineMessage{Proposal: &engineProposal{Height: b.Height(), POLRound: -1, BlockHash: b.Hash()}}
}

func encodeTxs(t testing.TB, txs []*types.Transaction) [][]byte {
	t.Helper()
	var out [][]byte
	for _, tx := range txs {
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

func otherKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.HexToECDSA("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type (
	engineMessage  = engine.Message
	engineProposal = engine.Proposal
)

// TestFourValidatorsSendBusyProposalsCompact: transactions submitted to
// one validator reach the others by gossip, so the busy proposals that
// carry them travel compact and are filled in from the receivers' pools.
func TestFourValidatorsSendBusyProposalsCompact(t *testing.T) {
	tn := newTestNet(t)
	all := []int{0, 1, 2, 3}
	tn.waitHeight(1, all...)
	txs := transfers(t, tn.nodes[0].Chain().ChainID(), devKey0, 200)
	for _, tx := range txs {
		if err := tn.nodes[2].Pool().Add(tx); err != nil {
			t.Fatal(err)
		}
	}
	last := txs[len(txs)-1]
	for _, i := range all {
		waitFor(t, tn.subs[i], "all transfers included", func() bool {
			l, err := tn.nodes[i].Chain().Transaction(last.Hash())
			return err == nil && l != nil
		})
	}
	var sent, full, filled, fromPool uint64
	for _, n := range tn.nodes {
		st := n.WireStats()
		sent += st.ProposalBytes
		full += st.ProposalFullBytes
		filled += st.CompactReceived
		fromPool += st.TxsFromMempool
	}
	if filled == 0 || fromPool == 0 || sent >= full {
		t.Fatalf("compact proposals: %d received, %d transactions from pools, %d bytes sent for %d whole", filled, fromPool, sent, full)
	}
	tn.checkAgreement()
}

// BenchmarkCompactProposal5000 reports the bytes on the wire of a
// proposal of a 5,000-transfer block sent whole and compact, and the time
// a receiver takes to fill it in from a mempool holding its transactions.
func BenchmarkCompactProposal5000(b *testing.B) {
	txs := transfers(b, big.NewInt(7777), devKey0, 5000)
	blk := blockOf(txs)
	prop := proposalFor(blk)
	compact, err := encodeWire(prop, blk)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := blk.MarshalBinary()
	whole, err := json.Marshal(&wireMsg{Proposal: prop.Proposal, Block: raw})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		in, err := decodeWire(compact)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := in.Compact.startFill(txs).block(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(whole)), "whole-bytes")
	b.ReportMetric(float64(len(compact)), "compact-bytes")
	b.ReportMetric(float64(len(whole))/float64(len(compact)), "saving-x")
}
