package p2p

import (
	"context"
	"errors"
	"fmt"
	"io"

	"cairn/node/transport"

	"github.com/libp2p/go-libp2p/core/peer"
)

// protoSnapshot carries the node's snapshot requests (anchors and state
// chunks) to peers whose Source is a transport.SnapshotSource. The answer
// is one frame: a status byte, then the answer (answerOK) or the server's
// error message (answerError).
const protoSnapshot = "snapshot"

// maxSnapshotAnswer bounds one snapshot answer: an anchor, at most a block
// and the validator set changes, is the largest.
const maxSnapshotAnswer = 25 << 20

const (
	answerOK byte = iota
	answerError
)

// serveSnapshot answers a snapshot request from the Source.
func (t *Transport) serveSnapshot(_ peer.ID, req []byte, w io.Writer) error {
	ss, ok := t.cfg.Source.(transport.SnapshotSource)
	if !ok {
		return errors.New("this node does not serve snapshots")
	}
	out := []byte{answerOK}
	ans, err := ss.ServeSnapshot(req)
	if err == nil && len(ans)+1 > maxSnapshotAnswer {
		err = fmt.Errorf("answer of %d bytes exceeds %d", len(ans), maxSnapshotAnswer)
	}
	if err != nil {
		out = append([]byte{answerError}, truncate(err.Error(), 512)...)
	} else {
		out = append(out, ans...)
	}
	return writeFrame(w, out)
}

// FetchSnapshot sends one snapshot request to peer and returns its
// answer, unverified; an error the peer reports is an error here.
func (t *Transport) FetchSnapshot(ctx context.Context, id transport.PeerID, req []byte) ([]byte, error) {
	p, err := peer.Decode(string(id))
	if err != nil {
		return nil, fmt.Errorf("fetch snapshot: peer %q: %w", id, err)
	}
	if len(req) > maxRequest {
		return nil, fmt.Errorf("fetch snapshot: request of %d bytes, at most %d", len(req), maxRequest)
	}
	var ans []byte
	err = t.request(ctx, p, protoSnapshot, req, maxSnapshotAnswer+16, func(fr *frameReader) error {
		raw, err := fr.next(maxSnapshotAnswer)
		if err != nil {
			return err
		}
		ans = raw
		return fr.end()
	})
	if err != nil {
		return nil, fmt.Errorf("fetch snapshot: %w", err)
	}
	switch {
	case len(ans) == 0:
		return nil, fmt.Errorf("fetch snapshot from %s: empty answer", p)
	case ans[0] == answerError:
		return nil, fmt.Errorf("fetch snapshot from %s: peer says: %s", p, ans[1:])
	case ans[0] != answerOK:
		return nil, fmt.Errorf("fetch snapshot from %s: answer of unknown kind %d", p, ans[0])
	}
	return ans[1:], nil
}
