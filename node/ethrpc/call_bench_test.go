package ethrpc

import (
	"context"
	"math/big"
	"testing"

	"cairn/wallet/contracts"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// BenchmarkEthCallBalanceOf is an ERC-20's balanceOf through eth_call, over
// HTTP to the endpoint, from 4 × GOMAXPROCS clients (each its own
// rpc.Client and connections): what wallets or an indexer polling balances
// cost the node. It reports calls per second.
func BenchmarkEthCallBalanceOf(b *testing.B) {
	f := newFixture(b)
	art, err := contracts.LoadArtifact("../../wallet/contracts/testdata/out/Token.sol/Token.json", "")
	if err != nil {
		b.Fatal(err)
	}
	code, err := contracts.PackConstructor(art, []string{"1000000e18"})
	if err != nil {
		b.Fatal(err)
	}
	tx := f.dynTx(key0, 0, nil, nil, 3_000_000, code)
	f.send(tx)
	f.produce()
	lk, err := f.chain.Transaction(tx.Hash())
	if err != nil || lk.Receipt.Status != types.ReceiptStatusSuccessful {
		b.Fatalf("deploy Token: %v", err)
	}
	token := lk.Receipt.ContractAddress
	data, err := art.ABI.Pack("balanceOf", addr0)
	if err != nil {
		b.Fatal(err)
	}
	want := new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(1e18))
	args := map[string]any{"to": token, "data": hexutil.Bytes(data)}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := rpc.DialHTTP(f.http.URL)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			var out hexutil.Bytes
			if err := c.CallContext(context.Background(), &out, "eth_call", args, "latest"); err != nil {
				b.Error(err)
				return
			}
			if new(big.Int).SetBytes(out).Cmp(want) != 0 {
				b.Errorf("balanceOf = %x", out)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
