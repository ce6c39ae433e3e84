package form

import (
	"errors"
	"fmt"
	"strings"

	"cairn/tui/keymap"
	"cairn/tui/styles"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Reauth asks for the wallet password again before an action that gives a
// secret away (a keystore export, the recovery words) or is not lightly
// undone (a large send, an unjail). The password is checked against the
// wallet file (Wallet.VerifyPassword): a wrong one says so and nothing
// happens; the right one lets the action go on. The field shows dots, and
// the password is dropped once checked: it is never shown or logged.
type Reauth struct {
	// What the password is for, as the end of "Type the wallet password
	// to …": "export Account 1's key".
	What  string
	input textinput.Model
	busy  bool
	err   string
	tries int
	width int
}

// ReauthMsg ends a password check: the prompt it belongs to (so each
// screen takes only its own) and the wallet's verdict.
type ReauthMsg struct {
	For *Reauth
	Err error
}

// Verdict is where a Reauth stands after a message.
type Verdict int

const (
	ReauthPending Verdict = iota // still asking, or checking
	ReauthOK                     // the right password: go on with the action
	ReauthCancel                 // the user gave up: nothing happens
)

// NewReauth returns the prompt, its field in focus, fitted to width.
func NewReauth(s *styles.Styles, what string, width int) (*Reauth, tea.Cmd) {
	r := &Reauth{What: what, input: newSecret(s, "Wallet password ")}
	r.Resize(width)
	return r, r.input.Focus()
}

// newSecret is a password field drawn with the console's styles (as
// common.NewInput draws it; form does not import common).
func newSecret(s *styles.Styles, prompt string) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	st := textinput.DefaultStyles(s.IsDark)
	st.Focused.Prompt, st.Blurred.Prompt = s.Accent, s.Label
	st.Focused.Text, st.Blurred.Text = s.Value, s.Value
	st.Cursor.Color = s.Colors.Accent
	st.Cursor.Blink = false
	ti.SetStyles(st)
	ti.CharLimit = 1024
	ti.EchoMode = textinput.EchoPassword
	ti.EchoCharacter = '•'
	return ti
}

// Resize fits the field in width.
func (r *Reauth) Resize(width int) {
	r.width = width
	r.input.SetWidth(max(min(width-2-lipgloss.Width(r.input.Prompt)-1, 40), 8))
}

// Take returns what the field holds and empties it, for a caller that
// checks the password itself (with the action, in one command).
func (r *Reauth) Take() string {
	pw := r.input.Value()
	r.input.Reset()
	r.err = ""
	return pw
}

// Busy reports whether the password is being checked (keys wait).
func (r *Reauth) Busy() bool { return r.busy }

// Update handles a key, a paste or the check's answer: enter checks the
// password with w, esc gives up.
func (r *Reauth) Update(msg tea.Msg, w *wallet.Wallet, k *keymap.KeyMap) (Verdict, tea.Cmd) {
	switch msg := msg.(type) {
	case ReauthMsg:
		if msg.For != r || !r.busy {
			return ReauthPending, nil
		}
		r.busy = false
		switch {
		case msg.Err == nil:
			r.err = ""
			return ReauthOK, nil
		case errors.Is(msg.Err, wallet.ErrWrongPassword):
			r.tries++
			r.err = "Wrong password: nothing was done. Try again, or esc to cancel."
			if r.tries > 1 {
				r.err = fmt.Sprintf("Wrong password (%d tries): nothing was done. Try again, or esc to cancel.", r.tries)
			}
		default:
			r.err = "The password could not be checked: " + msg.Err.Error()
		}
		return ReauthPending, r.input.Focus()
	case tea.KeyPressMsg:
		if r.busy {
			return ReauthPending, nil
		}
		switch {
		case key.Matches(msg, k.Cancel):
			r.input.Reset()
			return ReauthCancel, nil
		case key.Matches(msg, k.Submit):
			return ReauthPending, r.check(w)
		}
		var cmd tea.Cmd
		r.input, cmd = r.input.Update(msg)
		return ReauthPending, cmd
	case tea.PasteMsg:
		if r.busy {
			return ReauthPending, nil
		}
		var cmd tea.Cmd
		r.input, cmd = r.input.Update(msg)
		return ReauthPending, cmd
	}
	return ReauthPending, nil
}

// check starts the password check (it stretches the password, about a
// second, so it runs as a command); the field is emptied at once.
func (r *Reauth) check(w *wallet.Wallet) tea.Cmd {
	pw := r.input.Value()
	if pw == "" {
		r.err = "Type the wallet password, or esc to cancel."
		return nil
	}
	r.input.Reset()
	if w == nil {
		r.err = "No wallet is open."
		return nil
	}
	r.busy, r.err = true, ""
	return func() tea.Msg { return ReauthMsg{For: r, Err: w.VerifyPassword(pw)} }
}

// View is the prompt: what the password is for, the field, and the
// outcome of the last try, wrapped at width (0: the width it was made for).
func (r *Reauth) View(s *styles.Styles, width int) string {
	if width <= 0 {
		width = r.width
	}
	lines := []string{
		s.Warning.Render(wrapText("Type the wallet password to "+r.What+".", width)),
		"",
	}
	if r.busy {
		lines = append(lines, "  "+s.Subtle.Render("Checking the password…"))
	} else {
		lines = append(lines, "  "+r.input.View())
	}
	if r.err != "" {
		lines = append(lines, "", s.Error.Render(wrapText("✗ "+r.err, width)))
	}
	return strings.Join(lines, "\n")
}

// wrapText breaks s into lines of at most width cells, at spaces.
func wrapText(s string, width int) string {
	return ansi.Wordwrap(s, max(width, 10), "")
}
