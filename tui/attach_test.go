package tui

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cairn/node/api"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

const fakeRemote = "http://node.example:8545"

// attachedConsole is an unlocked console that believes it is attached to
// fakeRemote, over the fake.
func attachedConsole(t *testing.T, w, h int) (*Model, *fakenode.Node) {
	t.Helper()
	node := fakenode.New()
	m, err := New(Options{
		WalletPath: devWallet(t), WalletOptions: fastKDF, IdleLock: -1, Remote: fakeRemote,
		Now:       func() time.Time { return time.UnixMilli(fakenode.T0 + 12_500) },
		StartNode: func(context.Context) (Node, error) { return Node{Service: node}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	drive(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	drive(t, m, tuitest.Type(password)...)
	drive(t, m, tuitest.Key("enter"))
	settle(t, m, func() bool { return m.phase == phaseMain && m.events != nil })
	if m.phase != phaseMain || m.events == nil {
		t.Fatalf("phase %d, feed %v after unlock", m.phase, m.events)
	}
	return m, node
}

// TestLostFeedShowsAndResubscribes: when the node's event feed closes, the
// status line says the connection is lost (over any other notice) and the
// console tries again, backing off, until the node answers; then it says
// the connection is back and events flow again.
func TestLostFeedShowsAndResubscribes(t *testing.T) {
	m, node := attachedConsole(t, 100, 30)
	refused := errors.New("connect: connection refused")
	node.Disconnect(refused)
	settle(t, m, func() bool { return m.feed.lost && m.feed.attempts >= 1 })
	v := tuitest.Plain(m.render())
	if !strings.Contains(v, "connection lost to "+fakeRemote+", retrying… (attempt 1: "+refused.Error()) {
		t.Fatalf("a lost feed does not show:\n%s", v)
	}
	drive(t, m, tuitest.Key("3")) // a screen that fetches; its error stays under the banner
	if v := tuitest.Plain(m.render()); !strings.Contains(v, "connection lost to "+fakeRemote) {
		t.Fatalf("a screen's error hid the lost connection:\n%s", v)
	}

	// A retry while the node is still away fails again, and waits longer.
	first := m.feed.backoff()
	drive(t, m, resubscribeMsg{gen: m.feed.gen})
	settle(t, m, func() bool { return m.feed.attempts >= 2 })
	if m.feed.attempts < 2 || !m.feed.lost || m.feed.backoff() <= first {
		t.Fatalf("second attempt: attempts %d lost %v backoff %v (first %v)", m.feed.attempts, m.feed.lost, m.feed.backoff(), first)
	}
	stale := m.feed.gen - 1
	drive(t, m, resubscribeMsg{gen: stale})
	if m.feed.busy {
		t.Fatal("an outdated retry timer started an attempt")
	}

	node.Reconnect()
	drive(t, m, resubscribeMsg{gen: m.feed.gen})
	settle(t, m, func() bool { return !m.feed.lost })
	v = tuitest.Plain(m.render())
	if m.feed.lost || !strings.Contains(v, "connection to "+fakeRemote+" restored") {
		t.Fatalf("the console did not come back:\n%s", v)
	}
	b := node.MineBlock()
	settle(t, m, func() bool { return m.c.Status != nil && m.c.Status.Height == b.Height })
	if m.c.Status.Height != b.Height {
		t.Fatalf("after the reconnect the console is at #%d, the node at #%d", m.c.Status.Height, b.Height)
	}
}

func TestBackoffDoublesToItsCap(t *testing.T) {
	var f feed
	var got []time.Duration
	for f.attempts = 1; f.attempts <= 8; f.attempts++ {
		got = append(got, f.backoff())
	}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, retryMax, retryMax, retryMax}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoffs %v, want %v", got, want)
		}
	}
}

func TestRootLostGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m, node := attachedConsole(t, w, h)
		node.Disconnect(errors.New("connection refused"))
		settle(t, m, func() bool { return m.feed.attempts >= 1 })
		tuitest.Golden(t, m.render())
	})
}

