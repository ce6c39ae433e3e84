package contracts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// MaxArtifactSize bounds the artifact files LoadArtifact reads. Foundry and
// Hardhat artifacts carry the AST and source maps, so they can be large,
// but not this large.
const MaxArtifactSize = 64 << 20

// Artifact formats, as Artifact.Format names them.
const (
	FormatFoundry  = "foundry"       // out/X.sol/X.json: abi, bytecode.object
	FormatHardhat  = "hardhat"       // artifacts/**/X.json: contractName, abi, bytecode
	FormatCombined = "solc-combined" // solc --combined-json abi,bin
	FormatStandard = "solc-standard" // solc --standard-json output
	FormatABI      = "abi"           // a bare ABI array
)

// Artifact is one compiled contract: its name, its ABI and the code that
// creates it.
type Artifact struct {
	// Name is the contract's name ("Token").
	Name string
	// Source is the source file it was compiled from, when the artifact
	// says ("src/Token.sol"); empty otherwise.
	Source string
	// Format is the kind of file it was read from (FormatFoundry, …).
	Format string
	// Path is the file it was read from; empty for ParseArtifact.
	Path string
	// ABI is the parsed ABI.
	ABI abi.ABI
	// RawABI is the ABI as JSON (an array), for storing in the address book.
	RawABI json.RawMessage
	// Bytecode is the creation code; empty for an interface, an abstract
	// contract or a bare ABI, which cannot be deployed.
	Bytecode []byte
}

// QualifiedName is "Source:Name", or Name when the source is not known.
func (a *Artifact) QualifiedName() string {
	if a.Source == "" {
		return a.Name
	}
	return a.Source + ":" + a.Name
}

// Deployable says why the artifact cannot be deployed, or nil if it can.
func (a *Artifact) Deployable() error {
	if len(a.Bytecode) == 0 {
		return fmt.Errorf("%s has no bytecode (an interface, an abstract contract or an ABI-only file): nothing to deploy", a.Name)
	}
	return nil
}

// AmbiguousError is returned when an artifact file holds several contracts
// and no name (or a name that matches several) was given.
type AmbiguousError struct {
	// Names are the qualified names of the candidates, sorted.
	Names []string
	// Name is the name asked for; empty when none was.
	Name string
}

func (e *AmbiguousError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("the file holds %d contracts: pick one by name (%s)", len(e.Names), strings.Join(e.Names, ", "))
	}
	return fmt.Sprintf("%q matches %d contracts: use the full name (%s)", e.Name, len(e.Names), strings.Join(e.Names, ", "))
}

// NotFoundError is returned when the contract asked for is not in the file.
type NotFoundError struct {
	Name  string   // the name asked for
	Names []string // the contracts the file holds, sorted
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no contract %q in the file; it holds %s", e.Name, strings.Join(e.Names, ", "))
}

// LoadArtifact reads a compiled contract from a file in any of the formats
// the package knows (see ParseArtifact). name picks the contract when the
// file holds several: "Token", or "src/Token.sol:Token" when the bare name
// is not unique; it may be empty when the file holds one.
func LoadArtifact(path, name string) (*Artifact, error) {
	data, err := readLimited(path, MaxArtifactSize)
	if err != nil {
		return nil, err
	}
	a, err := ParseArtifact(data, name, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	if err != nil {
		return nil, fmt.Errorf("artifact %s: %w", path, err)
	}
	a.Path = path
	return a, nil
}

// readLimited reads a whole file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read %s: is a directory, want a JSON file", path)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("read %s: %d bytes, more than the %d an artifact may have", path, st.Size(), limit)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return buf.Bytes(), nil
}

