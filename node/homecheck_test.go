package node

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/consensus/engine"
)

// runDevnetTo runs the devnet validator on home until it has committed
// height h, then stops it.
func runDevnetTo(t *testing.T, home string, h uint64) {
	t.Helper()
	n := startDevnet(t, home)
	sub := n.Events().Subscribe(64)
	waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= h })
	sub.Close()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
}

func openDevnet(home string, edit func(*Config)) (*Node, error) {
	cfg := Config{Home: home, Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(), BlockTime: 10 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	return New(cfg)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// Defect: a deleted or empty chain.db under a home whose sign state and
// WAL show later heights was answered with a fresh genesis (and a node
// stalled forever), an older store (a rolled-back meta page) with an old
// head. Each is refused now, and nothing is written; --resync lets it
// start to rebuild from peers.
func TestStoreBehindTheConsensusFilesIsRefused(t *testing.T) {
	home := t.TempDir()
	runDevnetTo(t, home, 3)
	old := StorePath(home) + ".old"
	copyFile(t, StorePath(home), old)
	runDevnetTo(t, home, 12)
	for name, damage := range map[string]func() error{
		"deleted": func() error { return os.Remove(StorePath(home)) },
		"empty":   func() error { return os.WriteFile(StorePath(home), nil, 0o600) },
		"older":   func() error { copyFile(t, old, StorePath(home)); return nil },
	} {
		saved := StorePath(home) + ".saved"
		copyFile(t, StorePath(home), saved)
		if err := damage(); err != nil {
			t.Fatal(err)
		}
		_, err := openDevnet(home, nil)
		if !errors.Is(err, ErrStoreBehind) {
			t.Fatalf("%s store: New gave %v, want ErrStoreBehind", name, err)
		}
		switch name {
		case "deleted":
			if _, err := os.Stat(StorePath(home)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a refused start created a store: %v", err)
			}
		case "older":
			// Refused without a change: with --resync it opens at its old
			// head, from which it would catch up with peers.
			n, err := openDevnet(home, func(c *Config) { c.Resync = true })
			if err != nil {
				t.Fatalf("resync: %v", err)
			}
			if h := n.Chain().Head().Height(); h < 3 || h >= 12 {
				t.Fatalf("older store at height %d", h)
			}
			n.Close()
		}
		if err := os.Rename(saved, StorePath(home)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := openDevnet(home, nil)
	if err != nil {
		t.Fatalf("the intact store: %v", err)
	}
	if h := n.Chain().Head().Height(); h < 12 {
		t.Fatalf("intact store at height %d", h)
	}
	n.Close()
}

// Defect: a sole validator that could not sign round 0 (its WAL moved
// aside, its sign state already at round 0 of the next height) stayed at
// round 0 forever. It now times out into round 1 and commits there.
func TestSoleValidatorThatCannotSignRoundZeroCommitsInRoundOne(t *testing.T) {
	home := t.TempDir()
	runDevnetTo(t, home, 3)
	os.Remove(WALPath(home))
	f := signStateFile{SignStatePath(home)}
	signed, err := f.Load()
	if err != nil || len(signed) == 0 {
		t.Fatalf("sign state: %v", err)
	}
	next := signed[len(signed)-1].Height + 1
	signed = append(signed, engine.SignState{Height: next, Round: 0, Step: engine.StepPrecommit,
		SignBytes: []byte("precommit signed before the crash"), Signature: []byte("its signature")})
	if err := f.Save(signed); err != nil {
		t.Fatal(err)
	}
	n, err := openDevnet(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	sub := n.Events().Subscribe(64)
	defer sub.Close()
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= next })
	if b.Height() != next {
		t.Fatalf("first block after restart at %d, want %d", b.Height(), next)
	}
	if c := mustCommit(t, n.Chain(), next); c.Round < 1 {
		t.Fatalf("height %d committed in round %d, where this validator had already precommitted", next, c.Round)
	}
}

// A sole validator (or any with more than a third of the power) cannot
// skip a height: the recovery flag is refused for it rather than starting
// a node that can never finalize again.
func TestSignStateGoneIsRefusedForAValidatorThatCannotSkipAHeight(t *testing.T) {
	home := t.TempDir()
	runDevnetTo(t, home, 3)
	os.Remove(SignStatePath(home))
	_, err := openDevnet(home, func(c *Config) { c.SignStateGone = true })
	if !errors.Is(err, ErrSignStateLost) || !strings.Contains(err.Error(), "more than a third") {
		t.Fatalf("sole validator with SignStateGone: %v", err)
	}
	if _, err := os.Stat(SignStatePath(home)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused start wrote a sign state: %v", err)
	}
}
