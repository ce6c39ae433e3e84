package ethrpc

import (
	"math/big"
	"strings"
	"testing"

	"cairn/node/mempool"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

func TestSendRawTransaction(t *testing.T) {
	f := newFixture(t)
	tx := f.dynTx(key0, 0, &addr1, big.NewInt(1), 21000, nil)
	f.send(tx)
	if _, ok := f.pool.Lookup(tx.Hash()); !ok {
		t.Fatal("the transaction is not in the mempool")
	}
	raw, _ := tx.MarshalBinary()
	poor := types.MustSignNewTx(keyPoor, f.signer, &types.DynamicFeeTx{
		ChainID: f.chain.ChainID(), GasTipCap: gwei, GasFeeCap: new(big.Int).Mul(big.NewInt(10), gwei), Gas: 21000, To: &addr1, Value: big.NewInt(1),
	})
	poorRaw, _ := poor.MarshalBinary()
	otherChain := types.MustSignNewTx(key1, types.LatestSignerForChainID(big.NewInt(1)), &types.LegacyTx{
		GasPrice: new(big.Int).Mul(big.NewInt(5), gwei), Gas: 21000, To: &addr0, Value: big.NewInt(1),
	})
	otherRaw, _ := otherChain.MarshalBinary()
	for _, tc := range []struct {
		name, raw, msg, reason string
	}{
		{"replayed", hexutil.Encode(raw), "already known", mempool.ReasonAlreadyKnown},
		{"unfunded", hexutil.Encode(poorRaw), "insufficient funds", mempool.ReasonInsufficientFunds},
		{"another chain", hexutil.Encode(otherRaw), "invalid chain id", mempool.ReasonWrongChainID},
		{"garbage", "0x02f8", "invalid transaction", mempool.ReasonMalformed},
		{"empty", "0x", "invalid transaction", mempool.ReasonMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, data := wantCode(t, f.call(nil, "eth_sendRawTransaction", tc.raw), codeServer)
			if !strings.HasPrefix(msg, tc.msg) || data != tc.reason {
				t.Errorf("message %q data %v, want %q… and %q", msg, data, tc.msg, tc.reason)
			}
		})
	}
	f.produce()
	msg, _ := wantCode(t, f.call(nil, "eth_sendRawTransaction", hexutil.Encode(raw)), codeServer)
	if !strings.HasPrefix(msg, "nonce too low") && !strings.HasPrefix(msg, "already known") {
		t.Errorf("an included transaction sent again: %q", msg)
	}
	wantCode(t, f.call(nil, "eth_sendRawTransaction", "0xzz"), codeInvalidParams)
	if r := f.object("eth_getTransactionReceipt", tx.Hash()); r["status"] != "0x1" {
		t.Errorf("receipt of the sent transaction = %v", r)
	}
}
