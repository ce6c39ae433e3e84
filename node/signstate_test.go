package node

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/consensus/engine"
)

func TestSignStateSurvivesRestartAndRefusesConflicts(t *testing.T) {
	path := SignStatePath(t.TempDir())
	key := chain.DevnetValidatorKey()
	g, err := engine.NewSignGuard(key, signStateFile{path})
	if err != nil {
		t.Fatal(err)
	}
	req := engine.SignRequest{Height: 7, Round: 1, Step: engine.StepPrevote, SignBytes: []byte("prevote for A")}
	sig, err := g.Sign(req)
	if err != nil || !ed25519.Verify(key.Public().(ed25519.PublicKey), req.SignBytes, sig) {
		t.Fatalf("sign: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("sign state file: %v", err)
	}

	// A restarted node loads the state: the same request gets the same
	// signature back, a conflicting one is refused.
	g2, err := engine.NewSignGuard(key, signStateFile{path})
	if err != nil {
		t.Fatal(err)
	}
	again, err := g2.Sign(req)
	if err != nil || string(again) != string(sig) {
		t.Fatalf("identical request after restart: %v", err)
	}
	conflict := req
	conflict.SignBytes = []byte("prevote for B")
	if _, err := g2.Sign(conflict); err == nil {
		t.Fatal("signed a conflicting prevote after restart")
	}
}

func TestDamagedSignStateIsAnErrorNotAReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sign_state.json")
	os.WriteFile(path, []byte("{not json"), 0o600)
	_, err := engine.NewSignGuard(chain.DevnetValidatorKey(), signStateFile{path})
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged sign state: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "{not json" {
		t.Fatal("the damaged file was changed")
	}
}

// Every change to a written sign state is caught by its checksum: a
// lowered height passes for an older state otherwise, and the node would
// sign again what it signed.
func TestSignStateChecksumCatchesEveryEdit(t *testing.T) {
	signed := []engine.SignState{engine.Floor(3),
		{Height: 7, Round: 2, Step: engine.StepPrecommit, SignBytes: []byte("bytes"), Signature: []byte("sig")}}
	data, err := encodeSignState(signed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSignState(data)
	if err != nil || len(got) != 2 || !got[0].IsFloor() || got[1].Height != 7 || string(got[1].Signature) != "sig" {
		t.Fatalf("round trip: %v %+v", err, got)
	}
	for i := range data {
		edited := append([]byte(nil), data...)
		edited[i] ^= 0x01
		if _, err := decodeSignState(edited); err == nil && !onlySpaceChanged(data[i], edited[i]) {
			t.Fatalf("flipping byte %d (%q → %q) went unnoticed", i, data[i], edited[i])
		}
	}
	for _, old := range []string{"[]", `[{"height":7,"round":2,"step":3,"signBytes":"0x01","signature":"0x02"}]`, ""} {
		if _, err := decodeSignState([]byte(old)); err == nil {
			t.Fatalf("%q read as a sign state", old)
		}
	}
}

// onlySpaceChanged: a flipped bit that turns layout white space into other
// white space leaves the content, so the checksum, the same.
func onlySpaceChanged(a, b byte) bool {
	space := func(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
	return space(a) && space(b)
}

// FuzzSignState: whatever the file holds, decoding never panics, and what
// it accepts encodes back to a file that decodes to the same states.
func FuzzSignState(f *testing.F) {
	good, _ := encodeSignState([]engine.SignState{{Height: 7, Round: 2, Step: engine.StepPrecommit, SignBytes: []byte("b"), Signature: []byte("s")}})
	f.Add(good)
	floor, _ := encodeSignState([]engine.SignState{engine.Floor(9)})
	f.Add(floor)
	f.Add([]byte("[]"))
	f.Add([]byte(`{"version":2,"signed":[],"checksum":"0x00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeSignState(data)
		if err != nil {
			return
		}
		again, err := encodeSignState(got)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeSignState(again)
		if err != nil || len(back) != len(got) {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
		for i := range got {
			if back[i].Height != got[i].Height || back[i].Round != got[i].Round || back[i].Step != got[i].Step ||
				string(back[i].SignBytes) != string(got[i].SignBytes) || string(back[i].Signature) != string(got[i].Signature) {
				t.Fatalf("entry %d changed: %+v → %+v", i, got[i], back[i])
			}
		}
	})
}
