package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"cairn/chain"
	"cairn/cmd/cairn/loadgen"
	"cairn/node"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
)

// The console under load: how long a key press takes to reach the
// terminal as a new frame while `loadgen` drives the console's own node at
// full speed, and how many transfers per second that node finalizes with
// the console open against the same node without it. Run it with
//
//	go test ./tui -run '^$' -bench UnderLoad -benchtime 1x
//
// Each sub-benchmark starts a fresh devnet node with the console's block
// time, serving its API on 127.0.0.1, and sends loadTxs transfers over
// HTTP in batches as `cairn loadgen --batch 200` does, from a process of
// its own.
const (
	loadTxs     = 50_000
	loadSenders = 500
	loadBatch   = 200
)

func BenchmarkUnderLoad(b *testing.B) {
	b.Run("headless", func(b *testing.B) {
		for range b.N {
			n := startLoadNode(b)
			rep := runLoad(b, n.APIAddr())
			b.ReportMetric(rep.FinalizedPerSec, "final-tx/s")
			n.Close()
		}
	})
	b.Run("console", func(b *testing.B) {
		for range b.N {
			benchConsoleUnderLoad(b)
		}
	})
}

func startLoadNode(b *testing.B) *node.Node {
	b.Helper()
	n, err := node.New(node.Config{Home: b.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
		APIAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return n
}

// runLoad runs the load in a child process, as `cairn loadgen` would run
// beside the console: its allocations and its CPU are not the console's,
// and the console's process keeps only what is its own (node and console).
func runLoad(b *testing.B, addr string) *loadgen.Report {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), loadChildEnv+"="+addr)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("load child: %v", err)
	}
	i := bytes.IndexByte(out, '{')
	if i < 0 {
		b.Fatalf("load child printed no report: %q", out)
	}
	var rep loadgen.Report
	if err := json.NewDecoder(bytes.NewReader(out[i:])).Decode(&rep); err != nil {
		b.Fatalf("load child report: %v", err)
	}
	if rep.End != loadgen.EndComplete {
		b.Fatalf("load ended %s with %d transfers not final", rep.End, rep.Pending)
	}
	return &rep
}

// loadChildEnv carries the API address to TestLoadChild.
const loadChildEnv = "CAIRN_TUI_LOAD_CHILD"

// TestLoadChild is the load of BenchmarkUnderLoad, in a process of its
// own; it does nothing in a normal test run.
func TestLoadChild(t *testing.T) {
	addr := os.Getenv(loadChildEnv)
	if addr == "" {
		t.Skip("the load of BenchmarkUnderLoad, run by it in a child process")
	}
	keys, err := wallet.DevKeys(loadSenders)
	if err != nil {
		t.Fatal(err)
	}
	target, err := loadgen.NewREST("http://"+addr, loadgen.NewHTTPClient(loadgen.DefaultConcurrency))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := loadgen.Run(context.Background(), target, loadgen.Config{Txs: loadTxs, Keys: keys, Batch: loadBatch})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		t.Fatal(err)
	}
}

