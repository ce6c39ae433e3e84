package wallet

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Account is one address of the wallet as shown to the user. HD accounts
// come from the wallet's mnemonic at Path (BasePath/Index); imported ones
// from a raw key or keystore and have no path.
type Account struct {
	Address common.Address
	Label   string
	HD      bool
	Index   uint32 // derivation index; HD accounts only
	Path    string // derivation path; HD accounts only
}

// Option tunes a Wallet's cost parameters.
type Option func(*config)

type config struct {
	iterations int
	scryptN    int
	scryptP    int
}

// WithKDFIterations sets the PBKDF2 iteration count this Wallet uses when it
// encrypts its file (Create, ChangePassword). It exists so tests run fast;
// production code should keep DefaultKDFIterations. Opening a file always
// uses the count stored in it.
func WithKDFIterations(n int) Option {
	return func(c *config) { c.iterations = n }
}

// WithKeystoreScrypt sets the scrypt N and P ExportKeystore uses (default
// keystore.StandardScryptN and StandardScryptP; tests use the light ones).
func WithKeystoreScrypt(n, p int) Option {
	return func(c *config) { c.scryptN, c.scryptP = n, p }
}

func newConfig(opts []Option) (config, error) {
	c := config{iterations: DefaultKDFIterations, scryptN: keystore.StandardScryptN, scryptP: keystore.StandardScryptP}
	for _, o := range opts {
		o(&c)
	}
	if c.iterations < 1 || c.iterations > maxKDFIterations {
		return c, fmt.Errorf("kdf iterations %d out of range 1..%d", c.iterations, maxKDFIterations)
	}
	if c.scryptN < 2 || c.scryptN&(c.scryptN-1) != 0 || c.scryptP < 1 {
		return c, fmt.Errorf("scrypt N=%d P=%d: N must be a power of two above 1 and P positive", c.scryptN, c.scryptP)
	}
	return c, nil
}

// Wallet is an HD wallet backed by one encrypted file. Opening it reads the
// public part (accounts, labels, default); Unlock decrypts the secrets
// (mnemonic, seed, imported keys) into memory until Lock. Every change is
// written to the file before it takes effect in memory. A Wallet is safe for
// concurrent use; two processes writing one file at once are not guarded
// against.
type Wallet struct {
	mu   sync.Mutex
	path string
	cfg  config
	doc  *fileDoc
	un   *unlocked // nil while locked
}

// unlocked is the decrypted state of an unlocked wallet.
type unlocked struct {
	keys *sealKeys
	sec  *secretsDoc
	priv map[common.Address][]byte // 32-byte keys of every account
}

func (u *unlocked) wipe() {
	if u == nil {
		return
	}
	u.keys.wipe()
	wipeSecrets(u.sec)
	for _, k := range u.priv {
		clear(k)
	}
}

func wipeSecrets(s *secretsDoc) {
	if s == nil {
		return
	}
	clear(s.Seed)
	for _, k := range s.Keys {
		clear(k.Key)
	}
}

var errEmptyPassword = errors.New("password must not be empty")

