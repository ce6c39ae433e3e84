package chain

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
)

// Block is a header, its transactions, the commit that finalized its parent,
// and evidence of misbehaviour to be punished.
type Block struct {
	Header     *Header
	Txs        []*types.Transaction
	LastCommit *Commit // nil only for the first block after genesis and for genesis
	Evidence   []Evidence
}

// Hash is the hash of the block's header.
func (b *Block) Hash() common.Hash { return b.Header.Hash() }

// Height is the block's height; genesis is 0.
func (b *Block) Height() uint64 { return b.Header.Height }

// blockRLP is the wire and storage form of a Block. A nil LastCommit encodes
// as an empty list of commits so the shape stays fixed.
type blockRLP struct {
	Header     *Header
	Txs        []*types.Transaction
	LastCommit []*Commit
	Evidence   []Evidence
}

// EncodeRLP writes the block in Cairn's RLP form.
func (b *Block) MarshalBinary() ([]byte, error) {
	enc := blockRLP{Header: b.Header, Txs: b.Txs, Evidence: b.Evidence}
	if b.LastCommit != nil {
		enc.LastCommit = []*Commit{b.LastCommit}
	}
	return rlp.EncodeToBytes(&enc)
}

// UnmarshalBinary decodes a block written by MarshalBinary.
func (b *Block) UnmarshalBinary(data []byte) error {
	var dec blockRLP
	if err := rlp.DecodeBytes(data, &dec); err != nil {
		return fmt.Errorf("decode block: %w", err)
	}
	if dec.Header == nil {
		return errors.New("decode block: missing header")
	}
	if len(dec.LastCommit) > 1 {
		return errors.New("decode block: more than one last commit")
	}
	*b = Block{Header: dec.Header, Txs: dec.Txs, Evidence: dec.Evidence}
	if len(dec.LastCommit) == 1 {
		b.LastCommit = dec.LastCommit[0]
	}
	return nil
}

// TxRoot is the Merkle root of the transactions as Ethereum computes it.
func TxRoot(txs []*types.Transaction) common.Hash {
	return types.DeriveSha(types.Transactions(txs), trie.NewStackTrie(nil))
}

// ReceiptRoot is the Merkle root of the receipts as Ethereum computes it.
func ReceiptRoot(receipts []*types.Receipt) common.Hash {
	return types.DeriveSha(types.Receipts(receipts), trie.NewStackTrie(nil))
}

// CommitHash is the hash a header stores for its last commit; the zero hash
// stands for "no commit".
func CommitHash(c *Commit) common.Hash {
	if c == nil {
		return common.Hash{}
	}
	return rlpHash(c)
}

// EvidenceHash is the hash a header stores for its evidence list.
func EvidenceHash(ev []Evidence) common.Hash {
	if len(ev) == 0 {
		return common.Hash{}
	}
	return rlpHash(ev)
}
