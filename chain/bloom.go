package chain

import (
	"encoding/binary"
	"errors"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	bolt "go.etcd.io/bbolt"
)

// errStopBlooms ends a walk of blooms early without an error.
var errStopBlooms = errors.New("stop")

// Blooms calls fn with the logs bloom of every committed block from
// height from to height to (both included, to clamped to the head), in
// order, until fn returns false or an error. It reads only the bloom out
// of each block's header (where it is), not the transactions or
// receipts, so a log search skips a block whose bloom rules it out for
// the price of one header hash.
func (c *Chain) Blooms(from, to uint64, fn func(height uint64, bloom *types.Bloom) (bool, error)) error {
	if head := c.Head().Height(); to > head {
		to = head
	}
	if from > to {
		return nil
	}
	return c.store.blooms(from, to, fn)
}

func (s *Store) blooms(from, to uint64, fn func(uint64, *types.Bloom) (bool, error)) error {
	err := s.view(func(tx *bolt.Tx) error {
		hashes := tx.Bucket(bucketHashes)
		cur := tx.Bucket(bucketBlocks).Cursor()
		for k, v := cur.Seek(u64(from)); k != nil; k, v = cur.Next() {
			height := binary.BigEndian.Uint64(k)
			if height > to {
				return nil
			}
			bloom, err := s.storedBloom(hashes, height, v)
			if err != nil {
				return err
			}
			more, err := fn(height, bloom)
			if err != nil {
				return err
			}
			if !more {
				return errStopBlooms
			}
		}
		return nil
	})
	if errors.Is(err, errStopBlooms) {
		return nil
	}
	return err
}

// storedBloom reads the height and logs bloom from the header of a stored
// block, without decoding the rest, and checks the header is the one the
// block hash index records for that height, so a damaged header is an
// error, never a wrong bloom.
func (s *Store) storedBloom(hashes *bolt.Bucket, height uint64, data []byte) (*types.Bloom, error) {
	content, _, err := rlp.SplitList(data)
	if err != nil {
		return nil, s.damaged("block %d: %v", height, err)
	}
	_, _, rest, err := rlp.Split(content)
	if err != nil {
		return nil, s.damaged("block %d: header: %v", height, err)
	}
	enc := content[:len(content)-len(rest)]
	hash := crypto.Keccak256Hash(enc)
	if v := hashes.Get(hash[:]); len(v) != 8 || binary.BigEndian.Uint64(v) != height {
		return nil, s.damaged("block %d: its header %x is not the one the block hash index records", height, hash)
	}
	fields, _, err := rlp.SplitList(enc)
	if err != nil {
		return nil, s.damaged("block %d: header: %v", height, err)
	}
	// Bloom is the header's ninth field.
	var val []byte
	for i := 0; i < 9; i++ {
		if _, val, fields, err = rlp.Split(fields); err != nil {
			return nil, s.damaged("block %d: header field %d: %v", height, i, err)
		}
	}
	if len(val) != types.BloomByteLength {
		return nil, s.damaged("block %d: its bloom is %d bytes", height, len(val))
	}
	bloom := types.BytesToBloom(val)
	return &bloom, nil
}
