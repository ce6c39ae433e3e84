package chain

import (
	"crypto/ecdsa"
	"math/big"
	"testing"

	"cairn/wallet"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// signTransfers pre-signs n transfers round-robin from keys, starting at
// the given nonces, to n/len(keys) fresh recipients.
func signTransfers(b *testing.B, c *Chain, keys []*ecdsa.PrivateKey, nonces []uint64, n int) []*types.Transaction {
	b.Helper()
	txs := make([]*types.Transaction, 0, n)
	for i := 0; i < n; i++ {
		k := i % len(keys)
		to := common.BigToAddress(big.NewInt(int64(0x10000 + i)))
		tx, err := types.SignNewTx(keys[k], c.Signer(), &types.DynamicFeeTx{
			ChainID: c.ChainID(), Nonce: nonces[k], GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
			Gas: 21000, To: &to, Value: big.NewInt(1),
		})
		if err != nil {
			b.Fatal(err)
		}
		types.Sender(c.Signer(), tx) // as the mempool would have done
		nonces[k]++
		txs = append(txs, tx)
	}
	return txs
}

func devKeys(b *testing.B) []*ecdsa.PrivateKey {
	keys, err := wallet.DevKeys(10)
	if err != nil {
		b.Fatal(err)
	}
	if crypto.PubkeyToAddress(keys[9].PublicKey) != DevnetAccounts[9] {
		b.Fatal("dev keys do not match the devnet accounts")
	}
	return keys
}

// BenchmarkExecuteBlock1000Transfers measures a validator re-executing a
// block of 1,000 transfers from 10 senders: signature recovery (cached, as
// after the mempool), EVM transfers and the state root.
func BenchmarkExecuteBlock1000Transfers(b *testing.B) {
	benchExecute1000Transfers(b, newTestChain(b))
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "tx/s")
}

// benchExecute1000Transfers times re-executing, on c's head, a block of
// 1,000 transfers from the 10 devnet senders.
func benchExecute1000Transfers(b *testing.B, c *Chain) {
	txs := signTransfers(b, c, devKeys(b), make([]uint64, 10), 1000)
	blk, _, _, err := c.Propose(proposal(c), newSource(c, txs...))
	if err != nil || len(blk.Txs) != 1000 {
		b.Fatalf("propose: %v (%d txs)", err, len(blk.Txs))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Execute(blk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProduceAndCommit1000Transfers measures a proposer's whole block:
// fill and execute 1,000 transfers, then write block, receipts and state in
// one fsynced bbolt transaction.
func BenchmarkProduceAndCommit1000Transfers(b *testing.B) {
	c := newTestChain(b)
	keys := devKeys(b)
	nonces := make([]uint64, len(keys))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		txs := signTransfers(b, c, keys, nonces, 1000)
		b.StartTimer()
		blk, _ := produce(b, c, txs...)
		if len(blk.Txs) != 1000 {
			b.Fatalf("block has %d txs", len(blk.Txs))
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "tx/s")
}
