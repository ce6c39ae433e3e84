package api

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// Amount is an amount of wei as the API writes it: a JSON decimal string
// ("1000000"), so no JSON reader rounds it. Hex strings ("0x…") and plain
// JSON numbers are accepted on input. The API's view types use it, so
// clients of the API need none of the chain's types.
type Amount big.Int

// NewAmount wraps a copy of x (nil for nil).
func NewAmount(x *big.Int) *Amount {
	if x == nil {
		return nil
	}
	return (*Amount)(new(big.Int).Set(x))
}

// Int returns a copy as a *big.Int.
func (a *Amount) Int() *big.Int { return new(big.Int).Set((*big.Int)(a)) }

// Sign is -1, 0 or 1.
func (a *Amount) Sign() int { return (*big.Int)(a).Sign() }

// String is the decimal amount of wei.
func (a *Amount) String() string { return (*big.Int)(a).String() }

// MarshalJSON writes a decimal string.
func (a *Amount) MarshalJSON() ([]byte, error) {
	return json.Marshal((*big.Int)(a).String())
}

// UnmarshalJSON reads a decimal or 0x-hex string, or a JSON number.
func (a *Amount) UnmarshalJSON(data []byte) error {
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
	*a = Amount(*x)
	return nil
}
