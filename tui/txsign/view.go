package txsign

import (
	"fmt"
	"math/big"
	"strings"

	"cairn/tui/common"
	"cairn/tui/styles"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// ConfirmView shows every field that will be signed, and under them the
// action in flight (busy), the last error, or the keys that answer.
func ConfirmView(s *styles.Styles, d *Draft, busy, errText string) string {
	if d.prompt != nil {
		return PasswordView(s, d, d.prompt.View(s, 0))
	}
	kv := func(k, v string) string {
		return "  " + s.Label.Render(fmt.Sprintf("%-18s", k)) + s.Value.Render(v)
	}
	wei := func(x *big.Int) string { return x.String() + " wei" }
	lines := []string{
		s.Title.Render("Confirm the transaction") + s.Subtle.Render(" · exactly what will be signed"),
		"",
		kv("Type", "EIP-1559 (type 2)"),
		kv("Chain ID", d.ChainID.String()),
		kv("From", d.From.Address.Hex()+"  "+d.From.Label),
	}
	switch created := d.Created(); {
	case d.To != nil:
		lines = append(lines, kv("To", d.To.Hex()))
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
		lines = append(lines, s.Warning.Render("y/enter signs and sends it · n/esc goes back to the form"))
	}
	return strings.Join(lines, "\n")
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
