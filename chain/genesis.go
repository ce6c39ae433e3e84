package chain

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"

	"cairn/chain/staking"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Params are the chain's consensus parameters; every node must agree on
// them, so they live in genesis.
type Params struct {
	BlockTimeMs    uint64         `json:"blockTimeMs"`    // target interval between blocks
	GasLimit       uint64         `json:"gasLimit"`       // gas available in one block
	MaxTxGas       uint64         `json:"maxTxGas"`       // gas cap of one transaction
	InitialBaseFee *BigInt        `json:"initialBaseFee"` // base fee of block 1, wei
	MinBaseFee     *BigInt        `json:"minBaseFee"`     // the base fee never falls below this, wei
	Consensus      Timeouts       `json:"consensus"`
	Staking        staking.Params `json:"staking"`
}

// Timeouts are the BFT round timeouts; each grows by DeltaMs per round.
type Timeouts struct {
	ProposeMs uint64 `json:"proposeMs"`
	VoteMs    uint64 `json:"voteMs"`
	DeltaMs   uint64 `json:"deltaMs"`
}

// GenesisAccount is an account's state at genesis.
type GenesisAccount struct {
	Balance *BigInt                     `json:"balance"`
	Nonce   uint64                      `json:"nonce,omitempty"`
	Code    hexutil.Bytes               `json:"code,omitempty"`
	Storage map[common.Hash]common.Hash `json:"storage,omitempty"`
}

// GenesisValidator is a validator of the first validator set.
type GenesisValidator struct {
	Address common.Address `json:"address"` // operator; zero means derived from the key
	PubKey  hexutil.Bytes  `json:"pubKey"`  // ed25519 consensus key
	Stake   *BigInt        `json:"stake"`   // bonded stake, wei
	Name    string         `json:"name,omitempty"`
	// CommissionBps is the validator's cut of its rewards, basis points.
	CommissionBps uint64 `json:"commissionBps,omitempty"`
}

// Genesis describes a chain's first block and state.
type Genesis struct {
	ChainID    uint64                            `json:"chainId"`
	Time       uint64                            `json:"time"` // unix milliseconds
	Params     Params                            `json:"params"`
	Validators []GenesisValidator                `json:"validators"`
	Alloc      map[common.Address]GenesisAccount `json:"alloc"`
}

// PowerUnit is the stake that buys one unit of voting power: 1 CRN.
var PowerUnit = staking.PowerUnit.ToBig()

// LoadGenesis reads and validates a genesis file.
func LoadGenesis(path string) (*Genesis, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read genesis: %w", err)
	}
	g, err := ParseGenesis(data)
	if err != nil {
		return nil, fmt.Errorf("genesis %s: %w", path, err)
	}
	return g, nil
}

// ParseGenesis decodes genesis JSON (unknown fields are an error, so a typo
// does not silently fall back to a default) and validates it.
func ParseGenesis(data []byte) (*Genesis, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var g Genesis
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}

