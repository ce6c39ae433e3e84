package chain

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// A new node that starts from a state snapshot needs a block to start
// from, the pivot, and must know it is a block of this chain without
// executing the blocks before it. An Anchor is what a peer offers as that
// proof: the pivot block and its commit, and every change of validator
// set from genesis up to it, each a header signed by the set it ends. The
// new node starts from the genesis validators, which it knows, follows the
// changes (a change counts only if the set it ends signed it), and accepts
// the pivot only if the set the changes lead to signed it. It then trusts
// the pivot's state root, and every snapshot chunk is checked against that.
// This is what a light client does; like one, it trusts that no set ever
// had more than a third of its power sign two histories.

// MaxAnchorBytes bounds an encoded anchor: a pivot block (at most a block
// body) and the set changes.
const MaxAnchorBytes = 24 << 20

// maxAnchorChanges bounds the set changes one anchor may carry.
const maxAnchorChanges = 100_000

// anchorRecent is how many headers before the pivot an anchor carries: the
// EVM's BLOCKHASH reaches 256 blocks back.
const anchorRecent = 256

// ErrBadAnchor is wrapped by every reason VerifyAnchor refuses an anchor.
var ErrBadAnchor = errors.New("bad anchor")

// Anchor proves a finalized block of the chain to a node that knows only
// its genesis; see VerifyAnchor.
type Anchor struct {
	Block  *Block  // the pivot
	Commit *Commit // the commit that finalized it
	// Changes are the validator set changes after genesis, in height
	// order, up to the one the pivot makes (if it is the last block of an
	// epoch).
	Changes []SetChange
	// Recent are the headers of the blocks just before the pivot, oldest
	// first, up to anchorRecent of them.
	Recent []*Header
}

// SetChange is one validator set change: the last block of the outgoing
// set, that set's commit of it, and the set that validates the blocks
// after it (its hash is the header's NextValidatorsHash).
type SetChange struct {
	Header *Header
	Commit *Commit
	Set    *ValidatorSet
}

// anchorRLP is the wire form of an Anchor.
type anchorRLP struct {
	Block   []byte
	Commit  *Commit
	Changes []setChangeRLP
	Recent  []*Header
}

type setChangeRLP struct {
	Header *Header
	Commit *Commit
	Set    []storedValidator
}

// EncodeAnchor returns the wire form of a.
func EncodeAnchor(a *Anchor) ([]byte, error) {
	block, err := a.Block.MarshalBinary()
	if err != nil {
		return nil, err
	}
	enc := anchorRLP{Block: block, Commit: a.Commit, Recent: a.Recent}
	for _, c := range a.Changes {
		enc.Changes = append(enc.Changes, setChangeRLP{Header: c.Header, Commit: c.Commit, Set: c.Set.stored()})
	}
	return rlp.EncodeToBytes(&enc)
}

// DecodeAnchor parses an anchor from an untrusted peer; VerifyAnchor then
// says whether it proves anything.
func DecodeAnchor(data []byte) (*Anchor, error) {
	if len(data) > MaxAnchorBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrBadAnchor, len(data), MaxAnchorBytes)
	}
	var dec anchorRLP
	if err := rlp.DecodeBytes(data, &dec); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadAnchor, err)
	}
	if len(dec.Changes) > maxAnchorChanges || len(dec.Recent) > anchorRecent || dec.Commit == nil {
		return nil, fmt.Errorf("%w: %d set changes, %d recent headers", ErrBadAnchor, len(dec.Changes), len(dec.Recent))
	}
	a := &Anchor{Block: new(Block), Commit: dec.Commit, Recent: dec.Recent}
	if err := a.Block.UnmarshalBinary(dec.Block); err != nil {
		return nil, fmt.Errorf("%w: pivot: %v", ErrBadAnchor, err)
	}
	for i, c := range dec.Changes {
		set, err := setFromStored(c.Set)
		if err != nil || c.Header == nil || c.Commit == nil {
			return nil, fmt.Errorf("%w: set change %d: incomplete or %v", ErrBadAnchor, i, err)
		}
		a.Changes = append(a.Changes, SetChange{Header: c.Header, Commit: c.Commit, Set: set})
	}
	for i, h := range a.Recent {
		if h == nil {
			return nil, fmt.Errorf("%w: recent header %d missing", ErrBadAnchor, i)
		}
	}
	return a, nil
}

// TrustedAnchor is an anchor VerifyAnchor accepted: what a store needs to
// start at its pivot.
type TrustedAnchor struct {
	Block  *Block
	Commit *Commit
	// Sets are the validator sets by the first height each validates,
	// from genesis (1) to the one after the pivot; Next validates the
	// block after the pivot.
	Sets map[uint64]*ValidatorSet
	Next *ValidatorSet
	// Proofs are the headers of the set changes with their commits, kept
	// so that this node can prove the pivot to others in turn.
	Proofs []SetChange
	Recent []*Header
}

// Height is the pivot's height.
func (t *TrustedAnchor) Height() uint64 { return t.Block.Height() }

