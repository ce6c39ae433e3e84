package p2p

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// snapshotSource is a fakeSource that also serves snapshots: it echoes a
// request back doubled, or fails on "fail".
type snapshotSource struct{ *fakeSource }

func (snapshotSource) ServeSnapshot(req []byte) ([]byte, error) {
	if string(req) == "fail" {
		return nil, errors.New("state pruned here")
	}
	return bytes.Repeat(req, 2), nil
}

func TestFetchSnapshot(t *testing.T) {
	n := newNet(t)
	a := n.node(Config{Source: snapshotSource{newSource(testGenesis, 0)}})
	b := n.node(Config{Source: newSource(testGenesis, 0)})
	n.connect(b, a)
	waitReady(t, [2]*Transport{a, b})
	ctx := context.Background()

	big := bytes.Repeat([]byte{9}, 200_000)
	got, err := b.FetchSnapshot(ctx, a.Self(), big)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat(big, 2)) {
		t.Fatalf("answer of %d bytes, want %d", len(got), 2*len(big))
	}
	if _, err := b.FetchSnapshot(ctx, a.Self(), []byte("fail")); err == nil || !strings.Contains(err.Error(), "state pruned here") {
		t.Fatalf("a request the peer fails: %v", err)
	}
	if _, err := a.FetchSnapshot(ctx, b.Self(), []byte("x")); err == nil {
		t.Fatal("a peer that does not serve snapshots answered")
	}
	if _, err := b.FetchSnapshot(ctx, a.Self(), make([]byte, maxRequest+1)); err == nil {
		t.Fatal("a request over the cap was sent")
	}
	if tr := b.Bytes()["req/snapshot"]; tr.In < 400_000 {
		t.Fatalf("snapshot traffic %+v", tr)
	}
}
