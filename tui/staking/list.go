package staking

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/filter"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// showValidator puts the cursor on a validator (the jump prompt found
// it), clearing a filter that hides it.
func (m *Model) showValidator(op ethcommon.Address) {
	i := slices.IndexFunc(m.vals, func(v api.Validator) bool { return v.Operator == op })
	if i < 0 {
		m.valSel = op // the list is being read: the cursor goes there when it comes
		return
	}
	if !m.shownValidators().Shows(i) {
		m.filter.Clear()
	}
	m.focus = tableValidators
	m.selectValidator(i)
}

// onFilter gives a key or a paste to the validators' filter being typed;
// the cursor moves onto a validator that still shows.
func (m *Model) onFilter(msg tea.Msg) tea.Cmd {
	cmd := m.filter.Update(msg)
	if rv := m.shownValidators(); rv.Len() > 0 {
		m.selectValidator(rv.Snap(m.valCur))
	}
	return cmd
}

// shownValidators is the validators the filter lets through: by moniker
// or status, or the start of the operator's address.
func (m *Model) shownValidators() filter.Rows {
	return m.filter.Rows(len(m.vals), func(i int) filter.Row {
		v := m.vals[i]
		return filter.Row{Text: []string{v.Moniker, v.Status}, Keys: []string{v.Operator.Hex()}}
	})
}

// listKey moves the cursors and opens the actions.
func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	m.err = ""
	if m.filter.Editing() {
		return m.onFilter(msg)
	}
	rv := m.shownValidators()
	move := func(i int) {
		if m.focus == tableValidators {
			m.selectValidator(rv.Snap(i))
		} else {
			m.selectDelegation(i)
		}
	}
	cur := m.valCur
	if m.focus == tableDelegations {
		cur = m.delCur
	}
	if m.focus == tableValidators {
		move = func(i int) { m.selectValidator(rv.Move(m.valCur, i-cur)) }
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.focus = tableValidators
		return m.filter.Open()
	case key.Matches(msg, k.Back):
		m.filter.Clear()
	case key.Matches(msg, k.Up):
		move(cur - 1)
	case key.Matches(msg, k.Down):
		move(cur + 1)
	case key.Matches(msg, k.Top):
		move(0)
	case key.Matches(msg, k.Bottom):
		move(len(m.vals) + len(m.delRows))
	case key.Matches(msg, keySwitch):
		m.focus = 1 - m.focus
	case key.Matches(msg, keyDelegate, keyUndelegate, keyRedelegate, keyClaim, keyWithdraw, keyUnjail):
		if m.c.Wallet == nil || m.c.Wallet.Locked() {
			m.err = errNoWallet.Error()
			return nil
		}
		a, why := m.actionFor(msg)
		if a == nil {
			m.err = why
			return nil
		}
		m.open(a)
		return m.form.FocusOn(0)
	}
	return nil
}

// actionFor is the action a key asks for on what the cursors select, or
// why there is none.
func (m *Model) actionFor(msg tea.KeyPressMsg) (*action, string) {
	switch {
	case key.Matches(msg, keyDelegate):
		return m.delegateAction()
	case key.Matches(msg, keyWithdraw):
		return m.withdrawAction()
	case key.Matches(msg, keyUnjail):
		return m.unjailAction()
	}
	row, ok := m.selectedDelegation()
	if !ok {
		return nil, "Select one of your delegations first (→ moves to them)."
	}
	a := &action{from: row.account, validator: row.Validator, staked: row.Amount.Int()}
	switch {
	case key.Matches(msg, keyUndelegate):
		a.kind = actUndelegate
	case key.Matches(msg, keyRedelegate):
		a.kind = actRedelegate
	default:
		a.kind, a.staked, a.rewards = actClaim, nil, row.PendingRewards.Int()
		if a.rewards.Sign() == 0 {
			return nil, "No rewards from " + m.moniker(row.Validator) + " yet: they come with each block it signs."
		}
	}
	return a, ""
}

func (m *Model) selectedDelegation() (delegationRow, bool) {
	if m.focus != tableDelegations || m.delCur >= len(m.delRows) {
		return delegationRow{}, false
	}
	return m.delRows[m.delCur], true
}

