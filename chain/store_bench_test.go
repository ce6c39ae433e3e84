package chain

import (
	"crypto/ecdsa"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	bolt "go.etcd.io/bbolt"
)

// freshTransfers pre-signs n transfers round-robin from keys, each to a
// recipient of its own numbered from first, so the state grows by n
// accounts.
func freshTransfers(b *testing.B, c *Chain, keys []*ecdsa.PrivateKey, nonces []uint64, first, n int) []*types.Transaction {
	b.Helper()
	txs := make([]*types.Transaction, 0, n)
	for i := 0; i < n; i++ {
		k := i % len(keys)
		to := common.BigToAddress(big.NewInt(int64(0x1000000 + first + i)))
		tx, err := types.SignNewTx(keys[k], c.Signer(), &types.DynamicFeeTx{
			ChainID: c.ChainID(), Nonce: nonces[k], GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
			Gas: 21000, To: &to, Value: big.NewInt(1),
		})
		if err != nil {
			b.Fatal(err)
		}
		types.Sender(c.Signer(), tx)
		nonces[k]++
		txs = append(txs, tx)
	}
	return txs
}

// BenchmarkBlockReadCheck4000Transfers measures what checking a block and
// its receipts read from the file costs, next to decoding them: a block of
// 4,000 transfers.
func BenchmarkBlockReadCheck4000Transfers(b *testing.B) {
	c := newTestChain(b)
	keys := devKeys(b)
	blk, _ := produce(b, c, freshTransfers(b, c, keys, make([]uint64, len(keys)), 0, 4000)...)
	if len(blk.Txs) != 4000 {
		b.Fatalf("block has %d txs", len(blk.Txs))
	}
	s := c.store
	var data, rdata []byte
	if err := s.view(func(tx *bolt.Tx) error {
		data = append([]byte(nil), tx.Bucket(bucketBlocks).Get(u64(1))...)
		rdata = append([]byte(nil), tx.Bucket(bucketReceipts).Get(u64(1))...)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("block %d bytes, receipts %d bytes", len(data), len(rdata))
	b.Run("block/decode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := new(Block).UnmarshalBinary(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("block/check", func(b *testing.B) {
		var dec Block
		if err := dec.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if err := s.view(func(tx *bolt.Tx) error { return s.checkBlock(tx, 1, &dec) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("block/BlockByHeight-uncached", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.blocks.purge()
			if _, err := s.BlockByHeight(1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("receipts/decode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var rs []*types.ReceiptForStorage
			if err := rlp.DecodeBytes(rdata, &rs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("receipts/rawReceipts-first", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.receiptsOK.Purge()
			if _, err := s.rawReceipts(1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("receipts/rawReceipts-again", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.rawReceipts(1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("receipts/check", func(b *testing.B) {
		var rs []*types.ReceiptForStorage
		if err := rlp.DecodeBytes(rdata, &rs); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if err := s.checkReceipts(blk, rs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOpenCheckLargeStore measures the check OpenStore makes of an
// existing file, on a store of CAIRN_BENCH_TRANSFERS transfers (100,000 by
// default) in blocks of 4,000, each to a new account; next to it, bbolt's
// own writable open, which walks the same pages to rebuild its free list.
func BenchmarkOpenCheckLargeStore(b *testing.B) {
	total := 100_000
	if v, err := strconv.Atoi(os.Getenv("CAIRN_BENCH_TRANSFERS")); err == nil && v > 0 {
		total = v
	}
	dir := b.TempDir()
	c, store := openTestChain(b, dir)
	keys := devKeys(b)
	nonces := make([]uint64, len(keys))
	start := time.Now()
	for done := 0; done < total; done += 4000 {
		n := min(4000, total-done)
		if blk, _ := produce(b, c, freshTransfers(b, c, keys, nonces, done, n)...); len(blk.Txs) != n {
			b.Fatalf("block has %d txs, want %d", len(blk.Txs), n)
		}
	}
	c.Close()
	store.Close()
	path := filepath.Join(dir, "chain.db")
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	pgid, pageSize := highWater(b, path)
	b.Logf("store of %d transfers: %.1f MB file, %d pages of %d bytes in use (built in %v)",
		total, float64(info.Size())/(1<<20), pgid, pageSize, time.Since(start).Round(time.Second))

	b.Run("checkStoreFile", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := checkStoreFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bolt.Open-writable", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("OpenStore", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s, err := OpenStore(path)
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
}