// VerifyAnchor checks a against genesis g: every set change signed by more
// than 2/3 of the power of the set it ends, starting from the genesis
// validators; the pivot signed by the set the changes lead to; its body
// the one its header commits to; and the recent headers each the parent of
// the next, the last the pivot's parent.
func VerifyAnchor(g *Genesis, a *Anchor) (*TrustedAnchor, error) {
	chainID := g.ChainIDBig()
	pivot := a.Block.Header
	cur := g.ValidatorSet()
	t := &TrustedAnchor{Block: a.Block, Commit: a.Commit, Sets: map[uint64]*ValidatorSet{1: cur}, Recent: a.Recent}
	if pivot.Height == 0 {
		return nil, fmt.Errorf("%w: the pivot is the genesis block", ErrBadAnchor)
	}
	last := uint64(0)
	var next *ValidatorSet
	for i, c := range a.Changes {
		h := c.Header.Height
		switch {
		case h <= last || h > pivot.Height:
			return nil, fmt.Errorf("%w: set change %d at height %d is out of order", ErrBadAnchor, i, h)
		case c.Header.ValidatorsHash != cur.Hash():
			return nil, fmt.Errorf("%w: set change at %d is not validated by the set of the change before it", ErrBadAnchor, h)
		case c.Set.Hash() != c.Header.NextValidatorsHash:
			return nil, fmt.Errorf("%w: set change at %d carries a set its header does not name", ErrBadAnchor, h)
		}
		if err := c.Commit.Verify(chainID, cur, h, c.Header.Hash()); err != nil {
			return nil, fmt.Errorf("%w: set change at %d: %v", ErrBadAnchor, h, err)
		}
		if h == pivot.Height {
			if c.Header.Hash() != pivot.Hash() {
				return nil, fmt.Errorf("%w: set change at the pivot's height is another block", ErrBadAnchor)
			}
			next = c.Set
			break
		}
		last, cur = h, c.Set
		t.Sets[h+1] = cur
		t.Proofs = append(t.Proofs, c)
	}
	if pivot.ValidatorsHash != cur.Hash() {
		return nil, fmt.Errorf("%w: the pivot's validators are not the set the changes lead to (a change is missing)", ErrBadAnchor)
	}
	if err := a.Commit.Verify(chainID, cur, pivot.Height, pivot.Hash()); err != nil {
		return nil, fmt.Errorf("%w: pivot %d: %v", ErrBadAnchor, pivot.Height, err)
	}
	if next == nil {
		if pivot.NextValidatorsHash != cur.Hash() {
			return nil, fmt.Errorf("%w: the pivot changes the validator set and the anchor lacks the new one", ErrBadAnchor)
		}
		next = cur
	} else {
		t.Sets[pivot.Height+1] = next
	}
	t.Next = next
	if err := checkBody(a.Block); err != nil {
		return nil, fmt.Errorf("%w: pivot: %v", ErrBadAnchor, err)
	}
	if err := checkRecent(pivot, a.Recent); err != nil {
		return nil, err
	}
	return t, nil
}

// checkBody checks that a block's transactions, last commit and evidence
// are the ones its header commits to.
func checkBody(b *Block) error {
	switch {
	case TxRoot(b.Txs) != b.Header.TxRoot:
		return errors.New("transactions do not match the header")
	case CommitHash(b.LastCommit) != b.Header.LastCommitHash:
		return errors.New("last commit does not match the header")
	case EvidenceHash(b.Evidence) != b.Header.EvidenceHash:
		return errors.New("evidence does not match the header")
	}
	return nil
}

// checkRecent checks that recent are the headers just before pivot, as
// many as there are (anchorRecent, or all but genesis).
func checkRecent(pivot *Header, recent []*Header) error {
	want := min(uint64(anchorRecent), pivot.Height-1)
	if uint64(len(recent)) != want {
		return fmt.Errorf("%w: %d recent headers, want %d", ErrBadAnchor, len(recent), want)
	}
	parent := pivot.ParentHash
	for i := len(recent) - 1; i >= 0; i-- {
		h := recent[i]
		if h.Hash() != parent || h.Height != pivot.Height-uint64(len(recent)-i) {
			return fmt.Errorf("%w: recent header %d is not the parent of the one after it", ErrBadAnchor, h.Height)
		}
		parent = h.ParentHash
	}
	return nil
}

// Anchor proves the head to a peer that starts from a snapshot of its
// state.
func (c *Chain) Anchor() (*Anchor, error) {
	head := c.Head()
	if head.Height() == 0 {
		return nil, errors.New("anchor: the chain has only its genesis block")
	}
	commit, err := c.store.CommitAt(head.Height())
	if err != nil {
		return nil, fmt.Errorf("anchor: %w", err)
	}
	a := &Anchor{Block: head, Commit: commit}
	firsts, err := c.store.setFirsts(head.Height() + 1)
	if err != nil {
		return nil, fmt.Errorf("anchor: %w", err)
	}
	for _, f := range firsts {
		if f <= 1 {
			continue
		}
		h, commit, err := c.store.headerAt(f - 1)
		if err == nil && commit == nil {
			err = ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("anchor: set change at %d: %w", f-1, err)
		}
		set, err := c.store.ValidatorSetAt(f)
		if err != nil {
			return nil, fmt.Errorf("anchor: %w", err)
		}
		a.Changes = append(a.Changes, SetChange{Header: h, Commit: commit, Set: set})
	}
	from := head.Height() - min(uint64(anchorRecent), head.Height()-1)
	for h := from; h < head.Height(); h++ {
		hdr, _, err := c.store.headerAt(h)
		if err != nil {
			return nil, fmt.Errorf("anchor: recent header %d: %w", h, err)
		}
		a.Recent = append(a.Recent, hdr)
	}
	return a, nil
}
