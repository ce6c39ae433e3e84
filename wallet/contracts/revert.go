package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// Kinds of revert, as Revert.Kind names them.
const (
	RevertEmpty   = "empty"   // no data: revert() or require(cond) without a message
	RevertError   = "error"   // Error(string): require(cond, "message") or revert("message")
	RevertPanic   = "panic"   // Panic(uint256): assert, overflow, division by zero…
	RevertCustom  = "custom"  // a custom error of the ABI: revert TooLow(1, 5)
	RevertUnknown = "unknown" // data no known error explains
)

var (
	errorSelector = crypto.Keccak256([]byte("Error(string)"))[:4]
	panicSelector = crypto.Keccak256([]byte("Panic(uint256)"))[:4]
)

// PanicReasons are the meanings of Solidity's Panic(uint256) codes.
var PanicReasons = map[uint64]string{
	0x00: "generic compiler panic",
	0x01: "assertion failed",
	0x11: "arithmetic overflow or underflow",
	0x12: "division or modulo by zero",
	0x21: "conversion to an invalid enum value",
	0x22: "access to an incorrectly encoded storage byte array",
	0x31: "pop() on an empty array",
	0x32: "array index out of bounds",
	0x41: "out of memory (too large an allocation)",
	0x51: "call of an uninitialized internal function",
}

// Revert is decoded revert data.
type Revert struct {
	// Kind is RevertEmpty, RevertError, RevertPanic, RevertCustom or
	// RevertUnknown.
	Kind string
	// Reason is Error(string)'s message.
	Reason string
	// PanicCode is Panic(uint256)'s code.
	PanicCode *big.Int
	// Error is the ABI's custom error, and Args its decoded fields.
	Error *abi.Error
	Args  []Value
	// Data is the revert data as returned.
	Data []byte
}

// ParseRevert decodes revert data: Error(string), Panic(uint256), or a
// custom error of a (which may be nil).
func ParseRevert(data []byte, a *abi.ABI) (r *Revert) {
	r = &Revert{Kind: RevertUnknown, Data: data}
	if len(data) == 0 {
		r.Kind = RevertEmpty
		return r
	}
	if len(data) < 4 {
		return r
	}
	defer func() {
		if rec := recover(); rec != nil {
			r = &Revert{Kind: RevertUnknown, Data: data}
		}
	}()
	sel := data[:4]
	switch {
	case bytes.Equal(sel, errorSelector):
		if s, err := abi.UnpackRevert(data); err == nil {
			r.Kind, r.Reason = RevertError, s
		}
		return r
	case bytes.Equal(sel, panicSelector):
		t, _ := abi.NewType("uint256", "", nil)
		if vals, err := (abi.Arguments{{Type: t}}).Unpack(data[4:]); err == nil {
			r.Kind, r.PanicCode = RevertPanic, vals[0].(*big.Int)
		}
		return r
	}
	if a == nil {
		return r
	}
	for _, e := range a.Errors {
		if !bytes.Equal(e.ID[:4], sel) {
			continue
		}
		vals, err := e.Inputs.Unpack(data[4:])
		if err != nil {
			return r
		}
		e := e
		r.Kind, r.Error, r.Args = RevertCustom, &e, Values(e.Inputs, vals)
		return r
	}
	return r
}

// String explains the revert in one line: the message of Error(string);
// "panic 0x12: division or modulo by zero"; "TooLow(got: 1, want: 5)"; or
// the unexplained data.
func (r *Revert) String() string {
	switch r.Kind {
	case RevertEmpty:
		return "no reason given"
	case RevertError:
		return r.Reason
	case RevertPanic:
		meaning := "unknown panic code"
		if r.PanicCode.IsUint64() {
			if m, ok := PanicReasons[r.PanicCode.Uint64()]; ok {
				meaning = m
			}
		}
		return fmt.Sprintf("panic 0x%x: %s", r.PanicCode, meaning)
	case RevertCustom:
		return r.Error.Name + "(" + Format(r.Args) + ")"
	}
	if len(r.Data) >= 4 {
		return fmt.Sprintf("custom error %s, not in the ABI (data %s)", hexutil.Encode(r.Data[:4]), hexutil.Encode(r.Data))
	}
	return "revert data " + hexutil.Encode(r.Data)
}

// MarshalJSON writes the revert as {"kind", "message", "data", …}.
func (r *Revert) MarshalJSON() ([]byte, error) {
	out := struct {
		Kind      string  `json:"kind"`
		Message   string  `json:"message"`
		Reason    string  `json:"reason,omitempty"`
		PanicCode string  `json:"panicCode,omitempty"`
		Error     string  `json:"error,omitempty"`
		Args      []Value `json:"args,omitempty"`
		Data      string  `json:"data"`
	}{Kind: r.Kind, Message: r.String(), Reason: r.Reason, Args: r.Args, Data: hexutil.Encode(r.Data)}
	if r.PanicCode != nil {
		out.PanicCode = fmt.Sprintf("0x%x", r.PanicCode)
	}
	if r.Error != nil {
		out.Error = r.Error.Sig
	}
	return json.Marshal(out)
}

// DecodeRevert explains revert data in one line (see Revert.String),
// with custom errors decoded from a, which may be nil.
func DecodeRevert(data []byte, a *abi.ABI) string {
	return ParseRevert(data, a).String()
}
