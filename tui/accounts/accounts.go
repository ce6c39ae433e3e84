// Package accounts is the console's Accounts screen: the wallet's accounts
// with their balances and nonces, kept current as blocks land, and the
// actions on one account: derive a new one, label, make default, send (a
// form, then a confirm step showing exactly what will be signed), receive
// (the address and a QR code) and export to a keystore file.
package accounts

import (
	"math/big"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/tui/txsign"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// mode is what the screen shows.
type mode int

const (
	modeList    mode = iota
	modeDetails      // one account in full
	modeReceive      // address and QR code
	modeDerive       // label for a new account
	modeLabel        // new label for the selected account
	modeSend         // the send form
	modeConfirm      // what will be signed
	modeSent         // the node took it
	modeExport       // keystore path and password
	modeReauth       // the wallet password, asked again (export, words)
	modeWords        // the recovery words, asked for
)

// Model is the Accounts screen.
type Model struct {
	c        *common.Common
	accounts []wallet.Account
	sel      int

	info     map[ethcommon.Address]*api.Account // latest from the node
	fetchErr error
	fetches  common.OneAtATime // balance fetches (blocks may arrive while one is out)
	baseFee  *big.Int

	mode mode
	form form.Form
	busy string         // an action in flight ("Signing and sending…")
	spin common.Spinner // turns beside busy while it is set
	err  string         // the current mode's error

	draft *txsign.Draft  // the send being prepared or confirmed
	sent  ethcommon.Hash // modeSent: the accepted transaction
	// sentFate is what became of sent since: "" while pending, then
	// "included in block N" or why the node dropped it.
	sentFate string

	// reauth asks the wallet password again before pending goes on: an
	// export, the words, or (under the confirm step) a large send.
	reauth  *form.Reauth
	pending pending
	words   []string // modeWords: the recovery phrase, only while shown
}

// New returns the Accounts screen.
func New(c *common.Common) *Model {
	return &Model{c: c, info: map[ethcommon.Address]*api.Account{}}
}

// Title implements common.Screen.
func (m *Model) Title() string { return "Accounts" }

// Init loads the accounts, their balances and the latest base fee.
func (m *Model) Init() tea.Cmd {
	m.reload()
	if m.c.Wallet != nil && len(m.accounts) > 0 {
		m.selectAddr(m.c.Wallet.Default().Address)
	}
	return tea.Batch(m.fetch(), m.fetchBaseFee())
}

// SetSize implements common.Screen (views read Common's size).
func (m *Model) SetSize(int, int) { m.form.Resize(m.c.Width) }

// Capturing implements common.Screen: true while a form takes text, and
// during the confirm step, so a stray q or tab cannot leave a transfer
// half decided (y/n answer it; ctrl+c still quits).
func (m *Model) Capturing() bool {
	switch m.mode {
	case modeDerive, modeLabel, modeSend, modeExport, modeConfirm, modeReauth:
		return m.busy == ""
	}
	return false
}

// ShortHelp implements common.Screen. Inside a form it offers only keys
// that do not type text (a letter or digit there goes into the field);
// while an action is in flight, none (keys wait for it).
func (m *Model) ShortHelp() []key.Binding {
	if m.busy != "" {
		return nil
	}
	switch m.mode {
	case modeList:
		if m.onDevnet() {
			return []key.Binding{keySend, keyReceive, keyDerive, keyFaucet}
		}
		return []key.Binding{keySend, keyReceive, keyDerive, keyDetails}
	case modeDerive, modeLabel: // one field: nothing to tab to
		return []key.Binding{m.c.Keys.Submit, m.c.Keys.Cancel}
	case modeSend, modeExport:
		return []key.Binding{m.c.Keys.NextField, m.c.Keys.Submit, m.c.Keys.Cancel}
	case modeDetails:
		return []key.Binding{keySend, keyReceive, keyBack}
	case modeReauth:
		return []key.Binding{m.c.Keys.Submit, m.c.Keys.Cancel}
	case modeConfirm:
		if m.draft.Asking() {
			return []key.Binding{m.c.Keys.Submit, m.c.Keys.Cancel}
		}
		return []key.Binding{m.c.Keys.Confirm, m.c.Keys.Reject}
	}
	return []key.Binding{m.c.Keys.Close}
}

// FullHelp implements common.Screen.
func (m *Model) FullHelp() [][]key.Binding {
	if m.mode == modeList {
		k := m.c.Keys
		return [][]key.Binding{
			{k.Up, k.Down, keyDetails, keyDefault},
			{keySend, keyReceive, keyDerive, keyLabel, keyExport, keyWords, keyFaucet},
		}
	}
	return [][]key.Binding{m.ShortHelp()}
}

// selected is the account under the cursor.
func (m *Model) selected() (wallet.Account, bool) {
	if m.sel < 0 || m.sel >= len(m.accounts) {
		return wallet.Account{}, false
	}
	return m.accounts[m.sel], true
}

// reload reads the account list from the wallet, keeping the selection
// on the same address.
func (m *Model) reload() {
	var cur *ethcommon.Address
	if a, ok := m.selected(); ok {
		cur = &a.Address
	}
	m.accounts = nil
	if m.c.Wallet != nil {
		m.accounts = m.c.Wallet.Accounts()
	}
	m.sel = min(m.sel, max(len(m.accounts)-1, 0))
	if cur != nil {
		m.selectAddr(*cur)
	}
}

func (m *Model) selectAddr(addr ethcommon.Address) {
	for i, a := range m.accounts {
		if a.Address == addr {
			m.sel = i
		}
	}
}

func (m *Model) isDefault(addr ethcommon.Address) bool {
	return m.c.Wallet != nil && len(m.accounts) > 0 && m.c.Wallet.Default().Address == addr
}

// Update implements common.Screen. The spinner turns exactly while an
// action is in flight: it starts when one begins (after the action's own
// command) and stops when it ends.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	cmd := m.update(msg)
	switch {
	case m.busy != "" && !m.spin.On():
		cmd = tea.Batch(cmd, m.spin.Start())
	case m.busy == "":
		m.spin.Stop()
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return m.spin.Update(msg)
	case common.EventMsg:
		m.follow(msg.Event)
		if msg.Type == api.EventBlock {
			if msg.Block != nil && msg.Block.BaseFee != nil {
				m.baseFee = msg.Block.BaseFee.Int()
			}
			return m.fetch()
		}
	case common.WalletChangedMsg:
		m.reload()
		return m.fetch()
	case common.WalletReadyMsg:
		m.reload()
		return m.fetch()
	case balancesMsg:
		return m.onBalances(msg)
	case baseFeeMsg:
		if msg.fee != nil {
			m.baseFee = msg.fee
		}
	case preparedMsg:
		return m.onPrepared(msg)
	case txsign.SentMsg:
		return m.onSent(msg)
	case derivedMsg:
		return m.onDerived(msg)
	case savedMsg:
		return m.onSaved(msg)
	case exportedMsg:
		return m.onExported(msg)
	case faucetMsg:
		return m.onFaucet(msg)
	case form.ReauthMsg:
		if m.reauth != nil {
			return m.onReauth(msg)
		}
	case common.FocusMsg:
		// The words do not stay up behind another screen or the lock.
		if !msg.Focused && m.mode == modeWords {
			m.toList()
		}
	case tea.PasteMsg:
		if m.reauth != nil {
			return m.onReauth(msg)
		}
		if m.mode == modeConfirm && m.busy == "" {
			return m.draft.Paste(msg, m.c)
		}
		if m.Capturing() {
			return m.form.Update(msg)
		}
	case tea.KeyPressMsg:
		if m.busy != "" {
			return nil
		}
		if m.reauth != nil {
			return m.onReauth(msg)
		}
		return m.onKey(msg)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeList:
		return m.listKey(msg)
	case modeDetails:
		if key.Matches(msg, m.c.Keys.Cancel) {
			m.toList()
			return nil
		}
		return m.listKey(msg) // the list's actions work on the shown account
	case modeReceive, modeSent, modeWords:
		if key.Matches(msg, m.c.Keys.Close) {
			m.toList()
		}
		return nil
	case modeConfirm:
		return m.confirmKey(msg)
	}
	return m.formKey(msg)
}

