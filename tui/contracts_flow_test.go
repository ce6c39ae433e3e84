package tui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/wallet"
	"cairn/wallet/contracts"

	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestContractsFlowWithRealNode deploys, calls and sends to a contract
// from the console on a real devnet node: deploy Token from a Foundry
// artifact through the generated constructor form and the confirm step,
// find it in the address book, read balanceOf, send a transfer and see its
// Transfer event in the page's live table, and have a transfer of more
// than the balance refused with its custom error decoded.
func TestContractsFlowWithRealNode(t *testing.T) {
	home := t.TempDir()
	rn := startRealNode(t, home)
	screen, tm, keys, typeText := openConsole(t, home, rn)
	onboard(t, screen, tm, keys, typeText, wallet.DevMnemonic)
	sub := <-rn.subReady
	defer sub.Close()
	me := chain.DevnetAccounts[0]
	artifact, err := filepath.Abs("../wallet/contracts/testdata/out/Token.sol/Token.json")
	if err != nil {
		t.Fatal(err)
	}

	keys("8")
	screen.must(t, "Contracts", "Staking", "built in")
	keys("n")
	screen.must(t, "Deploy a contract", "Artifact")
	typeText(artifact)
	keys("enter")
	screen.must(t, "Deploy", "Token", "supply uint256")
	typeText("1000e18")
	keys("enter")
	screen.must(t, "Confirm the transaction", "new contract at", "deploy Token(1000e18)")
	keys("y")
	screen.must(t, "✓ Sent", "Contract")
	screen.await(t, "the deployed Token in the address book", func(string) bool {
		b, err := contracts.OpenBook(home)
		if err != nil {
			return false
		}
		_, ok := b.Lookup("Token")
		return ok
	})
	keys("esc")
	screen.must(t, "Token", "deployed in tx")

	// Its page: read balanceOf(me).
	keys("down", "enter")
	screen.must(t, "Functions", "balanceOf(address) returns (uint256)", "Events")
	keys("enter")
	screen.must(t, "#1 address")
	typeText(me.Hex())
	keys("enter")
	screen.must(t, "= 1000000000000000000000")

	// Send transfer(address,uint256): 5e18 to another account.
	to := chain.DevnetAccounts[1]
	want := "› write  transfer(address to, uint256 amount) returns"
	for i := 0; i < 20 && !strings.Contains(screen.frame(), want); i++ {
		before := cursorLine(screen.frame())
		keys("down")
		screen.await(t, "the cursor moving", func(f string) bool { return cursorLine(f) != before })
	}
	screen.must(t, want)
	keys("enter")
	screen.must(t, "to address", "amount uint256", "tip gwei")
	typeText(to.Hex())
	keys("tab")
	typeText("5e18")
	keys("enter")
	screen.must(t, "Confirm the transaction", "transfer(")
	keys("y")
	screen.must(t, "✓ Sent")
	keys("esc")
	screen.must(t, "Transfer(from: 0xf39F…2266, to: 0x7099…79C8, value: 5000000000000000000)")

	// More than the balance: the custom error, decoded, and nothing sent.
	keys("enter")
	screen.must(t, "to address")
	typeText(to.Hex())
	keys("tab")
	typeText("1e30")
	keys("enter")
	screen.must(t, "The transaction would fail: TooLow(")
	keys("esc", "ctrl+c")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// cursorLine is the frame's line with the cursor (›), or "".
func cursorLine(frame string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "›") {
			return l
		}
	}
	return ""
}
