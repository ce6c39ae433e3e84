package txview

import (
	"fmt"
	"math/big"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/styles"

	"charm.land/lipgloss/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// maxInputShown caps how much call data a detail view writes out; a
// contract creation can carry tens of kilobytes nobody reads in a console.
const maxInputShown = 1024

// Lines renders tx and, once included, its receipt and logs as lines no
// wider than width. Addresses in own are marked as the user's.
func Lines(s *styles.Styles, tx *api.Tx, width int, own map[ethcommon.Address]bool) []string {
	if tx == nil {
		return []string{s.Subtle.Render("no transaction")}
	}
	var out []string
	add := func(label, value string, st lipgloss.Style) {
		out = append(out, Field(s, label, value, st, width)...)
	}
	addr := func(label string, a ethcommon.Address) {
		if own[a] {
			add(label, a.Hex()+" (yours)", s.Highlight)
			return
		}
		add(label, a.Hex(), s.Value)
	}
	out = append(out, s.Title.Render("Transaction"))
	add("Hash", tx.Hash.Hex(), s.Value)
	add("Status", status(tx), statusStyle(s, tx))
	addr("From", tx.From)
	if tx.To != nil {
		addr("To", *tx.To)
	} else {
		add("To", "contract creation", s.Accent)
	}
	add("Value", amount(tx.Value)+" CRN", s.Value)
	add("Nonce", Num(tx.Nonce), s.Value)
	add("Gas limit", Num(tx.Gas), s.Value)
	add("Type", TypeName(tx.Type), s.Value)
	for _, f := range []struct {
		label string
		v     *api.Amount
	}{{"Max fee", tx.MaxFeePerGas}, {"Max tip", tx.MaxPriorityFeePerGas}, {"Gas price", tx.GasPrice}} {
		if f.v != nil {
			add(f.label, gwei(f.v)+" gwei", s.Value)
		}
	}
	if r := tx.Receipt; r != nil && r.EffectiveGasPrice != nil {
		fee := new(big.Int).Mul(new(big.Int).SetUint64(r.GasUsed), (*big.Int)(r.EffectiveGasPrice))
		add("Fee paid", common.FormatCRN(fee, 18)+" CRN", s.Value)
	}
	add("Input", input(tx.Input), s.Value)
	if tx.Receipt != nil {
		out = append(out, "")
		out = append(out, receipt(s, tx.Receipt, width, own)...)
	}
	return out
}

func receipt(s *styles.Styles, r *api.Receipt, width int, own map[ethcommon.Address]bool) []string {
	out := []string{s.Title.Render("Receipt")}
	add := func(label, value string, st lipgloss.Style) {
		out = append(out, Field(s, label, value, st, width)...)
	}
	if r.Status == 1 {
		add("Status", "success", s.Success)
	} else {
		add("Status", "failed", s.Error)
	}
	add("Gas used", Num(r.GasUsed), s.Value)
	add("Cumul. gas", Num(r.CumulativeGasUsed), s.Value)
	add("Price paid", gwei(r.EffectiveGasPrice)+" gwei", s.Value)
	if r.ContractAddress != nil {
		add("Contract", r.ContractAddress.Hex(), s.Accent)
	}
	add("Logs", fmt.Sprint(len(r.Logs)), s.Value)
	for i, l := range r.Logs {
		out = append(out, "")
		st := s.Value
		if own[l.Address] {
			st = s.Highlight
		}
		add(fmt.Sprintf("Log %d", i), l.Address.Hex(), st)
		for j, t := range l.Topics {
			add(fmt.Sprintf("  topic %d", j), t.Hex(), s.Value)
		}
		out = append(out, dataField(s, "  data", l.Data, s.Subtle, width)...)
	}
	return out
}

func status(tx *api.Tx) string {
	switch {
	case tx.Status == api.TxIncluded && tx.BlockHeight != nil:
		at := fmt.Sprintf("included in block %d", *tx.BlockHeight)
		if tx.Index != nil {
			at += fmt.Sprintf(", position %d", *tx.Index)
		}
		return at
	case tx.Status == "":
		return "unknown"
	}
	return tx.Status
}

func statusStyle(s *styles.Styles, tx *api.Tx) lipgloss.Style {
	if tx.Status == api.TxPending {
		return s.Warning
	}
	if strings.HasPrefix(tx.Status, "dropped") {
		return s.Error
	}
	if tx.Receipt != nil && tx.Receipt.Status != 1 {
		return s.Error
	}
	return s.Success
}

func input(b hexutil.Bytes) string {
	if len(b) == 0 {
		return "none"
	}
	if len(b) > maxInputShown {
		return fmt.Sprintf("%d bytes: %s… (%d more bytes)", len(b), hexutil.Encode(b[:maxInputShown]), len(b)-maxInputShown)
	}
	return fmt.Sprintf("%d bytes: %s", len(b), hexutil.Encode(b))
}

// TypeName names an EIP-2718 transaction type.
func TypeName(t uint8) string {
	switch t {
	case 0:
		return "0 (legacy)"
	case 1:
		return "1 (access list, EIP-2930)"
	case 2:
		return "2 (dynamic fee, EIP-1559)"
	case 3:
		return "3 (blob, EIP-4844)"
	case 4:
		return "4 (set code, EIP-7702)"
	}
	return fmt.Sprintf("%d (unknown)", t)
}

func amount(v *api.Amount) string {
	if v == nil {
		return "—"
	}
	return common.FormatCRN((*big.Int)(v), 18)
}

func gwei(v *api.Amount) string {
	if v == nil {
		return "—"
	}
	return common.FormatGwei((*big.Int)(v))
}
