//go:build !unix

package main

import "os/exec"

// detach does nothing where there are no process groups; the campaign
// still kills every child it started when it ends.
func detach(cmd *exec.Cmd) {}
