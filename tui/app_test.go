package tui

import (
	"context"
	"image/color"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cairn/tui/common"
	"cairn/tui/fakenode"
	"cairn/tui/tuitest"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

var fastKDF = []wallet.Option{wallet.WithKDFIterations(1000), wallet.WithKeystoreScrypt(1<<10, 1)}

const password = "correct horse battery"

// devWallet writes a wallet of the dev mnemonic and returns its path.
func devWallet(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wallet.json")
	if _, err := wallet.Create(path, wallet.DevMnemonic, "", password, fastKDF...); err != nil {
		t.Fatal(err)
	}
	return path
}

func newConsole(t *testing.T, path string, node *fakenode.Node, idle time.Duration) *Model {
	t.Helper()
	m, err := New(Options{
		WalletPath: path, WalletOptions: fastKDF, IdleLock: idle,
		Now:       func() time.Time { return time.UnixMilli(fakenode.T0 + 12_500) },
		StartNode: func(context.Context) (Node, error) { return Node{Service: node}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// waitScreen waits, bounded, until the program has drawn all of want.
func waitScreen(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		plain := ansi.Strip(string(b))
		for _, w := range want {
			if !strings.Contains(plain, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func typeText(tm *teatest.TestModel, s string) {
	for _, m := range tuitest.Type(s) {
		tm.Send(m)
	}
}

func TestUnlockStartsNodeAndScreensSwitch(t *testing.T) {
	node := fakenode.New()
	m := newConsole(t, devWallet(t), node, -1)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Unlock")
	typeText(tm, password)
	tm.Send(tuitest.Key("enter"))
	waitScreen(t, tm, "Dashboard", "Height")
	tm.Send(tuitest.Key("2"))
	waitScreen(t, tm, "Balance", "Nonce")
	tm.Send(tuitest.Key("?"))
	waitScreen(t, tm, "Keys", "go to screen")
	tm.Send(tuitest.Key("esc"))
	tm.Send(tuitest.Key("q"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if final.phase != phaseMain || final.c.Wallet == nil || final.c.Wallet.Locked() {
		t.Fatalf("after unlock: phase %d, wallet %v", final.phase, final.c.Wallet)
	}
	if final.screens[final.active].Title() != "Accounts" {
		t.Fatalf("front screen %q, want Accounts", final.screens[final.active].Title())
	}
}

// drive feeds messages to the root and runs the commands that return at
// once; commands that would block (feeds, ticks) are dropped.
func drive(t *testing.T, m *Model, msgs ...tea.Msg) {
	t.Helper()
	for _, msg := range msgs {
		_, cmd := m.Update(msg)
		runQuick(t, m, cmd, 0)
	}
}

func runQuick(t *testing.T, m *Model, cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 30 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				runQuick(t, m, c, depth+1)
			}
			return
		}
		if msg == nil {
			return
		}
		if _, isTick := msg.(common.TickMsg); isTick {
			return
		}
		_, next := m.Update(msg)
		runQuick(t, m, next, depth+1)
	case <-time.After(200 * time.Millisecond):
		// A feed or a timer (the test sends what it needs itself), or a
		// command slowed by a busy machine: settle can still take its
		// answer.
		lateMu.Lock()
		late[m] = append(late[m], done)
		lateMu.Unlock()
	}
}

// late holds the answers runQuick stopped waiting for, by model.
var (
	lateMu sync.Mutex
	late   = map[*Model][]chan tea.Msg{}
)

// settle takes the late answers of m's commands, as they come, until
// cond holds or 10 s have passed.
func settle(t *testing.T, m *Model, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		lateMu.Lock()
		chans := late[m]
		lateMu.Unlock()
		cases := make([]reflect.SelectCase, 0, len(chans)+1)
		for _, c := range chans {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(c)})
		}
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(deadline)})
		i, v, _ := reflect.Select(cases)
		if i == len(chans) {
			return
		}
		lateMu.Lock()
		late[m] = slices.Delete(late[m], i, i+1)
		lateMu.Unlock()
		msg, _ := v.Interface().(tea.Msg)
		if msg == nil {
			continue
		}
		if _, isTick := msg.(common.TickMsg); isTick {
			continue
		}
		_, next := m.Update(msg)
		runQuick(t, m, next, 0)
	}
}

func unlocked(t *testing.T, w, h int) (*Model, *fakenode.Node) {
	t.Helper()
	node := fakenode.New()
	m := newConsole(t, devWallet(t), node, time.Hour)
	drive(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	drive(t, m, tuitest.Type(password)...)
	drive(t, m, tuitest.Key("enter"))
	settle(t, m, func() bool { return m.phase == phaseMain })
	if m.phase != phaseMain {
		t.Fatalf("phase %d after unlock, want main", m.phase)
	}
	return m, node
}

func TestIdleLockLocksTheWalletAndAsksAgain(t *testing.T) {
	m, _ := unlocked(t, 100, 30)
	stale := m.idleGen
	drive(t, m, tuitest.Key("tab")) // a key re-arms the timer
	drive(t, m, idleMsg{gen: stale})
	if m.phase != phaseMain {
		t.Fatal("an outdated idle timer locked the console")
	}
	drive(t, m, idleMsg{gen: m.idleGen})
	if m.phase != phaseLocked || !m.c.Wallet.Locked() {
		t.Fatalf("idle timer: phase %d locked %v", m.phase, m.c.Wallet.Locked())
	}
	if v := tuitest.Plain(m.render()); !strings.Contains(v, "Unlock") {
		t.Fatalf("locked console does not ask for the password:\n%s", v)
	}
	drive(t, m, tuitest.Type("nope")...)
	drive(t, m, tuitest.Key("enter"))
	if m.phase != phaseLocked {
		t.Fatal("wrong password unlocked the console")
	}
	drive(t, m, tuitest.Key("ctrl+u")) // clear the field
	for range "nope" {
		drive(t, m, tuitest.Key("backspace"))
	}
	drive(t, m, tuitest.Type(password)...)
	drive(t, m, tuitest.Key("enter"))
	settle(t, m, func() bool { return m.phase == phaseMain })
	if m.phase != phaseMain || m.c.Wallet.Locked() {
		t.Fatalf("after the right password: phase %d locked %v", m.phase, m.c.Wallet.Locked())
	}
}

func TestRootGolden(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		m, _ := unlocked(t, w, h)
		view := m.render()
		if lines := strings.Count(view, "\n") + 1; lines != h {
			t.Fatalf("root view has %d lines, terminal has %d", lines, h)
		}
		for _, line := range strings.Split(view, "\n") {
			if ansi.StringWidth(line) > w {
				t.Fatalf("line wider than %d: %q", w, ansi.Strip(line))
			}
		}
		tuitest.Golden(t, view)
	})
}

func TestQuitKeysAndScreenSwitching(t *testing.T) {
	m, _ := unlocked(t, 100, 30)
	n := len(m.screens)
	drive(t, m, tuitest.Key("shift+tab"))
	if m.active != n-1 {
		t.Fatalf("shift+tab from the first screen: %d, want %d", m.active, n-1)
	}
	drive(t, m, tuitest.Key("1"))
	if m.active != 0 {
		t.Fatalf("1: screen %d", m.active)
	}
	_, cmd := m.Update(tuitest.Key("q"))
	if cmd == nil || !isQuit(cmd()) {
		t.Fatal("q does not quit")
	}
	_, cmd = m.Update(tuitest.Key("ctrl+c"))
	if cmd == nil || !isQuit(cmd()) {
		t.Fatal("ctrl+c does not quit")
	}
}

func isQuit(msg tea.Msg) bool {
	_, ok := msg.(tea.QuitMsg)
	return ok
}

func TestFollowsTheTerminalBackground(t *testing.T) {
	m, _ := unlocked(t, 100, 30)
	drive(t, m, tea.BackgroundColorMsg{Color: color.White})
	if m.c.Styles.IsDark {
		t.Fatal("a white background kept the dark styles")
	}
	light := m.render()
	drive(t, m, tea.BackgroundColorMsg{Color: color.Black})
	if !m.c.Styles.IsDark || m.render() == light {
		t.Fatal("a black background did not bring back the dark styles")
	}
}