func TestAttachedLogsScreenSaysWhereTheLogsAre(t *testing.T) {
	m, _ := attachedConsole(t, 80, 24)
	drive(t, m, tuitest.Key("5"))
	v := tuitest.Plain(m.render())
	for _, want := range []string{"The node's logs are on its host", "attached to " + fakeRemote} {
		if !strings.Contains(v, want) {
			t.Fatalf("Logs screen of an attached console lacks %q:\n%s", want, v)
		}
	}
}

// restServer serves the REST API over a service on one 127.0.0.1 address,
// and can go away and come back on the same one, as a node that restarts.
type restServer struct {
	svc  api.Service
	addr string
	mu   sync.Mutex
	srv  *http.Server
}

func newRESTServer(t *testing.T, svc api.Service) *restServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &restServer{svc: svc, addr: ln.Addr().String()}
	r.serve(ln)
	t.Cleanup(r.stop)
	return r
}

func (r *restServer) serve(ln net.Listener) {
	srv := &http.Server{Handler: api.NewServer(r.svc, api.ServerOptions{}), ReadHeaderTimeout: 5 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go srv.Serve(ln)
}

// stop closes the listener and every connection, event streams included.
func (r *restServer) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		r.srv.Close()
		r.srv = nil
	}
}

// restart listens on the same address again.
func (r *restServer) restart(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		t.Fatalf("listen on %s again: %v", r.addr, err)
	}
	r.serve(ln)
}

// TestAttachedConsoleLosesAndRecoversTheNode runs the whole console, over
// api.Client and the real REST server on a socket, as `cairn console
// --attach` does: it follows the chain, shows the lost connection when the
// server goes away, and comes back by itself when it listens again.
func TestAttachedConsoleLosesAndRecoversTheNode(t *testing.T) {
	node := fakenode.New()
	srv := newRESTServer(t, node)
	url := "http://" + srv.addr
	m, err := New(Options{
		WalletPath: devWallet(t), WalletOptions: fastKDF, IdleLock: -1, Remote: url,
		StartNode: func(context.Context) (Node, error) { return Node{Service: api.NewClient(url, nil)}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	screen := newFrames(m)
	tm := teatest.NewTestModel(t, screen, teatest.WithInitialTermSize(120, 40))
	screen.must(t, "Unlock")
	typeText(tm, password)
	tm.Send(tuitest.Key("enter"))
	screen.must(t, "Dashboard", "chain 7777 · #12")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := node.WaitSubscribers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	node.MineBlock()
	screen.must(t, "chain 7777 · #13")

	srv.stop()
	screen.must(t, "connection lost to "+url+", retrying…")
	screen.must(t, "connection refused")

	srv.restart(t)
	screen.must(t, "connection to "+url+" restored")
	if err := node.WaitSubscribers(ctx, 1); err != nil {
		t.Fatal(err)
	}
	node.MineBlock()
	screen.must(t, "chain 7777 · #14")
	tm.Send(tuitest.Key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestAttachThatFailsSaysSo: a node that does not answer when the wallet
// opens leaves the console on its starting line with why, naming the URL.
func TestAttachThatFailsSaysSo(t *testing.T) {
	m, err := New(Options{
		WalletPath: devWallet(t), WalletOptions: fastKDF, IdleLock: -1, Remote: fakeRemote,
		StartNode: func(context.Context) (Node, error) {
			return Node{}, errors.New("GET " + fakeRemote + "/v1/status: connection refused")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	drive(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	drive(t, m, tuitest.Type(password)...)
	drive(t, m, tuitest.Key("enter"))
	want := "cannot attach to " + fakeRemote + ": GET " + fakeRemote + "/v1/status: connection refused"
	settle(t, m, func() bool { return strings.Contains(tuitest.Plain(m.render()), want) })
	if v := tuitest.Plain(m.render()); m.phase != phaseStarting || !strings.Contains(v, want) {
		t.Fatalf("phase %d, view:\n%s", m.phase, v)
	}
}
