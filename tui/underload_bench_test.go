package tui

import (
	"bytes"
	"cmp"
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
//	go test ./tui -run '^$' -bench UnderLoad -benchtime 5x
//
// With several runs the key latencies are pooled and the finalized rates
// given as a median, so the figures rest on a few hundred key presses.
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
		var rates []float64
		for range b.N {
			n := startLoadNode(b)
			rates = append(rates, runLoad(b, n.APIAddr()).FinalizedPerSec)
			n.Close()
		}
		b.ReportMetric(median(rates), "final-tx/s")
		b.Logf("finalized tx/s, run by run: %.0f", rates)
	})
	b.Run("console", func(b *testing.B) {
		var rates []float64
		var lat []time.Duration
		for range b.N {
			l, rate := benchConsoleUnderLoad(b)
			lat, rates = append(lat, l...), append(rates, rate)
		}
		report(b, lat, rates)
	})
}

// median is the middle of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)/2]
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

// benchConsoleUnderLoad runs one load against the console's node and
// returns how long each key press took to reach the terminal, and the
// node's finalized transfers per second.
func benchConsoleUnderLoad(b *testing.B) ([]time.Duration, float64) {
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
	prog := tea.NewProgram(pr, append(ProgramOptions(), tea.WithInput(in), tea.WithOutput(pr.out), tea.WithWindowSize(120, 40),
		tea.WithoutSignalHandler())...)
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
	var slow []pressTimes
	press := func(s string) time.Duration {
		start := time.Now()
		pr.expect()
		if _, err := io.WriteString(keys, s); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-pr.frames:
			d := at.Sub(start)
			slow = append(slow, pressTimes{total: d, update: time.Unix(0, pr.keyAt.Load()).Sub(start),
				drawn: time.Unix(0, pr.drawnAt.Load()).Sub(start)})
			return d
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
			b.Logf("%d keys, %.0f finalized tx/s", len(lat), rep.FinalizedPerSec)
			logSlowest(b, slow, 3)
			b.Logf("longest Update %s, longest View %s", time.Duration(pr.maxUpdate.Load()), time.Duration(pr.maxView.Load()))
			for i, s := range m.screens {
				b.Logf("  longest View with %s in front: %s", s.Title(), time.Duration(pr.maxViewOf[i].Load()))
			}
			return lat, rep.FinalizedPerSec
		default:
		}
		lat = append(lat, press("\t")) // the next screen, the Mempool and Blocks tables among them
		time.Sleep(time.Duration(10+rand.IntN(30)) * time.Millisecond)
	}
}

// pressTimes is when, after a key was written, Update had it, its frame
// was drawn, and (total) the frame reached the terminal.
type pressTimes struct{ update, drawn, total time.Duration }

// logSlowest logs where the n slowest presses spent their time: waiting
// for the event loop (update), in Update and View (drawn), or for the
// renderer's next flush (total).
func logSlowest(b *testing.B, ps []pressTimes, n int) {
	slices.SortFunc(ps, func(x, y pressTimes) int { return cmp.Compare(y.total, x.total) })
	for _, p := range ps[:min(n, len(ps))] {
		b.Logf("  slow key: %s to Update, %s to drawn, %s to the terminal", p.update, p.drawn, p.total)
	}
}

// report gives the key latencies of all runs pooled, so that the p99 of a
// few runs rests on several hundred presses rather than on the second
// slowest of one run, and the median of the runs' finalized tx/s.
func report(b *testing.B, lat []time.Duration, rates []float64) {
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(int(p*float64(len(lat))), len(lat)-1)].Microseconds()) / 1000
	}
	b.ReportMetric(median(rates), "final-tx/s")
	b.ReportMetric(q(0.50), "key-p50-ms")
	b.ReportMetric(q(0.99), "key-p99-ms")
	b.ReportMetric(q(1), "key-max-ms")
	b.ReportMetric(float64(len(lat)), "keys")
	b.Log(fmt.Sprintf("%d keys under load in %d runs: p50 %.1f ms, p99 %.1f ms, max %.1f ms; finalized tx/s, run by run: %.0f",
		len(lat), len(rates), q(0.5), q(0.99), q(1), rates))
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
	// When the last key reached Update and its frame was drawn, in unix
	// ns: where a slow press's time went.
	keyAt, drawnAt atomic.Int64
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
		p.keyAt.Store(start.UnixNano())
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
		p.drawnAt.Store(time.Now().UnixNano())
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
