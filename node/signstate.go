package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"cairn/node/atomicfile"
	"cairn/node/consensus/engine"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// SignStatePath is where a home keeps its validator's last-signed state.
func SignStatePath(home string) string { return filepath.Join(home, "data", "sign_state.json") }

// signStateFile keeps the signing guard's last signed messages on disk:
// they are saved (temp file, fsync, rename, directory fsync) before a signature
// leaves the node, so after any crash the node knows what it signed last
// and refuses to sign anything conflicting.
type signStateFile struct{ path string }

type signStateJSON struct {
	Height    uint64        `json:"height"`
	Round     uint32        `json:"round"`
	Step      uint8         `json:"step"`
	SignBytes hexutil.Bytes `json:"signBytes"`
	Signature hexutil.Bytes `json:"signature"`
}

// Load implements engine.Store. A missing file means nothing was signed
// yet; a damaged one is an error, never a reset, since forgetting what was
// signed is how a validator double-signs.
func (f signStateFile) Load() ([]engine.SignState, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sign state: %w", err)
	}
	var js []signStateJSON
	if err := json.Unmarshal(data, &js); err != nil {
		return nil, fmt.Errorf("sign state %s is damaged (%v): restore it from a backup; "+
			"deleting it risks signing twice and being slashed", f.path, err)
	}
	out := make([]engine.SignState, len(js))
	for i, j := range js {
		out[i] = engine.SignState{Height: j.Height, Round: j.Round, Step: engine.Step(j.Step),
			SignBytes: j.SignBytes, Signature: j.Signature}
	}
	return out, nil
}

// Save implements engine.Store: durable when it returns.
func (f signStateFile) Save(signed []engine.SignState) error {
	js := make([]signStateJSON, len(signed))
	for i, s := range signed {
		js[i] = signStateJSON{Height: s.Height, Round: s.Round, Step: uint8(s.Step),
			SignBytes: s.SignBytes, Signature: s.Signature}
	}
	data, err := json.Marshal(js)
	if err != nil {
		return fmt.Errorf("encode sign state: %w", err)
	}
	return atomicfile.Write(f.path, data, 0o600)
}
