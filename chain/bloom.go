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
// order, until fn returns false or an error. It reads only the headers
// from the store (a block's bloom is in its header), not the
// transactions or receipts, so a log search skips a block whose bloom
// rules it out for the price of one header decode.
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
			h, err := s.storedHeader(hashes, height, v)
			if err != nil {
				return err
			}
			more, err := fn(height, &h.Bloom)
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

// storedHeader decodes only the header of a stored block and checks it is
// the header the block hash index records for that height, so a damaged
// header is an error, never a wrong bloom.
func (s *Store) storedHeader(hashes *bolt.Bucket, height uint64, data []byte) (*Header, error) {
	content, _, err := rlp.SplitList(data)
	if err != nil {
		return nil, s.damaged("block %d: %v", height, err)
	}
	_, _, rest, err := rlp.Split(content)
	if err != nil {
		return nil, s.damaged("block %d: header: %v", height, err)
	}
	enc := content[:len(content)-len(rest)]
	h := new(Header)
	if err := rlp.DecodeBytes(enc, h); err != nil {
		return nil, s.damaged("block %d: header: %v", height, err)
	}
	hash := crypto.Keccak256Hash(enc)
	if v := hashes.Get(hash[:]); len(v) != 8 || binary.BigEndian.Uint64(v) != height || h.Height != height {
		return nil, s.damaged("block %d: its header %x is not the one the block hash index records", height, hash)
	}
	return h, nil
}
