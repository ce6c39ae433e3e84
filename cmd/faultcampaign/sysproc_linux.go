package main

import (
	"os/exec"
	"syscall"
)

// detach puts a child in its own process group, so the terminal's Ctrl-C
// reaches only the campaign (which then kills its children), and has the
// kernel kill the child if the campaign itself dies.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