// formKey handles keys in the modes with fields.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.c.Keys.Cancel):
		if m.mode == modeSend || m.mode == modeExport {
			m.draft = nil
		}
		m.toList()
		return nil
	case key.Matches(msg, m.c.Keys.NextField):
		return m.form.FocusOn(m.form.Focus + 1)
	case key.Matches(msg, m.c.Keys.PrevField):
		return m.form.FocusOn(m.form.Focus - 1)
	case key.Matches(msg, m.c.Keys.Submit):
		// Enter stops at a bad field, moves on to the next empty one, and
		// acts once all are filled.
		if m.mode == modeSend {
			if err := m.sendFieldError(m.form.Focus); err != nil {
				m.err = form.Capitalize(err.Error()) + "."
				return nil
			}
		}
		if i := m.form.NextEmpty(); i >= 0 {
			return m.form.FocusOn(i)
		}
		return m.submitForm()
	}
	cmd := m.form.Update(msg)
	m.err = ""
	return cmd
}

func (m *Model) submitForm() tea.Cmd {
	switch m.mode {
	case modeDerive:
		return m.submitDerive()
	case modeLabel:
		return m.submitLabel()
	case modeSend:
		return m.submitSend()
	case modeExport:
		return m.submitExport()
	}
	return nil
}

func (m *Model) toList() {
	m.mode, m.err, m.busy = modeList, "", ""
	m.form.Clear()
	m.reauth, m.pending = nil, pendNone
	clear(m.words)
	m.words = nil
}

// notify shows text in the console's status line.
func (m *Model) notify(text string) tea.Cmd {
	return func() tea.Msg { return common.NoticeMsg{Text: text} }
}
