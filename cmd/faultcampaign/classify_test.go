package main

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	words := []string{"sign_state", "sign state"}
	refusal := []string{
		`time=2026-01-01T00:00:00Z level=INFO msg="wrote genesis"`,
		`cairn: sign state does not cover what this validator signed: /h/data/sign_state.json is missing`,
	}
	cases := []struct {
		name string
		o    observation
		want Outcome
		why  string
	}{
		{"refused naming the damage", observation{Exited: true, ExitCode: 1, Stderr: refusal}, Refused, "exit status 1"},
		{"refused naming a generic damage word", observation{Exited: true, ExitCode: 1, Stderr: []string{"cairn: store damaged: page 3"}}, Refused, ""},
		{"refused without naming it", observation{Exited: true, ExitCode: 1, Stderr: []string{"cairn: listen tcp: address already in use"}}, Fail, "does not name"},
		{"panic", observation{Exited: true, ExitCode: 2, Stderr: []string{"panic: invalid page type: 5: 0", "", "goroutine 1 [running]:"}}, Fail, "crashed: panic:"},
		{"fault", observation{Exited: true, ExitCode: 2, Stderr: []string{"unexpected fault address 0x7f00", "fatal error: fault", "[signal SIGBUS: bus error code=0x2 addr=0x7f00 pc=0x4]"}}, Fail, "unexpected fault"},
		{"exit 2 without a trace", observation{Exited: true, ExitCode: 2, Stderr: []string{"cairn: sign state damaged"}}, Fail, "exit status 2"},
		{"signal", observation{Exited: true, ExitCode: -1, Signal: "bus error"}, Fail, "killed by bus error"},
		{"a refusal mentioning a panic mid-line is a refusal", observation{Exited: true, ExitCode: 1, Stderr: []string{"cairn: store damaged (bbolt would panic: page 3)"}}, Refused, ""},
		{"hang", observation{Hung: true}, Fail, "hung"},
		{"served ok", observation{Served: true}, ServedOK, ""},
		{"served ok with a warning", observation{Served: true, Stderr: []string{`level=WARN msg="consensus WAL: dropped a torn last record"`}}, ServedOK, ""},
		{"served a changed block", observation{Served: true, Problems: []string{"block 5 hash 0x1 is now 0x2", "x"}}, Fail, "served wrong: block 5 hash 0x1 is now 0x2 (and 1 more)"},
		{"height backwards", observation{Served: true, Problems: []string{"finalized height went back from 28 to 14"}}, Fail, "went back"},
		{"changed block wins over a later refusal", observation{Served: true, Exited: true, ExitCode: 1, Problems: []string{"block 5 changed"}, Stderr: refusal}, Fail, "served wrong"},
		{"refused after serving", observation{Served: true, Exited: true, ExitCode: 1, Stderr: refusal}, Refused, "after serving"},
		{"exit 0 by itself", observation{Exited: true, ExitCode: 0}, Fail, "exited 0"},
		{"detected on read", observation{Served: true, Errors: []string{"block 17: internal: store damaged: block 17: transactions do not match"}}, Detected, "1 reads"},
		{"read error without naming damage", observation{Served: true, Errors: []string{"block 17: internal: i/o timeout"}}, Fail, "without naming"},
	}
	for _, c := range cases {
		got, why := classify(c.o, words)
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s: %s %q, want %s containing %q", c.name, got, why, c.want, c.why)
		}
	}
}

func TestErrorLine(t *testing.T) {
	cases := []struct {
		lines []string
		want  string
	}{
		{[]string{`time=x level=INFO msg=a`, `cairn: config /h/config.toml: toml: line 2`, `more`}, `cairn: config /h/config.toml: toml: line 2`},
		{[]string{`time=x level=INFO msg=a`, `time=y level=ERROR msg="consensus stopped" err=boom`}, `level=ERROR msg="consensus stopped" err=boom`},
		{[]string{`time=x level=WARN msg=w`, `panic: runtime error: index out of range`}, `panic: runtime error: index out of range`},
		{[]string{`a`, `b`}, `b`},
		{nil, ``},
	}
	for _, c := range cases {
		if got := errorLine(c.lines); got != c.want {
			t.Errorf("errorLine(%q) = %q, want %q", c.lines, got, c.want)
		}
	}
	if got := warnLine([]string{`time=x level=INFO msg=a`, `time=x level=WARN msg=w`}); got != `level=WARN msg=w` {
		t.Errorf("warnLine = %q", got)
	}
	if got := clip("abcdef", 4); got != "abc…" {
		t.Errorf("clip = %q", got)
	}
}
