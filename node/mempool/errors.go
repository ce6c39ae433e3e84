package mempool

import (
	"errors"
	"fmt"
)

// Rejection reasons carried by RejectError.Reason. They are stable strings
// that the API returns to clients and that metrics are keyed by, so they
// must not be renamed.
const (
	ReasonMalformed              = "malformed"
	ReasonUnsupportedType        = "unsupported_type"
	ReasonWrongChainID           = "wrong_chain_id"
	ReasonInvalidSignature       = "invalid_signature"
	ReasonNonceTooLow            = "nonce_too_low"
	ReasonNonceTooHigh           = "nonce_too_high"
	ReasonInsufficientFunds      = "insufficient_funds"
	ReasonGasLimitExceeded       = "gas_limit_exceeded"
	ReasonIntrinsicGas           = "intrinsic_gas"
	ReasonOversized              = "oversized"
	ReasonFeeTooLow              = "fee_too_low"
	ReasonInvalidFee             = "invalid_fee"
	ReasonReplacementUnderpriced = "replacement_underpriced"
	ReasonPoolFull               = "pool_full"
	ReasonAlreadyKnown           = "already_known"
	ReasonSenderLimit            = "sender_limit"
)

// Reasons passed to Config.OnRemove when the pool itself drops a
// transaction. Remove passes on whatever reason its caller gives.
const (
	// DropStale: the account nonce moved past the transaction's nonce, so it
	// was included in a block or superseded by another transaction.
	DropStale = "stale"
	// DropUnfundable: after a block the sender's balance no longer covers it.
	DropUnfundable = "insufficient_funds"
	// DropEvicted: pushed out by a better-paying transaction when full.
	DropEvicted = "evicted"
	// DropReplaced: superseded by a same-nonce transaction with a fee bump.
	DropReplaced = "replaced"
)

// RejectError is returned by Add and AddRaw when a transaction is not
// admitted. Reason is one of the Reason* constants; Detail is for humans.
type RejectError struct {
	Reason string
	Detail string
}

// Error formats the rejection as "reason: detail".
func (e *RejectError) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

// IsReject reports whether err is (or wraps) a *RejectError and returns it.
func IsReject(err error) (*RejectError, bool) {
	var re *RejectError
	if errors.As(err, &re) {
		return re, true
	}
	return nil, false
}

// reject builds a *RejectError with a formatted detail.
func reject(reason, format string, args ...any) *RejectError {
	return &RejectError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}
