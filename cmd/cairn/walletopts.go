//go:build !cairntest

package main

import "cairn/wallet"

// walletOptions are the options every command opens or creates a wallet
// with. A release build uses the wallet's defaults (600,000 PBKDF2
// iterations, standard scrypt); only a binary built with the cairntest tag
// for end-to-end tests can lower them.
func walletOptions() []wallet.Option { return nil }
