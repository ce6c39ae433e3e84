package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// maxSecretFile bounds how much of a password, passphrase, key or mnemonic
// file is read.
const maxSecretFile = 64 << 10

// secretSource gets one kind of secret (the wallet password, a keystore
// password…) from a file named by a flag, or else from a no-echo prompt on
// the terminal. The prompt is written to stderr so stdout stays clean for
// scripts.
type secretSource struct {
	what string // "wallet password", for prompts and errors
	flag string // the flag that names a file instead, for errors
	file string // that flag's value; "" means prompt
}

// existing reads a secret the user already has: the file's first line, or
// one prompt.
func (s secretSource) existing() (string, error) {
	if s.file != "" {
		return readFirstLine(s.file, s.what)
	}
	return s.prompt(upperFirst(s.what) + ": ")
}

// fresh reads a secret being chosen now: the file's first line, or two
// prompts that must agree. It is never empty.
func (s secretSource) fresh() (string, error) {
	if s.file != "" {
		return readFirstLine(s.file, s.what)
	}
	first, err := s.prompt("New " + s.what + ": ")
	if err != nil {
		return "", err
	}
	second, err := s.prompt("Repeat the " + s.what + ": ")
	if err != nil {
		return "", err
	}
	if first != second {
		return "", fmt.Errorf("the two %ss differ: run the command again", s.what)
	}
	return first, nil
}

// readFirstLine returns the first line of the file at path with its line
// ending removed. An empty line is refused; the content is never quoted in
// errors.
func readFirstLine(path, what string) (string, error) {
	data, err := readSmallFile(path, what)
	if err != nil {
		return "", err
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	clear(data[len(line):])
	if len(line) == 0 {
		return "", fmt.Errorf("the %s file %s starts with an empty line: put the %s on its first line", what, path, what)
	}
	s := string(line)
	clear(line)
	return s, nil
}

// readSmallFile reads a file of at most maxSecretFile bytes that holds a
// secret; "-" reads standard input.
func readSmallFile(path, what string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			fmt.Fprintf(os.Stderr, "Type the %s, then press Ctrl-D:\n", what)
		}
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the %s file: %w", what, err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(bufio.NewReader(r), maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the %s from %s: %w", what, path, err)
	}
	if len(data) > maxSecretFile {
		clear(data)
		return nil, fmt.Errorf("the %s file %s is larger than %d bytes: is it the right file?", what, path, maxSecretFile)
	}
	return data, nil
}

// errNoTerminal is wrapped by the prompt's error when standard input is not
// a terminal.
var errNoTerminal = errors.New("standard input is not a terminal")

// prompt asks for a secret on the terminal without echoing it. When
// standard input is not a terminal it fails at once instead of waiting for
// input that will not come. An interrupt while typing puts the terminal back
// the way it was (echo on) before the process exits.
func (s secretSource) prompt(prompt string) (string, error) {
	what := s.what
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", fmt.Errorf("cannot ask for the %s: %w; pass it with %s FILE", what, errNoTerminal, s.flag)
	}
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("cannot ask for the %s: %w", what, err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			_ = term.Restore(fd, state)
			fmt.Fprintln(os.Stderr)
			os.Exit(130)
		case <-done:
		}
	}()
	fmt.Fprint(os.Stderr, prompt)
	b, err := term.ReadPassword(fd)
	close(done)
	signal.Stop(sigs)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("read the %s: %w", what, err)
	}
	if len(b) == 0 {
		return "", fmt.Errorf("the %s must not be empty: run the command again", what)
	}
	secret := string(b)
	clear(b)
	return secret, nil
}

// upperFirst capitalises an ASCII first letter, for prompts.
func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
