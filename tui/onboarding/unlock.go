package onboarding

import (
	"errors"
	"fmt"
	"strings"

	"cairn/tui/common"
	"cairn/wallet"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Unlock is the password prompt of an existing wallet, at start and after
// an idle lock. Wrong passwords only ever give an error and another try.
type Unlock struct {
	c             *common.Common
	w             *wallet.Wallet
	input         textinput.Model
	width, height int
	busy          bool
	spin          common.Spinner // turns while busy
	failures      int
	err           string
	done          bool
	// asleep: the prompt of a wallet that locked itself (or was locked)
	// over a running console takes no password until enter wakes it, so
	// keys typed for a form as the lock came on are not an attempt.
	asleep    bool
	swallowed int // keys ignored while asleep
}

// NewUnlock returns the unlock prompt for w.
func NewUnlock(c *common.Common, w *wallet.Wallet) common.Screen {
	u := &Unlock{c: c, w: w, input: common.NewInput(c.Styles, "Password ", true)}
	u.input.CharLimit = 1024
	u.input.Focus()
	return u
}

// NewRelock returns the unlock prompt of a wallet locked over a running
// console (idle, or ctrl+l). Its field takes nothing until enter: the
// user may have been typing into a form when the lock came on, and those
// keys are dropped (the prompt says how many), never tried as a password.
func NewRelock(c *common.Common, w *wallet.Wallet) common.Screen {
	u := NewUnlock(c, w).(*Unlock)
	u.asleep = true
	u.input.Blur()
	return u
}

// Title implements common.Screen.
func (u *Unlock) Title() string { return "Unlock" }

// Init implements common.Screen.
func (u *Unlock) Init() tea.Cmd { return nil }

// SetSize implements common.Screen.
func (u *Unlock) SetSize(w, h int) {
	u.width, u.height = w, h
	u.input.SetWidth(max(min(w-2-lipgloss.Width(u.input.Prompt)-1, 60), 8))
}

// Capturing implements common.Screen: the password field takes every key.
func (u *Unlock) Capturing() bool { return !u.busy && !u.done }

var (
	keyUnlock = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "unlock"))
	keyWake   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "type the password"))
)

// ShortHelp implements common.Screen.
func (u *Unlock) ShortHelp() []key.Binding {
	if u.asleep {
		return []key.Binding{keyWake, keyQuit}
	}
	return []key.Binding{keyUnlock, keyQuit}
}

// FullHelp implements common.Screen.
func (u *Unlock) FullHelp() [][]key.Binding { return [][]key.Binding{u.ShortHelp()} }

// unlockedMsg ends an unlock attempt.
type unlockedMsg struct{ err error }

// Update implements common.Screen. The spinner turns exactly while the
// password is being checked.
func (u *Unlock) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	s, cmd := u.update(msg)
	switch {
	case u.busy && !u.spin.On():
		cmd = tea.Batch(cmd, u.spin.Start())
	case !u.busy:
		u.spin.Stop()
	}
	return s, cmd
}

func (u *Unlock) update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		return u, u.spin.Update(msg)
	case unlockedMsg:
		return u, u.onUnlocked(msg)
	case tea.KeyPressMsg:
		if u.busy || u.done {
			return u, nil
		}
		if u.asleep {
			if key.Matches(msg, keyWake) {
				u.asleep = false
				return u, u.input.Focus()
			}
			u.swallowed++
			return u, nil
		}
		if key.Matches(msg, keyUnlock) {
			return u, u.submit()
		}
		var cmd tea.Cmd
		u.input, cmd = u.input.Update(msg)
		return u, cmd
	case tea.PasteMsg:
		if u.busy || u.done || u.asleep {
			return u, nil
		}
		var cmd tea.Cmd
		u.input, cmd = u.input.Update(msg)
		return u, cmd
	}
	return u, nil
}

func (u *Unlock) submit() tea.Cmd {
	pw := u.input.Value()
	if pw == "" {
		u.err = "Type your wallet password."
		return nil
	}
	u.input.Reset()
	u.busy, u.err = true, ""
	w := u.w
	// Unlocking stretches the password (about a second), so it runs as a
	// command.
	return func() tea.Msg { return unlockedMsg{w.Unlock(pw)} }
}

func (u *Unlock) onUnlocked(msg unlockedMsg) tea.Cmd {
	if !u.busy {
		return nil
	}
	u.busy = false
	switch {
	case msg.err == nil:
		u.done = true
		w := u.w
		return func() tea.Msg { return common.WalletReadyMsg{Wallet: w} }
	case errors.Is(msg.err, wallet.ErrWrongPassword):
		u.failures++
		u.err = "Wrong password. Try again."
		if u.failures > 1 {
			u.err = fmt.Sprintf("Wrong password (%d tries). Try again; the recovery phrase can restore the wallet if the password is lost.", u.failures)
		}
	case errors.Is(msg.err, wallet.ErrCorrupt):
		u.err = "The wallet file is damaged and cannot be opened: " + msg.err.Error() +
			". Restore it from a backup, or move it aside and import your recovery phrase again (`cairn wallet import`)."
	default:
		u.err = "Could not unlock: " + msg.err.Error()
	}
	return nil
}

// View implements common.Screen.
func (u *Unlock) View() string {
	s := u.c.Styles
	w, h := u.width, u.height
	if w <= 0 {
		w, h = max(u.c.Width, 40), max(u.c.Height, 10)
	}
	var b strings.Builder
	b.WriteString(s.Title.Render("Unlock your wallet") + "\n\n")
	accs := u.w.Accounts()
	def := u.w.Default()
	noun := "accounts"
	if len(accs) == 1 {
		noun = "account"
	}
	who := s.Label.Render(fmt.Sprintf("%d %s · default ", len(accs), noun)) + s.Value.Render(def.Label)
	sep := " " // the address on the same line, or on its own where it would be cut
	if lipgloss.Width(who)+1+len(def.Address.Hex()) > w {
		sep = "\n"
	}
	b.WriteString(who + sep + s.Highlight.Render(def.Address.Hex()) + "\n\n")
	switch {
	case u.busy:
		b.WriteString(s.Subtle.Render(u.spin.Line("Unlocking…")))
	case u.done:
		b.WriteString(s.Success.Render("✓ Unlocked."))
	case u.asleep:
		b.WriteString(s.Warning.Render("Locked: press enter to type your password."))
		if u.swallowed > 0 {
			noun := "keys"
			if u.swallowed == 1 {
				noun = "key"
			}
			b.WriteString("\n\n" + s.Subtle.Render(wrap(fmt.Sprintf("%d %s typed after the lock came on were not taken as a password.", u.swallowed, noun), max(min(w, 90)-2, 20))))
		}
	default:
		b.WriteString("  " + u.input.View())
	}
	if u.err != "" {
		b.WriteString("\n\n" + s.Error.Render(wrap("✗ "+u.err, max(min(w, 90)-2, 20))))
	}
	return frame(b.String(), hintLine(u.ShortHelp(), s.Subtle, w), w, h)
}