// Create writes a new wallet file at path for a mnemonic and optional BIP-39
// passphrase, encrypted under password, with account 0 derived and set as
// default. It refuses to replace an existing file (ErrExists). The returned
// wallet is unlocked.
func Create(path, mnemonic, passphrase, password string, opts ...Option) (*Wallet, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	if password == "" {
		return nil, fmt.Errorf("create wallet: %w", errEmptyPassword)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("create wallet: %w: %s", ErrExists, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	seed, err := Seed(mnemonic, passphrase)
	if err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	keys, err := deriveAccounts(seed, 0, 1)
	if err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	addr := crypto.PubkeyToAddress(keys[0].PublicKey)
	sec := &secretsDoc{Mnemonic: NormalizeMnemonic(mnemonic), Seed: seed}
	salt, err := randomBytes(saltLen)
	if err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	sk, err := deriveSealKeys(password, salt, cfg.iterations)
	if err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	doc := &fileDoc{
		Version: FileVersion,
		KDF:     kdfDoc{Name: kdfName, Iterations: cfg.iterations, Salt: salt, Check: append([]byte(nil), sk.check...)},
		Cipher:  cipherDoc{Name: cipherName},
		Default: addr,
		Accounts: []accountDoc{{
			Address: addr, PubKey: crypto.CompressPubkey(&keys[0].PublicKey),
			Label: defaultHDLabel(0), HD: true, Index: 0, Path: AccountPath(0),
		}},
	}
	if err := doc.sealSecrets(sk.aesKey, sec); err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	data, err := doc.encode()
	if err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	if err := writeFileAtomic(path, data, true); err != nil {
		return nil, fmt.Errorf("create wallet: %w", err)
	}
	un := &unlocked{keys: sk, sec: sec, priv: map[common.Address][]byte{addr: crypto.FromECDSA(keys[0])}}
	return &Wallet{path: path, cfg: cfg, doc: doc, un: un}, nil
}

// Open reads the public part of the wallet file at path. The wallet starts
// locked. A damaged file gives ErrCorrupt (ErrDamaged), a newer format
// ErrUnsupportedVersion; the file is never written by Open. Every address
// is checked against its EIP-55 checksummed form and its stored public key,
// so a changed character is reported naming the account rather than listed
// as if valid. (A version 1 file has no public keys, and its lowercase
// addresses carry no checksum: see fileVersion1.)
func Open(path string, opts ...Option) (*Wallet, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("open wallet: %w", err)
	}
	doc, err := readFileDoc(path)
	if err != nil {
		return nil, err
	}
	return &Wallet{path: path, cfg: cfg, doc: doc}, nil
}

// Path returns the wallet file's path.
func (w *Wallet) Path() string { return w.path }

// Locked reports whether the secrets are not in memory.
func (w *Wallet) Locked() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.un == nil
}

// KDFIterations returns the PBKDF2 iteration count stored in the file.
func (w *Wallet) KDFIterations() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.doc.KDF.Iterations
}

// Unlock decrypts the wallet's secrets with password and checks that they
// match the account list. A header (salt, password check, nonce,
// ciphertext) that fails its checksum gives ErrCorrupt before the password
// is tried; an intact header whose password check fails gives
// ErrWrongPassword; ciphertext that fails authentication under the right
// password gives ErrCorrupt. None changes the file or the current lock
// state. Unlocking a version 1 file upgrades the wallet in memory (public
// keys, header checksum, a fresh seal bound to the new version); the file
// itself is rewritten in the new format at the next save, never by Unlock.
func (w *Wallet) Unlock(password string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	sk, sec, err := w.doc.openSecrets(password)
	if err != nil {
		return fmt.Errorf("unlock wallet: %w", err)
	}
	priv, err := w.doc.matchKeys(sec)
	if err != nil {
		sk.wipe()
		wipeSecrets(sec)
		return fmt.Errorf("unlock wallet: %w", err)
	}
	doc := w.doc
	if doc.Version < FileVersion {
		doc = doc.clone()
		err = doc.upgrade(priv)
		if err == nil {
			err = doc.sealSecrets(sk.aesKey, sec)
		}
		if err == nil {
			err = doc.validate()
		}
		if err != nil {
			sk.wipe()
			wipeSecrets(sec)
			for _, k := range priv {
				clear(k)
			}
			return fmt.Errorf("unlock wallet: upgrade version %d file: %w", w.doc.Version, err)
		}
	}
	w.un.wipe()
	w.doc = doc
	w.un = &unlocked{keys: sk, sec: sec, priv: priv}
	return nil
}

// Lock forgets the decrypted secrets, overwriting the key bytes held.
func (w *Wallet) Lock() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.un.wipe()
	w.un = nil
}

// Accounts lists the wallet's accounts in the order they were added.
func (w *Wallet) Accounts() []Account {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Account, len(w.doc.Accounts))
	for i, a := range w.doc.Accounts {
		out[i] = a.account()
	}
	return out
}

// Account returns the account with address addr, or ErrUnknownAccount.
func (w *Wallet) Account(addr common.Address) (Account, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	i := w.doc.find(addr)
	if i < 0 {
		return Account{}, fmt.Errorf("%w %s", ErrUnknownAccount, addr.Hex())
	}
	return w.doc.Accounts[i].account(), nil
}

// Default returns the default account (the one commands use when no
// address is given).
func (w *Wallet) Default() Account {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.doc.Accounts[w.doc.find(w.doc.Default)].account()
}

