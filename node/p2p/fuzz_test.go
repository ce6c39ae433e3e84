package p2p

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/network"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
)

// fzFrames is frames encoded with writeFrame.
func fzFrames(frames ...[]byte) []byte {
	var buf bytes.Buffer
	for _, fr := range frames {
		if err := writeFrame(&buf, fr); err != nil {
			panic(err)
		}
	}
	return buf.Bytes()
}

// fzCounter counts the bytes read through it.
type fzCounter struct {
	r io.Reader
	n int64
}

func (c *fzCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// FuzzFrameReader reads length-prefixed frames, as every request and
// answer is read, within a frame cap and a total budget. No frame is over
// its cap, the frames together stay within the budget, io.EOF comes only
// at a clean end between frames, and the frames read, written again with
// writeFrame, read back the same.
func FuzzFrameReader(f *testing.F) {
	f.Add(fzFrames([]byte("abc"), make([]byte, 300), nil), uint32(1000), uint32(400))
	f.Add(fzFrames([]byte("abc"), []byte("de")), uint32(2), uint32(1<<20))
	f.Add(fzFrames(make([]byte, 200)), uint32(1000), uint32(100))
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}, uint32(1<<30), uint32(1<<30))
	f.Add([]byte{0x80, 0x00, 0x01, 0x05}, uint32(10), uint32(10))
	f.Add([]byte{0x05, 'a', 'b'}, uint32(10), uint32(10))
	f.Add([]byte{}, uint32(0), uint32(0))
	f.Fuzz(func(t *testing.T, data []byte, maxFrame, budget uint32) {
		read := func(data []byte) ([][]byte, int64, error) {
			cr := &fzCounter{r: bytes.NewReader(data)}
			fr := newFrameReader(cr, int64(budget))
			var frames [][]byte
			for {
				b, err := fr.next(int(maxFrame))
				if err != nil {
					return frames, cr.n - int64(fr.r.Buffered()), err
				}
				frames = append(frames, b)
			}
		}
		frames, consumed, err := read(data)
		var charged int64
		for _, fr := range frames {
			if len(fr) > int(maxFrame) {
				t.Fatalf("frame of %d bytes over its cap %d", len(fr), maxFrame)
			}
			charged += int64(len(fr) + uvarintLen(uint64(len(fr))))
		}
		if charged > int64(budget) {
			t.Fatalf("frames of %d bytes over the budget %d", charged, budget)
		}
		if consumed > int64(len(data)) || consumed < charged {
			t.Fatalf("consumed %d of %d bytes for %d bytes of frames", consumed, len(data), charged)
		}
		if errors.Is(err, io.EOF) && consumed != int64(len(data)) {
			t.Fatalf("io.EOF with %d of %d bytes read", consumed, len(data))
		}
		// The canonical encoding of what was read reads back the same,
		// and ends cleanly.
		again, _, err2 := read(fzFrames(frames...))
		if !errors.Is(err2, io.EOF) || len(again) != len(frames) {
			t.Fatalf("re-encoded %d frames read as %d, %v", len(frames), len(again), err2)
		}
		for i := range frames {
			if !bytes.Equal(again[i], frames[i]) {
				t.Fatalf("frame %d changed", i)
			}
		}
	})
}

// fzChainBlocks are blocks 1..n and their commits as a peer serves them.
func fzChainBlocks(n int) []transport.BlockWithCommit {
	var out []transport.BlockWithCommit
	parent := testGenesis
	for h := 1; h <= n; h++ {
		b := testBlock(uint64(h), parent)
		out = append(out, transport.BlockWithCommit{Block: b, Commit: testCommit(b)})
		parent = b.Hash()
	}
	return out
}

func fzBlockFrames(bcs []transport.BlockWithCommit) [][]byte {
	var out [][]byte
	for _, bc := range bcs {
		braw, err := bc.Block.MarshalBinary()
		if err != nil {
			panic(err)
		}
		craw, err := rlp.EncodeToBytes(bc.Commit)
		if err != nil {
			panic(err)
		}
		out = append(out, braw, craw)
	}
	return out
}

