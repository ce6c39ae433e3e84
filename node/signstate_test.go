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
