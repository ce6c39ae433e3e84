package tui

import (
	"cairn/tui/common"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// onKey handles a key press: ctrl+c always quits; the gate and a screen
// taking text get every other key; otherwise the global keys (quit, help,
// screen switching, lock) come first and the rest go to the screen.
func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	if key.Matches(msg, k.ForceQuit) {
		return tea.Quit
	}
	switch m.phase {
	case phaseGate, phaseLocked:
		var cmd tea.Cmd
		m.gate, cmd = m.gate.Update(msg)
		return cmd
	case phaseStarting:
		if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	idle := m.armIdle()
	if m.showHelp {
		if key.Matches(msg, k.Help, k.Back, k.Quit) {
			m.showHelp = false
		}
		return idle
	}
	if m.jump.Open() {
		cmd, _ := m.jump.Update(msg)
		return tea.Batch(idle, cmd)
	}
	front := m.screens[m.active]
	if front.Capturing() {
		var cmd tea.Cmd
		m.screens[m.active], cmd = front.Update(msg)
		return tea.Batch(idle, cmd)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return idle
	case key.Matches(msg, k.NextTab):
		return tea.Batch(idle, m.focus((m.active+1)%len(m.screens)))
	case key.Matches(msg, k.PrevTab):
		return tea.Batch(idle, m.focus((m.active+len(m.screens)-1)%len(m.screens)))
	case key.Matches(msg, k.Lock):
		return m.lock("wallet locked")
	case key.Matches(msg, k.OpenSent) && m.follow != nil:
		return tea.Batch(idle, m.openSent())
	case key.Matches(msg, k.Jump):
		m.setNotice("", false)
		return tea.Batch(idle, m.jump.Start())
	case key.Matches(msg, k.Tabs):
		if i := int(msg.Code - '1'); i >= 0 && i < len(m.screens) {
			return tea.Batch(idle, m.focus(i))
		}
		return idle
	}
	var cmd tea.Cmd
	m.screens[m.active], cmd = front.Update(msg)
	return tea.Batch(idle, cmd)
}

// focus brings screen i to the front: the screen that leaves it and the
// one that comes get a FocusMsg.
func (m *Model) focus(i int) tea.Cmd {
	if i == m.active {
		return nil
	}
	blur := m.tell(m.active, common.FocusMsg{Focused: false})
	m.active = i
	return tea.Batch(blur, m.tell(i, common.FocusMsg{Focused: true}))
}

// tell gives msg to screen i only.
func (m *Model) tell(i int, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.screens[i], cmd = m.screens[i].Update(msg)
	return cmd
}

// ShortHelp is the help bar: the screen's keys, then the global ones.
func (m *Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	var bs []key.Binding
	if m.phase == phaseMain {
		if m.jump.Open() {
			return m.jump.ShortHelp()
		}
		bs = append(bs, m.screens[m.active].ShortHelp()...)
		if m.screens[m.active].Capturing() {
			// Every other key goes to the form: tab moves between its
			// fields, q and ? type. Only ctrl+c still leaves.
			return append(bs, k.ForceQuit)
		}
		bs = append(bs, k.Jump)
		if m.follow != nil && m.follow.height != 0 && m.notice.following {
			bs = append(bs, k.OpenSent)
		}
	}
	return append(bs, k.NextTab, k.Help, k.Quit)
}

// FullHelp is the ? overlay: the screen's keys and every global one.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	var groups [][]key.Binding
	if m.phase == phaseMain {
		groups = append(groups, m.screens[m.active].FullHelp()...)
	}
	return append(groups, []key.Binding{k.Tabs, k.NextTab, k.PrevTab, k.Jump, k.OpenSent, k.Lock, k.Help, k.Quit, k.ForceQuit})
}
