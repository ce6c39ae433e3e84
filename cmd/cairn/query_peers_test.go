package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"cairn/node/api"
)

// runRoot runs the cairn command tree in this process and returns its
// output.
func runRoot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// fakeNetService answers status and peers like a node on a network; every
// other API method is absent.
type fakeNetService struct {
	api.Service
	status *api.Status
	peers  []api.Peer
}

func (s *fakeNetService) Status(context.Context) (*api.Status, error) { return s.status, nil }
func (s *fakeNetService) Peers(context.Context) ([]api.Peer, error)   { return s.peers, nil }

func TestQueryPeers(t *testing.T) {
	since := uint64(time.Now().Add(-90 * time.Second).UnixMilli())
	svc := &fakeNetService{
		status: &api.Status{ChainID: 7777, Height: 12, NodeID: "12D3KooWSelfSelfSelfSelfSelf",
			Listen: []string{"/ip4/127.0.0.1/tcp/30333", "/ip4/127.0.0.1/udp/30333/quic-v1"}, Peers: 2,
			Syncing: &api.SyncStatus{From: 3, Current: 8, Target: 20}},
		peers: []api.Peer{
			{ID: "12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1234", Addrs: []string{"/ip4/127.0.0.1/tcp/30334"},
				Direction: "inbound", LatencyMs: 12.5, Score: 1.25, Agent: "cairn/0.1", Height: 12, Finalized: 12, ConnectedSince: since},
			{ID: "12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB5678", Addrs: []string{}, Direction: "outbound"},
		},
	}
	srv := httptest.NewServer(api.NewServer(svc, api.ServerOptions{}))
	defer srv.Close()

	out, err := runRoot(t, "query", "peers", "--api", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "PEER") {
		t.Fatalf("want a header and two rows:\n%s", out)
	}
	for _, want := range []string{"12D3Koo…AA1234", "inbound", "12.5ms", "1.25", "12", "1m30s", "cairn/0.1"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("first row lacks %q: %q", want, lines[1])
		}
	}
	if f := strings.Fields(lines[2]); len(f) != 7 || f[1] != "outbound" || f[2] != "-" || f[5] != "-" || f[6] != "-" {
		t.Errorf("a peer not yet measured: %q", lines[2])
	}

	out, err = runRoot(t, "query", "peers", "--json", "--api", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var pl api.PeerList
	if err := json.Unmarshal([]byte(out), &pl); err != nil || !reflect.DeepEqual(pl.Peers, svc.peers) {
		t.Fatalf("--json: %v\n%s", err, out)
	}

	out, err = runRoot(t, "query", "status", "--api", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"12D3KooWSelfSelfSelfSelfSelf", "/ip4/127.0.0.1/udp/30333/quic-v1", "2 connected", "at 8 of 20 (started at 3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}

	svc.peers, svc.status.Syncing = nil, nil
	if out, err = runRoot(t, "query", "peers", "--api", srv.URL); err != nil || !strings.Contains(out, "no peers connected") {
		t.Fatalf("no peers: %v %q", err, out)
	}
	if out, err = runRoot(t, "query", "status", "--api", srv.URL); err != nil || !strings.Contains(out, "in step") {
		t.Fatalf("status not syncing: %v %q", err, out)
	}
	if _, err := runRoot(t, "query", "peers", "extra", "--api", srv.URL); !errors.Is(err, errUsage) {
		t.Fatalf("an argument: %v, want a usage error", err)
	}
}

func TestShortPeerID(t *testing.T) {
	if got := shortPeerID("12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz"); got != "12D3Koo…UvWxYz" {
		t.Fatalf("short id %q", got)
	}
	if got := shortPeerID("short"); got != "short" {
		t.Fatalf("short id of a short id %q", got)
	}
}
