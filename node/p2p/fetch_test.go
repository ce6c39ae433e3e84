package p2p

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/network"
)

func sameBlock(t *testing.T, got transport.BlockWithCommit, want transport.BlockWithCommit) {
	t.Helper()
	if got.Block.Hash() != want.Block.Hash() {
		t.Fatalf("block %d: hash %s, want %s", want.Block.Height(), got.Block.Hash(), want.Block.Hash())
	}
	g, _ := rlp.EncodeToBytes(got.Commit)
	w, _ := rlp.EncodeToBytes(want.Commit)
	if !bytes.Equal(g, w) {
		t.Fatalf("commit %d differs", want.Block.Height())
	}
}

func TestFetchBlocks(t *testing.T) {
	n := newNet(t)
	src := newSource(testGenesis, 70)
	a, b := n.node(Config{Source: src}), n.node(Config{})
	n.connect(b, a)
	waitReady(t, [2]*Transport{a, b})
	ctx := context.Background()

	got, err := b.FetchBlocks(ctx, a.Self(), 66, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("got %d blocks from 66, want 66..70", len(got))
	}
	for i, bc := range got {
		sameBlock(t, bc, src.blocks[66+uint64(i)])
	}
	if got, err := b.FetchBlocks(ctx, a.Self(), 71, 3); err != nil || len(got) != 0 {
		t.Fatalf("past the head: %d blocks, %v", len(got), err)
	}
	if got, err := b.FetchBlocks(ctx, a.Self(), 1, 1000); err != nil || len(got) != maxBlocksPerCall {
		t.Fatalf("asked for 1000: %d blocks, %v", len(got), err)
	}
	if got, err := b.FetchBlocks(ctx, a.Self(), 1, 0); err != nil || got != nil {
		t.Fatalf("asked for none: %d blocks, %v", len(got), err)
	}
	if _, err := b.FetchBlocks(ctx, "garbage", 1, 1); err == nil {
		t.Fatal("a bad peer ID")
	}
	if _, err := b.FetchBlocks(ctx, n.node(Config{}).Self(), 1, 1); err == nil {
		t.Fatal("fetched from a peer that is not connected")
	}
	if tr := b.Bytes()["req/blocks"]; tr.In == 0 || tr.Out == 0 {
		t.Fatalf("blocks traffic %+v", tr)
	}
}

