package contracts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// BookFile is the address book's file name in the Cairn home.
const BookFile = "contracts.json"

// bookVersion is the version of the file format written.
const bookVersion = 1

// maxBookSize bounds the address book file read.
const maxBookSize = 64 << 20

// MaxNameLen bounds a contract's name in the book.
const MaxNameLen = 64

// ErrCorruptBook marks an address book file that does not decode.
var ErrCorruptBook = errors.New("the address book is damaged")

// Entry is one known contract.
type Entry struct {
	// Name is how commands and screens refer to it ("Token").
	Name string `json:"name"`
	// Address is where it lives.
	Address common.Address `json:"address"`
	// ABI is its ABI as JSON (an array); may be empty when unknown.
	ABI json.RawMessage `json:"abi,omitempty"`
	// Artifact is the file the ABI came from, for reference; may be empty.
	Artifact string `json:"artifact,omitempty"`
	// ChainID is the chain it was deployed or added on, when known.
	ChainID uint64 `json:"chainId,omitempty"`
	// TxHash is the transaction that deployed it, when known.
	TxHash *common.Hash `json:"txHash,omitempty"`
}

// ParsedABI parses the entry's ABI; nil (and no error) when it has none.
func (e Entry) ParsedABI() (*abi.ABI, error) {
	if len(bytes.TrimSpace(e.ABI)) == 0 {
		return nil, nil
	}
	a, err := ParseABI(e.ABI)
	if err != nil {
		return nil, fmt.Errorf("the ABI of %s in the address book: %w", e.Name, err)
	}
	return a, nil
}

// Book is the address book: known contracts by name, kept in
// <home>/contracts.json. Its methods are safe for concurrent use; changes
// are kept in memory until Save.
type Book struct {
	path string

	mu      sync.Mutex
	entries []Entry // sorted by name
}

// bookJSON is the file's shape.
type bookJSON struct {
	Version   int     `json:"version"`
	Contracts []Entry `json:"contracts"`
}

// OpenBook reads the address book of a Cairn home. A home without one
// gives an empty book (Save creates the file); a file that does not decode
// is an error wrapping ErrCorruptBook, and nothing is overwritten.
func OpenBook(home string) (*Book, error) {
	return OpenBookFile(filepath.Join(home, BookFile))
}

// OpenBookFile reads an address book from path, as OpenBook does.
func OpenBookFile(path string) (*Book, error) {
	b := &Book{path: path}
	data, err := readLimited(path, maxBookSize)
	if errors.Is(err, fs.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("address book: %w", err)
	}
	// The version first: a newer file may have fields this one does not.
	var probe struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err == nil && probe.Version > bookVersion {
		return nil, fmt.Errorf("address book %s has version %d, newer than this Cairn knows (%d): upgrade Cairn", path, probe.Version, bookVersion)
	}
	var f bookJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v; fix it or move it aside (a new one is then started)", ErrCorruptBook, path, jsonErr(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: %s: data after the book's JSON; fix it or move it aside", ErrCorruptBook, path)
	}
	if f.Version < 1 {
		return nil, fmt.Errorf("%w: %s: no version", ErrCorruptBook, path)
	}
	seen := map[string]bool{}
	for i, e := range f.Contracts {
		if err := checkName(e.Name); err != nil {
			return nil, fmt.Errorf("%w: %s: contract %d: %v", ErrCorruptBook, path, i+1, err)
		}
		if seen[strings.ToLower(e.Name)] {
			return nil, fmt.Errorf("%w: %s: the name %q appears twice", ErrCorruptBook, path, e.Name)
		}
		seen[strings.ToLower(e.Name)] = true
		if _, err := e.ParsedABI(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorruptBook, path, err)
		}
	}
	b.entries = f.Contracts
	sortEntries(b.entries)
	return b, nil
}

// Path is the file the book is kept in.
func (b *Book) Path() string { return b.path }

// CheckName says why name cannot name a contract in the book, or nil if
// it can: letters, digits, _ - and ., starting with a letter or _, at most
// MaxNameLen long, and never 0x… (that is an address).
func CheckName(name string) error { return checkName(name) }

