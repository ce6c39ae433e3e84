//go:build cairntest

package main

import (
	"os"
	"strconv"

	"cairn/wallet"
)

// walletOptions lowers the key-derivation cost for end-to-end tests: the
// test harness builds the binary with -tags cairntest and sets
// CAIRN_TEST_KDF_ITERATIONS. Release builds never contain this file.
func walletOptions() []wallet.Option {
	n, err := strconv.Atoi(os.Getenv("CAIRN_TEST_KDF_ITERATIONS"))
	if err != nil || n <= 0 {
		return nil
	}
	return []wallet.Option{wallet.WithKDFIterations(n), wallet.WithKeystoreScrypt(1<<10, 1)}
}
