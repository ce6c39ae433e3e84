package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
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
	"github.com/ethereum/go-ethereum/crypto"
)

const (
	// FileVersion is the wallet file format this package writes. Version 2
	// added, all checkable without the password: addresses in EIP-55
	// checksummed form, each account's compressed public key (its address
	// must be the key's), and header_sha256, a checksum over the KDF and
	// cipher fields that the password check and decryption depend on.
	FileVersion = 2

	// fileVersion1 is the first format: lowercase addresses, no public keys,
	// no header checksum. It is still read (only the address text can be
	// checked on Open then, and a damaged salt or password check reads as a
	// wrong password); Unlock upgrades the wallet to FileVersion in memory,
	// and the upgraded file is written at the next save (any change:
	// derive, import, label, default, password).
	fileVersion1 = 1

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
	// inconsistent fields, an address that is not its public key's or not
	// in its checksummed form, a header that fails its checksum, or
	// ciphertext that fails authentication.
	ErrCorrupt = errors.New("wallet file is corrupt")
	// ErrDamaged is another name for ErrCorrupt: errors.Is matches either.
	ErrDamaged = ErrCorrupt
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
// the ciphertext holds secretsDoc. MarshalJSON writes addresses in EIP-55
// form; decodeFileDoc checks the text it read against that form.
type fileDoc struct {
	Version int       `json:"version"`
	KDF     kdfDoc    `json:"kdf"`
	Cipher  cipherDoc `json:"cipher"`
	// HeaderSum is SHA-256 over headerBytes (version, KDF and cipher
	// fields), from version 2 on. It is not keyed and guards against
	// damage, not tampering: it lets Unlock report a damaged salt, check
	// value, nonce or ciphertext as ErrCorrupt before trying the password,
	// instead of as ErrWrongPassword.
	HeaderSum hexutil.Bytes  `json:"header_sha256,omitempty"`
	Default   common.Address `json:"default"`
	Accounts  []accountDoc   `json:"accounts"`
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
	// PubKey is the account's compressed secp256k1 public key (33 bytes),
	// from version 2 on: Open checks Address against it without the
	// password. Version 1 files have none.
	PubKey hexutil.Bytes `json:"pubkey,omitempty"`
	Label  string        `json:"label"`
	HD     bool          `json:"hd"`
	Index  uint32        `json:"index,omitempty"`
	Path   string        `json:"path,omitempty"`
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
	// The addresses again, as the text the file holds, for the EIP-55 check.
	var text struct {
		Default  string `json:"default"`
		Accounts []struct {
			Address string `json:"address"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(data, &text); err != nil || len(text.Accounts) != len(doc.Accounts) {
		return nil, fmt.Errorf("%w: addresses are not hex strings", ErrCorrupt)
	}
	stored := &storedText{def: text.Default, accounts: make([]string, len(text.Accounts))}
	for i, a := range text.Accounts {
		stored.accounts[i] = a.Address
	}
	if err := doc.check(stored); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return &doc, nil
}

// storedText is the address text a file held, as read: what the EIP-55
// check looks at, and what errors quote so the user can find it.
type storedText struct {
	def      string
	accounts []string
}

// checkAddressText checks s, the text addr was decoded from in a file of
// the given version, against addr's EIP-55 checksummed form. Version 1
// files were written in lowercase, which carries no checksum (EIP-55 reads
// all-lowercase and all-uppercase hex as unchecksummed), so there only
// mixed case is checked.
func checkAddressText(s string, addr common.Address, version int) error {
	want := addr.Hex()
	switch {
	case s == want:
		return nil
	case version == fileVersion1 && len(s) == len(want) && s[:2] == "0x" &&
		(s[2:] == strings.ToLower(s[2:]) || s[2:] == strings.ToUpper(s[2:])):
		return nil
	}
	return errors.New("address is not in its EIP-55 checksummed form")
}

// name identifies account i (0-based) in errors as `cairn wallet list`
// numbers it, with its label when that is printable, and addr, its
// address as shown.
func (a accountDoc) name(i int, addr string) string {
	if l, err := cleanLabel(a.Label); err == nil && l == a.Label && l != "" {
		return fmt.Sprintf("account #%d %q (%s)", i+1, a.Label, addr)
	}
	return fmt.Sprintf("account #%d (%s)", i+1, addr)
}

// validate checks the structure of a file about to be written.
func (d *fileDoc) validate() error { return d.check(nil) }

// check checks the structure of a decoded file, each address against its
// stored public key and, given the text the file held (stored), against
// its EIP-55 form.
func (d *fileDoc) check(stored *storedText) error {
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
	switch {
	case d.Version >= 2 && len(d.HeaderSum) != sha256.Size:
		return fmt.Errorf("header checksum is %d bytes, want %d", len(d.HeaderSum), sha256.Size)
	case d.Version == fileVersion1 && d.HeaderSum != nil:
		return errors.New("version 1 file has a header checksum")
	}
	if len(d.Accounts) == 0 || len(d.Accounts) > maxAccounts {
		return fmt.Errorf("%d accounts, want 1..%d", len(d.Accounts), maxAccounts)
	}
	seenAddr := make(map[common.Address]bool, len(d.Accounts))
	seenIndex := make(map[uint32]bool)
	for i, a := range d.Accounts {
		shown := a.Address.Hex()
		if stored != nil {
			shown = stored.accounts[i]
		}
		if a.Address == (common.Address{}) {
			return fmt.Errorf("account #%d has no address", i+1)
		}
		if err := a.checkPubKey(d.Version); err != nil {
			return fmt.Errorf("%s: %v", a.name(i, shown), err)
		}
		if stored != nil {
			if err := checkAddressText(shown, a.Address, d.Version); err != nil {
				return fmt.Errorf("%s: %v", a.name(i, shown), err)
			}
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
	if stored != nil {
		if err := checkAddressText(stored.def, d.Default, d.Version); err != nil {
			return fmt.Errorf("default account %s: %v", stored.def, err)
		}
	}
	return nil
}

// checkPubKey checks the account's address against its stored public key.
// Version 1 files have no public keys; from version 2 on every account has
// one.
func (a accountDoc) checkPubKey(version int) error {
	if a.PubKey == nil {
		if version == fileVersion1 {
			return nil
		}
		return errors.New("no public key stored")
	}
	if len(a.PubKey) != 33 {
		return fmt.Errorf("public key is %d bytes, want 33 (compressed)", len(a.PubKey))
	}
	pub, err := crypto.DecompressPubkey(a.PubKey)
	if err != nil {
		return errors.New("public key does not decode")
	}
	if crypto.PubkeyToAddress(*pub) != a.Address {
		return errors.New("address does not match its stored public key")
	}
	return nil
}

// headerBytes is the canonical encoding HeaderSum covers: every public
// field the password check and decryption use, each length-prefixed.
func (d *fileDoc) headerBytes() []byte {
	var b []byte
	field := func(v []byte) {
		b = binary.BigEndian.AppendUint64(b, uint64(len(v)))
		b = append(b, v...)
	}
	field([]byte("cairn-wallet-header"))
	field(binary.BigEndian.AppendUint64(nil, uint64(d.Version)))
	field([]byte(d.KDF.Name))
	field(binary.BigEndian.AppendUint64(nil, uint64(d.KDF.Iterations)))
	field(d.KDF.Salt)
	field(d.KDF.Check)
	field([]byte(d.Cipher.Name))
	field(d.Cipher.Nonce)
	field(d.Cipher.Ciphertext)
	return b
}

// computeHeaderSum returns SHA-256 of headerBytes.
func (d *fileDoc) computeHeaderSum() []byte {
	sum := sha256.Sum256(d.headerBytes())
	return sum[:]
}

// checkHeader checks the stored header checksum (version 2 on); version 1
// files have none to check.
func (d *fileDoc) checkHeader() error {
	if d.Version == fileVersion1 {
		return nil
	}
	if !bytes.Equal(d.HeaderSum, d.computeHeaderSum()) {
		return fmt.Errorf("%w: the key derivation and cipher fields (salt, password check, nonce, ciphertext) do not match their checksum", ErrCorrupt)
	}
	return nil
}

// MarshalJSON writes the file with the default address in EIP-55 form.
func (d fileDoc) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Version   int           `json:"version"`
		KDF       kdfDoc        `json:"kdf"`
		Cipher    cipherDoc     `json:"cipher"`
		HeaderSum hexutil.Bytes `json:"header_sha256,omitempty"`
		Default   string        `json:"default"`
		Accounts  []accountDoc  `json:"accounts"`
	}{d.Version, d.KDF, d.Cipher, d.HeaderSum, d.Default.Hex(), d.Accounts})
}

// MarshalJSON writes the account with its address in EIP-55 form.
func (a accountDoc) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Address string        `json:"address"`
		PubKey  hexutil.Bytes `json:"pubkey,omitempty"`
		Label   string        `json:"label"`
		HD      bool          `json:"hd"`
		Index   uint32        `json:"index,omitempty"`
		Path    string        `json:"path,omitempty"`
	}{a.Address.Hex(), a.PubKey, a.Label, a.HD, a.Index, a.Path})
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