// SetDefault makes addr the default account. It does not need the wallet
// unlocked.
func (w *Wallet) SetDefault(addr common.Address) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.doc.find(addr) < 0 {
		return fmt.Errorf("set default: %w %s", ErrUnknownAccount, addr.Hex())
	}
	doc := w.doc.clone()
	doc.Default = addr
	return w.save(doc)
}

// SetLabel renames an account (surrounding spaces are trimmed; an empty
// label is rejected). It does not need the wallet unlocked.
func (w *Wallet) SetLabel(addr common.Address, label string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	i := w.doc.find(addr)
	if i < 0 {
		return fmt.Errorf("set label: %w %s", ErrUnknownAccount, addr.Hex())
	}
	label, err := cleanLabel(label)
	if err != nil {
		return fmt.Errorf("set label: %w", err)
	}
	if label == "" {
		return errors.New("set label: label must not be empty")
	}
	doc := w.doc.clone()
	doc.Accounts[i].Label = label
	return w.save(doc)
}

// Derive adds the next HD account (one past the highest index in use) with
// the given label ("" picks "Account N") and saves it. Needs the wallet
// unlocked.
func (w *Wallet) Derive(label string) (Account, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.un == nil {
		return Account{}, fmt.Errorf("derive account: %w", ErrLocked)
	}
	next := uint32(0)
	for _, a := range w.doc.Accounts {
		if a.HD && a.Index+1 > next {
			next = a.Index + 1
		}
	}
	if next >= HardenedOffset {
		return Account{}, errors.New("derive account: no unhardened index left")
	}
	label, err := cleanLabel(label)
	if err != nil {
		return Account{}, fmt.Errorf("derive account: %w", err)
	}
	if label == "" {
		label = defaultHDLabel(next)
	}
	keys, err := deriveAccounts(w.un.sec.Seed, next, 1)
	if err != nil {
		return Account{}, fmt.Errorf("derive account: %w", err)
	}
	addr := crypto.PubkeyToAddress(keys[0].PublicKey)
	if w.doc.find(addr) >= 0 {
		return Account{}, fmt.Errorf("derive account %s: %w (it was imported)", AccountPath(next), ErrAccountExists)
	}
	doc := w.doc.clone()
	acc := accountDoc{Address: addr, PubKey: crypto.CompressPubkey(&keys[0].PublicKey), Label: label, HD: true, Index: next, Path: AccountPath(next)}
	doc.Accounts = append(doc.Accounts, acc)
	if err := w.save(doc); err != nil {
		return Account{}, fmt.Errorf("derive account: %w", err)
	}
	w.un.priv[addr] = crypto.FromECDSA(keys[0])
	return acc.account(), nil
}

// ImportKey adds a raw private key as an account with the given label (""
// picks "Imported N") and saves it encrypted. Needs the wallet unlocked; a
// key already in the wallet gives ErrAccountExists.
func (w *Wallet) ImportKey(key *ecdsa.PrivateKey, label string) (Account, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.importKey(key, label)
}

// importKey is ImportKey with w.mu held.
func (w *Wallet) importKey(key *ecdsa.PrivateKey, label string) (Account, error) {
	if w.un == nil {
		return Account{}, fmt.Errorf("import key: %w", ErrLocked)
	}
	if key == nil || key.D == nil {
		return Account{}, errors.New("import key: no key given")
	}
	raw := crypto.FromECDSA(key)
	checked, err := crypto.ToECDSA(raw)
	if err != nil {
		return Account{}, fmt.Errorf("import key: %w", err)
	}
	addr := crypto.PubkeyToAddress(checked.PublicKey)
	if w.doc.find(addr) >= 0 {
		return Account{}, fmt.Errorf("import key: %w: %s", ErrAccountExists, addr.Hex())
	}
	label, err = cleanLabel(label)
	if err != nil {
		return Account{}, fmt.Errorf("import key: %w", err)
	}
	if label == "" {
		label = fmt.Sprintf("Imported %d", len(w.un.sec.Keys)+1)
	}
	sec := *w.un.sec
	sec.Keys = append(append([]importedKeyDoc(nil), sec.Keys...), importedKeyDoc{Address: addr, Key: raw})
	doc := w.doc.clone()
	acc := accountDoc{Address: addr, PubKey: crypto.CompressPubkey(&checked.PublicKey), Label: label}
	doc.Accounts = append(doc.Accounts, acc)
	if err := doc.sealSecrets(w.un.keys.aesKey, &sec); err != nil {
		return Account{}, fmt.Errorf("import key: %w", err)
	}
	if err := w.save(doc); err != nil {
		return Account{}, fmt.Errorf("import key: %w", err)
	}
	w.un.sec = &sec
	w.un.priv[addr] = raw
	return acc.account(), nil
}

