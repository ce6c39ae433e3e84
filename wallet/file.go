package wallet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

const (
	// FileVersion is the wallet file format this package writes.
	FileVersion = 1

	// FileName is the wallet file's name inside a Cairn home directory.
	FileName = "wallet.json"

	// MaxLabelLen is the longest account label accepted, in characters.
	MaxLabelLen = 64

	// maxFileSize bounds how much of a wallet file is read.
	maxFileSize = 8 << 20

	// maxAccounts bounds the accounts one wallet file may hold.
	maxAccounts = 10_000
)

// Errors callers can test with errors.Is.
var (
	// ErrWrongPassword means the password does not open the wallet.
	ErrWrongPassword = errors.New("wrong wallet password")
	// ErrCorrupt means the wallet file is damaged: not JSON, missing or
	// inconsistent fields, or ciphertext that fails authentication.
	ErrCorrupt = errors.New("wallet file is corrupt")
	// ErrUnsupportedVersion means the file was written by a newer format
	// version than this build understands.
	ErrUnsupportedVersion = errors.New("unsupported wallet file version")
	// ErrLocked means the operation needs the wallet unlocked first.
	ErrLocked = errors.New("wallet is locked")
	// ErrExists means Create found a file already at the path.
	ErrExists = errors.New("wallet file already exists")
	// ErrUnknownAccount means no account of the wallet has the address.
	ErrUnknownAccount = errors.New("unknown account")
	// ErrAccountExists means the key being imported is already an account.
	ErrAccountExists = errors.New("account already in wallet")
)

// DefaultPath returns the wallet file path inside a Cairn home directory.
func DefaultPath(home string) string {
	return filepath.Join(home, FileName)
}

// fileDoc is the wallet file as stored. Everything outside Cipher is public;
// the ciphertext holds secretsDoc.
type fileDoc struct {
	Version  int            `json:"version"`
	KDF      kdfDoc         `json:"kdf"`
	Cipher   cipherDoc      `json:"cipher"`
	Default  common.Address `json:"default"`
	Accounts []accountDoc   `json:"accounts"`
}

type kdfDoc struct {
	Name       string        `json:"name"`
	Iterations int           `json:"iterations"`
	Salt       hexutil.Bytes `json:"salt"`
	Check      hexutil.Bytes `json:"check"`
}

type cipherDoc struct {
	Name       string        `json:"name"`
	Nonce      hexutil.Bytes `json:"nonce"`
	Ciphertext hexutil.Bytes `json:"ciphertext"`
}

type accountDoc struct {
	Address common.Address `json:"address"`
	Label   string         `json:"label"`
	HD      bool           `json:"hd"`
	Index   uint32         `json:"index,omitempty"`
	Path    string         `json:"path,omitempty"`
}

// secretsDoc is the plaintext sealed in the file.
type secretsDoc struct {
	Mnemonic string           `json:"mnemonic"`
	Seed     hexutil.Bytes    `json:"seed"`
	Keys     []importedKeyDoc `json:"keys"`
}

type importedKeyDoc struct {
	Address common.Address `json:"address"`
	Key     hexutil.Bytes  `json:"key"`
}

// clone returns a deep copy of the public part (the sealed bytes are shared:
// they are replaced, never modified in place).
func (d *fileDoc) clone() *fileDoc {
	c := *d
	c.Accounts = append([]accountDoc(nil), d.Accounts...)
	return &c
}

// find returns the position of addr in the account list, or -1.
func (d *fileDoc) find(addr common.Address) int {
	for i, a := range d.Accounts {
		if a.Address == addr {
			return i
		}
	}
	return -1
}

// readFileDoc reads and validates a wallet file. It never writes.
func readFileDoc(path string) (*fileDoc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open wallet: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read wallet %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrCorrupt, path, maxFileSize)
	}
	doc, err := decodeFileDoc(data)
	if err != nil {
		return nil, fmt.Errorf("wallet %s: %w", path, err)
	}
	return doc, nil
}

