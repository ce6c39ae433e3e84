// Package jump is the console's jump prompt (`:`): it reads a block
// height, a block or transaction hash, an address or a name the console
// knows (a wallet account's label, a contract of the address book, a
// validator's moniker), completes names with tab, and finds what was typed
// on the node, so the root can open it on the screen that shows it.
package jump

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// Kind is what a jump goes to.
type Kind int

// The kinds of target.
const (
	Height  Kind = iota // a block by height
	Hash                // a block or a transaction by hash
	Address             // an account, a contract or a validator
)

// Target is a parsed jump.
type Target struct {
	Kind   Kind
	Height uint64
	Hash   common.Hash
	Addr   common.Address
	Name   *Name // the known name typed (or the one the address has)
}

// NameKind says what a known name names.
type NameKind string

// The kinds of known name.
const (
	NameAccount   NameKind = "account"   // one of the wallet's accounts
	NameContract  NameKind = "contract"  // a contract of the address book
	NameValidator NameKind = "validator" // a registered validator
)

// Name is a name the console knows for an address.
type Name struct {
	Name string
	Addr common.Address
	Kind NameKind
}

// ErrEmpty is what an empty prompt parses to.
var ErrEmpty = errors.New("type a block height, a block or transaction hash (0x + 64 hex), an address (0x + 40 hex) or a name")

// Parse reads what was typed into the prompt: a decimal height (commas and
// underscores allowed, "#12" too), 0x and 64 hex digits (a hash), 0x and 40
// hex digits (an address) or one of names, ignoring case.
func Parse(input string, names []Name) (Target, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return Target{}, ErrEmpty
	}
	if digits := strings.NewReplacer(",", "", "_", "").Replace(strings.TrimPrefix(s, "#")); allDigits(digits) {
		h, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			return Target{}, fmt.Errorf("height %s is out of range", s)
		}
		return Target{Kind: Height, Height: h}, nil
	}
	if hex, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		switch {
		case !allHex(hex):
			return Target{}, fmt.Errorf("%s is not hexadecimal", short(s))
		case len(hex) == 64:
			return Target{Kind: Hash, Hash: common.HexToHash(hex)}, nil
		case len(hex) == 40:
			a := common.HexToAddress(hex)
			return Target{Kind: Address, Addr: a, Name: nameOf(a, names)}, nil
		}
		return Target{}, fmt.Errorf("%s has %d hex digits: a hash has 64, an address 40", short(s), len(hex))
	}
	for i := range names {
		if strings.EqualFold(names[i].Name, s) {
			n := names[i]
			return Target{Kind: Address, Addr: n.Addr, Name: &n}, nil
		}
	}
	if c := Candidates(s, names); len(c) > 0 {
		return Target{}, fmt.Errorf("%q is not a name; tab completes: %s", short(s), strings.Join(c, ", "))
	}
	return Target{}, fmt.Errorf("%q is no height, hash, address or known name", short(s))
}

// short cuts a long input for an error message, so the message fits on
// the prompt's line beside it.
func short(s string) string {
	if r := []rune(s); len(r) > 16 {
		return string(r[:8]) + "…" + string(r[len(r)-4:])
	}
	return s
}

// nameOf is the known name of an address (contracts and validators before
// accounts, as the jump goes to their screens), or nil.
func nameOf(a common.Address, names []Name) *Name {
	var found *Name
	for i := range names {
		if names[i].Addr != a {
			continue
		}
		n := names[i]
		if found == nil || rank(n.Kind) < rank(found.Kind) {
			found = &n
		}
	}
	return found
}

func rank(k NameKind) int {
	switch k {
	case NameContract:
		return 0
	case NameValidator:
		return 1
	}
	return 2
}

// Candidates are the known names that start with prefix (ignoring case),
// sorted, each once.
func Candidates(prefix string, names []Name) []string {
	p := strings.ToLower(strings.TrimSpace(prefix))
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if n.Name != "" && strings.HasPrefix(strings.ToLower(n.Name), p) && !seen[n.Name] {
			seen[n.Name] = true
			out = append(out, n.Name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func allHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
