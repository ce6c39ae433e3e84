package mempool

import (
	"math/big"
	"testing"

	"cairn/chain"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// TestEstimateSize compares the estimate with real signed encodings.
func TestEstimateSize(t *testing.T) {
	key, _ := crypto.HexToECDSA("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
	signer := types.LatestSignerForChainID(big.NewInt(chain.DevnetChainID))
	to := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	bigValue, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	cases := map[string]types.TxData{
		"legacy transfer": &types.LegacyTx{Nonce: 3, GasPrice: big.NewInt(2e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)},
		"1559 transfer": &types.DynamicFeeTx{ChainID: big.NewInt(chain.DevnetChainID), Nonce: 70000, GasTipCap: big.NewInt(1e9),
			GasFeeCap: big.NewInt(30e9), Gas: 21000, To: &to, Value: bigValue},
		"1559 deploy": &types.DynamicFeeTx{ChainID: big.NewInt(chain.DevnetChainID), GasTipCap: big.NewInt(1e9),
			GasFeeCap: big.NewInt(30e9), Gas: 900000, Data: make([]byte, 3000)},
		"2930 call": &types.AccessListTx{ChainID: big.NewInt(chain.DevnetChainID), Nonce: 1, GasPrice: big.NewInt(5e9),
			Gas: 50000, To: &to, Data: make([]byte, 68)},
	}
	for name, data := range cases {
		tx := types.MustSignNewTx(key, signer, data)
		raw, _ := tx.MarshalBinary()
		v := (*api.Amount)(tx.Value())
		at := &api.Tx{Type: tx.Type(), Nonce: tx.Nonce(), Gas: tx.Gas(), To: tx.To(), Value: v, Input: tx.Data(),
			GasPrice: api.NewAmount(tx.GasPrice())}
		if tx.Type() == types.DynamicFeeTxType {
			at.MaxFeePerGas, at.MaxPriorityFeePerGas = api.NewAmount(tx.GasFeeCap()), api.NewAmount(tx.GasTipCap())
		}
		if got := estimateSize(at); got < len(raw)-2 || got > len(raw)+2 {
			t.Errorf("%s: estimate %d bytes, encoded %d", name, got, len(raw))
		}
	}
}
