package common

import (
	"cairn/node/api"

	ethcommon "github.com/ethereum/go-ethereum/common"
)

// ShowKind is what a ShowMsg opens.
type ShowKind int

// What the jump prompt opens, and where.
const (
	ShowBlock     ShowKind = iota // Block, on the Blocks screen
	ShowTx                        // Tx, on the Blocks screen
	ShowAccount                   // Account (any address), on the Blocks screen
	ShowContract                  // the address book's contract at Address, on the Contracts screen
	ShowValidator                 // the validator whose operator is Address, on the Staking screen
)

// ShowMsg asks a screen to open what the jump prompt (`:`) found: the root
// brings the screen that shows it to the front and sends it there only.
type ShowMsg struct {
	Kind    ShowKind
	Block   *api.Block
	Tx      *api.Tx
	Account *api.Account
	Address ethcommon.Address
	// Label is the wallet's label for Account when it is the wallet's.
	Label string
}
