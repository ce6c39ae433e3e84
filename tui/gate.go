package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"cairn/tui/common"
	"cairn/tui/onboarding"
	"cairn/wallet"
)

// openGate returns what stands before the node starts: onboarding when
// there is no wallet yet, else the unlock prompt for the one there is.
func (m *Model) openGate() (common.Screen, error) {
	if _, err := os.Stat(m.opts.WalletPath); errors.Is(err, fs.ErrNotExist) {
		return onboarding.New(m.c, m.opts.WalletPath, m.opts.WalletOptions...), nil
	}
	w, err := wallet.Open(m.opts.WalletPath, m.opts.WalletOptions...)
	if err != nil {
		return nil, fmt.Errorf("open wallet: %w", err)
	}
	return onboarding.NewUnlock(m.c, w), nil
}

// newUnlock is the prompt of a wallet locked over the running console
// (idle or ctrl+l): it takes no password until enter, so keystrokes meant
// for a form as the lock came on are never a password attempt.
func newUnlock(c *common.Common, w *wallet.Wallet) common.Screen {
	return onboarding.NewRelock(c, w)
}
