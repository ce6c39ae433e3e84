// Package staking is the console's Staking screen: the validators (moniker,
// share of the voting power, commission, status, uptime), the wallet's
// delegations with their pending rewards, its unbonding stake with the time
// left, and for the validator this node runs, its signing and jail status.
// Each table follows the chain block by block. Delegate, undelegate,
// redelegate, claim, withdraw and unjail are each a short form, then the
// confirm step that shows exactly what will be signed (txsign).
package staking

import (
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/filter"
	"cairn/tui/form"
	"cairn/tui/txsign"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// mode is what the screen shows.
type mode int

const (
	modeList    mode = iota
	modeForm         // an action's fields
	modeConfirm      // what will be signed
	modeSent         // the node took it
)

// table is which table has the cursor.
type table int

const (
	tableValidators table = iota
	tableDelegations
)

// Model is the Staking screen.
type Model struct {
	c *common.Common

	vals       []api.Validator // in the node's order: active by power, then the others
	totalPower uint64
	dels       map[ethcommon.Address]*api.Delegations // per wallet account
	loaded     bool                                   // the first answer came
	fetchErr   error
	fetches    common.OneAtATime

	delRows []delegationRow // the wallet's delegations, in wallet order
	ubRows  []unbondingRow

	focus  table
	valSel ethcommon.Address // the selected validator's operator, kept across refreshes
	valCur int
	filter filter.Model // narrows the validators table
	delSel delegationKey
	delCur int

	mode  mode
	act   *action // the action being filled in or confirmed
	form  form.Form
	draft *txsign.Draft
	busy  string         // a request in flight ("Estimating the gas…")
	spin  common.Spinner // turns beside busy, and only while it is set
	err   string         // the current mode's error
	sent  ethcommon.Hash

	cache common.ViewCache
}

// New returns the Staking screen; Init fetches the validators and the
// wallet's delegations.
func New(c *common.Common) common.Screen { return newModel(c) }

func newModel(c *common.Common) *Model {
	return &Model{c: c, dels: map[ethcommon.Address]*api.Delegations{}, filter: filter.New(c)}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Staking" }

// Init implements common.Screen.
func (m *Model) Init() tea.Cmd { return m.fetch() }

// SetSize implements common.Screen (views read Common's size).
func (m *Model) SetSize(int, int) { m.form.Resize(m.c.Width) }

// Capturing implements common.Screen: true while a form takes text and
// during the confirm step, so a stray q or tab cannot leave a transaction
// half decided.
func (m *Model) Capturing() bool {
	return (m.mode == modeForm || m.mode == modeConfirm) && m.busy == "" || m.mode == modeList && m.filter.Editing()
}

// ShortHelp implements common.Screen.
func (m *Model) ShortHelp() []key.Binding {
	switch m.mode {
	case modeForm:
		return []key.Binding{m.c.Keys.NextField, m.c.Keys.Submit, m.c.Keys.Cancel}
	case modeConfirm:
		if m.draft.Asking() { // y and n type into the password there
			return []key.Binding{m.c.Keys.Submit, m.c.Keys.Cancel}
		}
		return []key.Binding{m.c.Keys.Confirm, m.c.Keys.Reject}
	case modeSent:
		return []key.Binding{m.c.Keys.Close}
	}
	if m.filter.Editing() {
		return []key.Binding{m.c.Keys.Submit, m.c.Keys.Cancel}
	}
	if m.focus == tableDelegations { // ← back to the validators is in the full help
		return []key.Binding{keyUndelegate, keyRedelegate, keyClaim}
	}
	return []key.Binding{m.c.Keys.Filter, keySwitch, keyDelegate, keyWithdraw}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	if m.mode != modeList || m.filter.Editing() { // the list's keys type text there
		return [][]key.Binding{m.ShortHelp()}
	}
	k := m.c.Keys
	return [][]key.Binding{
		{k.Up, k.Down, keySwitch, k.Filter},
		{keyDelegate, keyUndelegate, keyRedelegate, keyClaim, keyWithdraw, keyUnjail},
	}
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if ev, ok := msg.(common.EventMsg); !ok || ev.Type == api.EventBlock {
		m.cache.Invalidate() // pending transactions change nothing shown here
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return m, m.spin.Update(msg)
	case common.EventMsg:
		if msg.Type == api.EventBlock {
			return m, m.fetch()
		}
	case common.WalletReadyMsg, common.WalletChangedMsg:
		return m, m.fetch()
	case common.ShowMsg:
		if msg.Kind == common.ShowValidator {
			m.showValidator(msg.Address)
		}
	case snapshotMsg:
		return m, m.onSnapshot(msg)
	case preparedMsg:
		return m, m.onPrepared(msg)
	case txsign.SentMsg:
		return m, m.onSent(msg)
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
		if key.Matches(msg, m.c.Keys.Close) {
			m.toList()
		}
		return nil
	}
	return m.listKey(msg)
}

func (m *Model) toList() {
	m.mode, m.err, m.act, m.draft = modeList, "", nil, nil
	m.idle()
	m.form.Clear()
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

// View implements common.Screen.
func (m *Model) View() string {
	return m.cache.View(m.c, func() string {
		var v string
		switch m.mode {
		case modeList:
			v = m.listView()
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
