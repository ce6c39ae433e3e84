package p2p

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIdentityPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node_key")
	_, id1, err := LoadOrCreateIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("node key mode %v, want 0600", fi.Mode().Perm())
	}
	key, id2, err := LoadOrCreateIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 {
		t.Fatalf("peer ID changed on reload: %s, then %s", id1, id2)
	}
	if key == nil {
		t.Fatal("no key")
	}
}

func TestDamagedIdentityRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node_key")
	damaged := []byte("not a key")
	if err := os.WriteFile(path, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadOrCreateIdentity(path)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged key: %v", err)
	}
	if _, err := New(Config{KeyPath: path, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, NoDHT: true}); err == nil {
		t.Fatal("New started with a damaged key")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, damaged) {
		t.Fatal("the damaged key file was replaced")
	}
}

func TestNewNeedsKeyPath(t *testing.T) {
	if _, err := New(Config{Listen: []string{"/ip4/127.0.0.1/tcp/0"}}); err == nil {
		t.Fatal("New without a key path")
	}
}

// Any flipped bit of the key bytes is damage: in the seed it would
// otherwise start the node quietly under another peer ID.
func TestEveryFlippedBitOfTheNodeKeyIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node_key")
	if _, _, err := LoadOrCreateIdentity(path); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	for i := range good {
		for bit := 0; bit < 8; bit++ {
			bad := bytes.Clone(good)
			bad[i] ^= 1 << bit
			os.WriteFile(path, bad, 0o600)
			if _, _, err := LoadOrCreateIdentity(path); err == nil {
				t.Fatalf("byte %d bit %d flipped: the key loaded", i, bit)
			}
		}
	}
}
