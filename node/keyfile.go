package node

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// keyFile is the JSON form of a validator's consensus key.
type keyFile struct {
	Type   string        `json:"type"`
	PubKey hexutil.Bytes `json:"pubKey"`
	Seed   hexutil.Bytes `json:"seed"`
}

// LoadValidatorKey reads a consensus key written by SaveValidatorKey.
func LoadValidatorKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read validator key: %w", err)
	}
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return nil, fmt.Errorf("validator key %s is damaged: %w", path, err)
	}
	if kf.Type != "ed25519" || len(kf.Seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("validator key %s: want an ed25519 seed of %d bytes", path, ed25519.SeedSize)
	}
	key := ed25519.NewKeyFromSeed(kf.Seed)
	if !key.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(kf.PubKey)) {
		return nil, fmt.Errorf("validator key %s: public key does not match the seed", path)
	}
	return key, nil
}

// SaveValidatorKey writes key to path (mode 0600) atomically, refusing to
// replace an existing key: losing a validator key is not undoable.
func SaveValidatorKey(path string, key ed25519.PrivateKey) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("validator key %s already exists; refusing to overwrite it", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	data, err := json.MarshalIndent(keyFile{
		Type: "ed25519", PubKey: hexutil.Bytes(key.Public().(ed25519.PublicKey)), Seed: hexutil.Bytes(key.Seed()),
	}, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data, 0o600)
}

// WriteFileAtomic writes data to path so that a crash leaves either the old
// file or the new one: temp file in the same directory, fsync, rename,
// fsync of the directory.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer d.Close()
	return d.Sync()
}
