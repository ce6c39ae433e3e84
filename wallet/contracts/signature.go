package contracts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
)

// MaxSignatureLen bounds the signatures ParseSignature reads.
const MaxSignatureLen = 4096

// ParseSignature reads a human-readable function signature into a method
// that can encode calls and decode results without an ABI file:
//
//	transfer(address,uint256)
//	transfer(address to, uint256 amount)
//	balanceOf(address) returns (uint256)
//	balanceOf(address)(uint256)                      (Foundry's cast style)
//	function flip((uint256 x, int256 y) p) external pure returns ((uint256,int256))
//	sum(uint256[] calldata xs) view returns (uint256 total)
//
// Types are canonicalised (uint is uint256, int is int256); parameter
// names, data locations (memory, calldata, storage), visibility and
// "payable"/"view"/"pure" are accepted. Tuples are written (T1,T2) or
// tuple(T1,T2), with optional array suffixes.
func ParseSignature(sig string) (abi.Method, error) {
	if len(sig) > MaxSignatureLen {
		return abi.Method{}, fmt.Errorf("the signature is %d bytes, at most %d", len(sig), MaxSignatureLen)
	}
	p := &sigParser{toks: tokenize(sig)}
	m, err := p.signature()
	if err != nil {
		return abi.Method{}, fmt.Errorf("signature %q: %w", strings.TrimSpace(sig), err)
	}
	return m, nil
}

// ParseReturns reads the output types of a function as --returns gives
// them: "uint256", "uint256,bool", "(uint256 amount, bool)" or
// "returns (uint256)".
func ParseReturns(s string) (abi.Arguments, error) {
	if len(s) > MaxSignatureLen {
		return nil, fmt.Errorf("the return types are %d bytes, at most %d", len(s), MaxSignatureLen)
	}
	p := &sigParser{toks: tokenize(s)}
	p.accept("returns")
	var args abi.Arguments
	var err error
	if p.peek() == "(" && p.closesAtEnd() {
		p.next()
		args, err = p.params(")")
		if err == nil {
			err = p.expect(")")
		}
	} else {
		args, err = p.params("")
	}
	if err == nil && !p.done() {
		err = fmt.Errorf("unexpected %q", p.peek())
	}
	if err != nil {
		return nil, fmt.Errorf("return types %q: %w", strings.TrimSpace(s), err)
	}
	return args, nil
}

// ParseType reads one ABI type ("uint256", "address[]", "(uint256,bool)[2]").
func ParseType(s string) (abi.Type, error) {
	p := &sigParser{toks: tokenize(s)}
	t, err := p.typ()
	if err == nil && !p.done() {
		err = fmt.Errorf("unexpected %q", p.peek())
	}
	if err != nil {
		return abi.Type{}, fmt.Errorf("type %q: %w", strings.TrimSpace(s), err)
	}
	return newType(t)
}

// typeSpec is a parsed type before it becomes an abi.Type: an elementary
// type name or a tuple of components, with array suffixes ("[]", "[3]").
type typeSpec struct {
	base       string // "uint256", … or "tuple"
	components []abi.ArgumentMarshaling
	suffix     string
}

func (t typeSpec) marshaling(name string) abi.ArgumentMarshaling {
	return abi.ArgumentMarshaling{Name: name, Type: t.base + t.suffix, Components: t.components}
}

// newType builds the abi.Type; accounts/abi may panic on odd input, which
// becomes an error.
func newType(t typeSpec) (typ abi.Type, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unsupported type %s: %v", t.base+t.suffix, r)
		}
	}()
	typ, err = abi.NewType(t.base+t.suffix, "", t.components)
	if err != nil {
		return abi.Type{}, err
	}
	if err := checkType(typ); err != nil {
		return abi.Type{}, err
	}
	return typ, nil
}

// sigParser is a recursive-descent parser over the tokens of a signature.
type sigParser struct {
	toks []string
	pos  int
}

// tokenize splits s into words (identifiers, numbers) and the punctuation
// ( ) [ ] , ; anything else is a one-character token the parser refuses.
func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			toks = append(toks, s[i:i+1])
			i++
		}
	}
	return toks
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func (p *sigParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *sigParser) next() string {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func (p *sigParser) done() bool { return p.pos >= len(p.toks) }

func (p *sigParser) accept(tok string) bool {
	if p.peek() == tok {
		p.pos++
		return true
	}
	return false
}

func (p *sigParser) expect(tok string) error {
	if p.accept(tok) {
		return nil
	}
	if p.done() {
		return fmt.Errorf("want %q, got the end", tok)
	}
	return fmt.Errorf("want %q, got %q", tok, p.peek())
}

// closesAtEnd says whether the "(" at the current position is closed by
// the last token, so "(uint256,bool)" is a list and "(uint256,bool)[]"
// one tuple type.
func (p *sigParser) closesAtEnd() bool {
	depth := 0
	for i := p.pos; i < len(p.toks); i++ {
		switch p.toks[i] {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i == len(p.toks)-1
			}
		}
	}
	return false
}

// modifiers that may follow a function's parameters.
var sigModifiers = map[string]bool{
	"external": true, "public": true, "internal": true, "private": true,
	"view": true, "pure": true, "payable": true, "nonpayable": true, "virtual": true, "override": true,
}