// FuzzDecodeBlock decodes a block and its commit as block sync receives
// them. What is accepted is at the height asked, its commit names it, and
// both re-encode canonically to the bytes received.
func FuzzDecodeBlock(f *testing.F) {
	for _, bc := range fzChainBlocks(2) {
		fr := fzBlockFrames([]transport.BlockWithCommit{bc})
		f.Add(fr[0], fr[1], bc.Block.Height())
		f.Add(fr[0], fr[1], bc.Block.Height()+1)
	}
	f.Add([]byte{0xc4, 0xc0, 0xc0, 0xc0, 0xc0}, []byte{0xc4, 0x80, 0x80, 0x80, 0xc0}, uint64(0))
	f.Fuzz(func(t *testing.T, braw, craw []byte, height uint64) {
		bc, err := decodeBlock(braw, craw, height)
		if err != nil {
			if bc.Block != nil || bc.Commit != nil {
				t.Fatalf("refused (%v) with a block", err)
			}
			return
		}
		if bc.Block.Height() != height || bc.Commit.Height != height || bc.Commit.BlockHash != bc.Block.Hash() {
			t.Fatalf("accepted block %d with a commit for %d %s, asked for %d", bc.Block.Height(), bc.Commit.Height, bc.Commit.BlockHash, height)
		}
		fr := fzBlockFrames([]transport.BlockWithCommit{bc})
		if !bytes.Equal(fr[0], braw) || !bytes.Equal(fr[1], craw) {
			t.Fatal("accepted block or commit does not re-encode to the bytes received")
		}
		if again, err := decodeBlock(fr[0], fr[1], height); err != nil || again.Block.Hash() != bc.Block.Hash() {
			t.Fatalf("re-encoded block refused: %v", err)
		}
	})
}

// fzNet is two transports on a mocknet that finished their status
// handshake: client asks, server answers, either with its own handlers or
// with whatever answer is set.
type fzNet struct {
	client, server *Transport
	src            *fakeSource
	answer         atomic.Pointer[[]byte]
	request        atomic.Pointer[[]byte]
}

