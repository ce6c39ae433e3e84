package loadgen

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"
)

// Defaults of Config fields left at zero.
const (
	DefaultTxs         = 10_000
	DefaultConcurrency = 32
	// MaxBatch is the largest Batch: what one POST /v1/txs takes.
	MaxBatch       = 1000
	DefaultTimeout = 5 * time.Minute
	// DefaultFunded is how many of the first senders hold funds already:
	// the devnet (like Hardhat and Anvil) funds the first 10 accounts of
	// its mnemonic.
	DefaultFunded = 10
)

// Gwei is 10^9 wei.
var Gwei = big.NewInt(1_000_000_000)

// Default fees: the fee cap is twice the head's base fee but at least
// DefaultMinFeeCap, the tip DefaultTip.
var (
	DefaultMinFeeCap = new(big.Int).Mul(big.NewInt(10), Gwei)
	DefaultTip       = new(big.Int).Set(Gwei)
)

// Config is a load run: the workload, how it is paced, and the clock.
type Config struct {
	// Txs is how many transfers are measured (DefaultTxs if zero).
	Txs int
	// Keys are the senders. The first Funded hold funds; the others are
	// funded from them before the measurement starts.
	Keys []*ecdsa.PrivateKey
	// Funded is how many of the first Keys hold funds (DefaultFunded if
	// zero, capped at len(Keys)).
	Funded int
	// Rate is the submission rate in transfers per second; 0 sends as fast
	// as the workers can.
	Rate float64
	// Concurrency is how many requests are in flight at most
	// (DefaultConcurrency if zero). A sender never has more than one.
	Concurrency int
	// Batch is how many of one sender's transfers go in one request (a
	// POST /v1/txs batch, or a JSON-RPC batch); 0 or 1 sends one per
	// request. It needs a Target that is a BatchTarget.
	Batch int
	// Timeout bounds the whole run, funding included (DefaultTimeout if
	// zero). When it passes, the run reports what it saw.
	Timeout time.Duration
	// ChainID to sign for; nil asks the target.
	ChainID *big.Int
	// FeeCap is the max fee per gas (the gas price with Legacy); nil takes
	// twice the head's base fee, at least DefaultMinFeeCap.
	FeeCap *big.Int
	// Tip is the max priority fee per gas; nil takes DefaultTip (at most
	// the fee cap).
	Tip *big.Int
	// Value is the wei each transfer moves; nil means 1.
	Value *big.Int
	// Legacy sends EIP-155 legacy transactions instead of EIP-1559 ones.
	Legacy bool
	// To is the recipient mode, ToRandom (default) or ToRing.
	To string
	// Clock is the time source (WallClock if nil).
	Clock Clock
	// Log receives progress messages (none if nil).
	Log *slog.Logger
	// Progress is how often a progress line is logged while measuring
	// (never if zero).
	Progress time.Duration
}

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Txs == 0 {
		c.Txs = DefaultTxs
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Funded == 0 {
		c.Funded = DefaultFunded
	}
	c.Funded = min(c.Funded, len(c.Keys))
	if c.Value == nil {
		c.Value = big.NewInt(1)
	}
	if c.To == "" {
		c.To = ToRandom
	}
	if c.Clock == nil {
		c.Clock = WallClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	var errs []string
	if c.Txs < 0 {
		errs = append(errs, fmt.Sprintf("transfer count %d is negative", c.Txs))
	}
	if len(c.Keys) == 0 {
		errs = append(errs, "no sender keys")
	}
	for i, k := range c.Keys {
		if k == nil {
			errs = append(errs, fmt.Sprintf("sender key %d is nil", i))
			break
		}
	}
	if c.Funded < 0 {
		errs = append(errs, fmt.Sprintf("funded count %d is negative", c.Funded))
	}
	if c.Rate < 0 {
		errs = append(errs, fmt.Sprintf("rate %g is negative", c.Rate))
	}
	if c.Batch < 0 || c.Batch > MaxBatch {
		errs = append(errs, fmt.Sprintf("batch %d is not between 0 and %d", c.Batch, MaxBatch))
	}
	if c.Concurrency < 0 {
		errs = append(errs, fmt.Sprintf("concurrency %d is negative", c.Concurrency))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Sprintf("timeout %s is negative", c.Timeout))
	}
	if c.Value.Sign() < 0 {
		errs = append(errs, "value is negative")
	}
	if c.FeeCap != nil && c.FeeCap.Sign() <= 0 {
		errs = append(errs, "fee cap must be positive")
	}
	if c.Tip != nil && c.Tip.Sign() < 0 {
		errs = append(errs, "tip is negative")
	}
	if c.FeeCap != nil && c.Tip != nil && !c.Legacy && c.Tip.Cmp(c.FeeCap) > 0 {
		errs = append(errs, fmt.Sprintf("tip %s wei is above the fee cap %s wei", c.Tip, c.FeeCap))
	}
	if c.ChainID != nil && c.ChainID.Sign() <= 0 {
		errs = append(errs, "chain id must be positive")
	}
	if c.To != ToRandom && c.To != ToRing {
		errs = append(errs, fmt.Sprintf("recipient mode %q: want %s or %s", c.To, ToRandom, ToRing))
	}
	if len(errs) > 0 {
		return c, errors.New("config: " + strings.Join(errs, "; "))
	}
	return c, nil
}

// fees returns the fees to sign with, given the head's base fee (nil when
// the chain has none).
func (c Config) fees(baseFee *big.Int) Fees {
	f := Fees{Legacy: c.Legacy, FeeCap: c.FeeCap, Tip: c.Tip}
	if f.FeeCap == nil {
		f.FeeCap = new(big.Int).Set(DefaultMinFeeCap)
		if baseFee != nil {
			if twice := new(big.Int).Lsh(baseFee, 1); twice.Cmp(f.FeeCap) > 0 {
				f.FeeCap = twice
			}
		}
	}
	if f.Tip == nil {
		f.Tip = new(big.Int).Set(DefaultTip)
		if f.Tip.Cmp(f.FeeCap) > 0 {
			f.Tip.Set(f.FeeCap)
		}
	}
	return f
}

// ParseGwei parses a decimal amount of gwei ("10", "1.5", "0.000000001")
// into wei. Fractions of a wei are an error.
func ParseGwei(s string) (*big.Int, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok || strings.ContainsAny(s, "/eE") {
		return nil, fmt.Errorf("gwei amount %q: not a decimal number", s)
	}
	if r.Sign() < 0 {
		return nil, fmt.Errorf("gwei amount %q: negative", s)
	}
	r.Mul(r, new(big.Rat).SetInt(Gwei))
	if !r.IsInt() {
		return nil, fmt.Errorf("gwei amount %q: finer than one wei", s)
	}
	return new(big.Int).Set(r.Num()), nil
}
