package wallet

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/tyler-smith/go-bip32"
)

// BasePath is the BIP-44 prefix of Ethereum accounts (coin type 60, account
// 0, external chain); account i lives at BasePath/i. It is the path MetaMask,
// Ledger Live, Hardhat and Anvil use, so the same words give the same
// addresses there.
const BasePath = "m/44'/60'/0'/0"

// HardenedOffset is added to a BIP-32 child index to make it hardened.
const HardenedOffset = bip32.FirstHardenedChild

// MaxDevKeys bounds DevKeys so a bad argument cannot ask for unbounded work.
const MaxDevKeys = 1000

// ErrInvalidPath reports a malformed BIP-32 derivation path.
var ErrInvalidPath = errors.New("invalid derivation path")

// AccountPath returns the derivation path of account index, BasePath/index.
func AccountPath(index uint32) string {
	return BasePath + "/" + strconv.FormatUint(uint64(index), 10)
}

// ParsePath parses a BIP-32 path such as "m/44'/60'/0'/0/7" into child
// indexes, hardened ones offset by HardenedOffset. A trailing ', h or H marks
// a hardened level; the leading "m" is required.
func ParsePath(path string) ([]uint32, error) {
	parts := strings.Split(strings.TrimSpace(path), "/")
	if parts[0] != "m" {
		return nil, fmt.Errorf("%w %q: must start with \"m\"", ErrInvalidPath, path)
	}
	out := make([]uint32, 0, len(parts)-1)
	for i, p := range parts[1:] {
		hardened := false
		if n := len(p); n > 0 && (p[n-1] == '\'' || p[n-1] == 'h' || p[n-1] == 'H') {
			hardened = true
			p = p[:n-1]
		}
		if p == "" || p[0] == '+' || p[0] == '-' {
			return nil, fmt.Errorf("%w %q: level %d is not a number", ErrInvalidPath, path, i+1)
		}
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil || v >= uint64(HardenedOffset) {
			return nil, fmt.Errorf("%w %q: level %d must be an integer below 2^31", ErrInvalidPath, path, i+1)
		}
		idx := uint32(v)
		if hardened {
			idx += HardenedOffset
		}
		out = append(out, idx)
	}
	return out, nil
}

// DerivePath derives the private key at a BIP-32 path from a BIP-39 seed
// (16 to 64 bytes).
func DerivePath(seed []byte, path string) (*ecdsa.PrivateKey, error) {
	idx, err := ParsePath(path)
	if err != nil {
		return nil, err
	}
	node, err := deriveNode(seed, idx)
	if err != nil {
		return nil, fmt.Errorf("derive %s: %w", path, err)
	}
	return nodeKey(node)
}

// DeriveKey derives account index of a mnemonic and passphrase on the
// Ethereum path BasePath/index.
func DeriveKey(mnemonic, passphrase string, index uint32) (*ecdsa.PrivateKey, error) {
	keys, err := DeriveKeys(mnemonic, passphrase, index, 1)
	if err != nil {
		return nil, err
	}
	return keys[0], nil
}

// DeriveKeys derives n consecutive accounts BasePath/first … BasePath/first+n-1
// of a mnemonic and passphrase, walking the shared parent path only once.
func DeriveKeys(mnemonic, passphrase string, first uint32, n int) ([]*ecdsa.PrivateKey, error) {
	if n < 0 || n > MaxDevKeys {
		return nil, fmt.Errorf("derive keys: count %d out of range 0..%d", n, MaxDevKeys)
	}
	if uint64(first)+uint64(n) > uint64(HardenedOffset) {
		return nil, fmt.Errorf("derive keys: indexes %d..%d pass 2^31-1", first, uint64(first)+uint64(n)-1)
	}
	seed, err := Seed(mnemonic, passphrase)
	if err != nil {
		return nil, fmt.Errorf("derive keys: %w", err)
	}
	return deriveAccounts(seed, first, n)
}

// DevKeys returns the first n keys of DevMnemonic (no passphrase) on
// BasePath: the funded dev accounts of Hardhat and Anvil. The keys are
// public; never use them outside a local development chain.
func DevKeys(n int) ([]*ecdsa.PrivateKey, error) {
	if n < 0 || n > MaxDevKeys {
		return nil, fmt.Errorf("dev keys: count %d out of range 0..%d", n, MaxDevKeys)
	}
	return DeriveKeys(DevMnemonic, "", 0, n)
}

// deriveAccounts derives BasePath/first … BasePath/first+n-1 from a seed.
func deriveAccounts(seed []byte, first uint32, n int) ([]*ecdsa.PrivateKey, error) {
	base, err := ParsePath(BasePath)
	if err != nil {
		return nil, err
	}
	parent, err := deriveNode(seed, base)
	if err != nil {
		return nil, fmt.Errorf("derive %s: %w", BasePath, err)
	}
	keys := make([]*ecdsa.PrivateKey, 0, n)
	for i := 0; i < n; i++ {
		idx := first + uint32(i)
		child, err := childNode(parent, idx)
		if err != nil {
			return nil, fmt.Errorf("derive %s: %w", AccountPath(idx), err)
		}
		k, err := nodeKey(child)
		if err != nil {
			return nil, fmt.Errorf("derive %s: %w", AccountPath(idx), err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// deriveNode walks the BIP-32 tree from the master node of seed along idx.
func deriveNode(seed []byte, idx []uint32) (*bip32.Key, error) {
	if len(seed) < 16 || len(seed) > 64 {
		return nil, fmt.Errorf("seed is %d bytes, want 16 to 64", len(seed))
	}
	node, err := bip32.NewMasterKey(seed)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if node.Key, err = pad32(node.Key); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	for _, i := range idx {
		if node, err = childNode(node, i); err != nil {
			return nil, err
		}
	}
	return node, nil
}

// childNode derives one private child and left-pads its key to 32 bytes, so
// a key whose big-endian form starts with zero bytes is never shortened
// (some go-bip32 versions dropped those bytes, giving wrong children).
func childNode(parent *bip32.Key, i uint32) (*bip32.Key, error) {
	child, err := parent.NewChildKey(i)
	if err != nil {
		return nil, fmt.Errorf("child %d: %w", i, err)
	}
	if child.Key, err = pad32(child.Key); err != nil {
		return nil, fmt.Errorf("child %d: %w", i, err)
	}
	return child, nil
}

// nodeKey converts a private BIP-32 node into a secp256k1 key.
func nodeKey(node *bip32.Key) (*ecdsa.PrivateKey, error) {
	if !node.IsPrivate {
		return nil, errors.New("node holds no private key")
	}
	b, err := pad32(node.Key)
	if err != nil {
		return nil, err
	}
	k, err := crypto.ToECDSA(b)
	if err != nil {
		return nil, fmt.Errorf("derived key: %w", err)
	}
	return k, nil
}

// pad32 left-pads a big-endian scalar to 32 bytes.
func pad32(b []byte) ([]byte, error) {
	if len(b) > 32 {
		return nil, fmt.Errorf("private key is %d bytes, want at most 32", len(b))
	}
	out := make([]byte, 32)
	copy(out[32-len(b):], b)
	return out, nil
}
