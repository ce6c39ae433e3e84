package ethrpc

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/vm"
)

// JSON-RPC error codes, as EIP-1474 and go-ethereum use them.
const (
	codeInvalidParams = -32602
	codeServer        = -32000 // geth's code for most failures
	codeLimitExceeded = -32005
	codeReverted      = 3
)

// rpcError is an error with a JSON-RPC code.
type rpcError struct {
	code int
	msg  string
}

// Error is the message.
func (e *rpcError) Error() string { return e.msg }

// ErrorCode is the JSON-RPC code the server sends.
func (e *rpcError) ErrorCode() int { return e.code }

// dataError is an rpcError with a data member.
type dataError struct {
	rpcError
	data any
}

// ErrorData is the error's data member.
func (e *dataError) ErrorData() any { return e.data }

func invalidParams(format string, args ...any) error {
	return &rpcError{code: codeInvalidParams, msg: fmt.Sprintf(format, args...)}
}

func serverError(format string, args ...any) error {
	return &rpcError{code: codeServer, msg: fmt.Sprintf(format, args...)}
}

func limitExceeded(format string, args ...any) error {
	return &rpcError{code: codeLimitExceeded, msg: fmt.Sprintf(format, args...)}
}

// revertError is what a reverted call answers: code 3, the message
// "execution reverted" with the decoded reason (Error(string) or
// Panic(uint256)) if there is one, and the raw revert data as data, so a
// client can decode custom errors itself.
func revertError(data []byte) error {
	msg := vm.ErrExecutionReverted.Error()
	if reason, err := abi.UnpackRevert(data); err == nil {
		msg += ": " + reason
	}
	return &dataError{rpcError: rpcError{code: codeReverted, msg: msg}, data: hexutil.Encode(data)}
}

// errHeaderNotFound answers a block parameter past the head.
var errHeaderNotFound = &rpcError{code: codeServer, msg: "header not found"}

// errBlockHashNotFound answers an EIP-1898 block hash the chain lacks.
var errBlockHashNotFound = &rpcError{code: codeServer, msg: "header for hash not found"}

// errFilterNotFound answers a filter id that is unknown or expired.
var errFilterNotFound = &rpcError{code: codeServer, msg: "filter not found"}

// internal wraps a failure of the node itself with what was being done;
// it reaches the client as code -32000 with the message.
func internal(what string, err error) error {
	var re interface{ ErrorCode() int }
	if errors.As(err, &re) {
		return err
	}
	return serverError("%s: %v", what, err)
}
