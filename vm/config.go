package vm

import (
	"math/big"

	"github.com/ethereum/go-ethereum/params"
)

// ChainConfig returns the Ethereum rules Cairn runs: every fork up to and
// including Osaka active from genesis, under Cairn's chain ID. Blob
// transactions are refused before they reach the EVM (the mempool and block
// validation reject type-3 transactions).
func ChainConfig(chainID *big.Int) *params.ChainConfig {
	cfg := *params.MergedTestChainConfig
	cfg.ChainID = new(big.Int).Set(chainID)
	return &cfg
}

// Rules returns the active fork rules for a block at the given number and
// time (seconds).
func Rules(cfg *params.ChainConfig, number, timeSeconds uint64) params.Rules {
	return cfg.Rules(new(big.Int).SetUint64(number), true, timeSeconds)
}
