package chain

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"testing"

	"cairn/chain/staking"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// BenchmarkExecuteBlockWithDelegations measures a validator re-executing a
// block of 1,000 transfers on a chain whose only validator has no
// delegations, or 10,000 from as many accounts. Paying a block's reward
// touches the validator's accumulator, never its delegators, so the two
// should cost the same.
func BenchmarkExecuteBlockWithDelegations(b *testing.B) {
	for _, n := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("delegations=%d", n), func(b *testing.B) {
			benchExecute1000Transfers(b, delegatedChain(b, n))
		})
	}
}

// delegatedChain is a devnet chain on which n funded accounts each
// delegated 1 CRN to the devnet validator.
func delegatedChain(b *testing.B, n int) *Chain {
	b.Helper()
	g := Devnet()
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		keys[i], _ = crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprint("delegator ", i))))
		g.Alloc[crypto.PubkeyToAddress(keys[i].PublicKey)] = GenesisAccount{Balance: NewBigInt(CRN(2))}
	}
	c, store := openTestChainWith(b, b.TempDir(), g)
	b.Cleanup(func() { c.Close(); store.Close() })
	data, _ := staking.ABI.Pack("delegate", devnetValidator())
	to := staking.Address
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 2000)]
		keys = keys[len(batch):]
		txs := make([]*types.Transaction, len(batch))
		for i, k := range batch {
			txs[i] = types.MustSignNewTx(k, c.Signer(), &types.DynamicFeeTx{ChainID: c.ChainID(), GasTipCap: big.NewInt(1e9),
				GasFeeCap: big.NewInt(10e9), Gas: 150_000, To: &to, Value: CRN(1), Data: data})
		}
		blk, _ := produce(b, c, txs...)
		if len(blk.Txs) != len(batch) {
			b.Fatalf("block has %d of %d delegations", len(blk.Txs), len(batch))
		}
	}
	st, _ := c.State()
	bonded := c.Staking().View(st).Totals().Bonded
	if want := new(big.Int).Add(g.Validators[0].Stake.Int(), CRN(int64(n))); bonded.Cmp(want) != 0 {
		b.Fatalf("bonded %s, want the validator's stake and %d delegations of 1 CRN (%s)", bonded, n, want)
	}
	return c
}
