package contracts

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"cairn/chain"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/tuitest"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// settle delivers msgs and runs the commands they give, like
// tuitest.Drive, except that spinner ticks are counted and dropped: a
// spinner that turns until a block comes would otherwise tick forever.
func (e *env) settle(t *testing.T, msgs ...tea.Msg) (ticks int) {
	t.Helper()
	queue := append([]tea.Msg(nil), msgs...)
	for n := 0; len(queue) > 0; n++ {
		if n > 200 {
			t.Fatal("commands keep producing commands")
		}
		msg := queue[0]
		queue = queue[1:]
		if _, ok := msg.(spinner.TickMsg); ok {
			ticks++
			continue
		}
		var cmd tea.Cmd
		e.s, cmd = e.s.Update(msg)
		queue = append(queue, run(cmd)...)
	}
	return ticks
}

// run runs a command and its batches; nil messages are dropped.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, run(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

// sendDeploy deploys Token from the Foundry fixture, up to the sent page.
func sendDeploy(t *testing.T, e *env) {
	t.Helper()
	e.drive(t, tuitest.Key("n"))
	e.drive(t, tuitest.Typed(foundry, "enter")...)
	e.drive(t, tuitest.Typed("1000e18", "enter")...)
	if ticks := e.settle(t, tuitest.Key("y")); ticks == 0 {
		t.Fatal("no spinner while the deploy was signed and sent")
	}
	if e.model().mode != modeSent {
		t.Fatalf("not sent:\n%s", e.view())
	}
}

func TestTheSentDeployWaitsForItsBlockThenOffersItsPage(t *testing.T) {
	e := setup(t, 100, 30)
	sendDeploy(t, e)
	m := e.model()
	created := m.draft.Created().Hex()
	e.must(t, "Contract "+created, spinner.MiniDot.Frames[0]+" Waiting for a block to include it")
	if !m.spin.On() {
		t.Fatal("the spinner does not turn while the deploy waits for its block")
	}

	// A block without it: still waiting, and the node is not asked again
	// for every block.
	empty := &api.Block{Height: 40}
	e.settle(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: empty}})
	e.settle(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: &api.Block{Height: 41}}})
	if _, ok := m.deploys[m.sent]; !ok || !m.spin.On() || m.landed != nil {
		t.Fatalf("the deploy stopped waiting before its block: %+v", m.landed)
	}

	b := e.node.MineBlock()
	e.settle(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
	if m.spin.On() {
		t.Fatal("the spinner still turns after the deploy's block")
	}
	e.must(t, "Contract "+created, "Included in block "+common.FormatCount(b.Height)+": Token-2 is in the address book", // the book has a Token already
		"enter opens its page")
	if help := e.s.ShortHelp(); help[0].Help().Desc != "open the contract" {
		t.Fatalf("the help offers %q", help[0].Help().Desc)
	}
	if ticks := e.settle(t, tuitest.Key("enter")); ticks != 0 {
		t.Fatal("the spinner ticks on the contract's page")
	}
	if m.mode != modePage || m.page.entry.Address.Hex() != created {
		t.Fatalf("enter did not open the deployed contract's page:\n%s", e.view())
	}
	e.must(t, "Token-2  "+created, "deployed in tx")
	e.drive(t, tuitest.Key("esc"))
	if got := m.entries[m.sel]; got.Address.Hex() != created {
		t.Fatalf("the list's cursor is on %s, not the deployed contract", got.Name)
	}
}

