package txsign

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"cairn/tui/fakenode"
	"cairn/tui/styles"
	"cairn/wallet"

	"github.com/charmbracelet/x/ansi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

var dev0 = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")

func prepared(t *testing.T, node *fakenode.Node, d *Draft) *Draft {
	t.Helper()
	p, err := Prepare(context.Background(), node, d)
	if err != nil {
		t.Fatal(err)
	}
	d.Fill(p)
	return d
}

// TestPrepareEstimatesOnlyCalls: a plain transfer is 21,000 gas without a
// call; a call or a deploy is estimated (the fake's calls use 21,000, so
// the estimate with its margin is 26,250).
func TestPrepareEstimatesOnlyCalls(t *testing.T) {
	node := fakenode.New()
	to := common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	from := wallet.Account{Address: dev0, Label: "Account 1"}
	tip := big.NewInt(1e9)
	cases := []struct {
		name string
		d    Draft
		gas  uint64
	}{
		{"transfer", Draft{From: from, To: &to, Value: big.NewInt(1), Tip: tip}, 21_000},
		{"call", Draft{From: from, To: &to, Value: new(big.Int), Tip: tip, Data: []byte{1, 2, 3, 4}}, 26_250},
		{"deploy", Draft{From: from, Value: new(big.Int), Tip: tip, Data: []byte{0x60, 0}}, 26_250},
	}
	for _, c := range cases {
		d := prepared(t, node, &c.d)
		if d.Gas != c.gas {
			t.Errorf("%s: gas %d, want %d", c.name, d.Gas, c.gas)
		}
	}
}

func TestADeployShowsTheAddressItCreates(t *testing.T) {
	node := fakenode.New()
	d := prepared(t, node, &Draft{From: wallet.Account{Address: dev0}, Value: new(big.Int), Tip: big.NewInt(1), Data: []byte{0x60, 0}})
	want := crypto.CreateAddress(dev0, d.Nonce)
	if got := d.Created(); got == nil || *got != want {
		t.Fatalf("created %v, want %s", got, want.Hex())
	}
	view := ansi.Strip(ConfirmView(styles.DefaultStyles(true), d, "", ""))
	if !strings.Contains(view, "new contract at "+want.Hex()) || !strings.Contains(view, "0x6000… (2 bytes)") {
		t.Fatalf("confirm view:\n%s", view)
	}
	if tx := d.Tx(); tx.To() != nil {
		t.Fatal("a deploy's transaction has a recipient")
	}
}

func TestARevertIsNotPrepared(t *testing.T) {
	node := fakenode.New()
	node.CallRevert = "execution reverted: nope"
	to := common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	_, err := Prepare(context.Background(), node, &Draft{From: wallet.Account{Address: dev0}, To: &to, Value: new(big.Int), Tip: big.NewInt(1), Data: []byte{1}})
	if msg := NodeError(err); !strings.Contains(msg, "would fail (execution reverted: nope): nothing was sent") {
		t.Fatalf("error %v reads %q", err, msg)
	}
}
