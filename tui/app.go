// Package tui is Cairn's console: a Bubble Tea program whose root model
// opens the wallet (onboarding or unlock), starts the node, and routes
// messages between the screens a user moves through with the keyboard.
package tui

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/jump"
	"cairn/tui/styles"
	"cairn/tui/txsign"
	"cairn/wallet"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// DefaultIdleLock is how long the console waits without a key press before
// it locks the wallet and asks for the password again.
const DefaultIdleLock = 5 * time.Minute

// Node is a started node as the console uses it.
type Node struct {
	// Service is everything the console asks of the node: the node in this
	// process, or an api.Client of one elsewhere.
	Service api.Service
	// Logs are the node's own log lines; nil when they are not here (a
	// node attached to over the network keeps its logs on its host).
	Logs common.Logs
}

// Options configure the console.
type Options struct {
	// WalletPath is the wallet file: onboarding creates it if missing.
	WalletPath    string
	WalletOptions []wallet.Option
	// StartNode starts the node once the wallet is open; the console
	// starts no node before the user is in. A console attached to a node
	// elsewhere returns an api.Client here.
	StartNode func(ctx context.Context) (Node, error)
	// Remote is the API URL of the node when StartNode attaches to one in
	// another process ("" when it runs one in this process). It changes
	// what the console says (attaching, connection lost to Remote, where
	// the logs are), not how it talks to the node.
	Remote string
	// Home is the Cairn home, where the address book of contracts lives
	// (default: the wallet file's directory).
	Home string
	// IdleLock locks the wallet after this long without a key (default
	// DefaultIdleLock; negative: never).
	IdleLock time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

type phase int

const (
	phaseGate     phase = iota // onboarding or unlock before the node starts
	phaseStarting              // the node is starting
	phaseMain                  // the screens
	phaseLocked                // idle-locked: the unlock prompt over a running node
)

// Model is the console's root model.
type Model struct {
	c        *common.Common
	opts     Options
	phase    phase
	gate     common.Screen
	screens  []common.Screen
	active   int
	help     help.Model
	jump     *jump.Model // the `:` prompt, on the status line while open
	showHelp bool
	notice   notice
	follow   *followed // the last transaction sent, until included
	idleGen  int
	width    int
	height   int

	ctx         context.Context
	cancel      context.CancelFunc
	events      <-chan api.Event
	logLines    <-chan api.LogLine
	stopLogs    func()
	statusBusy  bool
	statusAgain bool
	feed        feed
}

// New returns the console's root model. The wallet at opts.WalletPath is
// opened (locked) if it exists; otherwise onboarding runs.
func New(opts Options) (*Model, error) {
	if opts.IdleLock == 0 {
		opts.IdleLock = DefaultIdleLock
	}
	c := common.NewCommon()
	if opts.Now != nil {
		c.Now = opts.Now
	}
	c.Home = opts.Home
	c.Remote = opts.Remote
	if c.Home == "" && opts.WalletPath != "" {
		c.Home = filepath.Dir(opts.WalletPath)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Model{c: c, opts: opts, help: help.New(), ctx: ctx, cancel: cancel}
	m.help.Styles = help.DefaultStyles(true)
	m.jump = jump.New(c)
	gate, err := m.openGate()
	if err != nil {
		cancel()
		return nil, err
	}
	m.gate = gate
	return m, nil
}

// Close ends the console's subscriptions.
func (m *Model) Close() {
	m.cancel()
	m.feed.stop()
	if m.stopLogs != nil {
		m.stopLogs()
	}
}

// Init asks for the terminal's background color and starts the gate.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.gate.Init())
}

// nodeStartedMsg and nodeFailedMsg end the starting phase.
type (
	nodeStartedMsg struct{ node Node }
	nodeFailedMsg  struct{ err error }
	idleMsg        struct{ gen int }
)

func (m *Model) startNode() tea.Cmd {
	start, ctx := m.opts.StartNode, m.ctx
	return func() tea.Msg {
		if start == nil {
			return nodeFailedMsg{errors.New("no node to start")}
		}
		n, err := start(ctx)
		if err != nil {
			return nodeFailedMsg{err}
		}
		return nodeStartedMsg{n}
	}
}

// Update routes a message: sizes and colors to everyone, keys to the gate
// or the screen in front, node events to every screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.Styles = styles.DefaultStyles(msg.IsDark())
		m.help.Styles = help.DefaultStyles(msg.IsDark())
		return m, m.broadcast(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case common.WalletReadyMsg:
		return m, m.onWalletReady(msg.Wallet)
	case nodeStartedMsg:
		return m, m.onNodeStarted(msg.node)
	case nodeFailedMsg:
		if m.opts.Remote != "" {
			m.setNotice("cannot attach to "+m.opts.Remote+": "+msg.err.Error(), true)
		} else {
			m.setNotice("node failed to start: "+msg.err.Error(), true)
		}
		return m, nil
	case idleMsg:
		return m, m.onIdle(msg.gen)
	case common.EventsEndedMsg:
		return m, m.onFeedEnded()
	case subscribedMsg:
		return m, m.onSubscribed(msg)
	case subscribeFailedMsg:
		return m, m.onSubscribeFailed(msg.err)
	case resubscribeMsg:
		return m, m.onResubscribe(msg.gen)
	case common.EventBatchMsg:
		cmds := []tea.Cmd{common.WaitEvents(m.events)}
		block := false
		for _, e := range msg {
			m.followEvent(e)
			cmds = append(cmds, m.broadcast(common.EventMsg{Event: e}))
			block = block || e.Block != nil
		}
		if block {
			cmds = append(cmds, m.refreshStatus())
		}
		return m, tea.Batch(cmds...)
	case common.LogMsg:
		return m, tea.Batch(common.WaitLog(m.logLines), m.broadcast(msg))
	case common.RefreshStatusMsg:
		return m, m.refreshStatus()
	case common.StatusMsg:
		m.c.Status = msg.Status
		return m, tea.Batch(m.statusDone(), m.broadcast(msg))
	case common.TickMsg:
		m.expireNotice(m.c.Now())
		return m, tea.Batch(tick(), m.broadcast(msg))
	case txsign.SentMsg:
		m.onSent(msg)
		return m, m.toFront(msg)
	case openSentMsg:
		return m, m.onOpenSent(msg)
	case common.ErrMsg:
		m.setNotice(msg.Err.Error(), true)
		if m.statusBusy {
			return m, m.statusDone()
		}
		return m, nil
	case common.NoticeMsg:
		m.setNotice(msg.Text, false)
		return m, nil
	case common.WalletChangedMsg:
		return m, m.broadcast(msg)
	case tea.PasteMsg:
		if m.jump.Open() && m.phase == phaseMain {
			cmd, _ := m.jump.Update(msg)
			return m, cmd
		}
		return m, m.toActive(msg)
	case jump.NamesMsg:
		cmd, _ := m.jump.Update(msg)
		return m, cmd
	case jump.ResultMsg:
		return m, m.onJump(msg)
	}
	return m, m.toFront(msg)
}