// ParseArtifact reads a compiled contract from JSON:
//   - Foundry: {"abi": […], "bytecode": {"object": "0x…"}, "metadata": …}
//   - Hardhat: {"contractName": …, "sourceName": …, "abi": […], "bytecode": "0x…"}
//   - solc --combined-json abi,bin: {"contracts": {"src/X.sol:X": {"abi": …, "bin": "…"}}}
//   - solc --standard-json output: {"contracts": {"src/X.sol": {"X": {"abi": […], "evm": {"bytecode": {"object": "…"}}}}}}
//   - a bare ABI array, which has no bytecode.
//
// name picks the contract as for LoadArtifact. fallbackName names the
// contract of a single-contract format that does not carry its name
// (Foundry without metadata, a bare ABI): usually the file name without
// its extension.
func ParseArtifact(data []byte, name, fallbackName string) (*Artifact, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("the file is empty")
	}
	if data[0] == '[' {
		a := &Artifact{Name: fallbackName, Format: FormatABI}
		if err := a.setABI(data); err != nil {
			return nil, err
		}
		return pickOne([]*Artifact{a}, name)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not JSON: %w", jsonErr(err))
	}
	switch {
	case top["contracts"] != nil:
		cands, err := parseSolcOutput(top)
		if err != nil {
			return nil, err
		}
		return pickOne(cands, name)
	case top["abi"] != nil:
		a, err := parseSingle(top, fallbackName)
		if err != nil {
			return nil, err
		}
		return pickOne([]*Artifact{a}, name)
	}
	return nil, errors.New(`neither an artifact (no "abi") nor solc output (no "contracts"): want a Foundry or Hardhat artifact, solc --combined-json or --standard-json output, or an ABI`)
}

// parseSingle reads a Foundry or Hardhat artifact.
func parseSingle(top map[string]json.RawMessage, fallbackName string) (*Artifact, error) {
	a := &Artifact{Name: fallbackName}
	if err := a.setABI(top["abi"]); err != nil {
		return nil, err
	}
	var bytecode json.RawMessage = top["bytecode"]
	var code string
	if len(bytecode) > 0 && bytecode[0] == '{' { // Foundry
		a.Format = FormatFoundry
		var obj struct {
			Object string `json:"object"`
		}
		if err := json.Unmarshal(bytecode, &obj); err != nil {
			return nil, fmt.Errorf(`"bytecode": %w`, jsonErr(err))
		}
		code = obj.Object
		var meta struct {
			Settings struct {
				CompilationTarget map[string]string `json:"compilationTarget"`
			} `json:"settings"`
		}
		// metadata is an object in Foundry's artifacts, a JSON string in
		// some older ones; a name from it is a bonus, not a requirement.
		if raw := top["metadata"]; len(raw) > 0 {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				raw = json.RawMessage(s)
			}
			if json.Unmarshal(raw, &meta) == nil && len(meta.Settings.CompilationTarget) == 1 {
				for src, n := range meta.Settings.CompilationTarget {
					a.Source, a.Name = src, n
				}
			}
		}
	} else {
		a.Format = FormatHardhat
		if len(bytecode) > 0 {
			if err := json.Unmarshal(bytecode, &code); err != nil {
				return nil, fmt.Errorf(`"bytecode": want a 0x-hex string: %w`, jsonErr(err))
			}
		}
		var names struct {
			ContractName string `json:"contractName"`
			SourceName   string `json:"sourceName"`
		}
		if raw := top["contractName"]; raw != nil {
			if err := json.Unmarshal(raw, &names.ContractName); err != nil {
				return nil, fmt.Errorf(`"contractName": %w`, jsonErr(err))
			}
		}
		if raw := top["sourceName"]; raw != nil {
			_ = json.Unmarshal(raw, &names.SourceName)
		}
		if names.ContractName != "" {
			a.Name = names.ContractName
		}
		a.Source = names.SourceName
	}
	var err error
	if a.Bytecode, err = decodeCode(code); err != nil {
		return nil, err
	}
	return a, nil
}

// parseSolcOutput reads solc's combined-JSON or standard-JSON output.
func parseSolcOutput(top map[string]json.RawMessage) ([]*Artifact, error) {
	var contracts map[string]json.RawMessage
	if err := json.Unmarshal(top["contracts"], &contracts); err != nil {
		return nil, fmt.Errorf(`"contracts": %w`, jsonErr(err))
	}
	if len(contracts) == 0 {
		return nil, errors.New("solc output with no contracts" + solcErrors(top["errors"]))
	}
	var cands []*Artifact
	for key, raw := range contracts {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, fmt.Errorf("contract %q: %w", key, jsonErr(err))
		}
		_, hasABI := fields["abi"]
		_, hasBin := fields["bin"]
		if hasABI || hasBin || strings.Contains(key, ":") {
			// combined-json: "path:Name" → {"abi": [...] or "[...]", "bin": "hex"}
			a, err := parseCombined(key, fields)
			if err != nil {
				return nil, err
			}
			cands = append(cands, a)
			continue
		}
		// standard-json: "path" → {"Name": {"abi": [...], "evm": {...}}}
		for name, c := range fields {
			a, err := parseStandard(key, name, c)
			if err != nil {
				return nil, err
			}
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		return nil, errors.New("solc output with no contracts" + solcErrors(top["errors"]))
	}
	return cands, nil
}

