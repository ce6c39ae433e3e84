package node

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"cairn/node/atomicfile"

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
	return atomicfile.Write(path, data, 0o600)
}