func TestFetchBlockAsksHighestHeadFirst(t *testing.T) {
	n := newNet(t)
	low, high := newSource(testGenesis, 3), newSource(testGenesis, 10)
	// Peers on one chain share its blocks.
	for h := uint64(1); h <= 3; h++ {
		low.blocks[h] = high.blocks[h]
	}
	a, l, h := n.node(Config{}), n.node(Config{Source: low}), n.node(Config{Source: high})
	n.connect(a, l)
	n.connect(a, h)
	waitReady(t, [2]*Transport{a, l}, [2]*Transport{a, h})
	waitFor(t, "heads known", 10*time.Second, func() bool {
		il, _ := peerInfo(a, l)
		ih, _ := peerInfo(a, h)
		return il.Status.Head == 3 && ih.Status.Head == 10
	})
	ctx := context.Background()

	blk, c, err := a.FetchBlock(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	sameBlock(t, transport.BlockWithCommit{Block: blk, Commit: c}, high.blocks[2])
	if low.askedFor(2) != 0 || high.askedFor(2) != 1 {
		t.Fatalf("asked low %d, high %d times", low.askedFor(2), high.askedFor(2))
	}
	if _, _, err := a.FetchBlock(ctx, 8); err != nil {
		t.Fatal(err)
	}
	_, _, err = a.FetchBlock(ctx, 20)
	if !errors.Is(err, transport.ErrNoPeerHasIt) {
		t.Fatalf("a block no one has: %v", err)
	}
	if low.askedFor(20) != 1 || high.askedFor(20) != 1 {
		t.Fatal("not every peer was asked")
	}
}

func TestFetchTxs(t *testing.T) {
	n := newNet(t)
	src := newSource(testGenesis, 0)
	block := common.HexToHash("0xb10c")
	src.proposals[block] = [][]byte{[]byte("tx0"), []byte("tx1"), bytes.Repeat([]byte{7}, 100_000)}
	a, b := n.node(Config{Source: src}), n.node(Config{})
	n.connect(b, a)
	waitReady(t, [2]*Transport{a, b})
	ctx := context.Background()

	got, err := b.FetchTxs(ctx, a.Self(), block, []uint32{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[0], src.proposals[block][2]) || string(got[1]) != "tx0" {
		t.Fatalf("got %d txs", len(got))
	}
	if _, err := b.FetchTxs(ctx, a.Self(), common.HexToHash("0x01"), []uint32{0}); err == nil ||
		!strings.Contains(err.Error(), "not a recent proposal") {
		t.Fatalf("unknown block: %v", err)
	}
	if _, err := b.FetchTxs(ctx, a.Self(), block, []uint32{5}); err == nil {
		t.Fatal("an index past the block's transactions")
	}
	if _, err := b.FetchTxs(ctx, a.Self(), block, make([]uint32, maxTxsPerCall+1)); err == nil {
		t.Fatal("more indices than a request may hold")
	}
	if tr := b.Bytes()["req/txs"]; tr.In < 100_000 {
		t.Fatalf("txs traffic %+v", tr)
	}
}

// rogue replaces a transport's handler of protocol name.
func rogue(tr *Transport, name string, h network.StreamHandler) {
	tr.h.SetStreamHandler(tr.protocolID(name), h)
}

func TestStallingPeer(t *testing.T) {
	n := newNet(t)
	tn := fastTuning
	tn.request = 300 * time.Millisecond
	good := newSource(testGenesis, 5)
	stallSrc := newSource(testGenesis, 50) // claims the highest head
	a := n.node(Config{tuning: &tn})
	s, g := n.node(Config{Source: stallSrc}), n.node(Config{Source: good})
	n.connect(a, s)
	n.connect(a, g)
	waitReady(t, [2]*Transport{a, s}, [2]*Transport{a, g})
	waitFor(t, "heads known", 10*time.Second, func() bool {
		info, _ := peerInfo(a, s)
		return info.Status.Head == 50
	})
	release := make(chan struct{})
	defer close(release)
	stall := func(st network.Stream) {
		_, _ = io.ReadAll(st) // the request
		<-release
		_ = st.Reset()
	}
	rogue(s, protoBlocks, stall)
	rogue(s, protoTxs, stall)

	// The transport's own deadline.
	done := make(chan error, 1)
	go func() { _, err := a.FetchBlocks(context.Background(), s.Self(), 1, 1); done <- err }()
	select {
	case err := <-done:
		if !isDeadline(err) {
			t.Fatalf("stalled fetch: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("FetchBlocks hangs on a stalling peer")
	}
	// The caller's.
	tn2 := fastTuning
	tn2.request = time.Hour
	a2 := n.node(Config{tuning: &tn2})
	n.connect(a2, s)
	waitReady(t, [2]*Transport{a2, s})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := a2.FetchTxs(ctx, s.Self(), common.Hash{}, []uint32{1}); !isDeadline(err) {
		t.Fatalf("stalled txs fetch: %v", err)
	}
	// FetchBlock moves on to the next peer.
	blk, _, err := a.FetchBlock(context.Background(), 4)
	if err != nil {
		t.Fatal(err)
	}
	if blk.Hash() != good.blocks[4].Block.Hash() {
		t.Fatal("wrong block")
	}
}

func TestOversizedAnswerRefused(t *testing.T) {
	n := newNet(t)
	a, r := n.node(Config{}), n.node(Config{})
	n.connect(a, r)
	waitReady(t, [2]*Transport{a, r})
	// A frame that claims 100 MiB, then garbage for as long as it is read.
	huge := func(st network.Stream) {
		_, _ = io.ReadAll(st)
		var hdr [binary.MaxVarintLen64]byte
		k := binary.PutUvarint(hdr[:], 100<<20)
		if _, err := st.Write(hdr[:k]); err != nil {
			return
		}
		junk := make([]byte, 64<<10)
		for {
			if _, err := st.Write(junk); err != nil {
				return
			}
		}
	}
	rogue(r, protoBlocks, huge)
	rogue(r, protoTxs, huge)
	rogue(r, protoStatus, huge)
	rogue(r, protoSnapshot, huge)
	ctx := context.Background()
	if _, err := a.FetchBlocks(ctx, r.Self(), 1, 1); !errors.Is(err, errTooLarge) {
		t.Fatalf("blocks: %v", err)
	}
	if _, err := a.FetchTxs(ctx, r.Self(), common.Hash{}, nil); !errors.Is(err, errTooLarge) {
		t.Fatalf("txs: %v", err)
	}
	if _, err := a.FetchSnapshot(ctx, r.Self(), []byte{1}); !errors.Is(err, errTooLarge) {
		t.Fatalf("snapshot: %v", err)
	}
	if _, err := a.askStatus(ctx, r.self); !errors.Is(err, errTooLarge) {
		t.Fatalf("status: %v", err)
	}
}

func TestOversizedRequestReset(t *testing.T) {
	n := newNet(t)
	a, b := n.node(Config{Source: newSource(testGenesis, 3)}), n.node(Config{})
	n.connect(b, a)
	waitReady(t, [2]*Transport{a, b})
	for _, name := range []string{protoBlocks, protoTxs, protoStatus} {
		st, err := b.h.NewStream(context.Background(), a.self, a.protocolID(name))
		if err != nil {
			t.Fatal(err)
		}
		var hdr [binary.MaxVarintLen64]byte
		k := binary.PutUvarint(hdr[:], maxRequest+1)
		_, _ = st.Write(hdr[:k])
		_ = st.CloseWrite()
		if _, err := io.ReadAll(st); err == nil {
			t.Fatalf("%s: the server answered an oversized request", name)
		}
	}
	// A request with bytes after its frame.
	st, err := b.h.NewStream(context.Background(), a.self, a.protocolID(protoBlocks))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := rlp.EncodeToBytes(&blocksRequest{From: 1, Count: 1})
	_ = writeFrame(st, req)
	_, _ = st.Write([]byte("trailing"))
	_ = st.CloseWrite()
	if _, err := io.ReadAll(st); err == nil {
		t.Fatal("the server answered a request with trailing bytes")
	}
	// A well-formed request still works.
	if got, err := b.FetchBlocks(context.Background(), a.Self(), 1, 3); err != nil || len(got) != 3 {
		t.Fatalf("%d blocks, %v", len(got), err)
	}
}

func TestFrameReader(t *testing.T) {
	var buf bytes.Buffer
	for _, f := range [][]byte{[]byte("abc"), make([]byte, 300), nil} {
		if err := writeFrame(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	data := buf.Bytes()

	fr := newFrameReader(bytes.NewReader(data), int64(len(data)))
	for _, want := range []int{3, 300, 0} {
		got, err := fr.next(1000)
		if err != nil || len(got) != want {
			t.Fatalf("frame of %d: %d bytes, %v", want, len(got), err)
		}
	}
	if _, err := fr.next(1000); err != io.EOF {
		t.Fatalf("after the last frame: %v", err)
	}
	// A frame over its cap.
	if _, err := newFrameReader(bytes.NewReader(data), 1<<20).next(2); !errors.Is(err, errTooLarge) {
		t.Fatalf("frame cap: %v", err)
	}
	// An answer over its budget.
	fr = newFrameReader(bytes.NewReader(data), 100)
	if _, err := fr.next(1000); err != nil {
		t.Fatal(err)
	}
	if _, err := fr.next(1000); !errors.Is(err, errTooLarge) {
		t.Fatalf("budget: %v", err)
	}
	// end: the stream ends after the last frame, or not.
	fr = newFrameReader(bytes.NewReader(data), int64(len(data)))
	if _, err := fr.next(1000); err != nil {
		t.Fatal(err)
	}
	if err := fr.end(); err == nil {
		t.Fatal("end before the last frame")
	}
	fr = newFrameReader(bytes.NewReader(data[:4]), int64(len(data)))
	if _, err := fr.next(1000); err != nil || fr.end() != nil {
		t.Fatal("end after the only frame")
	}
	// A truncated frame is not a clean end.
	if _, err := newFrameReader(bytes.NewReader(data[:10]), 1<<20).next(1000); err != nil {
		t.Fatal(err) // "abc" is whole
	}
	fr = newFrameReader(bytes.NewReader(data[:10]), 1<<20)
	_, _ = fr.next(1000)
	if _, err := fr.next(1000); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated: %v", err)
	}
}
