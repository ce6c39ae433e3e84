package staking

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"cairn/chain/staking/stakingabi"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/tui/txsign"
	"cairn/wallet"

	"charm.land/bubbles/v2/textinput"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// kind is what an action does: one method of the staking contract.
type kind int

const (
	actDelegate kind = iota
	actUndelegate
	actRedelegate
	actClaim
	actWithdraw
	actUnjail
)

// action is a staking call being filled in: who sends it, the validator it
// is about and, for stake that already sits with a validator, how much.
type action struct {
	kind      kind
	from      wallet.Account
	validator ethcommon.Address
	staked    *big.Int // the delegation's worth (undelegate, redelegate)
	rewards   *big.Int // claim: what it pays now
	ready     *big.Int // withdraw: what has finished unbonding
	fields    []field
}

// field names one input of an action's form.
type field int

const (
	fieldTo field = iota // redelegate's destination
	fieldAmount
	fieldTip
)

// title heads the action's form.
func (a *action) title() string {
	switch a.kind {
	case actDelegate:
		return "Delegate"
	case actUndelegate:
		return "Undelegate"
	case actRedelegate:
		return "Redelegate"
	case actClaim:
		return "Claim rewards"
	case actWithdraw:
		return "Withdraw unbonded stake"
	}
	return "Unjail"
}

// method is the contract method the action calls.
func (a *action) method() string {
	return [...]string{"delegate", "undelegate", "redelegate", "claimRewards", "withdraw", "unjail"}[a.kind]
}

// index is where field f sits in the form, or -1.
func (a *action) index(f field) int {
	for i, g := range a.fields {
		if g == f {
			return i
		}
	}
	return -1
}

// open starts the form of an action.
func (m *Model) open(a *action) {
	s := m.c.Styles
	m.mode, m.err, m.act = modeForm, "", a
	switch a.kind {
	case actRedelegate:
		a.fields = []field{fieldTo, fieldAmount, fieldTip}
	case actDelegate, actUndelegate:
		a.fields = []field{fieldAmount, fieldTip}
	default:
		a.fields = []field{fieldTip}
	}
	var ins []textinput.Model
	for _, f := range a.fields {
		switch f {
		case fieldTo:
			in := common.NewInput(s, "To      ", false)
			in.Placeholder = "0x… validator address, or its moniker"
			in.CharLimit = 70
			ins = append(ins, in)
		case fieldAmount:
			in := common.NewInput(s, "Amount  ", false)
			in.Placeholder = "CRN, e.g. 1000"
			in.CharLimit = 40
			ins = append(ins, in)
		case fieldTip:
			in := common.NewInput(s, "Tip     ", false)
			in.CharLimit = 20
			in.SetValue("1")
			ins = append(ins, in)
		}
	}
	m.form.Set(m.c.Width, ins...)
	for i, f := range a.fields {
		if f != fieldTo {
			m.form.CapWidth(i, 24, m.c.Width)
		}
	}
}

// value is what field f of the open form holds ("" if it has none).
func (m *Model) value(f field) string {
	if i := m.act.index(f); i >= 0 {
		return m.form.Value(i)
	}
	return ""
}

// destination reads the redelegate form's To: an address or a moniker,
// of a validator that is not the source.
func (m *Model) destination() (ethcommon.Address, error) {
	s := strings.TrimSpace(m.value(fieldTo))
	var to ethcommon.Address
	if strings.HasPrefix(s, "0x") || s == "" {
		a, err := form.ParseAddress(s, "destination validator")
		if err != nil {
			return a, err
		}
		if m.validator(a) == nil {
			return a, errors.New("no validator has this operator address")
		}
		to = a
	} else {
		var found []ethcommon.Address
		for _, v := range m.vals {
			if strings.EqualFold(v.Moniker, s) {
				found = append(found, v.Operator)
			}
		}
		switch len(found) {
		case 0:
			return to, fmt.Errorf("no validator is called %q", s)
		case 1:
			to = found[0]
		default:
			return to, fmt.Errorf("%d validators are called %q: give the address", len(found), s)
		}
	}
	if to == m.act.validator {
		return to, errors.New("that is the validator the stake is with")
	}
	if v := m.validator(to); v != nil && v.Status == api.ValidatorTombstoned {
		return to, errors.New("that validator is tombstoned: stake sent there earns nothing")
	}
	return to, nil
}

// amount reads the Amount field, at most what the delegation is worth for
// stake that leaves it.
func (m *Model) amount() (*big.Int, error) {
	v, err := form.ParseCRN(m.value(fieldAmount))
	if err != nil {
		return nil, err
	}
	if a := m.act; a.staked != nil && v.Cmp(a.staked) > 0 {
		return nil, fmt.Errorf("more than the delegation (%s CRN)", common.FormatCRN(a.staked, 18))
	}
	return v, nil
}

// fieldError is what is wrong with field f of the open form.
func (m *Model) fieldError(f field) error {
	var err error
	switch f {
	case fieldTo:
		_, err = m.destination()
	case fieldAmount:
		_, err = m.amount()
	case fieldTip:
		var tip *big.Int
		if tip, err = form.ParseGwei(m.value(fieldTip)); err == nil {
			_, err = txsign.CheckTip(tip, nil) // an absurd tip, as the accounts' send refuses it
		}
	}
	return err
}

// call is the transaction the filled form asks for: its value, its data
// and how the confirm step names it.
func (m *Model) call() (value *big.Int, data []byte, what string, err error) {
	a := m.act
	val := fmt.Sprintf("%s %s", m.moniker(a.validator), common.ShortAddr(a.validator))
	value = new(big.Int)
	var args []any
	switch a.kind {
	case actDelegate:
		amount, err := m.amount()
		if err != nil {
			return nil, nil, "", err
		}
		value, args = amount, []any{a.validator}
		what = fmt.Sprintf("delegate(%s)", val)
	case actUndelegate:
		amount, err := m.amount()
		if err != nil {
			return nil, nil, "", err
		}
		args = []any{a.validator, amount}
		what = fmt.Sprintf("undelegate(%s, %s CRN)", val, common.FormatCRN(amount, 18))
	case actRedelegate:
		to, err := m.destination()
		if err != nil {
			return nil, nil, "", err
		}
		amount, err := m.amount()
		if err != nil {
			return nil, nil, "", err
		}
		args = []any{a.validator, to, amount}
		what = fmt.Sprintf("redelegate(%s → %s, %s CRN)", m.moniker(a.validator), m.moniker(to), common.FormatCRN(amount, 18))
	case actClaim:
		args = []any{a.validator}
		what = fmt.Sprintf("claimRewards(%s)", val)
	case actWithdraw, actUnjail:
		what = a.method() + "()"
	}
	data, err = stakingabi.ABI.Pack(a.method(), args...)
	if err != nil {
		return nil, nil, "", fmt.Errorf("encode the call: %w", err)
	}
	return value, data, what, nil
}
