package node

import (
	"errors"
	"fmt"

	"cairn/chain"
	"cairn/chain/snapshot"

	"github.com/ethereum/go-ethereum/rlp"
)

// The node's snapshot protocol: a request is a snapRequest, answered with
// an anchor (chain.EncodeAnchor) or a state chunk (snapshot.EncodeChunk).
// Anchors prove the head to a node that knows only genesis; chunks carry
// the state at the head's root (or any root this node still keeps).

// Kinds of snapRequest.
const (
	snapAnchor uint8 = 1 // Body empty
	snapChunk  uint8 = 2 // Body: snapshot.EncodeRequest
)

// snapRequest is one request of the snapshot protocol.
type snapRequest struct {
	Kind uint8
	Body []byte
}

func encodeSnapRequest(kind uint8, body []byte) []byte {
	b, err := rlp.EncodeToBytes(&snapRequest{Kind: kind, Body: body})
	if err != nil {
		panic("encode snapshot request: " + err.Error()) // fixed shape: cannot fail
	}
	return b
}

// ServeSnapshot implements transport.SnapshotSource.
func (n *Node) ServeSnapshot(raw []byte) ([]byte, error) {
	if len(raw) > snapshot.MaxRequestBytes+16 {
		return nil, fmt.Errorf("snapshot request of %d bytes", len(raw))
	}
	var req snapRequest
	if err := rlp.DecodeBytes(raw, &req); err != nil {
		return nil, fmt.Errorf("decode snapshot request: %w", err)
	}
	switch req.Kind {
	case snapAnchor:
		return n.encodedAnchor()
	case snapChunk:
		r, err := snapshot.DecodeRequest(req.Body)
		if err != nil {
			return nil, err
		}
		c, err := n.snapServer().Serve(r)
		if err != nil {
			return nil, err
		}
		return snapshot.EncodeChunk(c)
	}
	return nil, errors.New("unknown snapshot request")
}

// encodedAnchor is the anchor of the head, built once per head: every
// new node asks for it, and it reads hundreds of headers.
func (n *Node) encodedAnchor() ([]byte, error) {
	head := n.chain.Head().Hash()
	n.anchorMu.Lock()
	defer n.anchorMu.Unlock()
	if n.anchorHead == head && n.anchorWire != nil {
		return n.anchorWire, nil
	}
	a, err := n.chain.Anchor()
	if err != nil {
		return nil, err
	}
	wire, err := chain.EncodeAnchor(a)
	if err != nil {
		return nil, err
	}
	n.anchorHead, n.anchorWire = a.Block.Hash(), wire
	return wire, nil
}

// snapServer is the chain's snapshot server, built once.
func (n *Node) snapServer() *snapshot.Server {
	n.snapServeOnce.Do(func() { n.snapServe = n.chain.SnapshotServer() })
	return n.snapServe
}