// toFront hands a message to the gate or the screen in front: the async
// results of what that screen asked for.
func (m *Model) toFront(msg tea.Msg) tea.Cmd {
	switch m.phase {
	case phaseGate, phaseLocked:
		var cmd tea.Cmd
		m.gate, cmd = m.gate.Update(msg)
		if m.phase == phaseLocked {
			return tea.Batch(cmd, m.broadcast(msg))
		}
		return cmd
	case phaseMain:
		return m.broadcast(msg)
	}
	return nil
}

// toActive gives msg to the gate or the screen in front only.
func (m *Model) toActive(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.phase {
	case phaseGate, phaseLocked:
		m.gate, cmd = m.gate.Update(msg)
	case phaseMain:
		m.screens[m.active], cmd = m.screens[m.active].Update(msg)
	}
	return cmd
}

// broadcast gives msg to every screen. Screens ignore what is not theirs,
// so a screen's async result reaches it even after the user moved on.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i, s := range m.screens {
		var cmd tea.Cmd
		m.screens[i], cmd = s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) onWalletReady(w *wallet.Wallet) tea.Cmd {
	m.c.Wallet = w
	switch m.phase {
	case phaseGate:
		m.phase = phaseStarting
		if m.opts.Remote != "" {
			m.setNotice("attaching to "+m.opts.Remote+"…", false)
		} else {
			m.setNotice("starting the node…", false)
		}
		return m.startNode()
	case phaseLocked:
		m.phase = phaseMain
		m.setNotice("wallet unlocked", false)
		return tea.Batch(m.armIdle(), m.broadcast(common.WalletChangedMsg{}), m.tell(m.active, common.FocusMsg{Focused: true}))
	}
	return nil
}

