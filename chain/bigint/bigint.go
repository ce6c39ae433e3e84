// Package bigint holds Int, the integer type Cairn's JSON files (genesis,
// API answers) use for amounts of wei.
package bigint

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// Int is an integer written in JSON as a decimal string ("1000000"),
// the way Cairn writes amounts of wei, so no JSON reader rounds it.
// Hex strings ("0x…") and plain JSON numbers are accepted on input.
type Int big.Int

// New wraps a copy of x.
func New(x *big.Int) *Int { return (*Int)(new(big.Int).Set(x)) }

// Int returns a copy as a *big.Int.
func (b *Int) Int() *big.Int { return new(big.Int).Set((*big.Int)(b)) }

// Sign is -1, 0 or 1.
func (b *Int) Sign() int { return (*big.Int)(b).Sign() }

// MarshalJSON writes a decimal string.
func (b *Int) MarshalJSON() ([]byte, error) {
	return json.Marshal((*big.Int)(b).String())
}

// UnmarshalJSON reads a decimal or 0x-hex string, or a JSON number.
func (b *Int) UnmarshalJSON(data []byte) error {
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
	}
	x, ok := new(big.Int).SetString(s, 0)
	if !ok || strings.ContainsAny(s, ".eE") {
		return fmt.Errorf("%q is not an integer", s)
	}
	*b = Int(*x)
	return nil
}
