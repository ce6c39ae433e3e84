package p2p

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"cairn/node/atomicfile"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// LoadOrCreateIdentity reads the node's network key from path (libp2p's
// protobuf encoding of an ed25519 key), or creates one there, mode 0600,
// if the file does not exist. A file that exists but does not hold a key
// is an error, never replaced: the node's peer ID is what its peers and
// bootstrap lists know it by.
func LoadOrCreateIdentity(path string) (crypto.PrivKey, peer.ID, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		key, _, err := crypto.GenerateEd25519Key(nil)
		if err != nil {
			return nil, "", fmt.Errorf("create node key: %w", err)
		}
		raw, err := crypto.MarshalPrivateKey(key)
		if err != nil {
			return nil, "", fmt.Errorf("encode node key: %w", err)
		}
		if err := atomicfile.Write(path, raw, 0o600); err != nil {
			return nil, "", fmt.Errorf("save node key: %w", err)
		}
		return identity(key)
	case err != nil:
		return nil, "", fmt.Errorf("read node key: %w", err)
	}
	key, err := crypto.UnmarshalPrivateKey(data)
	if err != nil {
		return nil, "", fmt.Errorf("node key %s is damaged (%v): restore it from a backup, or delete it to start under a new peer ID", path, err)
	}
	return identity(key)
}

func identity(key crypto.PrivKey) (crypto.PrivKey, peer.ID, error) {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, "", fmt.Errorf("node key: %w", err)
	}
	return key, id, nil
}
