package accounts

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/tui/txsign"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// Send form fields.
const (
	fieldTo = iota
	fieldAmount
	fieldTip
)

func (m *Model) openSend() tea.Cmd {
	from, _ := m.selected()
	m.mode, m.err, m.draft = modeSend, "", &txsign.Draft{From: from}
	s := m.c.Styles
	to := common.NewInput(s, "To      ", false)
	to.Placeholder = "0x… recipient address"
	to.CharLimit = 42
	amount := common.NewInput(s, "Amount  ", false)
	amount.Placeholder = "CRN, e.g. 1.5"
	amount.CharLimit = 40
	tip := common.NewInput(s, "Tip     ", false)
	tip.CharLimit = 20
	tip.SetValue("1")
	cmd := m.form.Set(m.c.Width, to, amount, tip)
	m.form.CapWidth(fieldAmount, 24, m.c.Width)
	m.form.CapWidth(fieldTip, 24, m.c.Width)
	return cmd
}

// checkSend validates the form against the known balance and base fee.
// It returns the index of the first bad field and why, or -1.
func (m *Model) checkSend(baseFee, balance *big.Int) (to ethcommon.Address, value, tip *big.Int, bad int, why error) {
	to, err := form.ParseAddress(m.form.Value(fieldTo), "recipient")
	if err != nil {
		return to, nil, nil, fieldTo, err
	}
	value, err = form.ParseCRN(m.form.Value(fieldAmount))
	if err != nil {
		return to, nil, nil, fieldAmount, err
	}
	tip, err = form.ParseGwei(m.form.Value(fieldTip))
	if err != nil {
		return to, value, nil, fieldTip, err
	}
	if balance != nil {
		if value.Cmp(balance) > 0 {
			return to, value, tip, fieldAmount, fmt.Errorf("more than the balance (%s CRN)", common.FormatCRN(balance, 18))
		}
		if baseFee != nil {
			cost := new(big.Int).Mul(txsign.MaxFeePerGas(baseFee, tip), big.NewInt(txsign.TransferGas))
			if cost.Add(cost, value).Cmp(balance) > 0 {
				return to, value, tip, fieldAmount, errors.New("the amount plus the max fee is more than the balance")
			}
		}
	}
	return to, value, tip, -1, nil
}

// sendFieldError is what is wrong with one field of the send form.
func (m *Model) sendFieldError(i int) error {
	var err error
	switch i {
	case fieldTo:
		_, err = form.ParseAddress(m.form.Value(fieldTo), "recipient")
	case fieldAmount:
		var v *big.Int
		if v, err = form.ParseCRN(m.form.Value(fieldAmount)); err == nil {
			if bal := m.balance(m.draft.From.Address); bal != nil && v.Cmp(bal) > 0 {
				err = fmt.Errorf("more than the balance (%s CRN)", common.FormatCRN(bal, 18))
			}
		}
	case fieldTip:
		_, err = form.ParseGwei(m.form.Value(fieldTip))
	}
	return err
}

func (m *Model) submitSend() tea.Cmd {
	to, _, _, bad, why := m.checkSend(m.baseFee, m.balance(m.draft.From.Address))
	if bad >= 0 {
		m.err = form.Capitalize(why.Error()) + "."
		return m.form.FocusOn(bad)
	}
	m.draft.To = &to // a transfer: Prepare must not take it for a deploy
	m.err, m.busy = "", "Reading the nonce and the base fee…"
	node, d := m.c.Node, *m.draft
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		p, err := txsign.Prepare(ctx, node, &d)
		return preparedMsg{p, err}
	}
}

// preparedMsg carries what the confirm step needs from the node.
type preparedMsg struct {
	*txsign.Prepared
	err error
}

func (m *Model) onPrepared(msg preparedMsg) tea.Cmd {
	if m.mode != modeSend || m.busy == "" {
		return nil
	}
	m.busy = ""
	if msg.err != nil {
		m.err = txsign.NodeError(msg.err)
		return nil
	}
	m.baseFee = msg.BaseFee
	m.info[msg.Account.Address] = msg.Account
	var balance *big.Int
	if msg.Account.Balance != nil {
		balance = msg.Account.Balance.Int()
	}
	to, value, tip, bad, why := m.checkSend(msg.BaseFee, balance)
	if bad >= 0 {
		m.err = form.Capitalize(why.Error()) + "."
		return m.form.FocusOn(bad)
	}
	d := m.draft
	d.To, d.Value, d.Tip = &to, value, tip
	d.Fill(msg.Prepared)
	m.mode, m.err = modeConfirm, ""
	m.form.Blur()
	return nil
}

// sendView draws the form, each field with what it reads as so far.
func (m *Model) sendView() string {
	s := m.c.Styles
	d := m.draft
	bal := m.balance(d.From.Address)
	lines := []string{
		s.Title.Render("Send CRN") + s.Subtle.Render(" from "+d.From.Label+" "+common.ShortAddr(d.From.Address)),
		s.Label.Render("Balance ") + s.Value.Render(formatBalance(bal)),
		"",
	}
	to, toErr := form.ParseAddress(m.form.Value(fieldTo), "recipient")
	value, valErr := form.ParseCRN(m.form.Value(fieldAmount))
	tip, tipErr := form.ParseGwei(m.form.Value(fieldTip))
	if valErr == nil && bal != nil && value.Cmp(bal) > 0 {
		valErr = errors.New("more than the balance")
	}
	field := func(i int, ok string, err error, unit string) {
		line := "  " + m.form.Inputs[i].View() + " " + s.Subtle.Render(unit)
		lines = append(lines, line)
		switch {
		case m.form.Value(i) == "":
			lines = append(lines, "")
		case err != nil:
			lines = append(lines, s.Error.Render("            ✗ "+err.Error()))
		default:
			lines = append(lines, s.Success.Render("            ✓ ")+s.Subtle.Render(ok))
		}
	}
	toOK := "valid address"
	if toErr == nil && to.Hex() != strings.TrimSpace(m.form.Value(fieldTo)) {
		toOK = "valid · checksummed " + to.Hex()
	}
	field(fieldTo, toOK, toErr, "")
	valOK := ""
	if valErr == nil {
		valOK = value.String() + " wei"
	}
	field(fieldAmount, valOK, valErr, "CRN")
	tipOK := ""
	if tipErr == nil {
		tipOK = tip.String() + " wei per gas, to the validator"
	}
	field(fieldTip, tipOK, tipErr, "gwei")
	lines = append(lines, m.feeLine(tip, tipErr))
	switch {
	case m.busy != "":
		lines = append(lines, "", s.Subtle.Render(m.busy))
	case m.err != "":
		lines = append(lines, "", s.Error.Render("✗ "+m.err))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) feeLine(tip *big.Int, tipErr error) string {
	s := m.c.Styles
	if m.baseFee == nil {
		return s.Subtle.Render("max fee: waiting for the latest block's base fee")
	}
	if tipErr != nil {
		return s.Subtle.Render("max fee: needs a valid tip")
	}
	per := txsign.MaxFeePerGas(m.baseFee, tip)
	total := new(big.Int).Mul(per, big.NewInt(txsign.TransferGas))
	return s.Label.Render("max fee ≈ ") + s.Value.Render(common.FormatCRN(total, 18)+" CRN") +
		s.Subtle.Render(fmt.Sprintf(" for 21,000 gas (2 × base fee %s gwei + tip %s gwei)",
			common.FormatGwei(m.baseFee), common.FormatGwei(tip)))
}

func formatBalance(b *big.Int) string {
	if b == nil {
		return "…"
	}
	return common.FormatCRN(b, 18) + " CRN"
}
