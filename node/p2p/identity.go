package p2p

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"cairn/node/atomicfile"

	"github.com/libp2p/go-libp2p/core/crypto"
	crypto_pb "github.com/libp2p/go-libp2p/core/crypto/pb"
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
	if err == nil {
		err = checkEd25519(key)
	}
	if err != nil {
		return nil, "", fmt.Errorf("node key %s is damaged (%v): restore it from a backup, or delete it to start under a new peer ID", path, err)
	}
	return identity(key)
}

// checkEd25519 checks that an ed25519 key's stored public half is the one
// its seed gives: a flipped bit in either would otherwise start the node
// quietly under another peer ID.
func checkEd25519(key crypto.PrivKey) error {
	if key.Type() != crypto_pb.KeyType_Ed25519 {
		return nil
	}
	raw, err := key.Raw()
	if err != nil {
		return err
	}
	if len(raw) != ed25519.PrivateKeySize {
		return fmt.Errorf("ed25519 key of %d bytes", len(raw))
	}
	if !bytes.Equal(ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])[ed25519.SeedSize:], raw[ed25519.SeedSize:]) {
		return errors.New("its public key does not match its seed")
	}
	return nil
}

func identity(key crypto.PrivKey) (crypto.PrivKey, peer.ID, error) {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, "", fmt.Errorf("node key: %w", err)
	}
	return key, id, nil
}