// Validate checks that the genesis describes a chain that can run.
func (g *Genesis) Validate() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if g.ChainID == 0 {
		bad("chainId must be set and non-zero")
	}
	p := g.Params
	if p.BlockTimeMs == 0 {
		bad("params.blockTimeMs must be positive")
	}
	if p.GasLimit < 21000 {
		bad("params.gasLimit %d is below one transfer (21000)", p.GasLimit)
	}
	if p.MaxTxGas < 21000 || p.MaxTxGas > p.GasLimit {
		bad("params.maxTxGas %d must be between 21000 and gasLimit %d", p.MaxTxGas, p.GasLimit)
	}
	if p.InitialBaseFee == nil || p.InitialBaseFee.Sign() <= 0 {
		bad("params.initialBaseFee must be positive")
	}
	if p.MinBaseFee == nil || p.MinBaseFee.Sign() < 0 {
		bad("params.minBaseFee must be set and not negative")
	}
	if err := p.Staking.Validate(); err != nil {
		bad("params.staking: %v", err)
	}
	if len(g.Validators) == 0 {
		bad("at least one validator is required")
	}
	if max := p.Staking.MaxValidators; max > 0 && len(g.Validators) > int(max) {
		bad("%d validators, more than params.staking.maxValidators %d", len(g.Validators), max)
	}
	seen := map[common.Address]bool{}
	for i, v := range g.Validators {
		if len(v.PubKey) != ed25519.PublicKeySize {
			bad("validators[%d].pubKey is %d bytes, want %d (ed25519)", i, len(v.PubKey), ed25519.PublicKeySize)
			continue
		}
		switch min := p.Staking.MinSelfStake; {
		case v.Stake == nil || new(big.Int).Div(v.Stake.Int(), PowerUnit).Sign() <= 0:
			bad("validators[%d].stake must be at least 1 CRN", i)
		case min != nil && v.Stake.Int().Cmp(min.Int()) < 0:
			// It would leave the set at the first epoch's end.
			bad("validators[%d].stake %s is below params.staking.minSelfStake %s", i, v.Stake.Int(), min.Int())
		}
		if len(v.Name) > staking.MaxMoniker {
			bad("validators[%d].name is longer than %d bytes", i, staking.MaxMoniker)
		}
		if v.CommissionBps > 10_000 {
			bad("validators[%d].commissionBps %d is above 10000 (100%%)", i, v.CommissionBps)
		}
		addr := v.OperatorAddress()
		if seen[addr] {
			bad("validators[%d]: address %s appears twice", i, addr)
		}
		seen[addr] = true
	}
	for addr, acc := range g.Alloc {
		if acc.Balance == nil || acc.Balance.Sign() < 0 {
			bad("alloc[%s].balance must be set and not negative", addr)
		}
	}
	if len(errs) > 0 {
		return errors.New("invalid genesis: " + strings.Join(errs, "; "))
	}
	return nil
}

// OperatorAddress is the validator's address: the one given, or one derived
// from its consensus key.
func (v GenesisValidator) OperatorAddress() common.Address {
	if v.Address != (common.Address{}) {
		return v.Address
	}
	return ConsensusAddress(ed25519.PublicKey(v.PubKey))
}

// ValidatorSet is the first validator set.
func (g *Genesis) ValidatorSet() *ValidatorSet {
	vals := make([]*Validator, len(g.Validators))
	for i, v := range g.Validators {
		vals[i] = &Validator{
			Address: v.OperatorAddress(),
			PubKey:  ed25519.PublicKey(common.CopyBytes(v.PubKey)),
			Power:   new(big.Int).Div(v.Stake.Int(), PowerUnit).Uint64(),
			Name:    v.Name,
		}
	}
	return NewValidatorSet(vals)
}

// stakingValidators are the genesis validators as the staking contract
// registers them.
func (g *Genesis) stakingValidators() []staking.GenesisValidator {
	out := make([]staking.GenesisValidator, len(g.Validators))
	for i, v := range g.Validators {
		out[i] = staking.GenesisValidator{
			Operator: v.OperatorAddress(), Key: common.BytesToHash(v.PubKey), Stake: v.Stake.Int(),
			CommissionBps: v.CommissionBps, Moniker: v.Name,
		}
	}
	return out
}

// ChainIDBig is the chain ID as the Ethereum libraries want it.
func (g *Genesis) ChainIDBig() *big.Int { return new(big.Int).SetUint64(g.ChainID) }

// Seed is the randomness beacon the chain starts from: beta of block 0.
// It depends only on the genesis content, so every node derives the same.
func (g *Genesis) Seed(stateRoot common.Hash) []byte {
	h := sha512.New()
	h.Write([]byte("cairn/genesis-seed"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], g.ChainID)
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], g.Time)
	h.Write(b[:])
	h.Write(stateRoot[:])
	h.Write(g.ValidatorSet().Hash().Bytes())
	return h.Sum(nil)
}

// Header builds the genesis header for a state root computed from Alloc.
func (g *Genesis) Header(stateRoot common.Hash) *Header {
	return &Header{
		Height:         0,
		Time:           g.Time,
		StateRoot:      stateRoot,
		TxRoot:         TxRoot(nil),
		ReceiptRoot:    ReceiptRoot(nil),
		GasLimit:       g.Params.GasLimit,
		BaseFee:        g.Params.InitialBaseFee.Int(),
		VRFOutput:      g.Seed(stateRoot),
		ValidatorsHash: g.ValidatorSet().Hash(),
		// Block 1 is validated by the genesis set too.
		NextValidatorsHash: g.ValidatorSet().Hash(),
	}
}

// Marshal encodes the genesis as indented JSON.
func (g *Genesis) Marshal() ([]byte, error) {
	return json.MarshalIndent(g, "", "  ")
}
