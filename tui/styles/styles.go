// Package styles defines the console's look once: every screen draws with
// these styles, built for the terminal's light or dark background.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are the console's lipgloss styles.
type Styles struct {
	IsDark bool

	App        lipgloss.Style
	Title      lipgloss.Style
	Subtle     lipgloss.Style
	Faint      lipgloss.Style
	Label      lipgloss.Style
	Value      lipgloss.Style
	Accent     lipgloss.Style
	Highlight  lipgloss.Style // the user's own things: accounts, transactions
	Success    lipgloss.Style
	Warning    lipgloss.Style
	Error      lipgloss.Style
	Box        lipgloss.Style
	FocusedBox lipgloss.Style
	TabActive  lipgloss.Style
	TabIdle    lipgloss.Style
	TabBar     lipgloss.Style
	StatusBar  lipgloss.Style
	Selected   lipgloss.Style
	Header     lipgloss.Style
	Sparkline  lipgloss.Style
	Colors     Colors
}

// Colors are the palette the styles are made of, for components that take
// colors rather than styles.
type Colors struct {
	Fg, Muted, Accent, Good, Warn, Bad, Border, SelectedBg color.Color
}

// DefaultStyles returns the console's styles for a dark or light terminal.
func DefaultStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	c := Colors{
		Fg:         ld(lipgloss.Color("#1F2328"), lipgloss.Color("#E6EDF3")),
		Muted:      ld(lipgloss.Color("#6E7781"), lipgloss.Color("#8B949E")),
		Accent:     ld(lipgloss.Color("#7A4CC2"), lipgloss.Color("#B392F0")),
		Good:       ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#3FB950")),
		Warn:       ld(lipgloss.Color("#9A6700"), lipgloss.Color("#D29922")),
		Bad:        ld(lipgloss.Color("#CF222E"), lipgloss.Color("#F85149")),
		Border:     ld(lipgloss.Color("#D0D7DE"), lipgloss.Color("#30363D")),
		SelectedBg: ld(lipgloss.Color("#DDF4FF"), lipgloss.Color("#1F3B5C")),
	}
	s := &Styles{IsDark: isDark, Colors: c}
	s.App = lipgloss.NewStyle().Foreground(c.Fg)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(c.Accent)
	s.Subtle = lipgloss.NewStyle().Foreground(c.Muted)
	s.Faint = lipgloss.NewStyle().Foreground(c.Muted).Faint(true)
	s.Label = lipgloss.NewStyle().Foreground(c.Muted)
	s.Value = lipgloss.NewStyle().Foreground(c.Fg)
	s.Accent = lipgloss.NewStyle().Foreground(c.Accent)
	s.Highlight = lipgloss.NewStyle().Foreground(c.Accent).Bold(true)
	s.Success = lipgloss.NewStyle().Foreground(c.Good)
	s.Warning = lipgloss.NewStyle().Foreground(c.Warn)
	s.Error = lipgloss.NewStyle().Foreground(c.Bad)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c.Border).Padding(0, 1)
	s.FocusedBox = s.Box.BorderForeground(c.Accent)
	s.TabActive = lipgloss.NewStyle().Bold(true).Foreground(c.Accent).Padding(0, 1)
	s.TabIdle = lipgloss.NewStyle().Foreground(c.Muted).Padding(0, 1)
	s.TabBar = lipgloss.NewStyle().BorderStyle(lipgloss.NormalBorder()).BorderBottom(true).BorderForeground(c.Border)
	s.StatusBar = lipgloss.NewStyle().Foreground(c.Muted)
	s.Selected = lipgloss.NewStyle().Background(c.SelectedBg).Foreground(c.Fg)
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(c.Muted)
	s.Sparkline = lipgloss.NewStyle().Foreground(c.Accent)
	return s
}