func benchConsoleUnderLoad(b *testing.B) {
	var running atomic.Pointer[node.Node]
	m, err := New(Options{
		WalletPath: devWallet(b), WalletOptions: fastKDF, IdleLock: -1,
		StartNode: func(ctx context.Context) (Node, error) {
			n, err := node.New(node.Config{Home: b.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
				APIAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				return Node{}, err
			}
			if err := n.Start(ctx); err != nil {
				return Node{}, err
			}
			running.Store(n)
			return Node{Service: n.Service()}, nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	pr := newProbe(m)
	in, keys := io.Pipe()
	prog := tea.NewProgram(pr, tea.WithInput(in), tea.WithOutput(pr.out), tea.WithWindowSize(120, 40),
		tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := prog.Run(); done <- err }()
	defer func() {
		prog.Quit()
		keys.Close()
		<-done
		if n := running.Load(); n != nil {
			n.Close()
		}
	}()
	press := func(s string) time.Duration {
		start := time.Now()
		pr.expect()
		if _, err := io.WriteString(keys, s); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-pr.frames:
			return at.Sub(start)
		case <-time.After(10 * time.Second):
			b.Fatalf("no frame 10 s after the key %q", s)
		}
		return 0
	}
	press(password + "\r")
	deadline := time.Now().Add(30 * time.Second)
	for !pr.started.Load() {
		if time.Now().After(deadline) {
			b.Fatal("the console did not start its node")
		}
		press("1") // the Dashboard; a frame each time
	}
	addr := running.Load().APIAddr()

	load := make(chan *loadgen.Report, 1)
	go func() { load <- runLoad(b, addr) }()
	var lat []time.Duration
	for {
		select {
		case rep := <-load:
			report(b, lat, rep)
			b.Logf("longest Update %s, longest View %s", time.Duration(pr.maxUpdate.Load()), time.Duration(pr.maxView.Load()))
			for i, s := range m.screens {
				b.Logf("  longest View with %s in front: %s", s.Title(), time.Duration(pr.maxViewOf[i].Load()))
			}
			return
		default:
		}
		lat = append(lat, press("\t")) // the next screen, the Mempool and Blocks tables among them
		time.Sleep(time.Duration(10+rand.IntN(30)) * time.Millisecond)
	}
}

func report(b *testing.B, lat []time.Duration, rep *loadgen.Report) {
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)].Microseconds()) / 1000
	}
	b.ReportMetric(rep.FinalizedPerSec, "final-tx/s")
	b.ReportMetric(q(0.50), "key-p50-ms")
	b.ReportMetric(q(0.99), "key-p99-ms")
	b.ReportMetric(q(1), "key-max-ms")
	b.ReportMetric(float64(len(lat)), "keys")
	b.Log(fmt.Sprintf("%d keys under load: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %.0f finalized tx/s",
		len(lat), q(0.5), q(0.99), q(1), rep.FinalizedPerSec))
}

// probe wraps the root model to time frames: after a key press is
// handled, the next view drawn is its frame, and the first write to the
// terminal after that draw is when the frame reaches it.
type probe struct {
	*Model
	handled atomic.Bool // a key was handled; its frame is not drawn yet
	drawn   atomic.Bool // the key's frame was drawn, not written yet
	started atomic.Bool // the console's screens are up
	frames  chan time.Time
	out     io.Writer
	// The longest Update and View took, in ns: where a slow frame's time
	// went, if it was the console's own work.
	maxUpdate, maxView atomic.Int64
	maxViewOf          [16]atomic.Int64 // by screen in front
}

func storeMax(v *atomic.Int64, d time.Duration) {
	for {
		old := v.Load()
		if int64(d) <= old || v.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

func newProbe(m *Model) *probe {
	p := &probe{Model: m, frames: make(chan time.Time, 1)}
	p.out = probeWriter{p}
	return p
}

// expect readies the probe for the next key's frame.
func (p *probe) expect() {
	p.handled.Store(false)
	p.drawn.Store(false)
	select {
	case <-p.frames:
	default:
	}
}

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	start := time.Now()
	_, cmd := p.Model.Update(msg)
	storeMax(&p.maxUpdate, time.Since(start))
	if _, ok := msg.(nodeStartedMsg); ok {
		p.started.Store(true)
	}
	if _, ok := msg.(tea.KeyPressMsg); ok {
		p.handled.Store(true)
	}
	return p, cmd
}

func (p *probe) View() tea.View {
	start := time.Now()
	v := p.Model.View()
	storeMax(&p.maxView, time.Since(start))
	if p.Model.active < len(p.maxViewOf) {
		storeMax(&p.maxViewOf[p.Model.active], time.Since(start))
	}
	if p.handled.Swap(false) {
		p.drawn.Store(true)
	}
	return v
}

type probeWriter struct{ p *probe }

func (w probeWriter) Write(b []byte) (int, error) {
	if w.p.drawn.Swap(false) {
		select {
		case w.p.frames <- time.Now():
		default:
		}
	}
	return len(b), nil
}