func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("a contract needs a name")
	case len(name) > MaxNameLen:
		return fmt.Errorf("the name %q is longer than %d characters", name, MaxNameLen)
	case hasHexPrefix(name):
		return fmt.Errorf("the name %q starts with 0x, which is for addresses", name)
	}
	for i, c := range name {
		ok := c == '_' || c == '-' || c == '.' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
		if !ok || (i == 0 && !(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '_')) {
			return fmt.Errorf("the name %q: use letters, digits, _ - and ., starting with a letter", name)
		}
	}
	return nil
}

func hasHexPrefix(s string) bool { return strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") }

// Add puts a contract in the book, replacing the one of the same name
// (names compare without case). The ABI, if any, must parse.
func (b *Book) Add(e Entry) error {
	if err := checkName(e.Name); err != nil {
		return err
	}
	if _, err := e.ParsedABI(); err != nil {
		return err
	}
	e.ABI = compactJSON(e.ABI)
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.entries {
		if strings.EqualFold(b.entries[i].Name, e.Name) {
			b.entries[i] = e
			sortEntries(b.entries)
			return nil
		}
	}
	b.entries = append(b.entries, e)
	sortEntries(b.entries)
	return nil
}

// Remove takes the contract named name out of the book, saying whether
// it was there.
func (b *Book) Remove(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.entries {
		if strings.EqualFold(b.entries[i].Name, name) {
			b.entries = append(b.entries[:i], b.entries[i+1:]...)
			return true
		}
	}
	return false
}

// Lookup finds a contract by name (without case).
func (b *Book) Lookup(name string) (Entry, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.entries {
		if strings.EqualFold(e.Name, name) {
			return e, true
		}
	}
	return Entry{}, false
}

// LookupAddress finds the contract at addr; with several names for one
// address, the first by name.
func (b *Book) LookupAddress(addr common.Address) (Entry, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.entries {
		if e.Address == addr {
			return e, true
		}
	}
	return Entry{}, false
}

// Resolve reads what a user typed for a contract: a 0x address (EIP-55
// checked when mixed case; the entry is the book's, if it knows the
// address) or a name in the book.
func (b *Book) Resolve(s string) (common.Address, *Entry, error) {
	s = strings.TrimSpace(s)
	if hasHexPrefix(s) {
		addr, err := ParseAddress(s)
		if err != nil {
			return common.Address{}, nil, err
		}
		if e, ok := b.LookupAddress(addr); ok {
			return addr, &e, nil
		}
		return addr, nil, nil
	}
	if e, ok := b.Lookup(s); ok {
		return e.Address, &e, nil
	}
	var names []string
	for _, e := range b.List() {
		names = append(names, e.Name)
	}
	if len(names) == 0 {
		return common.Address{}, nil, fmt.Errorf("%q is neither a 0x address nor a name in the address book (it is empty)", s)
	}
	return common.Address{}, nil, fmt.Errorf("%q is neither a 0x address nor a name in the address book (it knows %s)", s, strings.Join(names, ", "))
}

// List returns the book's contracts sorted by name.
func (b *Book) List() []Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Entry(nil), b.entries...)
}

// Save writes the book to its file atomically: a temporary file in the
// same directory is written, synced and renamed over the old one, and the
// directory synced, so a crash leaves the old book or the new one.
func (b *Book) Save() error {
	b.mu.Lock()
	f := bookJSON{Version: bookVersion, Contracts: append([]Entry{}, b.entries...)}
	b.mu.Unlock()
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the address book: %w", err)
	}
	if err := writeFileAtomic(b.path, append(data, '\n')); err != nil {
		return fmt.Errorf("save the address book: %w", err)
	}
	return nil
}

func sortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool { return strings.ToLower(es[i].Name) < strings.ToLower(es[j].Name) })
}

func compactJSON(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// writeFileAtomic replaces path with data (mode 0600) so that a crash
// leaves the old file or the new one: temp file in the same directory,
// fsync, rename, fsync of the directory. The directory is created if
// missing.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create a temp file in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename over %s: %w", path, err)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err = d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