// delegateAction delegates to the selected validator: from the wallet's
// default account in the validator table, from the delegation's own account
// in the delegation table.
func (m *Model) delegateAction() (*action, string) {
	if row, ok := m.selectedDelegation(); ok {
		return &action{kind: actDelegate, from: row.account, validator: row.Validator}, ""
	}
	if m.valCur >= len(m.vals) {
		return nil, "No validator to delegate to yet."
	}
	if !m.shownValidators().Shows(m.valCur) {
		return nil, "No validator matches the filter: esc clears it."
	}
	v := m.vals[m.valCur]
	if v.Status == api.ValidatorTombstoned {
		return nil, v.Moniker + " is tombstoned for double-signing: stake delegated there earns nothing."
	}
	return &action{kind: actDelegate, from: m.c.Wallet.Default(), validator: v.Operator}, ""
}

// withdrawAction withdraws what has finished unbonding: the selected
// delegation's account's if it has some, else the first account's that has.
func (m *Model) withdrawAction() (*action, string) {
	now := uint64(m.c.Now().UnixMilli())
	ready := map[ethcommon.Address]*big.Int{}
	var order []wallet.Account
	for _, u := range m.ubRows {
		if u.Kind != api.UnbondingKindUnbonding || u.CompletionTime > now {
			continue
		}
		if ready[u.account.Address] == nil {
			ready[u.account.Address] = new(big.Int)
			order = append(order, u.account)
		}
		ready[u.account.Address].Add(ready[u.account.Address], u.Amount.Int())
	}
	if len(order) == 0 {
		if next := m.nextUnbonding(); next != nil {
			return nil, "Nothing has finished unbonding yet: the soonest completes in " + timeLeft(m.until(next.CompletionTime)) + "."
		}
		return nil, "Nothing is unbonding: undelegate (u) starts it."
	}
	from := order[0]
	if row, ok := m.selectedDelegation(); ok && ready[row.account.Address] != nil {
		from = row.account
	}
	return &action{kind: actWithdraw, from: from, ready: ready[from.Address]}, ""
}

// nextUnbonding is the wallet's unbonding entry that completes first.
func (m *Model) nextUnbonding() *unbondingRow {
	for i := range m.ubRows {
		if m.ubRows[i].Kind == api.UnbondingKindUnbonding {
			return &m.ubRows[i]
		}
	}
	return nil
}

// unjailAction unjails this node's validator, signed by its operator.
func (m *Model) unjailAction() (*action, string) {
	v := m.ownValidator()
	if v == nil {
		return nil, "This node runs no registered validator."
	}
	switch {
	case v.Status == api.ValidatorTombstoned:
		return nil, "The validator is tombstoned for double-signing: it can never return."
	case v.Status != api.ValidatorJailed:
		return nil, "The validator is not jailed."
	case m.until(v.JailedUntil) > 0:
		return nil, "The jail time is not over: unjail in " + timeLeft(m.until(v.JailedUntil)) + "."
	}
	op, ok := m.walletAccount(v.Operator)
	if !ok {
		return nil, "The operator " + v.Operator.Hex() + " is not in this wallet: unjail from the wallet that holds it."
	}
	return &action{kind: actUnjail, from: op, validator: v.Operator}, ""
}

// ownValidator is this node's validator as the staking contract keeps it,
// or nil when the node runs none.
func (m *Model) ownValidator() *api.Validator {
	if m.c.Status == nil || m.c.Status.Validator == nil {
		return nil
	}
	return m.validator(*m.c.Status.Validator)
}

func (m *Model) walletAccount(addr ethcommon.Address) (wallet.Account, bool) {
	for _, a := range m.accounts() {
		if a.Address == addr {
			return a, true
		}
	}
	return wallet.Account{}, false
}

// until is how long from now to a unix-ms time (negative once past).
func (m *Model) until(ms uint64) time.Duration {
	return time.UnixMilli(int64(ms)).Sub(m.c.Now())
}

// timeLeft writes a duration as the two largest units: "6d 23h", "4m 05s".
func timeLeft(d time.Duration) string {
	switch {
	case d <= 0:
		return "ready"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()+0.999))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// notify shows text in the console's status line.
func notify(text string) tea.Cmd {
	return func() tea.Msg { return common.NoticeMsg{Text: text} }
}