func newFzNet(f *testing.F) *fzNet {
	mn := mocknet.New()
	f.Cleanup(func() { _ = mn.Close() })
	n := &fzNet{src: newSource(testGenesis, 5)}
	n.src.proposals[common.HexToHash("0xb10c")] = [][]byte{[]byte("tx0"), []byte("tx1"), bytes.Repeat([]byte{7}, 300)}
	start := func(src *fakeSource) *Transport {
		h, err := mn.GenPeer()
		if err != nil {
			f.Fatal(err)
		}
		tn := fastTuning
		// A request's deadline resets its stream: generous, so a loaded
		// machine does not read as a refused request.
		tn.request = 30 * time.Second
		tr, err := newOnHost(Config{ChainID: testChain, GenesisHash: testGenesis, Source: src, NoDHT: true,
			StatusInterval: time.Hour, tuning: &tn}, h, newGater())
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { _ = tr.Close() })
		return tr
	}
	n.client, n.server = start(newSource(testGenesis, 0)), start(n.src)
	if _, err := mn.LinkPeers(n.client.self, n.server.self); err != nil {
		f.Fatal(err)
	}
	if _, err := mn.ConnectPeers(n.client.self, n.server.self); err != nil {
		f.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !hasPeer(n.client, n.server) || !hasPeer(n.server, n.client) {
		if time.Now().After(deadline) {
			f.Fatal("no status handshake")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return n
}

// rogue makes the server answer protocol name with the answer set.
func (n *fzNet) rogue(name string) {
	n.server.h.SetStreamHandler(n.server.protocolID(name), func(s network.Stream) {
		req, _ := io.ReadAll(s)
		n.request.Store(&req)
		if a := n.answer.Load(); a != nil {
			_, _ = s.Write(*a)
		}
		_ = s.Close()
	})
}

// FuzzPeerAnswer has a peer answer status, blocks and transactions
// requests with arbitrary bytes. The client's request is one frame that
// decodes to what it asked; what the client accepts is what it asked for:
// a status as JSON decodes it from the answer's first frame, at most the
// blocks asked, at consecutive heights from the first asked, each with a
// commit that names it, and exactly the transactions asked.
func FuzzPeerAnswer(f *testing.F) {
	n := newFzNet(f)
	for _, name := range []string{protoStatus, protoBlocks, protoTxs} {
		n.rogue(name)
	}
	st, _ := json.Marshal(n.src.Status())
	f.Add(uint8(0), fzFrames(st), uint16(0), uint8(0))
	f.Add(uint8(0), append(fzFrames(st), 0xff), uint16(0), uint8(0))
	f.Add(uint8(0), fzFrames([]byte(`{"chainId":"7"}`)), uint16(0), uint8(0))
	bcs := fzChainBlocks(5)
	f.Add(uint8(1), fzFrames(fzBlockFrames(bcs[1:4])...), uint16(2), uint8(3))
	f.Add(uint8(1), fzFrames(fzBlockFrames(bcs[1:4])...), uint16(2), uint8(2))
	f.Add(uint8(1), fzFrames(fzBlockFrames(bcs[1:3])...), uint16(1), uint8(2))
	f.Add(uint8(1), fzFrames(fzBlockFrames(bcs[:1])[:1]...), uint16(1), uint8(1))
	f.Add(uint8(1), []byte{}, uint16(1), uint8(1))
	ans, _ := rlp.EncodeToBytes(&txsAnswer{Txs: [][]byte{[]byte("tx1"), []byte("tx0")}})
	f.Add(uint8(2), fzFrames(ans), uint16(0), uint8(2))
	ans, _ = rlp.EncodeToBytes(&txsAnswer{Error: "no"})
	f.Add(uint8(2), fzFrames(ans), uint16(0), uint8(1))
	f.Fuzz(func(t *testing.T, proto uint8, answer []byte, from uint16, count uint8) {
		n.answer.Store(&answer)
		n.request.Store(nil)
		ctx := context.Background()
		switch proto % 3 {
		case 0:
			got, err := n.client.askStatus(ctx, n.server.self)
			if err != nil {
				return
			}
			l, k := binary.Uvarint(answer)
			if k <= 0 || l > maxStatusAnswer || uint64(len(answer)-k) < l {
				t.Fatalf("accepted a status from an answer without a whole first frame: %x", answer)
			}
			var want transport.Status
			if err := json.Unmarshal(answer[k:k+int(l)], &want); err != nil || want != got {
				t.Fatalf("status %+v, the first frame says %+v (%v)", got, want, err)
			}
		case 1:
			got, err := n.client.FetchBlocks(ctx, n.server.Self(), uint64(from), int(count))
			if count == 0 {
				if got != nil || err != nil {
					t.Fatalf("asked for nothing, got %d blocks, %v", len(got), err)
				}
				return
			}
			r := n.request.Load()
			if r == nil && err != nil {
				return // the request never reached the peer (the stream did not open)
			}
			var req blocksRequest
			if r == nil || rlp.DecodeBytes(fzFirstFrame(t, *r), &req) != nil ||
				req.From != uint64(from) || req.Count != uint64(min(int(count), maxBlocksPerCall)) {
				t.Fatalf("blocks request %+v, asked from %d count %d", req, from, count)
			}
			if err != nil {
				if got != nil {
					t.Fatalf("failed (%v) with %d blocks", err, len(got))
				}
				return
			}
			if len(got) > int(count) || len(got) > maxBlocksPerCall {
				t.Fatalf("%d blocks, asked for %d", len(got), count)
			}
			for i, bc := range got {
				h := uint64(from) + uint64(i)
				if bc.Block.Height() != h || bc.Commit.Height != h || bc.Commit.BlockHash != bc.Block.Hash() {
					t.Fatalf("block %d: height %d, commit for %d %s", i, bc.Block.Height(), bc.Commit.Height, bc.Commit.BlockHash)
				}
			}
			// The frames of the answer are those of the blocks accepted.
			ar := newFrameReader(bytes.NewReader(answer), int64(len(answer)))
			for i, want := range fzBlockFrames(got) {
				if fr, err := ar.next(len(answer)); err != nil || !bytes.Equal(fr, want) {
					t.Fatalf("frame %d of the answer is not the block or commit accepted (%v)", i, err)
				}
			}
			if _, err := ar.next(len(answer)); !errors.Is(err, io.EOF) {
				t.Fatalf("accepted %d blocks, the answer holds more (%v)", len(got), err)
			}
		case 2:
			indices := make([]uint32, count%8)
			for i := range indices {
				indices[i] = uint32(from) + uint32(i)
			}
			block := common.BytesToHash([]byte{byte(from)})
			got, err := n.client.FetchTxs(ctx, n.server.Self(), block, indices)
			r := n.request.Load()
			if r == nil && err != nil {
				return // the request never reached the peer (the stream did not open)
			}
			var req txsRequest
			if r == nil || rlp.DecodeBytes(fzFirstFrame(t, *r), &req) != nil ||
				req.Block != block || len(req.Indices) != len(indices) {
				t.Fatalf("txs request %+v, asked %s %v", req, block, indices)
			}
			if err != nil {
				return
			}
			if len(got) != len(indices) {
				t.Fatalf("%d transactions, asked for %d", len(got), len(indices))
			}
			var want txsAnswer
			l, k := binary.Uvarint(answer)
			if k <= 0 || uint64(len(answer)-k) < l || rlp.DecodeBytes(answer[k:k+int(l)], &want) != nil || want.Error != "" || len(want.Txs) != len(got) {
				t.Fatalf("accepted %d transactions from an answer that does not hold them", len(got))
			}
			for i := range got {
				if !bytes.Equal(got[i], want.Txs[i]) {
					t.Fatalf("transaction %d differs from the answer", i)
				}
			}
		}
	})
}

// fzFirstFrame is the content of the first frame of data.
func fzFirstFrame(t *testing.T, data []byte) []byte {
	t.Helper()
	fr := newFrameReader(bytes.NewReader(data), int64(len(data)))
	b, err := fr.next(len(data))
	if err != nil {
		t.Fatalf("request %x is not a frame: %v", data, err)
	}
	if fr.end() != nil {
		t.Fatalf("request %x has bytes after its frame", data)
	}
	return b
}

// FuzzServe sends arbitrary bytes as a request stream to a peer's status,
// blocks and transactions handlers. The peer answers exactly when the
// bytes are one request frame and nothing after it that its handler
// takes; the answer is what serving that request gives, and it is well
// formed: for blocks, consecutive blocks and commits from the height
// asked, no more than asked or allowed, all known to the source; for
// transactions, one frame with the transactions asked, or why not.
func FuzzServe(f *testing.F) {
	n := newFzNet(f)
	blocksReq := func(from, count uint64) []byte {
		b, _ := rlp.EncodeToBytes(&blocksRequest{From: from, Count: count})
		return b
	}
	txsReq := func(block common.Hash, idx ...uint32) []byte {
		b, _ := rlp.EncodeToBytes(&txsRequest{Block: block, Indices: idx})
		return b
	}
	f.Add(uint8(0), fzFrames(nil))
	f.Add(uint8(0), fzFrames([]byte("anything")))
	f.Add(uint8(1), fzFrames(blocksReq(1, 3)))
	f.Add(uint8(1), fzFrames(blocksReq(4, 100)))
	f.Add(uint8(1), fzFrames(blocksReq(^uint64(0), 2)))
	f.Add(uint8(1), append(fzFrames(blocksReq(1, 1)), 0))
	f.Add(uint8(1), fzFrames(blocksReq(1, 1))[:3])
	f.Add(uint8(2), fzFrames(txsReq(common.HexToHash("0xb10c"), 2, 0)))
	f.Add(uint8(2), fzFrames(txsReq(common.HexToHash("0xb10c"), 9)))
	f.Add(uint8(2), fzFrames(txsReq(common.Hash{1})))
	f.Add(uint8(2), []byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	names := []string{protoStatus, protoBlocks, protoTxs}
	f.Fuzz(func(t *testing.T, proto uint8, stream []byte) {
		name := names[proto%3]
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, err := n.client.h.NewStream(ctx, n.server.self, n.server.protocolID(name))
		if err != nil {
			return // no stream, no request: nothing of the handler's to check
		}
		defer s.Reset()
		_, werr := s.Write(stream)
		_ = s.CloseWrite()
		answer, rerr := io.ReadAll(s)
		if werr != nil && rerr == nil {
			t.Fatalf("a request the server did not read was answered: %v", werr)
		}

		// What the handler should have done with these bytes.
		fr := newFrameReader(bytes.NewReader(stream), maxRequest)
		req, ferr := fr.next(maxRequest)
		if ferr == nil {
			ferr = fr.end()
		}
		var want bytes.Buffer
		serr := ferr
		if ferr == nil {
			switch name {
			case protoStatus:
				serr = n.server.serveStatus("", req, &want)
			case protoBlocks:
				serr = n.server.serveBlocks("", req, &want)
			case protoTxs:
				serr = n.server.serveTxs("", req, &want)
			}
		}
		if (rerr == nil) != (serr == nil) {
			t.Fatalf("%s %x: answered %v (%d bytes), but serving it gives %v", name, stream, rerr, len(answer), serr)
		}
		if rerr != nil {
			return
		}
		if !bytes.Equal(answer, want.Bytes()) {
			t.Fatalf("%s answer differs from serving the request", name)
		}
		ar := newFrameReader(bytes.NewReader(answer), int64(len(answer)))
		switch name {
		case protoStatus:
			raw, err := ar.next(maxStatusAnswer)
			var st transport.Status
			if err != nil || json.Unmarshal(raw, &st) != nil || st != n.src.Status() || ar.end() != nil {
				t.Fatalf("status answer %x", answer)
			}
		case protoBlocks:
			var r blocksRequest
			if err := rlp.DecodeBytes(req, &r); err != nil {
				t.Fatalf("blocks request %x served though it does not decode", req)
			}
			got := 0
			for {
				braw, err := ar.next(maxBlockFrame)
				if errors.Is(err, io.EOF) {
					break
				}
				craw, err2 := ar.next(maxCommitFrame)
				if err != nil || err2 != nil {
					t.Fatalf("blocks answer is not pairs of frames: %v %v", err, err2)
				}
				h := r.From + uint64(got)
				bc, err := decodeBlock(braw, craw, h)
				known, ok := n.src.blocks[h]
				if err != nil || !ok || bc.Block.Hash() != known.Block.Hash() {
					t.Fatalf("served block %d is not the source's (%v)", h, err)
				}
				got++
			}
			if uint64(got) > r.Count || got > maxBlocksPerCall || len(answer) > maxBlocksAnswer {
				t.Fatalf("served %d blocks (%d bytes), asked for %d", got, len(answer), r.Count)
			}
		case protoTxs:
			var r txsRequest
			var a txsAnswer
			raw, err := ar.next(maxTxsAnswer)
			if rlp.DecodeBytes(req, &r) != nil || err != nil || rlp.DecodeBytes(raw, &a) != nil || ar.end() != nil {
				t.Fatalf("txs answer %x to %x", answer, req)
			}
			if len(r.Indices) > maxTxsPerCall {
				t.Fatalf("served %d indices, more than %d", len(r.Indices), maxTxsPerCall)
			}
			if a.Error == "" {
				txs := n.src.proposals[r.Block]
				if len(a.Txs) != len(r.Indices) {
					t.Fatalf("served %d transactions for %d indices", len(a.Txs), len(r.Indices))
				}
				for i, idx := range r.Indices {
					if int(idx) >= len(txs) || !bytes.Equal(a.Txs[i], txs[idx]) {
						t.Fatalf("served transaction %d is not #%d of the block", i, idx)
					}
				}
			}
		}
	})
}
