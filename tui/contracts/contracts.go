// Package contracts is the console's Contracts screen: the address book
// (contracts deployed from this wallet, added by address and ABI file, and
// the built-in staking contract), deploying from a compiled artifact with a
// form generated from its constructor, and a contract's page: its
// functions, read ones called with a generated form and their results
// decoded, write ones sent through the confirm step, and a live table of
// its decoded events. Reverts show their decoded reason.
package contracts

import (
	"path/filepath"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/filter"
	"cairn/tui/form"
	"cairn/tui/txsign"
	"cairn/wallet/contracts"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// mode is what the screen shows.
type mode int

const (
	modeList    mode = iota
	modePage         // one contract
	modeForm         // a form: deploy, add, or a function's arguments
	modeConfirm      // what will be signed
	modeSent         // the node took it
)

// Model is the Contracts screen.
type Model struct {
	c       *common.Common
	book    *contracts.Book
	bookErr error
	entries []contracts.Entry // the built-in ones, then the book's by name
	sel     int               // the selected entry's index in entries
	filter  filter.Model      // narrows the list

	mode mode
	page *page // the open contract (modePage and the forms it opens)
	fm   *formState
	form form.Form

	draft   *txsign.Draft
	busy    string
	spin    common.Spinner // turns while busy, and while a sent deploy waits for its block
	err     string
	sent    ethcommon.Hash
	deploys map[ethcommon.Hash]pendingDeploy // sent deploys, until a block includes them
	landed  *landed                          // the deploy on the sent page, once a block included it

	cache common.ViewCache
}

// New returns the Contracts screen; Init opens the address book in home.
func New(c *common.Common) common.Screen {
	return &Model{c: c, deploys: map[ethcommon.Hash]pendingDeploy{}, filter: filter.New(c)}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Contracts" }

// Init opens the address book (a damaged one is reported, not replaced).
func (m *Model) Init() tea.Cmd {
	m.reload()
	return nil
}

// bookPath is where the address book lives: the Cairn home.
func (m *Model) bookPath() string { return filepath.Join(m.c.Home, contracts.BookFile) }

// reload reads the entries again; the cursor stays on its contract (by
// address) while a deploy or an add sorts into the list above it.
func (m *Model) reload() {
	if m.book == nil && m.bookErr == nil && m.c.Home != "" {
		m.book, m.bookErr = contracts.OpenBookFile(m.bookPath())
	}
	var was *ethcommon.Address
	if m.sel < len(m.entries) {
		was = &m.entries[m.sel].Address
	}
	m.entries = builtins()
	if m.book != nil {
		m.entries = append(m.entries, m.book.List()...)
	}
	for i, e := range m.entries {
		if was != nil && e.Address == *was {
			m.sel = i
			return
		}
	}
	m.sel = max(min(m.sel, len(m.entries)-1), 0)
}

// SetSize implements common.Screen.
func (m *Model) SetSize(int, int) { m.form.Resize(m.c.Width) }

// Capturing implements common.Screen: forms and the confirm step take
// every key.
func (m *Model) Capturing() bool {
	return (m.mode == modeForm || m.mode == modeConfirm) && m.busy == "" || m.mode == modeList && m.filter.Editing()
}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	switch m.mode {
	case modeForm:
		return []key.Binding{k.NextField, k.Submit, k.Cancel}
	case modeConfirm:
		if m.draft.Asking() { // y and n type into the password there
			return []key.Binding{k.Submit, k.Cancel}
		}
		return []key.Binding{k.Confirm, k.Reject}
	case modeSent:
		if m.landed != nil && !m.landed.failed {
			return []key.Binding{keyOpenDeployed, keyLeaveSent}
		}
		return []key.Binding{k.Close}
	case modePage:
		return []key.Binding{keyUse, k.Back}
	}
	if m.filter.Editing() {
		return []key.Binding{k.Submit, k.Cancel}
	}
	return []key.Binding{k.Filter, keyOpen, keyDeploy, keyAdd}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	if m.Capturing() { // k and j type text in a field
		return [][]key.Binding{m.ShortHelp()}
	}
	k := m.c.Keys
	return [][]key.Binding{{k.Up, k.Down}, m.ShortHelp()}
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if ev, ok := msg.(common.EventMsg); !ok || ev.Type == api.EventBlock {
		m.cache.Invalidate()
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return m, m.spin.Update(msg)
	case common.EventMsg:
		if msg.Type == api.EventBlock {
			return m, tea.Batch(m.scan(), m.checkDeploys(msg.Block))
		}
	case scannedMsg:
		return m, m.onScanned(msg)
	case artifactMsg:
		return m, m.onArtifact(msg)
	case preparedMsg:
		return m, m.onPrepared(msg)
	case txsign.SentMsg:
		return m, m.onSent(msg)
	case common.ShowMsg:
		if msg.Kind == common.ShowContract {
			return m, m.showContract(msg.Address)
		}
	case calledMsg:
		m.onCalled(msg)
	case deployedMsg:
		return m, m.onDeployed(msg)
	case tea.PasteMsg:
		if m.mode == modeForm && m.busy == "" {
			return m, m.form.Update(msg)
		}
		if m.mode == modeList && m.filter.Editing() {
			return m, m.onFilter(msg)
		}
		if m.mode == modeConfirm && m.busy == "" {
			return m, m.draft.Paste(msg, m.c) // the password, when it is asked
		}
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		return m, m.onKey(msg)
	}
	return m, nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeForm:
		return m.formKey(msg)
	case modeConfirm:
		return m.confirmKey(msg)
	case modeSent:
		return m.sentKey(msg)
	case modePage:
		return m.pageKey(msg)
	}
	return m.listKey(msg)
}

// back leaves a form or a sent page for the page it came from, or the
// list.
func (m *Model) back() {
	m.err, m.fm, m.draft, m.landed = "", nil, nil, nil
	m.idle()
	m.form.Clear()
	if m.page != nil {
		m.mode = modePage
		return
	}
	m.mode = modeList
}

// View implements common.Screen.
func (m *Model) View() string {
	return m.cache.View(m.c, func() string {
		var v string
		switch m.mode {
		case modeList:
			v = m.listView()
		case modePage:
			v = m.pageView()
		case modeForm:
			v = m.formView()
		case modeConfirm:
			v = txsign.ConfirmViewIn(m.c.Styles, m.draft, m.spin.Line(m.busy), m.err, m.c.Width, m.c.Height)
		case modeSent:
			v = m.sentView()
		}
		return common.Fit(v, m.c.Width, m.c.Height)
	})
}

// setBusy shows what is in flight, with the spinner turning; work is the
// command doing it, batched first so it is not kept behind a frame.
func (m *Model) setBusy(text string, work tea.Cmd) tea.Cmd {
	m.busy = text
	return tea.Batch(work, m.spin.Start())
}

// idle ends the busy state and stops the spinner.
func (m *Model) idle() {
	m.busy = ""
	m.spin.Stop()
}

// notify shows text in the console's status line.
func notify(text string) tea.Cmd {
	return func() tea.Msg { return common.NoticeMsg{Text: text} }
}
