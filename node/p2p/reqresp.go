package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// A request/response exchange is one stream: the client writes one
// length-prefixed frame (the request) and closes its side for writing;
// the server reads that frame and the end of the client's side, answers
// with frames and closes; the client reads them until the stream ends. A frame is
// a uvarint length and that many bytes. Every read is capped: a frame
// longer than its cap, or an answer longer than its total budget, fails
// the exchange, and either side resets the stream on any error.

// The request/response protocols, by name: /cairn/<chainId>/<name>/1.
const (
	protoStatus = "status"
	protoBlocks = "blocks"
	protoTxs    = "txs"
)

// Caps on what a peer may send.
const (
	maxRequest       = 256 << 10 // any request frame (a txs request of 20,000 indices is ~100 KiB)
	maxStatusAnswer  = 4 << 10
	maxBlockFrame    = 16 << 20 // one block; a block's body stays below the 8 MiB consensus message
	maxCommitFrame   = 1 << 20
	maxBlocksAnswer  = 64 << 20
	maxTxsAnswer     = 64 << 20
	maxBlocksPerCall = 64
	maxTxsPerCall    = 20_000
)

// errTooLarge is a frame or an answer over its cap.
var errTooLarge = errors.New("exceeds its size cap")

// writeFrame writes b as one frame.
func writeFrame(w io.Writer, b []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// frameReader reads frames within a total budget of bytes.
type frameReader struct {
	r    *bufio.Reader
	left int64
}

func newFrameReader(r io.Reader, budget int64) *frameReader {
	return &frameReader{r: bufio.NewReader(r), left: budget}
}

// next reads one frame of at most max bytes. It returns io.EOF, and only
// then, when the stream ends cleanly before a frame.
func (f *frameReader) next(max int) ([]byte, error) {
	n, err := binary.ReadUvarint(f.r)
	switch {
	case errors.Is(err, io.EOF):
		return nil, io.EOF
	case err != nil:
		return nil, fmt.Errorf("read frame length: %w", err)
	}
	hdr := int64(uvarintLen(n))
	if n > uint64(max) || int64(n)+hdr > f.left {
		return nil, fmt.Errorf("frame of %d bytes (cap %d, %d left of the answer): %w", n, max, f.left, errTooLarge)
	}
	f.left -= int64(n) + hdr
	buf := make([]byte, n)
	if _, err := io.ReadFull(f.r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read frame of %d bytes: %w", n, err)
	}
	return buf, nil
}

// end checks that the stream ends here.
func (f *frameReader) end() error {
	switch _, err := f.r.ReadByte(); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return fmt.Errorf("read to the end: %w", err)
	}
	return errors.New("bytes after the last frame")
}

func uvarintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}

// protocolID is the chain-scoped ID of a request/response protocol.
func (t *Transport) protocolID(name string) protocol.ID {
	return protocol.ID(fmt.Sprintf("/cairn/%d/%s/1", t.cfg.ChainID, name))
}

// serveFunc answers one request from a peer by writing frames to w.
type serveFunc func(from peer.ID, req []byte, w io.Writer) error

// handle registers the server side of protocol name: read the request
// within the deadline and the request cap, answer, close; reset on error.
func (t *Transport) handle(name string, serve serveFunc) {
	c := t.traffic.byKey[trafficRequest+name]
	t.h.SetStreamHandler(t.protocolID(name), func(s network.Stream) {
		timeout := t.cfg.tuning.request
		ctx, cancel := context.WithTimeout(t.ctx, timeout)
		defer cancel()
		// Deadlines for transports that have them; the reset for those
		// that do not, and for a client that stalls.
		stop := context.AfterFunc(ctx, func() { _ = s.Reset() })
		defer stop()
		_ = s.SetDeadline(time.Now().Add(timeout))
		from := s.Conn().RemotePeer()
		cs := countedStream{Stream: s, c: c}
		fr := newFrameReader(cs, maxRequest)
		req, err := fr.next(maxRequest)
		if err == nil {
			// The request ends where the client closed its side: answering
			// (and closing) before that would cancel the client's close.
			err = fr.end()
		}
		if err == nil {
			w := bufio.NewWriter(cs)
			if err = serve(from, req, w); err == nil {
				err = w.Flush()
			}
		}
		if err != nil {
			t.log.Debug("peer request failed", "protocol", name, "peer", from, "err", err)
			_ = s.Reset()
			return
		}
		_ = s.Close()
	})
}

// request sends req to p on protocol name and hands the answer, capped at
// budget bytes, to read. It gives up when ctx ends or after the request
// timeout, whichever is first.
func (t *Transport) request(ctx context.Context, p peer.ID, name string, req []byte, budget int64, read func(*frameReader) error) error {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.tuning.request)
	defer cancel()
	s, err := t.h.NewStream(network.WithNoDial(ctx, name+" request"), p, t.protocolID(name))
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("open %s stream to %s: %w", name, p, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = s.Reset() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(dl)
	}
	cs := countedStream{Stream: s, c: t.traffic.byKey[trafficRequest+name]}
	err = func() error {
		w := bufio.NewWriter(cs)
		if err := writeFrame(w, req); err != nil {
			return fmt.Errorf("write request: %w", err)
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("write request: %w", err)
		}
		if err := s.CloseWrite(); err != nil {
			// A server that answered and closed early has cancelled this
			// side; its answer may still be there to read.
			t.log.Debug("close request", "protocol", name, "peer", p, "err", err)
		}
		return read(newFrameReader(cs, budget))
	}()
	if err != nil {
		_ = s.Reset()
		if ctx.Err() != nil {
			return fmt.Errorf("%s request to %s: %w (%v)", name, p, ctx.Err(), err)
		}
		return fmt.Errorf("%s request to %s: %w", name, p, err)
	}
	_ = s.Close()
	return nil
}
