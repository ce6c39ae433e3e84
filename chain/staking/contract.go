package staking

import (
	"errors"
	"fmt"
	"math/big"

	cairnvm "cairn/vm"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/holiman/uint256"
)

// Gas per method. The contract's work is a handful of storage words, priced
// near what the same writes would cost in EVM code; methods whose work grows
// with the state pay per item (see Gas).
var methodGas = map[string]uint64{
	"createValidator": 150_000,
	"editValidator":   30_000,
	"delegate":        60_000,
	"undelegate":      90_000,
	"redelegate":      140_000,
	"withdraw":        30_000,
	"claimRewards":    40_000,
	"unjail":          40_000,
	"validators":      5_000,
	"validator":       5_000,
	"delegation":      3_000,
	"delegations":     5_000,
	"pendingRewards":  3_000,
	"unbondings":      5_000,
}

const (
	perItemGas = 3_000 // per validator, delegation or entry a call walks
	unknownGas = 2_100 // a call the contract refuses before reading anything
)

// Address is where the contract answers (vm.Native).
func (s *Staking) Address() common.Address { return Address }

// Gas is the price of a call (vm.Native): a fixed cost per method, plus a
// cost per item for those that walk a list.
func (s *Staking) Gas(st vm.StateDB, input []byte) uint64 {
	if len(input) < 4 {
		return unknownGas
	}
	method, err := ABI.MethodById(input[:4])
	if err != nil {
		return unknownGas
	}
	gas := methodGas[method.Name]
	d := db{st}
	switch method.Name {
	case "validators":
		gas += perItemGas * d.validatorList().Len()
	case "delegations", "unbondings":
		if args, err := method.Inputs.Unpack(input[4:]); err == nil {
			a := args[0].(common.Address)
			gas += perItemGas * (d.delegatorValidators(a).Len() + d.delegatorEntries(a).Len())
		}
	case "withdraw", "undelegate", "redelegate":
		// They walk the sender's entries, at most MaxEntries of them.
		gas += perItemGas * uint64(s.params.MaxEntries)
	}
	return gas
}

// Run executes one call (vm.Native).
func (s *Staking) Run(st vm.StateDB, env *cairnvm.BlockEnv, call *cairnvm.NativeCall, input []byte) ([]byte, error) {
	out, err := s.run(st, env, call, input)
	var reason revertError
	if errors.As(err, &reason) {
		return revertData(string(reason)), vm.ErrExecutionReverted
	}
	return out, err
}

func (s *Staking) run(st vm.StateDB, env *cairnvm.BlockEnv, call *cairnvm.NativeCall, input []byte) ([]byte, error) {
	if len(input) < 4 {
		return nil, revertError("no method given: call a method of IStaking (plain transfers are refused)")
	}
	method, err := ABI.MethodById(input[:4])
	if err != nil {
		return nil, revertf("unknown method %x", input[:4])
	}
	args, err := method.Inputs.Unpack(input[4:])
	if err != nil {
		return nil, revertf("%s: bad arguments: %v", method.Name, err)
	}
	view := method.IsConstant()
	switch {
	case !view && call == nil:
		return nil, revertf("%s changes state: call it with CALL, not STATICCALL or DELEGATECALL", method.Name)
	case call != nil && !call.Value.IsZero() && !method.IsPayable():
		return nil, revertf("%s takes no value", method.Name)
	}
	m := s.machine(st, Env{Height: env.Number, TimeMs: env.TimeMs})
	if view {
		return s.answer(m, method, args)
	}
	m.emit = func(name string, topics []common.Hash, args ...any) {
		ev := ABI.Events[name]
		data, err := ev.Inputs.NonIndexed().Pack(args...)
		if err != nil {
			panic(fmt.Sprintf("pack %s event: %v", name, err)) // Cairn's own values: a programming error
		}
		st.AddLog(&types.Log{Address: Address, Topics: append([]common.Hash{ev.ID}, topics...), Data: data, BlockNumber: env.Number})
	}
	return nil, s.change(m, call, method.Name, args)
}

func (s *Staking) change(m *machine, call *cairnvm.NativeCall, name string, args []any) error {
	from := call.Caller
	switch name {
	case "createValidator":
		return m.createValidator(from, args[0].([32]byte), args[1].([]byte), uint64(args[2].(uint16)), args[3].(string), call.Value)
	case "editValidator":
		return m.editValidator(from, uint64(args[0].(uint16)), args[1].(string))
	case "delegate":
		return m.delegate(from, args[0].(common.Address), call.Value)
	case "undelegate":
		return m.undelegate(from, args[0].(common.Address), amountArg(args[1]))
	case "redelegate":
		return m.redelegate(from, args[0].(common.Address), args[1].(common.Address), amountArg(args[2]))
	case "withdraw":
		return m.withdraw(from)
	case "claimRewards":
		return m.claimRewards(from, args[0].(common.Address))
	case "unjail":
		return m.unjail(from)
	}
	return revertf("method %s is not implemented", name)
}

func (s *Staking) answer(m *machine, method *abi.Method, args []any) ([]byte, error) {
	r := Reader{*m}
	var out []any
	switch method.Name {
	case "validators":
		out = []any{r.Validators()}
	case "validator":
		info, ok := r.Validator(args[0].(common.Address))
		if !ok {
			return nil, revertf("%s is not a validator", args[0])
		}
		out = []any{info}
	case "delegation":
		amount, shares := r.Delegation(args[0].(common.Address), args[1].(common.Address))
		out = []any{amount, shares}
	case "delegations":
		out = []any{r.Delegations(args[0].(common.Address))}
	case "pendingRewards":
		out = []any{r.PendingRewards(args[0].(common.Address), args[1].(common.Address))}
	case "unbondings":
		out = []any{r.Unbondings(args[0].(common.Address))}
	default:
		return nil, revertf("method %s is not implemented", method.Name)
	}
	return method.Outputs.Pack(out...)
}

func amountArg(a any) *uint256.Int {
	z, overflow := uint256.FromBig(a.(*big.Int))
	if overflow {
		return new(uint256.Int).SetAllOne()
	}
	return z
}

// revertData is the ABI encoding of Error(reason), what Solidity's
// require and revert return and what Ethereum clients decode.
func revertData(reason string) []byte {
	str, _ := abi.NewType("string", "", nil)
	data, _ := abi.Arguments{{Type: str}}.Pack(reason)
	return append([]byte{0x08, 0xc3, 0x79, 0xa0}, data...)
}