// decodeFileDoc parses and validates the bytes of a wallet file.
func decodeFileDoc(data []byte) (*fileDoc, error) {
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: not valid JSON: %v", ErrCorrupt, err)
	}
	switch {
	case head.Version == nil:
		return nil, fmt.Errorf("%w: no version field", ErrCorrupt)
	case *head.Version > FileVersion:
		return nil, fmt.Errorf("%w: file is version %d, this build reads up to %d; upgrade Cairn",
			ErrUnsupportedVersion, *head.Version, FileVersion)
	case *head.Version < 1:
		return nil, fmt.Errorf("%w: bad version %d", ErrCorrupt, *head.Version)
	}
	var doc fileDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err := doc.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return &doc, nil
}

// validate checks the structure of a decoded file.
func (d *fileDoc) validate() error {
	if d.KDF.Name != kdfName {
		return fmt.Errorf("kdf %q, want %q", d.KDF.Name, kdfName)
	}
	if d.KDF.Iterations < 1 || d.KDF.Iterations > maxKDFIterations {
		return fmt.Errorf("kdf iterations %d out of range 1..%d", d.KDF.Iterations, maxKDFIterations)
	}
	if len(d.KDF.Salt) != saltLen {
		return fmt.Errorf("salt is %d bytes, want %d", len(d.KDF.Salt), saltLen)
	}
	if len(d.KDF.Check) != checkLen {
		return fmt.Errorf("password check is %d bytes, want %d", len(d.KDF.Check), checkLen)
	}
	if d.Cipher.Name != cipherName {
		return fmt.Errorf("cipher %q, want %q", d.Cipher.Name, cipherName)
	}
	if len(d.Cipher.Nonce) != nonceLen {
		return fmt.Errorf("nonce is %d bytes, want %d", len(d.Cipher.Nonce), nonceLen)
	}
	if len(d.Cipher.Ciphertext) < 16 {
		return errors.New("ciphertext is too short")
	}
	if len(d.Accounts) == 0 || len(d.Accounts) > maxAccounts {
		return fmt.Errorf("%d accounts, want 1..%d", len(d.Accounts), maxAccounts)
	}
	seenAddr := make(map[common.Address]bool, len(d.Accounts))
	seenIndex := make(map[uint32]bool)
	for i, a := range d.Accounts {
		if a.Address == (common.Address{}) {
			return fmt.Errorf("account %d has no address", i)
		}
		if seenAddr[a.Address] {
			return fmt.Errorf("account %s listed twice", a.Address.Hex())
		}
		seenAddr[a.Address] = true
		if _, err := cleanLabel(a.Label); err != nil || a.Label == "" {
			return fmt.Errorf("account %s: bad label", a.Address.Hex())
		}
		if a.HD {
			if a.Index >= HardenedOffset || a.Path != AccountPath(a.Index) {
				return fmt.Errorf("account %s: path %q does not match index %d", a.Address.Hex(), a.Path, a.Index)
			}
			if seenIndex[a.Index] {
				return fmt.Errorf("account index %d listed twice", a.Index)
			}
			seenIndex[a.Index] = true
		} else if a.Index != 0 || a.Path != "" {
			return fmt.Errorf("imported account %s has a derivation path", a.Address.Hex())
		}
	}
	if !seenAddr[d.Default] {
		return fmt.Errorf("default account %s is not in the account list", d.Default.Hex())
	}
	return nil
}

// encode renders the file as indented JSON.
func (d *fileDoc) encode() ([]byte, error) {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode wallet: %w", err)
	}
	return append(data, '\n'), nil
}

// cleanLabel trims a label and checks its length and characters.
func cleanLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	if !utf8.ValidString(label) {
		return "", errors.New("label is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(label); n > MaxLabelLen {
		return "", fmt.Errorf("label is %d characters, at most %d allowed", n, MaxLabelLen)
	}
	for _, r := range label {
		if unicode.IsControl(r) {
			return "", errors.New("label contains a control character")
		}
	}
	return label, nil
}
