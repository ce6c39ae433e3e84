package txsign

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"cairn/tui/common"
	"cairn/tui/styles"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// ConfirmView shows every field that will be signed, and under them the
// action in flight (busy), the last error, or the keys that answer.
func ConfirmView(s *styles.Styles, d *Draft, busy, errText string) string {
	return ConfirmViewIn(s, d, busy, errText, 0, 0)
}

// wideLabels is the label column that leaves an address whole.
const wideLabels = 18

// ConfirmViewIn is ConfirmView laid out for an area of w x h (0: any):
// where an address beside the usual labels would be cut, the labels are
// shortened; where the lines would not all fit, the blank ones go, so
// the addresses and the line that answers stay on the screen.
func ConfirmViewIn(s *styles.Styles, d *Draft, busy, errText string, w, h int) string {
	if d.prompt != nil {
		return PasswordView(s, d, d.prompt.View(s, 0))
	}
	width, names := wideLabels, map[string]string{}
	if w > 0 && w < 2+wideLabels+42 {
		width = 15
		names = map[string]string{"Max fee per gas": "Max fee/gas", "Max priority fee": "Priority fee"}
	}
	kv := func(k, v string) string {
		if short, ok := names[k]; ok {
			k = short
		}
		return "  " + s.Label.Render(fmt.Sprintf("%-*s", width, k)) + s.Value.Render(v)
	}
	wei := func(x *big.Int) string { return x.String() + " wei" }
	lines := []string{
		s.Title.Render("Confirm the transaction") + s.Subtle.Render(" · exactly what will be signed"),
		"",
		kv("Type", "EIP-1559 (type 2)"),
		kv("Chain ID", d.ChainID.String()),
		kv("From", fromLine(d, w-2-width)),
	}
	switch created := d.Created(); {
	case d.To != nil:
		lines = append(lines, kv("To", d.To.Hex()))
	case created != nil && w > 0 && 2+width+len("new contract at ")+len(created.Hex()) > w:
		// Too narrow for both on one line: the address gets its own,
		// whole, rather than be cut.
		lines = append(lines, kv("To", "a new contract, at"), kv("", created.Hex()))
	case created != nil:
		lines = append(lines, kv("To", "new contract at "+created.Hex()))
	default:
		lines = append(lines, kv("To", "a new contract"))
	}
	if d.Call != "" {
		lines = append(lines, kv("Call", d.Call))
	}
	lines = append(lines,
		kv("Value", common.FormatCRN(d.Value, 18)+" CRN  ("+wei(d.Value)+")"),
		kv("Nonce", fmt.Sprintf("%d", d.Nonce)),
		kv("Gas limit", common.FormatCount(d.Gas)),
		kv("Max fee per gas", common.FormatGwei(d.MaxFee)+" gwei  ("+wei(d.MaxFee)+")"),
		kv("Max priority fee", common.FormatGwei(d.Tip)+" gwei  ("+wei(d.Tip)+")"),
		kv("Data", dataSummary(d.Data)),
		"",
		kv("Max total fee", common.FormatCRN(d.TotalMaxFee(), 18)+" CRN"),
		kv("Max total cost", common.FormatCRN(d.MaxCost(), 18)+" CRN"),
		"",
	)
	switch {
	case busy != "":
		lines = append(lines, s.Subtle.Render(busy))
	case errText != "":
		lines = append(lines, s.Error.Render("✗ "+errText))
	default:
		answer := "y/enter signs and sends it · n/esc goes back to the form"
		if w > 0 && len([]rune(answer)) > w {
			answer = "y/enter signs and sends · n/esc back"
		}
		lines = append(lines, s.Warning.Render(answer))
	}
	if h > 0 && len(lines) > h {
		lines = slices.DeleteFunc(lines, func(l string) bool { return l == "" })
	}
	return strings.Join(lines, "\n")
}

// fromLine is the sender's address, and its label where that fits in w
// (0: any) beside it: a label cut would read as the address cut.
func fromLine(d *Draft, w int) string {
	v := d.From.Address.Hex() + "  " + d.From.Label
	if w > 0 && len([]rune(v)) > w {
		return d.From.Address.Hex()
	}
	return v
}

// dataSummary is the call data's selector and size: enough to check it
// against what Call says without a screen of hex.
func dataSummary(data []byte) string {
	if len(data) == 0 {
		return "none"
	}
	return fmt.Sprintf("%s… (%d bytes)", hexutil.Encode(data[:min(len(data), 4)]), len(data))
}

// PasswordView is the confirm step while the wallet password is asked
// again: what will be signed in short (every field was on the screen when
// the user answered y), then the prompt, so both fit a small terminal.
func PasswordView(s *styles.Styles, d *Draft, prompt string) string {
	kv := func(k, v string) string {
		return "  " + s.Label.Render(fmt.Sprintf("%-15s", k)) + s.Value.Render(v)
	}
	lines := []string{s.Title.Render("Confirm the transaction") + s.Subtle.Render(" · the wallet password first"), ""}
	switch {
	case d.To != nil:
		lines = append(lines, kv("To", d.To.Hex()))
	default:
		lines = append(lines, kv("To", "a new contract"))
	}
	if d.Call != "" {
		lines = append(lines, kv("Call", d.Call))
	}
	lines = append(lines,
		kv("Value", common.FormatCRN(d.Value, 18)+" CRN"),
		kv("Max total cost", common.FormatCRN(d.MaxCost(), 18)+" CRN"),
		"", prompt)
	return strings.Join(lines, "\n")
}