func (p *sigParser) signature() (abi.Method, error) {
	p.accept("function")
	name := p.next()
	if !isIdentifier(name) {
		if name == "" {
			return abi.Method{}, errors.New("empty: want name(types…), like transfer(address,uint256)")
		}
		return abi.Method{}, fmt.Errorf("%q is not a function name", name)
	}
	if p.peek() != "(" {
		return abi.Method{}, fmt.Errorf("want ( after %s: write the parameter types, like %s(address,uint256)", name, name)
	}
	p.next()
	inputs, err := p.params(")")
	if err != nil {
		return abi.Method{}, err
	}
	if err := p.expect(")"); err != nil {
		return abi.Method{}, err
	}
	mutability := "nonpayable"
	for sigModifiers[p.peek()] {
		switch m := p.next(); m {
		case "view", "pure", "payable":
			mutability = m
		}
	}
	var outputs abi.Arguments
	switch {
	case p.accept("returns"):
		if err := p.expect("("); err != nil {
			return abi.Method{}, err
		}
		fallthrough
	case p.accept("("):
		if outputs, err = p.params(")"); err != nil {
			return abi.Method{}, err
		}
		if err := p.expect(")"); err != nil {
			return abi.Method{}, err
		}
	}
	if !p.done() {
		return abi.Method{}, fmt.Errorf("unexpected %q after the parameters", p.peek())
	}
	constant := mutability == "view" || mutability == "pure"
	return abi.NewMethod(name, name, abi.Function, mutability, constant, mutability == "payable", inputs, outputs), nil
}

// params reads a comma-separated parameter list up to (not including)
// the closing token end ("" for the end of the input).
func (p *sigParser) params(end string) (abi.Arguments, error) {
	var args abi.Arguments
	if p.peek() == end {
		return args, nil
	}
	for i := 0; ; i++ {
		spec, name, err := p.param()
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		t, err := newType(spec)
		if err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		args = append(args, abi.Argument{Name: name, Type: t})
		if !p.accept(",") {
			return args, nil
		}
	}
}

// dataLocations are the words that may sit between a parameter's type
// and its name.
var dataLocations = map[string]bool{"memory": true, "calldata": true, "storage": true, "indexed": true, "payable": true}

// param reads "type [location] [name]".
func (p *sigParser) param() (typeSpec, string, error) {
	t, err := p.typ()
	if err != nil {
		return typeSpec{}, "", err
	}
	for dataLocations[p.peek()] {
		p.next()
	}
	name := ""
	if tok := p.peek(); isIdentifier(tok) {
		name = p.next()
	}
	return t, name, nil
}

// typ reads one type: elementary or tuple, with array suffixes.
func (p *sigParser) typ() (typeSpec, error) {
	var t typeSpec
	tok := p.peek()
	switch {
	case tok == "(" || tok == "tuple":
		if tok == "tuple" {
			p.next()
		}
		if err := p.expect("("); err != nil {
			return t, err
		}
		comps, err := p.components()
		if err != nil {
			return t, err
		}
		t.base, t.components = "tuple", comps
	case tok == "":
		return t, errors.New("want a type, got the end")
	default:
		p.next()
		base, err := canonicalElementary(tok)
		if err != nil {
			return t, err
		}
		t.base = base
	}
	for p.accept("[") {
		n := ""
		if p.peek() != "]" {
			n = p.next()
			if v, err := strconv.Atoi(n); err != nil || v <= 0 || v > 1<<16 {
				return t, fmt.Errorf("array size %q: want a whole number from 1 to 65536", n)
			}
		}
		if err := p.expect("]"); err != nil {
			return t, err
		}
		t.suffix += "[" + n + "]"
	}
	return t, nil
}

// components reads a tuple's fields up to and including ")".
func (p *sigParser) components() ([]abi.ArgumentMarshaling, error) {
	var comps []abi.ArgumentMarshaling
	if p.accept(")") {
		return nil, errors.New("an empty tuple () is not an ABI type")
	}
	used := map[string]bool{}
	for i := 0; ; i++ {
		t, name, err := p.param()
		if err != nil {
			return nil, fmt.Errorf("tuple field %d: %w", i+1, err)
		}
		if name == "" || used[name] {
			// accounts/abi needs a name for every tuple field.
			name = fmt.Sprintf("field%d", i)
		}
		used[name] = true
		comps = append(comps, t.marshaling(name))
		if p.accept(")") {
			return comps, nil
		}
		if err := p.expect(","); err != nil {
			return nil, fmt.Errorf("tuple field %d: %w", i+1, err)
		}
	}
}

// canonicalElementary checks an elementary type name and returns it in
// canonical form.
func canonicalElementary(s string) (string, error) {
	switch s {
	case "address", "bool", "string", "bytes":
		return s, nil
	case "uint", "int":
		return s + "256", nil
	case "byte":
		return "bytes1", nil
	}
	for _, pre := range []string{"uint", "int", "bytes"} {
		rest, ok := strings.CutPrefix(s, pre)
		if !ok || rest == "" {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || rest[0] == '0' {
			break
		}
		if pre == "bytes" {
			if n < 1 || n > 32 {
				return "", fmt.Errorf("%s: bytesN takes N from 1 to 32", s)
			}
		} else if n < 8 || n > 256 || n%8 != 0 {
			return "", fmt.Errorf("%s: %sN takes N from 8 to 256 in steps of 8", s, pre)
		}
		return s, nil
	}
	if isIdentifier(s) {
		return "", fmt.Errorf("unknown type %q (want address, bool, string, bytes, bytesN, uintN, intN, a tuple or an array of them)", s)
	}
	return "", fmt.Errorf("want a type, got %q", s)
}

// isIdentifier says whether s can name a function or a parameter.
func isIdentifier(s string) bool {
	if s == "" || ('0' <= s[0] && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}
