package staking

import (
	"cmp"
	"slices"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/wallet"

	ethcommon "github.com/ethereum/go-ethereum/common"
)

// delegationKey names one delegation: who delegated to whom.
type delegationKey struct{ delegator, validator ethcommon.Address }

// delegationRow is one of the wallet's delegations.
type delegationRow struct {
	account wallet.Account
	api.Delegation
}

func (r delegationRow) key() delegationKey {
	return delegationKey{r.account.Address, r.Validator}
}

// unbondingRow is one of the wallet's unbonding or redelegation entries.
type unbondingRow struct {
	account wallet.Account
	api.Unbonding
}

// accounts is the wallet's accounts, in its order (none without a wallet).
func (m *Model) accounts() []wallet.Account {
	if m.c.Wallet == nil {
		return nil
	}
	return m.c.Wallet.Accounts()
}

// rebuild lays out the wallet's rows from the latest fetch and puts each
// cursor back on what it was on (or where it was, if that is gone).
func (m *Model) rebuild() {
	m.delRows, m.ubRows = m.delRows[:0], m.ubRows[:0]
	for _, a := range m.accounts() {
		d := m.dels[a.Address]
		if d == nil {
			continue
		}
		for _, x := range d.Delegations {
			m.delRows = append(m.delRows, delegationRow{a, x})
		}
		for _, u := range d.Unbondings {
			m.ubRows = append(m.ubRows, unbondingRow{a, u})
		}
	}
	slices.SortStableFunc(m.ubRows, func(a, b unbondingRow) int {
		return cmp.Compare(a.CompletionTime, b.CompletionTime) // soonest first
	})
	if i := slices.IndexFunc(m.vals, func(v api.Validator) bool { return v.Operator == m.valSel }); i >= 0 {
		m.valCur = i
	}
	m.selectValidator(m.valCur)
	if i := slices.IndexFunc(m.delRows, func(r delegationRow) bool { return r.key() == m.delSel }); i >= 0 {
		m.delCur = i
	}
	m.selectDelegation(m.delCur)
}

func (m *Model) selectValidator(i int) {
	m.valCur = max(min(i, len(m.vals)-1), 0)
	if m.valCur < len(m.vals) {
		m.valSel = m.vals[m.valCur].Operator
	}
}

func (m *Model) selectDelegation(i int) {
	m.delCur = max(min(i, len(m.delRows)-1), 0)
	if m.delCur < len(m.delRows) {
		m.delSel = m.delRows[m.delCur].key()
	}
}

// validator is the registered validator with this operator, or nil.
func (m *Model) validator(op ethcommon.Address) *api.Validator {
	for i := range m.vals {
		if m.vals[i].Operator == op {
			return &m.vals[i]
		}
	}
	return nil
}

// moniker names a validator for a row: its moniker, or its short address
// when it has none or is unknown.
func (m *Model) moniker(op ethcommon.Address) string {
	if v := m.validator(op); v != nil && v.Moniker != "" {
		return v.Moniker
	}
	return common.ShortAddr(op)
}
