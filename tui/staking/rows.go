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
// cursor back on what it was on, or, if that is gone, on its nearest
// neighbour that remains. oldVals is the validators before the fetch.
func (m *Model) rebuild(oldVals []api.Validator) {
	oldDels := delegationKeys(m.delRows)
	m.delRows, m.ubRows = nil, nil
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
	m.selectValidator(follow(operators(oldVals), operators(m.vals), m.valSel, m.valCur))
	if rv := m.shownValidators(); rv.Len() > 0 && !rv.Shows(m.valCur) {
		m.selectValidator(rv.Snap(m.valCur)) // its neighbour is filtered out
	}
	m.selectDelegation(follow(oldDels, delegationKeys(m.delRows), m.delSel, m.delCur))
}

// follow is where a cursor goes when a table's rows change from old to
// now: onto sel where it now is; if sel is gone, onto its nearest
// neighbour in old that remains (the one after it before the one before),
// so a validator leaving the list does not throw the cursor elsewhere;
// cur when none of old remains.
func follow[K comparable](old, now []K, sel K, cur int) int {
	where := make(map[K]int, len(now))
	for i, k := range now {
		where[k] = i
	}
	if i, ok := where[sel]; ok {
		return i
	}
	at := slices.Index(old, sel)
	if at < 0 {
		return cur
	}
	for d := 1; d < len(old); d++ {
		for _, j := range []int{at + d, at - d} {
			if j >= 0 && j < len(old) {
				if i, ok := where[old[j]]; ok {
					return i
				}
			}
		}
	}
	return cur
}

func operators(vs []api.Validator) []ethcommon.Address {
	out := make([]ethcommon.Address, len(vs))
	for i, v := range vs {
		out[i] = v.Operator
	}
	return out
}

func delegationKeys(rs []delegationRow) []delegationKey {
	out := make([]delegationKey, len(rs))
	for i, r := range rs {
		out[i] = r.key()
	}
	return out
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
