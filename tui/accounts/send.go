package accounts

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/tui/txsign"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
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

// sendVerdict is what the send form's fields read as against the known
// balance and base fee: the one verdict that the fields show as they are
// typed, that enter stops at and that submit refuses, so none of them can
// pass what another would refuse.
type sendVerdict struct {
	to         ethcommon.Address
	value, tip *big.Int
	errs       [3]error // by field
	tipWarning string   // a tip that is allowed but high
}

// first is the first bad field and why, or -1.
func (v sendVerdict) first() (int, error) {
	for i, err := range v.errs {
		if err != nil {
			return i, err
		}
	}
	return -1, nil
}

// checkSend reads the form against balance and baseFee (either may be nil:
// not known yet).
func (m *Model) checkSend(baseFee, balance *big.Int) sendVerdict {
	var v sendVerdict
	var err error
	if v.to, err = form.ParseAddress(m.form.Value(fieldTo), "recipient"); err == nil {
		err = txsign.CheckRecipient(v.to)
	}
	v.errs[fieldTo] = err
	v.value, v.errs[fieldAmount] = form.ParseCRN(m.form.Value(fieldAmount))
	if v.tip, err = form.ParseGwei(m.form.Value(fieldTip)); err == nil {
		v.tipWarning, err = txsign.CheckTip(v.tip, baseFee)
	}
	v.errs[fieldTip] = err
	if v.errs[fieldAmount] == nil {
		tip := v.tip
		if v.errs[fieldTip] != nil {
			tip = nil // the value alone against the balance
		}
		v.errs[fieldAmount] = txsign.CheckCost(v.value, tip, baseFee, balance, txsign.TransferGas)
	}
	return v
}

// verdict is checkSend with what the screen knows now.
func (m *Model) verdict() sendVerdict {
	return m.checkSend(m.baseFee, m.balance(m.draft.From.Address))
}

// sendFieldError is what is wrong with one field of the send form.
func (m *Model) sendFieldError(i int) error { return m.verdict().errs[i] }

func (m *Model) submitSend() tea.Cmd {
	v := m.verdict()
	if bad, why := v.first(); bad >= 0 {
		m.err = form.Capitalize(why.Error()) + "."
		return m.form.FocusOn(bad)
	}
	to := v.to
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
	v := m.checkSend(msg.BaseFee, balance)
	if bad, why := v.first(); bad >= 0 {
		m.err = form.Capitalize(why.Error()) + "."
		return m.form.FocusOn(bad)
	}
	d := m.draft
	to := v.to
	d.To, d.Value, d.Tip = &to, v.value, v.tip
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
		s.Title.Render("Send CRN") + s.Subtle.Render(" from "+d.From.Label+" "+m.addrFits(d.From.Address, len("Send CRN from "+d.From.Label+" "))),
		s.Label.Render("Balance ") + s.Value.Render(formatBalance(bal)),
		"",
	}
	v := m.checkSend(m.baseFee, bal)
	to, value, tip := v.to, v.value, v.tip
	toErr, valErr, tipErr := v.errs[fieldTo], v.errs[fieldAmount], v.errs[fieldTip]
	field := func(i int, ok string, err error, unit string) {
		line := "  " + m.form.Inputs[i].View() + " " + s.Subtle.Render(unit)
		lines = append(lines, line)
		switch {
		case m.form.Value(i) == "":
			lines = append(lines, "")
		case err != nil:
			lines = append(lines, eachLine(s.Error, m.fieldNote("✗ ", err.Error())))
		default:
			lines = append(lines, s.Success.Render(noteIndent+"✓ ")+eachLine(s.Subtle, strings.TrimPrefix(m.fieldNote("✓ ", ok), noteIndent+"✓ ")))
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
	if v.tipWarning != "" && tipErr == nil {
		lines[len(lines)-1] = eachLine(s.Warning, m.fieldNote("! ", v.tipWarning))
	}
	lines = append(lines, m.feeLine(tip, tipErr))
	switch {
	case m.busy != "":
		lines = append(lines, "", s.Subtle.Render(m.spin.Line(m.busy)))
	case m.err != "":
		lines = append(lines, "", s.Error.Render("✗ "+m.err))
	}
	return strings.Join(lines, "\n")
}

// addrFits is addr in full where it fits after a heading of used cells,
// else the short form (a deliberate 0x1234…abcd, never a cut one).
func (m *Model) addrFits(addr ethcommon.Address, used int) string {
	if used+addrWidth <= m.c.Width {
		return addr.Hex()
	}
	return common.ShortAddr(addr)
}

// noteIndent puts a field's note under its value.
const noteIndent = "            "

// fieldNote is a field's note (mark: "✓ ", "✗ ", "! "), wrapped under the
// value where the line would be cut: a checksummed address or a reason
// read whole or not at all.
func (m *Model) fieldNote(mark, text string) string {
	hang := noteIndent + strings.Repeat(" ", lipgloss.Width(mark))
	wrapped := common.Wrap(text, m.c.Width-lipgloss.Width(hang))
	return noteIndent + mark + strings.ReplaceAll(wrapped, "\n", "\n"+hang)
}

// eachLine styles every line of text on its own: a style given several
// lines pads them into a block, which would widen the first.
func eachLine(st lipgloss.Style, text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = st.Render(l)
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
	head := "max fee ≈ " + common.FormatCRN(total, 18) + " CRN"
	why := fmt.Sprintf("for 21,000 gas (2 × base fee %s gwei + tip %s gwei)", common.FormatGwei(m.baseFee), common.FormatGwei(tip))
	sep := " "
	if lipgloss.Width(head)+1+lipgloss.Width(why) > m.c.Width {
		sep = "\n  " // the reckoning under the amount rather than cut
	}
	return s.Label.Render("max fee ≈ ") + s.Value.Render(common.FormatCRN(total, 18)+" CRN") +
		eachLine(s.Subtle, sep+why)
}

func formatBalance(b *big.Int) string {
	if b == nil {
		return "…"
	}
	return common.FormatCRN(b, 18) + " CRN"
}