func (m *Model) onNodeStarted(n Node) tea.Cmd {
	m.c.Node, m.c.Logs = n.Service, n.Logs
	m.screens = buildScreens(m.c)
	m.phase = phaseMain
	m.setNotice("", false)
	m.resize(m.width, m.height)
	cmds := []tea.Cmd{tick(), m.armIdle(), m.refreshStatus()}
	for _, s := range m.screens {
		cmds = append(cmds, s.Init())
	}
	cmds = append(cmds, m.tell(m.active, common.FocusMsg{Focused: true}), m.subscribe())
	if n.Logs != nil {
		m.logLines, m.stopLogs = n.Logs.Subscribe(1024)
		cmds = append(cmds, common.WaitLog(m.logLines))
	}
	return tea.Batch(cmds...)
}

// refreshStatus fetches the node status, one request at a time: blocks
// that arrive while one is in flight ask for one more after it.
func (m *Model) refreshStatus() tea.Cmd {
	if m.statusBusy {
		m.statusAgain = true
		return nil
	}
	m.statusBusy = true
	return common.FetchStatus(m.ctx, m.c.Node)
}

func (m *Model) statusDone() tea.Cmd {
	m.statusBusy = false
	if m.statusAgain {
		m.statusAgain = false
		return m.refreshStatus()
	}
	return nil
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return common.TickMsg{Time: t} })
}

// armIdle (re)starts the idle timer; only the newest timer counts.
func (m *Model) armIdle() tea.Cmd {
	if m.opts.IdleLock < 0 {
		return nil
	}
	m.idleGen++
	gen := m.idleGen
	return tea.Tick(m.opts.IdleLock, func(time.Time) tea.Msg { return idleMsg{gen} })
}

func (m *Model) onIdle(gen int) tea.Cmd {
	if gen != m.idleGen || m.phase != phaseMain || m.c.Wallet == nil {
		return nil
	}
	return m.lock("locked after " + m.opts.IdleLock.String() + " without a key press")
}

// onJump brings the screen that shows what the jump prompt found to the
// front and tells it what to open.
func (m *Model) onJump(msg jump.ResultMsg) tea.Cmd {
	_, found := m.jump.Update(msg)
	if found == nil || m.phase != phaseMain {
		return nil
	}
	i, ok := jumpScreens[found.Screen]
	if !ok || i >= len(m.screens) {
		return nil
	}
	return tea.Batch(m.focus(i), m.tell(i, found.Show))
}

func (m *Model) lock(why string) tea.Cmd {
	m.jump.Close()
	m.c.Wallet.Lock()
	blur := m.tell(m.active, common.FocusMsg{Focused: false})
	m.phase = phaseLocked
	m.showHelp = false
	m.gate = newUnlock(m.c, m.c.Wallet)
	m.gate.SetSize(m.width, max(m.height-2, 1))
	m.setNotice(why, false)
	return tea.Batch(blur, m.gate.Init())
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.c.Width, m.c.Height = w, max(h-chromeLines, 1)
	m.help.SetWidth(w)
	if m.gate != nil {
		m.gate.SetSize(w, max(h-2, 1))
	}
	for _, s := range m.screens {
		s.SetSize(m.c.Width, m.c.Height)
	}
}
