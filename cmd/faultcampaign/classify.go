package main

import (
	"fmt"
	"strings"
)

// Outcome is how a node met a damaged home.
type Outcome string

const (
	// Refused: the node exited non-zero in time with an error that names
	// the damage.
	Refused Outcome = "REFUSED"
	// ServedOK: the node started and served every recorded block and
	// transaction unchanged, at a height no lower than before.
	ServedOK Outcome = "SERVED-OK"
	// Detected: the node kept running and served everything unchanged,
	// except reads of the damaged records, which it answered with an error
	// that names the damage: nothing changed was served as valid.
	Detected Outcome = "DETECTED"
	// Fail: anything else — a silent reset, a changed block or transaction
	// served as valid, a crash (panic, fault, exit status 2), a refusal
	// that does not say what is wrong, or a hang.
	Fail Outcome = "FAIL"
)

// damageWords are the words of an error that says the node found damage,
// whatever file it is in.
var damageWords = []string{"damaged", "corrupt", "behind", "sign state", "checksum", "truncated", "rolled back"}

// observation is what a node did when started on a damaged home.
type observation struct {
	Served   bool     // /v1/status answered
	Exited   bool     // the process ended within the observation window
	ExitCode int      // its exit status (-1 when a signal ended it)
	Signal   string   // the signal that ended it, if one did
	Hung     bool     // it neither served nor exited in time
	Problems []string // what it served wrong: changed blocks, height backwards, …
	Errors   []string // reads of recorded blocks or transactions it answered with an error
	Stderr   []string // its stderr lines
}

// classify decides the outcome of an observation. A crash, anything
// served wrong or a hang is a failure whatever else happened; an exit is a
// refusal only if its error names the damage; a node that kept running
// served everything unchanged, or (Detected) refused to serve the damaged
// records with an error that names the damage. words name the damaged
// thing (a file name, "sign state", …); an error must contain one of
// them or one of damageWords for an exit to count as a refusal (and a
// failed read as a detection). It returns the outcome and why.
func classify(o observation, words []string) (Outcome, string) {
	if l := crashLine(o.Stderr); l != "" {
		return Fail, "crashed: " + l
	}
	if o.Signal != "" {
		return Fail, "killed by " + o.Signal
	}
	if o.Exited && o.ExitCode == 2 {
		return Fail, "exit status 2 (a Go panic or runtime fault)"
	}
	if len(o.Problems) > 0 {
		why := o.Problems[0]
		if len(o.Problems) > 1 {
			why += fmt.Sprintf(" (and %d more)", len(o.Problems)-1)
		}
		return Fail, "served wrong: " + why
	}
	if o.Hung {
		return Fail, "hung: neither served nor exited in time"
	}
	if o.Exited {
		if o.ExitCode == 0 {
			return Fail, "exited 0 by itself"
		}
		line := errorLine(o.Stderr)
		if !namesDamage(line, words) && !namesDamage(strings.Join(o.Stderr, "\n"), words) {
			return Fail, fmt.Sprintf("exit status %d, but the error does not name the damage", o.ExitCode)
		}
		if o.Served {
			return Refused, fmt.Sprintf("exit status %d after serving", o.ExitCode)
		}
		return Refused, fmt.Sprintf("exit status %d", o.ExitCode)
	}
	if !o.Served {
		return Fail, "neither served nor exited"
	}
	if len(o.Errors) > 0 {
		for _, e := range o.Errors {
			if !namesDamage(e, words) {
				return Fail, "a read failed without naming the damage: " + e
			}
		}
		return Detected, fmt.Sprintf("%d reads refused as damaged", len(o.Errors))
	}
	return ServedOK, ""
}

// namesDamage reports whether s mentions the damaged thing or damage.
func namesDamage(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range append(words, damageWords...) {
		if w != "" && strings.Contains(s, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// crashLine is the line of stderr that shows the Go runtime gave up: a
// panic or a fatal error (a fault on a mapped file is one), or "".
func crashLine(lines []string) string {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		for _, p := range []string{"panic:", "fatal error:", "unexpected fault address", "[signal SIG"} {
			if strings.HasPrefix(t, p) {
				return t
			}
		}
	}
	return ""
}

// errorLine is the first line of a node's stderr that is its error: the
// CLI's "cairn: …" line, a crash, or a log line at ERROR; failing those
// the first WARN, failing that the last line.
func errorLine(lines []string) string {
	if l := crashLine(lines); l != "" {
		return l
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "cairn: ") || strings.HasPrefix(l, "Error: ") {
			return l
		}
	}
	for _, lvl := range []string{"level=ERROR", "level=WARN"} {
		for _, l := range lines {
			if strings.Contains(l, lvl) {
				return logMessage(l)
			}
		}
	}
	if len(lines) > 0 {
		return lines[len(lines)-1]
	}
	return ""
}

// logMessage shortens a slog text line to its level, message and fields,
// dropping the timestamp.
func logMessage(l string) string {
	if strings.HasPrefix(l, "time=") {
		if i := strings.IndexByte(l, ' '); i > 0 {
			return l[i+1:]
		}
	}
	return l
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
