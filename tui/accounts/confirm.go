package accounts

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"cairn/tui/common"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, keyConfirm):
		return m.signAndSend()
	case key.Matches(msg, keyReject):
		m.mode, m.err = modeSend, ""
		return m.form.FocusOn(fieldTo)
	}
	return nil
}

// sentMsg ends a sign-and-submit.
type sentMsg struct {
	hash ethcommon.Hash
	err  error
}

func (m *Model) signAndSend() tea.Cmd {
	w := m.c.Wallet
	if w == nil || w.Locked() {
		m.err = "The wallet is locked (it locks itself when idle). Unlock it, then confirm again."
		return nil
	}
	m.err, m.busy = "", "Signing and sending…"
	d, node := m.draft, m.c.Node
	return func() tea.Msg {
		signed, err := w.SignTx(d.from.Address, d.tx(), d.chainID)
		if err != nil {
			return sentMsg{err: err}
		}
		raw, err := signed.MarshalBinary()
		if err != nil {
			return sentMsg{err: fmt.Errorf("encode the transaction: %w", err)}
		}
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		hash, err := node.SendRawTx(ctx, raw)
		return sentMsg{hash: hash, err: err}
	}
}

func (m *Model) onSent(msg sentMsg) tea.Cmd {
	if m.mode != modeConfirm || m.busy == "" {
		return nil
	}
	m.busy = ""
	switch {
	case errors.Is(msg.err, wallet.ErrLocked):
		m.err = "The wallet is locked (it locks itself when idle). Unlock it, then confirm again."
		return nil
	case msg.err != nil:
		m.err = nodeError(msg.err)
		return nil
	}
	d := m.draft
	m.mode, m.sent = modeSent, msg.hash
	m.form.Clear()
	return tea.Batch(m.fetch(), m.notify(fmt.Sprintf("sent %s CRN to %s · tx %s",
		common.FormatCRN(d.value, 18), common.ShortAddr(d.to), common.ShortHash(msg.hash.Hex()))))
}

// confirmView shows every field that will be signed.
func (m *Model) confirmView() string {
	s := m.c.Styles
	d := m.draft
	kv := func(k, v string) string {
		return "  " + s.Label.Render(fmt.Sprintf("%-18s", k)) + s.Value.Render(v)
	}
	wei := func(x *big.Int) string { return x.String() + " wei" }
	total := d.totalMaxFee()
	lines := []string{
		s.Title.Render("Confirm the transaction") + s.Subtle.Render(" · exactly what will be signed"),
		"",
		kv("Type", "EIP-1559 (type 2)"),
		kv("Chain ID", d.chainID.String()),
		kv("From", d.from.Address.Hex()+"  "+d.from.Label),
		kv("To", d.to.Hex()),
		kv("Value", common.FormatCRN(d.value, 18)+" CRN  ("+wei(d.value)+")"),
		kv("Nonce", fmt.Sprintf("%d", d.nonce)),
		kv("Gas limit", "21,000"),
		kv("Max fee per gas", common.FormatGwei(d.maxFee)+" gwei  ("+wei(d.maxFee)+")"),
		kv("Max priority fee", common.FormatGwei(d.tip)+" gwei  ("+wei(d.tip)+")"),
		kv("Data", "none"),
		"",
		kv("Max total fee", common.FormatCRN(total, 18)+" CRN"),
		kv("Max total cost", common.FormatCRN(new(big.Int).Add(total, d.value), 18)+" CRN"),
		"",
	}
	switch {
	case m.busy != "":
		lines = append(lines, s.Subtle.Render(m.busy))
	case m.err != "":
		lines = append(lines, s.Error.Render("✗ "+m.err))
	default:
		lines = append(lines, s.Warning.Render("y/enter signs and sends it · n/esc goes back to the form"))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) sentView() string {
	s := m.c.Styles
	d := m.draft
	lines := []string{
		s.Success.Render("✓ Sent") + s.Subtle.Render(" · the node accepted the transaction into its mempool"),
		"",
		"  " + s.Label.Render("Hash   ") + s.Highlight.Render(m.sent.Hex()),
	}
	if d != nil {
		lines = append(lines,
			"  "+s.Label.Render("Amount ")+s.Value.Render(common.FormatCRN(d.value, 18)+" CRN"),
			"  "+s.Label.Render("To     ")+s.Value.Render(d.to.Hex()),
			"  "+s.Label.Render("Nonce  ")+s.Value.Render(fmt.Sprintf("%d", d.nonce)))
	}
	lines = append(lines, "", s.Subtle.Render("It shows in Blocks once a block includes it. esc: back to the accounts"))
	return strings.Join(lines, "\n")
}
