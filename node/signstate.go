package node

import (
	"bytes"
	"crypto/sha256"
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

// ErrSignStateDamaged is returned for a sign state file that does not
// check out: unreadable, of an unknown version, or failing its checksum.
var ErrSignStateDamaged = errors.New("sign state damaged")

// signStateVersion is the layout of the sign state file.
const signStateVersion = 2

// signStateFile keeps the signing guard's last signed messages on disk:
// they are saved (temp file, fsync, rename, directory fsync) before a signature
// leaves the node, so after any crash the node knows what it signed last
// and refuses to sign anything conflicting. The file carries a SHA-256 of
// its content: a bit flip or a hand edit (lowering a height) would
// otherwise make the node forget what it signed and sign again.
type signStateFile struct{ path string }

// signStateDoc is the file: its checksum covers the JSON encoding of the
// other fields, in this order, with the checksum left out.
type signStateDoc struct {
	Version  int             `json:"version"`
	Signed   []signStateJSON `json:"signed"`
	Checksum hexutil.Bytes   `json:"checksum,omitempty"`
}

type signStateJSON struct {
	Height    uint64        `json:"height"`
	Round     uint32        `json:"round"`
	Step      uint8         `json:"step"`
	SignBytes hexutil.Bytes `json:"signBytes,omitempty"`
	Signature hexutil.Bytes `json:"signature,omitempty"`
}

// checksum is the SHA-256 of the document without its checksum.
func (d signStateDoc) checksum() ([]byte, error) {
	d.Checksum = nil
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return sum[:], nil
}

// Load implements engine.Store. A missing file means nothing was signed
// yet (the node checks that against the store before it trusts that); a
// damaged one is an error, never a reset, since forgetting what was signed
// is how a validator double-signs.
func (f signStateFile) Load() ([]engine.SignState, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sign state: %w", err)
	}
	signed, err := decodeSignState(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v; restore it from a backup, or see --i-know-my-sign-state-is-gone "+
			"(deleting it would let this validator sign twice and be slashed)", ErrSignStateDamaged, f.path, err)
	}
	return signed, nil
}

// decodeSignState parses and checks a sign state file.
func decodeSignState(data []byte) ([]engine.SignState, error) {
	var doc signStateDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a sign state file (%v)", err)
	}
	if dec.More() {
		return nil, errors.New("data after the sign state")
	}
	if doc.Version != signStateVersion {
		return nil, fmt.Errorf("version %d is not %d", doc.Version, signStateVersion)
	}
	want, err := doc.checksum()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(want, doc.Checksum) {
		return nil, errors.New("checksum mismatch: the file was changed after it was written")
	}
	out := make([]engine.SignState, len(doc.Signed))
	for i, j := range doc.Signed {
		out[i] = engine.SignState{Height: j.Height, Round: j.Round, Step: engine.Step(j.Step),
			SignBytes: j.SignBytes, Signature: j.Signature}
	}
	return out, nil
}

// Save implements engine.Store: durable when it returns.
func (f signStateFile) Save(signed []engine.SignState) error {
	data, err := encodeSignState(signed)
	if err != nil {
		return fmt.Errorf("encode sign state: %w", err)
	}
	return atomicfile.Write(f.path, data, 0o600)
}

func encodeSignState(signed []engine.SignState) ([]byte, error) {
	doc := signStateDoc{Version: signStateVersion, Signed: make([]signStateJSON, len(signed))}
	for i, s := range signed {
		doc.Signed[i] = signStateJSON{Height: s.Height, Round: s.Round, Step: uint8(s.Step),
			SignBytes: s.SignBytes, Signature: s.Signature}
	}
	sum, err := doc.checksum()
	if err != nil {
		return nil, err
	}
	doc.Checksum = sum
	return json.MarshalIndent(doc, "", " ")
}
