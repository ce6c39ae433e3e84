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
	return newUnlock(m.c, w), nil
}

func newUnlock(c *common.Common, w *wallet.Wallet) common.Screen {
	return onboarding.NewUnlock(c, w)
}
