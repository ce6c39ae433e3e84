package contracts

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Value is one decoded value: a return value, an event field or a custom
// error's field, with its name and ABI type.
type Value struct {
	// Name is the parameter's name in the ABI; may be empty.
	Name string
	// Type is the parameter's ABI type.
	Type abi.Type
	// Value is the value as accounts/abi unpacks it (*big.Int, uint8…,
	// common.Address, []byte, [N]byte, string, bool, slices, structs).
	// For an indexed event field of a dynamic type (string, bytes, arrays,
	// tuples) it is the common.Hash in the topic: the keccak256 of the value.
	Value any
	// Hashed is set for an indexed event field whose topic holds only the
	// hash of the value.
	Hashed bool
}

// String writes the value as Text does.
func (v Value) String() string {
	if v.Hashed {
		return "keccak256 " + v.Value.(common.Hash).Hex()
	}
	return Text(v.Type, v.Value)
}

// MarshalJSON writes {"name": …, "type": …, "value": …} with the value as
// JSONValue converts it.
func (v Value) MarshalJSON() ([]byte, error) {
	out := struct {
		Name   string `json:"name,omitempty"`
		Type   string `json:"type"`
		Value  any    `json:"value"`
		Hashed bool   `json:"hashed,omitempty"`
	}{Name: v.Name, Type: v.Type.String(), Hashed: v.Hashed}
	if v.Hashed {
		out.Value = v.Value.(common.Hash).Hex()
	} else {
		out.Value = JSONValue(v.Type, v.Value)
	}
	return json.Marshal(out)
}

// Values pairs unpacked values with their arguments.
func Values(args abi.Arguments, vals []any) []Value {
	out := make([]Value, 0, len(vals))
	for i, v := range vals {
		if i >= len(args) {
			break
		}
		out = append(out, Value{Name: args[i].Name, Type: args[i].Type, Value: v})
	}
	return out
}

// DecodeOutputs decodes what a call of m returned. A call that returned
// nothing for a method with outputs usually means there is no contract at
// the address, which the error says.
func DecodeOutputs(m abi.Method, data []byte) (vals []Value, err error) {
	if len(m.Outputs) == 0 {
		return nil, nil
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s returned no data (is there a contract at that address, and does it have this function?)", m.Sig)
	}
	defer func() {
		if r := recover(); r != nil {
			vals, err = nil, fmt.Errorf("decode the result of %s: %v", m.Sig, r)
		}
	}()
	out, err := m.Outputs.Unpack(data)
	if err != nil {
		return nil, fmt.Errorf("decode the result of %s as %s: %w", m.Sig, describeArgs(m.Outputs), err)
	}
	return Values(m.Outputs, out), nil
}

// Format writes values as "name: value, name: value" (bare values where
// there are no names).
func Format(vals []Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if v.Name != "" {
			parts[i] = v.Name + ": " + v.String()
		} else {
			parts[i] = v.String()
		}
	}
	return strings.Join(parts, ", ")
}

// generatedField matches the tuple field names the package makes up for
// unnamed fields, which are left out when printing.
var generatedField = regexp.MustCompile(`^field\d+$`)

// Text writes a value of ABI type t for people: integers in decimal,
// addresses EIP-55 checksummed, bytes as 0x-hex, strings quoted, arrays
// as [a, b], tuples as (name: a, b).
func Text(t abi.Type, v any) string {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return "<none>"
	}
	switch t.T {
	case abi.StringTy:
		return strconv.Quote(rv.String())
	case abi.SliceTy, abi.ArrayTy:
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			break
		}
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = Text(*t.Elem, rv.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case abi.TupleTy:
		if rv.Kind() != reflect.Struct || rv.NumField() != len(t.TupleElems) {
			break
		}
		parts := make([]string, len(t.TupleElems))
		for i := range parts {
			parts[i] = Text(*t.TupleElems[i], rv.Field(i).Interface())
			if n := t.TupleRawNames[i]; n != "" && !generatedField.MatchString(n) {
				parts[i] = n + ": " + parts[i]
			}
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return scalarText(v)
}

// scalarText writes an elementary value.
func scalarText(v any) string {
	switch x := v.(type) {
	case *big.Int:
		if x == nil {
			return "0"
		}
		return x.String()
	case common.Address:
		return x.Hex()
	case common.Hash:
		return x.Hex()
	case []byte:
		return hexutil.Encode(x)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return strconv.Quote(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 { // bytesN
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return hexutil.Encode(b)
		}
	}
	return fmt.Sprint(v)
}

// JSONValue converts a value of ABI type t into what encodes well as
// JSON: integers as decimal strings (they may exceed 2^53), addresses
// checksummed, bytes 0x-hex, arrays as arrays and tuples as objects keyed
// by field name (arrays when the fields have no names).
func JSONValue(t abi.Type, v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil
	}
	switch t.T {
	case abi.BoolTy:
		return rv.Bool()
	case abi.StringTy:
		return rv.String()
	case abi.SliceTy, abi.ArrayTy:
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			break
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = JSONValue(*t.Elem, rv.Index(i).Interface())
		}
		return out
	case abi.TupleTy:
		if rv.Kind() != reflect.Struct || rv.NumField() != len(t.TupleElems) {
			break
		}
		named := true
		for _, n := range t.TupleRawNames {
			if n == "" || generatedField.MatchString(n) {
				named = false
			}
		}
		if !named {
			out := make([]any, len(t.TupleElems))
			for i := range out {
				out[i] = JSONValue(*t.TupleElems[i], rv.Field(i).Interface())
			}
			return out
		}
		out := make(map[string]any, len(t.TupleElems))
		for i, n := range t.TupleRawNames {
			out[n] = JSONValue(*t.TupleElems[i], rv.Field(i).Interface())
		}
		return out
	}
	return scalarText(v)
}
