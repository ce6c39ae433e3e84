package chain

import (
	"crypto/ed25519"
	"crypto/sha256"
	"math/big"

	"cairn/chain/staking"

	"github.com/ethereum/go-ethereum/common"
)

// DevnetChainID is the chain ID of the built-in development network.
const DevnetChainID = 7777

// DevnetAccounts are the first ten accounts (m/44'/60'/0'/0/0..9) of the
// public development mnemonic "test test test test test test test test test
// test test junk", the accounts Hardhat and Anvil fund too. Their keys are
// public: anyone can spend from them.
var DevnetAccounts = []common.Address{
	common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
	common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
	common.HexToAddress("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
	common.HexToAddress("0x90F79bf6EB2c4f870365E785982E1f101E93b906"),
	common.HexToAddress("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
	common.HexToAddress("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
	common.HexToAddress("0x976EA74026E726554dB657fA54763abd0C3a0aa9"),
	common.HexToAddress("0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"),
	common.HexToAddress("0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"),
	common.HexToAddress("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"),
}

// DevnetWarning is shown whenever the devnet runs.
const DevnetWarning = "devnet: the funded accounts and the validator key are PUBLIC " +
	"(mnemonic \"test test … junk\"); never send real value to them"

// DevnetValidatorKey is the consensus key of the devnet's single validator.
// It is derived from a fixed string, so it is public like the accounts.
func DevnetValidatorKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("cairn devnet validator 0"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// CRN returns n whole CRN in wei.
func CRN(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), PowerUnit) }

// DefaultParams are the parameters `cairn init` and the devnet start from.
func DefaultParams() Params {
	return Params{
		BlockTimeMs:    1000,
		GasLimit:       300_000_000,
		MaxTxGas:       16_777_216, // EIP-7825's cap, which the Osaka rules enforce anyway
		InitialBaseFee: NewBigInt(big.NewInt(1_000_000_000)),
		MinBaseFee:     NewBigInt(big.NewInt(1_000_000_000)),
		Consensus:      Timeouts{ProposeMs: 3000, VoteMs: 1000, DeltaMs: 500},
		Staking:        staking.DefaultParams(),
	}
}

// DevnetGasLimit is the devnet's block gas limit: 28,571 transfers a
// block, twice a new network's default, so that a devnet node shows what
// it can finalize in a second rather than where the limit cuts it off.
const DevnetGasLimit = 600_000_000

// Devnet is the built-in development genesis: chain ID 7777, one validator
// with the public devnet key operated by DevnetAccounts[0], and 1,000,000
// CRN in each DevnetAccounts entry.
func Devnet() *Genesis {
	g := &Genesis{
		ChainID: DevnetChainID,
		Time:    1767225600000, // 2026-01-01T00:00:00Z
		Params:  DefaultParams(),
		Alloc:   map[common.Address]GenesisAccount{},
	}
	g.Params.GasLimit = DevnetGasLimit
	pub := DevnetValidatorKey().Public().(ed25519.PublicKey)
	// The first devnet account operates the validator, so the console's
	// first account can claim its commission and unjail it.
	g.Validators = []GenesisValidator{{Address: DevnetAccounts[0], PubKey: []byte(pub), Stake: NewBigInt(CRN(1_000_000)), Name: "devnet-0"}}
	for _, a := range DevnetAccounts {
		g.Alloc[a] = GenesisAccount{Balance: NewBigInt(CRN(1_000_000))}
	}
	return g
}
