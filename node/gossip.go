package node

import (
	"errors"
	"fmt"
	"math/big"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

var (
	errBadSignature = errors.New("bad signature")
	errNoQuorum     = errors.New("proof of lock without 2/3 of the power")
)

func errNotValidator(a common.Address) error { return fmt.Errorf("%s is not a validator", a) }

// The heights of consensus messages a node takes from gossip, around its
// head: older ones only tell that their sender is behind, newer ones mean
// this node is (block sync finds that out from peers' status).
const (
	gossipHeightsBehind = 64
	gossipHeightsAhead  = 64
)

// installValidators gives the transport the node's check of each topic:
// what a peer may make this node deliver and forward.
func (n *Node) installValidators() {
	n.tr.SetValidator(transport.TopicTx, n.validateTx)
	n.tr.SetValidator(transport.TopicConsensus, n.validateConsensus)
}

// broadcastLocalTx gossips a transaction submitted to this node (in the
// next batch). Gossiped ones are forwarded by the transport as it
// delivers them.
func (n *Node) broadcastLocalTx(tx *types.Transaction) {
	if n.txOut != nil {
		n.txOut.add(tx)
	}
}

// validateConsensus decodes a consensus message and checks what can be
// checked without the engine: its size and shape, that its height is near
// the head, and that every signature in it is a validator's. The decoded
// message goes to the driver with it.
func (n *Node) validateConsensus(from transport.PeerID, data []byte) (transport.Verdict, any) {
	in, err := decodeWire(data)
	if err != nil {
		n.cfg.Logger.Debug("consensus message rejected", "from", from, "err", err)
		return transport.Reject, nil
	}
	h, head := in.Msg.Height(), n.chain.Head().Height()
	if h+gossipHeightsBehind < head || h > head+gossipHeightsAhead {
		return transport.Ignore, nil
	}
	if err := verifySignatures(n.chain, in.Msg); err != nil {
		if errors.Is(err, errSetUnknown) {
			return transport.Ignore, nil
		}
		n.cfg.Logger.Debug("consensus message rejected", "from", from, "msg", in.Msg, "err", err)
		return transport.Reject, nil
	}
	return transport.Accept, in
}

// errSetUnknown is for a message of a height whose validator set this node
// cannot know yet: it is not the sender's fault.
var errSetUnknown = errors.New("validator set of that height not known yet")

// setOf is the validator set that signs messages of height h. Sets up to
// the one after the head are known; a later height has the next block's
// set unless an epoch ends before it.
func setOf(c *chain.Chain, h uint64) (*chain.ValidatorSet, error) {
	head := c.Head().Height()
	if h <= head+1 {
		return c.ValidatorsAt(h)
	}
	if epoch := c.Params().Staking.EpochBlocks; (h-1)/epoch != head/epoch {
		return nil, errSetUnknown
	}
	return c.Validators(), nil
}

// verifySignatures checks every signature a consensus message carries
// against the validator set of its height.
func verifySignatures(c *chain.Chain, m engine.Message) error {
	set, err := setOf(c, m.Height())
	if err != nil {
		return err
	}
	chainID := c.ChainID()
	verify := engine.Ed25519Verifier{}
	switch {
	case m.Proposal != nil:
		p := m.Proposal
		v := set.ByAddress(p.Proposer)
		if v == nil {
			return errNotValidator(p.Proposer)
		}
		if !verify.Verify(v.PubKey, p.SignBytes(chainID), p.Signature) {
			return errBadSignature
		}
	case m.Vote != nil:
		v := set.ByAddress(m.Vote.Validator)
		if v == nil {
			return errNotValidator(m.Vote.Validator)
		}
		return m.Vote.Verify(chainID, v.PubKey)
	case m.Commit != nil:
		return m.Commit.Verify(chainID, set, m.Commit.Height, m.Commit.BlockHash)
	case m.POL != nil:
		return verifyPOL(chainID, set, m.POL)
	}
	return nil
}

// verifyPOL checks that a proof of lock's prevotes are validators' and
// carry more than 2/3 of the power.
func verifyPOL(chainID *big.Int, set *chain.ValidatorSet, pol *engine.POL) error {
	seen := map[common.Address]bool{}
	var power uint64
	for _, s := range pol.Votes {
		v := set.ByAddress(s.Validator)
		if v == nil {
			return errNotValidator(s.Validator)
		}
		vote := chain.Vote{Type: chain.Prevote, Height: pol.Height, Round: pol.Round, BlockHash: pol.BlockHash, Validator: s.Validator, Signature: s.Signature}
		if err := vote.Verify(chainID, v.PubKey); err != nil {
			return err
		}
		if !seen[s.Validator] {
			seen[s.Validator] = true
			power += v.Power
		}
	}
	if !set.HasQuorum(power) {
		return errNoQuorum
	}
	return nil
}
