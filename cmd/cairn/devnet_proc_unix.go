//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts a devnet node in its own process group, so the
// terminal's Ctrl-C reaches only `cairn devnet`, which then stops the
// nodes itself, in order and with a bound.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