func parseCombined(key string, fields map[string]json.RawMessage) (*Artifact, error) {
	a := &Artifact{Format: FormatCombined, Name: key}
	if i := strings.LastIndex(key, ":"); i >= 0 {
		a.Source, a.Name = key[:i], key[i+1:]
	}
	raw := fields["abi"]
	if raw == nil {
		return nil, fmt.Errorf(`contract %q has no "abi": run solc with --combined-json abi,bin`, key)
	}
	// Before solc 0.8.10 the ABI was a JSON string holding the array.
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	if err := a.setABI(raw); err != nil {
		return nil, fmt.Errorf("contract %q: %w", key, err)
	}
	var code string
	if b := fields["bin"]; b != nil {
		if err := json.Unmarshal(b, &code); err != nil {
			return nil, fmt.Errorf(`contract %q: "bin": %w`, key, jsonErr(err))
		}
	}
	var err error
	if a.Bytecode, err = decodeCode(code); err != nil {
		return nil, fmt.Errorf("contract %q: %w", key, err)
	}
	return a, nil
}

func parseStandard(source, name string, raw json.RawMessage) (*Artifact, error) {
	a := &Artifact{Format: FormatStandard, Name: name, Source: source}
	var c struct {
		ABI json.RawMessage `json:"abi"`
		EVM struct {
			Bytecode struct {
				Object string `json:"object"`
			} `json:"bytecode"`
		} `json:"evm"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("contract %s:%s: %w", source, name, jsonErr(err))
	}
	if c.ABI == nil {
		return nil, fmt.Errorf(`contract %s:%s has no "abi": add "abi" to the outputSelection`, source, name)
	}
	if err := a.setABI(c.ABI); err != nil {
		return nil, fmt.Errorf("contract %s:%s: %w", source, name, err)
	}
	var err error
	if a.Bytecode, err = decodeCode(c.EVM.Bytecode.Object); err != nil {
		return nil, fmt.Errorf("contract %s:%s: %w", source, name, err)
	}
	return a, nil
}

// solcErrors summarises the errors of a solc output, if it reports any.
func solcErrors(raw json.RawMessage) string {
	var errs []struct {
		Severity         string `json:"severity"`
		Message          string `json:"message"`
		FormattedMessage string `json:"formattedMessage"`
	}
	if raw == nil || json.Unmarshal(raw, &errs) != nil {
		return ""
	}
	for _, e := range errs {
		if e.Severity == "error" {
			return fmt.Sprintf(" (the compiler reported: %s)", e.Message)
		}
	}
	return ""
}

// setABI parses raw as an ABI array.
func (a *Artifact) setABI(raw json.RawMessage) error {
	raw = json.RawMessage(bytes.TrimSpace(raw))
	if len(raw) == 0 || raw[0] != '[' {
		return errors.New(`"abi" is not a JSON array`)
	}
	parsed, err := ParseABI(raw)
	if err != nil {
		return err
	}
	a.ABI = *parsed
	a.RawABI = append(json.RawMessage(nil), raw...)
	return nil
}

// ParseABI parses a JSON ABI array. Unlike abi.JSON it returns an error,
// not a panic, for every malformed type.
func ParseABI(raw []byte) (parsed *abi.ABI, err error) {
	defer func() {
		if r := recover(); r != nil {
			parsed, err = nil, fmt.Errorf("the ABI is malformed: %v", r)
		}
	}()
	var out abi.ABI
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("the ABI does not parse: %w", jsonErr(err))
	}
	check := func(what string, args abi.Arguments) error {
		for _, a := range args {
			if err := checkType(a.Type); err != nil {
				return fmt.Errorf("the ABI is malformed: %s: %w", what, err)
			}
		}
		return nil
	}
	if err := check("constructor", out.Constructor.Inputs); err != nil {
		return nil, err
	}
	for _, m := range out.Methods {
		if err := check(m.RawName, m.Inputs); err != nil {
			return nil, err
		}
		if err := check(m.RawName, m.Outputs); err != nil {
			return nil, err
		}
	}
	for _, e := range out.Events {
		if err := check("event "+e.RawName, e.Inputs); err != nil {
			return nil, err
		}
	}
	for _, e := range out.Errors {
		if err := check("error "+e.Name, e.Inputs); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// MaxFixedElems bounds the elements of a fixed-size array type, nesting
// multiplied out (uint8[256][256] has 65536): decoding one allocates them
// all, so a typo cannot ask for gigabytes.
const MaxFixedElems = 1 << 16

// checkType refuses the sizes accounts/abi lets through but the ABI
// specification does not have (uint7, bytes0), and fixed-size arrays
// larger than MaxFixedElems elements.
func checkType(t abi.Type) error {
	if n := fixedElems(t); n > MaxFixedElems {
		return fmt.Errorf("type %s: a fixed-size array of more than %d elements", t, MaxFixedElems)
	}
	return checkSizes(t)
}

// fixedElems counts the elements a value of t holds inline (saturating).
func fixedElems(t abi.Type) int {
	switch t.T {
	case abi.ArrayTy:
		n := fixedElems(*t.Elem)
		if t.Size > 0 && n > (MaxFixedElems+1)/t.Size+1 {
			return MaxFixedElems + 1
		}
		return n * t.Size
	case abi.SliceTy:
		return fixedElems(*t.Elem)
	case abi.TupleTy:
		total := 0
		for _, e := range t.TupleElems {
			total += fixedElems(*e)
			if total > MaxFixedElems {
				return MaxFixedElems + 1
			}
		}
		return max(total, 1)
	}
	return 1
}

func checkSizes(t abi.Type) error {
	switch t.T {
	case abi.UintTy, abi.IntTy:
		if t.Size < 8 || t.Size > 256 || t.Size%8 != 0 {
			return fmt.Errorf("type %s: integer sizes run from 8 to 256 in steps of 8", t)
		}
	case abi.FixedBytesTy:
		if t.Size < 1 || t.Size > 32 {
			return fmt.Errorf("type %s: bytesN takes N from 1 to 32", t)
		}
	case abi.SliceTy, abi.ArrayTy:
		return checkSizes(*t.Elem)
	case abi.TupleTy:
		for _, e := range t.TupleElems {
			if err := checkSizes(*e); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeCode reads hex bytecode, with or without 0x. Unlinked library
// placeholders ("__$…$__") are refused with what to do.
func decodeCode(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0x" {
		return nil, nil
	}
	if strings.Contains(s, "__") {
		return nil, errors.New("the bytecode has unlinked library references (__$…$__): link the libraries when compiling")
	}
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		s = "0x" + s
	}
	b, err := hexutil.Decode(s)
	if err != nil {
		return nil, fmt.Errorf("the bytecode is not hex: %w", err)
	}
	return b, nil
}

// pickOne selects the contract named name from cands (see LoadArtifact).
func pickOne(cands []*Artifact, name string) (*Artifact, error) {
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.QualifiedName()
	}
	sort.Strings(names)
	if name == "" {
		if len(cands) == 1 {
			return cands[0], nil
		}
		return nil, &AmbiguousError{Names: names}
	}
	var match []*Artifact
	for _, c := range cands {
		if c.QualifiedName() == name {
			return c, nil
		}
		if c.Name == name {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return nil, &NotFoundError{Name: name, Names: names}
	case 1:
		return match[0], nil
	}
	var qn []string
	for _, c := range match {
		qn = append(qn, c.QualifiedName())
	}
	sort.Strings(qn)
	return nil, &AmbiguousError{Name: name, Names: qn}
}

// jsonErr makes encoding/json's errors say where they are.
func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := te.Field
		if where == "" {
			where = "a value"
		}
		return fmt.Errorf("%s is a JSON %s, want %v", where, te.Value, te.Type)
	}
	return err
}
