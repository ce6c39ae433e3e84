package contracts

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
)

// ResolveMethod finds the function fn names. fn is a signature
// ("transfer(address,uint256)", see ParseSignature), which works with no
// ABI at all, or a bare name ("transfer"), which needs the ABI and must be
// unique in it (an overloaded name needs the signature). When the ABI has
// the signature's function, its parameter names, outputs and mutability
// are used. returns, if not empty, sets the outputs (see ParseReturns);
// return types written in the signature win over the ABI's.
func ResolveMethod(a *abi.ABI, fn, returns string) (abi.Method, error) {
	fn = strings.TrimSpace(fn)
	var m abi.Method
	if strings.Contains(fn, "(") {
		parsed, err := ParseSignature(fn)
		if err != nil {
			return abi.Method{}, err
		}
		m = parsed
		if a != nil {
			if known, ok := methodByID(a, parsed.ID); ok {
				if len(parsed.Outputs) > 0 {
					known = withOutputs(known, parsed.Outputs)
				}
				m = known
			}
		}
	} else {
		if a == nil {
			return abi.Method{}, fmt.Errorf("%q: with no ABI known for the contract, name the function by its signature (like %s(address,uint256)) or give the ABI", fn, fn)
		}
		found, err := methodByName(a, fn)
		if err != nil {
			return abi.Method{}, err
		}
		m = found
	}
	if strings.TrimSpace(returns) != "" {
		outs, err := ParseReturns(returns)
		if err != nil {
			return abi.Method{}, err
		}
		m = withOutputs(m, outs)
	}
	return m, nil
}

func withOutputs(m abi.Method, outs abi.Arguments) abi.Method {
	return abi.NewMethod(m.Name, m.RawName, m.Type, m.StateMutability, m.Constant, m.Payable, m.Inputs, outs)
}

func methodByID(a *abi.ABI, id []byte) (abi.Method, bool) {
	for _, m := range a.Methods {
		if bytes.Equal(m.ID, id) {
			return m, true
		}
	}
	return abi.Method{}, false
}

func methodByName(a *abi.ABI, name string) (abi.Method, error) {
	var found []abi.Method
	for _, m := range a.Methods {
		if m.RawName == name {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		names := map[string]bool{}
		for _, m := range a.Methods {
			names[m.RawName] = true
		}
		list := make([]string, 0, len(names))
		for n := range names {
			list = append(list, n)
		}
		sort.Strings(list)
		if len(list) == 0 {
			return abi.Method{}, fmt.Errorf("the ABI has no function %q (it has no functions)", name)
		}
		return abi.Method{}, fmt.Errorf("the ABI has no function %q; it has %s", name, strings.Join(list, ", "))
	}
	sigs := make([]string, len(found))
	for i, m := range found {
		sigs[i] = m.Sig
	}
	sort.Strings(sigs)
	return abi.Method{}, fmt.Errorf("%q is overloaded: give the signature, one of %s", name, strings.Join(sigs, ", "))
}

// Methods lists an ABI's functions sorted by signature, for listings.
func Methods(a *abi.ABI) []abi.Method {
	out := make([]abi.Method, 0, len(a.Methods))
	for _, m := range a.Methods {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sig < out[j].Sig })
	return out
}

// Pack encodes a call of m with arguments typed as strings (see
// ParseArgs): the 4-byte selector followed by the encoded arguments.
func Pack(m abi.Method, in []string) ([]byte, error) {
	vals, err := ParseArgs(m.Inputs, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Sig, err)
	}
	enc, err := m.Inputs.Pack(vals...)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Sig, err)
	}
	return append(append([]byte(nil), m.ID...), enc...), nil
}

// PackConstructor encodes the creation data of an artifact: its bytecode
// followed by the constructor's arguments typed as strings.
func PackConstructor(a *Artifact, in []string) ([]byte, error) {
	if err := a.Deployable(); err != nil {
		return nil, err
	}
	inputs := a.ABI.Constructor.Inputs
	vals, err := ParseArgs(inputs, in)
	if err != nil {
		return nil, fmt.Errorf("constructor of %s: %w", a.Name, err)
	}
	enc, err := inputs.Pack(vals...)
	if err != nil {
		return nil, fmt.Errorf("encode the constructor arguments of %s: %w", a.Name, err)
	}
	return append(append([]byte(nil), a.Bytecode...), enc...), nil
}