// ChangePassword re-encrypts the wallet under newPassword with a fresh salt
// and the Wallet's KDF iteration count (DefaultKDFIterations unless set by
// an option), which is how old files move to a higher count. A wrong old
// password gives ErrWrongPassword and leaves the file untouched. The lock
// state does not change.
func (w *Wallet) ChangePassword(oldPassword, newPassword string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if newPassword == "" {
		return fmt.Errorf("change password: %w", errEmptyPassword)
	}
	oldKeys, sec, err := w.doc.openSecrets(oldPassword)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	oldKeys.wipe()
	priv, err := w.doc.matchKeys(sec)
	if err != nil {
		wipeSecrets(sec)
		return fmt.Errorf("change password: %w", err)
	}
	doc := w.doc.clone()
	err = doc.upgrade(priv) // a version 1 file is rewritten as FileVersion
	for _, k := range priv {
		clear(k)
	}
	if err != nil {
		wipeSecrets(sec)
		return fmt.Errorf("change password: %w", err)
	}
	salt, err := randomBytes(saltLen)
	if err != nil {
		wipeSecrets(sec)
		return fmt.Errorf("change password: %w", err)
	}
	newKeys, err := deriveSealKeys(newPassword, salt, w.cfg.iterations)
	if err != nil {
		wipeSecrets(sec)
		return fmt.Errorf("change password: %w", err)
	}
	doc.KDF = kdfDoc{Name: kdfName, Iterations: w.cfg.iterations, Salt: salt, Check: append([]byte(nil), newKeys.check...)}
	err = doc.sealSecrets(newKeys.aesKey, sec)
	wipeSecrets(sec)
	if err == nil {
		err = w.save(doc)
	}
	if err != nil {
		newKeys.wipe()
		return fmt.Errorf("change password: %w", err)
	}
	if w.un != nil {
		w.un.keys.wipe()
		w.un.keys = newKeys
	} else {
		newKeys.wipe()
	}
	return nil
}

// Mnemonic returns the wallet's words, for an explicit "show my recovery
// phrase" request. Needs the wallet unlocked. The BIP-39 passphrase, if one
// was used, is not stored and not returned.
func (w *Wallet) Mnemonic() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.un == nil {
		return "", fmt.Errorf("mnemonic: %w", ErrLocked)
	}
	return w.un.sec.Mnemonic, nil
}

// PrivateKey returns a copy of the private key of account addr. Needs the
// wallet unlocked.
func (w *Wallet) PrivateKey(addr common.Address) (*ecdsa.PrivateKey, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.privateKey(addr)
}

// privateKey is PrivateKey with w.mu held.
func (w *Wallet) privateKey(addr common.Address) (*ecdsa.PrivateKey, error) {
	if w.un == nil {
		return nil, fmt.Errorf("private key: %w", ErrLocked)
	}
	raw, ok := w.un.priv[addr]
	if !ok {
		return nil, fmt.Errorf("private key: %w %s", ErrUnknownAccount, addr.Hex())
	}
	k, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", addr.Hex(), err)
	}
	return k, nil
}

// save writes doc to the file and, only once that succeeded, makes it the
// wallet's state. Callers hold w.mu.
func (w *Wallet) save(doc *fileDoc) error {
	if err := doc.validate(); err != nil {
		return fmt.Errorf("save wallet: %w", err)
	}
	// A header damaged since Open (the wallet was never unlocked) is not
	// written back as if intact.
	if err := doc.checkHeader(); err != nil {
		return fmt.Errorf("save wallet: %w", err)
	}
	data, err := doc.encode()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(w.path, data, false); err != nil {
		return fmt.Errorf("save wallet: %w", err)
	}
	w.doc = doc
	return nil
}

func (a accountDoc) account() Account {
	return Account{Address: a.Address, Label: a.Label, HD: a.HD, Index: a.Index, Path: a.Path}
}

func defaultHDLabel(index uint32) string {
	return fmt.Sprintf("Account %d", uint64(index)+1)
}