func TestTheListCursorStaysOnItsContractWhenADeployLands(t *testing.T) {
	e := setup(t, 100, 30)
	e.drive(t, tuitest.Key("down")) // Token
	sendDeploy(t, e)
	m := e.model()
	d := m.deploys[m.sent]
	d.name = "AAA" // sorts before Token once in the book
	m.deploys[m.sent] = d
	e.drive(t, tuitest.Key("esc"))
	b := e.node.MineBlock()
	e.settle(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
	if len(m.entries) != 3 {
		t.Fatalf("the deploy is not in the list: %d entries", len(m.entries))
	}
	if got := m.entries[m.sel].Name; got != "Token" {
		t.Fatalf("the cursor moved to %s", got)
	}
}

// typedKeys is the keys of bs a field would take as text: single printable
// characters (q, digits, j, k…).
func typedKeys(bs ...[]key.Binding) []string {
	var out []string
	for _, b := range bs {
		for _, k := range b {
			for _, name := range k.Keys() {
				if r, n := utf8.DecodeRuneInString(name); n == len(name) && unicode.IsPrint(r) {
					out = append(out, name)
				}
			}
		}
	}
	return out
}

func TestFormsOfferNoKeyThatTypesText(t *testing.T) {
	for name, keys := range map[string][]tea.Msg{
		"deploy":  tuitest.Keys("n"),
		"deploy2": append(tuitest.Keys("n"), tuitest.Typed(foundry, "enter")...),
		"add":     tuitest.Keys("a"),
		"filter":  tuitest.Keys("/"),
		"call":    tuitest.Keys("down", "enter", "enter"),
	} {
		t.Run(name, func(t *testing.T) {
			e := setup(t, 100, 30)
			e.drive(t, keys...)
			if !e.s.Capturing() {
				t.Fatalf("not in a field:\n%s", e.view())
			}
			if typed := typedKeys(append([][]key.Binding{e.s.ShortHelp()}, e.s.FullHelp()...)...); len(typed) > 0 {
				t.Fatalf("the help offers %v, which type into the field:\n%s", typed, e.view())
			}
		})
	}
}

// helpRoom is the most of a 60-column help bar the screen's own keys may
// take: the root adds its global ones after them.
const helpRoom = 46

func TestTheHelpBarLeavesRoomForTheGlobalKeys(t *testing.T) {
	for name, keys := range map[string][]tea.Msg{
		"list":   nil,
		"page":   tuitest.Keys("down", "enter"),
		"form":   tuitest.Keys("n"),
		"filter": tuitest.Keys("/"),
	} {
		t.Run(name, func(t *testing.T) {
			e := setup(t, 60, 20)
			e.drive(t, keys...)
			if got := help.New().ShortHelpView(e.s.ShortHelp()); lipgloss.Width(got) > helpRoom {
				t.Fatalf("the help takes %d columns of 60: %s", lipgloss.Width(got), got)
			}
		})
	}
}

func TestThePasswordPromptOffersEnterAndEsc(t *testing.T) {
	e := setup(t, 120, 40)
	e.drive(t, tuitest.Key("enter")) // the built-in Staking contract
	selectFn(t, e, "delegate(address)")
	e.drive(t, tuitest.Key("enter"))
	e.drive(t, tuitest.Typed(chain.DevnetAccounts[1].Hex(), "tab")...)
	e.drive(t, tuitest.Typed("150", "enter", "y")...)
	if !e.model().draft.Asking() {
		t.Fatalf("no password asked:\n%s", e.view())
	}
	if typed := typedKeys(append([][]key.Binding{e.s.ShortHelp()}, e.s.FullHelp()...)...); len(typed) > 0 {
		t.Fatalf("the help offers %v, which type into the password", typed)
	}
	if !strings.Contains(e.view(), "password") {
		t.Fatalf("not the prompt:\n%s", e.view())
	}
}

func TestGoldenDeploySent(t *testing.T) {
	tuitest.EachSize(t, func(t *testing.T, w, h int) {
		e := setup(t, w, h)
		sendDeploy(t, e)
		t.Run("waiting", func(t *testing.T) { golden(t, e) })
		b := e.node.MineBlock()
		e.settle(t, common.EventMsg{Event: api.Event{Type: api.EventBlock, Block: b}})
		t.Run("included", func(t *testing.T) { golden(t, e) })
	})
}

func TestASpinnerTurnsWhileAReadCallRuns(t *testing.T) {
	e := setup(t, 100, 30)
	openToken(t, e)
	selectFn(t, e, "decimals()")
	var cmd tea.Cmd
	e.s, cmd = e.s.Update(tuitest.Key("enter")) // no arguments: it calls at once
	e.must(t, spinner.MiniDot.Frames[0]+" Calling decimals()…")
	ticks := 0
	for _, msg := range run(cmd) {
		if _, ok := msg.(spinner.TickMsg); ok {
			ticks++
			continue
		}
		e.s, _ = e.s.Update(msg)
	}
	if ticks != 1 || e.model().spin.On() || e.model().busy != "" {
		t.Fatalf("ticks %d, spinning %v after the answer", ticks, e.model().spin.On())
	}
	if strings.Contains(e.view(), "Calling") {
		t.Fatalf("the busy line stays after the answer:\n%s", e.view())
	}
}
