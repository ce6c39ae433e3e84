package mempool

import (
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// State is what the pool needs to know about accounts at the current head.
// The pool calls it only while holding its own lock, so an implementation
// need not be safe for concurrent use, but its calls should be quick (an
// in-memory view of the head state): Update asks it about every sender.
type State interface {
	Nonce(addr common.Address) uint64
	Balance(addr common.Address) *big.Int
}

// Default limits applied by New where a Config field is left at zero.
const (
	DefaultMaxTxBytes   = 128 << 10
	DefaultMaxCount     = 200_000
	DefaultMaxBytes     = 512 << 20
	DefaultMaxPerSender = 20_000
	DefaultMaxNonceGap  = 1024
)

// Config holds the pool's rules and limits. Zero values take the defaults
// documented on each field.
type Config struct {
	// ChainID is the chain's EIP-155 ID; every transaction must be signed
	// for it. Required.
	ChainID *big.Int
	// Signer recovers senders (default types.LatestSignerForChainID of
	// ChainID). The node passes the executor's caching signer, so a
	// sender recovered here is not recovered again in block execution.
	// It must be a signer for ChainID.
	Signer types.Signer
	// BlockGasLimit bounds a transaction's gas (0: no block bound; the
	// EIP-7825 cap of params.MaxTxGas still applies).
	BlockGasLimit uint64
	// MaxTxGas is a per-transaction gas cap (0: BlockGasLimit). The
	// effective cap is the least of MaxTxGas, BlockGasLimit and
	// params.MaxTxGas (EIP-7825, enforced by Osaka execution).
	MaxTxGas uint64
	// MinBaseFee is a fee floor: a transaction's fee cap (gas price for
	// legacy and EIP-2930) must be at least max(current base fee,
	// MinBaseFee) to be admitted. Nil means zero.
	MinBaseFee *big.Int
	// MaxTxBytes bounds one transaction's encoded size (default 128 KiB).
	MaxTxBytes int
	// MaxCount bounds the number of transactions held (default 200,000).
	MaxCount int
	// MaxBytes bounds the memory the held transactions take (default 512
	// MiB): each is accounted at its encoded size plus what its decoded
	// form, its entry and the indexes hold beyond that (about 1 KiB for a
	// transfer of 112 encoded bytes), and each sender at its own overhead;
	// see Stats.Memory. The process's resident size is larger again by
	// the garbage collector's headroom.
	MaxBytes int
	// MaxPerSender bounds the transactions held per sender (default 20,000).
	MaxPerSender int
	// MaxNonceGap bounds how many nonces may be missing before a queued
	// transaction: its nonce may be at most the sender's next executable
	// nonce (account nonce plus its pending run) plus MaxNonceGap
	// (default 1024). A contiguous run from the account nonce is never
	// limited by it, only by MaxPerSender.
	MaxNonceGap uint64
	// Now is the clock used for Entry.Added (default time.Now).
	Now func() time.Time
	// OnAdd, if set, is called after a transaction is admitted, outside the
	// pool's lock, from the goroutine that called Add, with where the
	// transaction came from.
	OnAdd func(tx *types.Transaction, from common.Address, origin Origin)
	// OnRemove, if set, is called after a transaction leaves the pool for
	// any reason other than a failed Add (see the Drop* constants and
	// Remove), outside the pool's lock.
	OnRemove func(tx *types.Transaction, from common.Address, reason string)
}

// withDefaults returns cfg with zero limits replaced by the defaults.
func (cfg Config) withDefaults() Config {
	if cfg.MaxTxBytes <= 0 {
		cfg.MaxTxBytes = DefaultMaxTxBytes
	}
	if cfg.MaxCount <= 0 {
		cfg.MaxCount = DefaultMaxCount
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxPerSender <= 0 {
		cfg.MaxPerSender = DefaultMaxPerSender
	}
	if cfg.MaxNonceGap == 0 {
		cfg.MaxNonceGap = DefaultMaxNonceGap
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// Entry describes one pooled transaction, for the API and the console.
type Entry struct {
	Tx     *types.Transaction
	From   common.Address
	Added  time.Time
	Size   int  // encoded size in bytes
	Queued bool // held back behind a nonce gap, not yet selectable
}

// Stats summarises the pool's contents.
type Stats struct {
	Pending int // transactions contiguous from their sender's account nonce
	Queued  int // transactions held behind a nonce gap
	Bytes   int // total encoded size of all held transactions
	Memory  int // accounted memory of the pool, what Config.MaxBytes bounds
	Senders int // distinct senders with at least one transaction
}

// Origin is where a transaction offered to the pool came from.
type Origin int

// Origins.
const (
	// Local: submitted to this node (API, console, CLI).
	Local Origin = iota
	// Remote: gossiped by a peer.
	Remote
)
