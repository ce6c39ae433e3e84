package txview

import (
	"math/big"
	"strings"
	"testing"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/styles"
	"cairn/tui/tuitest"

	"github.com/charmbracelet/x/ansi"
	"github.com/ethereum/go-ethereum/common"
)

// deployTx is an included contract creation whose receipt has two logs.
func deployTx() *api.Tx {
	h, idx := uint64(42), 3
	bh := common.HexToHash("0xb10c")
	created := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	return &api.Tx{
		Hash: common.HexToHash("0x9fc76417374aa880d4449a1f7f31ec597f00b1f6f3dd2d66f4c9c6c445836d8b"), Status: api.TxIncluded,
		BlockHeight: &h, BlockHash: &bh, Index: &idx, From: chain.DevnetAccounts[0], Nonce: 7,
		Value: api.NewAmount(big.NewInt(0)), Gas: 500_000, GasPrice: api.NewAmount(big.NewInt(2_500_000_000)),
		MaxFeePerGas: api.NewAmount(big.NewInt(30e9)), MaxPriorityFeePerGas: api.NewAmount(big.NewInt(1e9)), Type: 2,
		Input: common.FromHex("0x6080604052348015600e575f5ffd5b50603e80601a5f395ff3fe60806040525f5ffdfea2646970667358221220"),
		Receipt: &api.Receipt{Status: 1, GasUsed: 123_456, CumulativeGasUsed: 165_456,
			EffectiveGasPrice: api.NewAmount(big.NewInt(2_500_000_000)), ContractAddress: &created,
			Logs: []api.Log{
				{Address: created, Topics: []common.Hash{common.HexToHash("0x8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e0"),
					{}, common.BytesToHash(chain.DevnetAccounts[0][:])}, Data: nil, LogIndex: 0},
				{Address: created, Topics: []common.Hash{common.HexToHash("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")},
					Data: common.FromHex("0x" + strings.Repeat("00", 31) + "64" + strings.Repeat("ab", 40)), LogIndex: 1},
			}},
	}
}

func TestTxLinesGolden(t *testing.T) {
	s := styles.DefaultStyles(true)
	own := map[common.Address]bool{chain.DevnetAccounts[0]: true}
	tuitest.EachSize(t, func(t *testing.T, w, _ int) {
		lines := Lines(s, deployTx(), w, own)
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Fatalf("line wider than %d: %q", w, ansi.Strip(l))
			}
		}
		tuitest.Golden(t, strings.Join(lines, "\n"))
	})
}

func TestTxLinesContent(t *testing.T) {
	s := styles.DefaultStyles(false)
	v := tuitest.Plain(strings.Join(Lines(s, deployTx(), 120, map[common.Address]bool{chain.DevnetAccounts[0]: true}), "\n"))
	for _, want := range []string{
		"included in block 42, position 3", chain.DevnetAccounts[0].Hex() + " (yours)", "contract creation",
		"0.00030864 CRN", // 123,456 gas × 2.5 gwei
		"Contract      0x5FbDB2315678afecb367f032d93F642f64180aa3", "Logs          2", "topic 2",
		"(empty)", "success", "2.5 gwei", "2 (dynamic fee, EIP-1559)",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("lines lack %q:\n%s", want, v)
		}
	}
	failed := deployTx()
	failed.Receipt.Status = 0
	if v := tuitest.Plain(strings.Join(Lines(s, failed, 100, nil), "\n")); !strings.Contains(v, "failed") || strings.Contains(v, "(yours)") {
		t.Errorf("a failed receipt, no wallet:\n%s", v)
	}
	if v := Lines(s, nil, 80, nil); len(v) != 1 {
		t.Errorf("nil tx: %q", v)
	}
}

func TestHelpers(t *testing.T) {
	if got := Num(1234567); got != "1,234,567" {
		t.Errorf("Num = %q", got)
	}
	if got := Wrap("abcdefg", 3); strings.Join(got, "|") != "abc|def|g" {
		t.Errorf("Wrap = %q", got)
	}
	if got := Abbrev("0x0123456789abcdef", 11); got != "0x0123…cdef" {
		t.Errorf("Abbrev = %q", got)
	}
	if got := Abbrev("0x0123", 11); got != "0x0123" {
		t.Errorf("Abbrev short = %q", got)
	}
	if got := Pad("12", 4, true) + "|" + Pad("abcdef", 4, false); got != "  12|abc…" {
		t.Errorf("Pad = %q", got)
	}
	if got := Amount(big.NewInt(1), 4) + "|" + Amount(big.NewInt(0), 4) + "|" + Amount(big.NewInt(15e17), 4); got != "<0.0001|0|1.5" {
		t.Errorf("Amount = %q", got)
	}
	if got := wrapWords("0xabcdef (yours)", 8); strings.Join(got, "|") != "0xabcdef|(yours)" {
		t.Errorf("wrapWords moves a word whole = %q", got)
	}
	if got := wrapWords("45 bytes: 0x0123456789abcdef", 12); strings.Join(got, "|") != "45 bytes: 0x|0123456789ab|cdef" {
		t.Errorf("wrapWords runs a hash on = %q", got)
	}
	if got := Owned(nil); len(got) != 0 {
		t.Errorf("Owned(nil) = %v", got)
	}
}
