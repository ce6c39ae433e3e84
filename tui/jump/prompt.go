package jump

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cairn/chain/staking/stakingabi"
	"cairn/node/api"
	"cairn/tui/common"
	"cairn/wallet/contracts"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// callTimeout bounds one node call of a jump.
const callTimeout = 10 * time.Second

// Screen is the screen a jump opens.
type Screen int

// The screens a jump goes to.
const (
	ToBlocks    Screen = iota // blocks, transactions and accounts
	ToContracts               // contracts of the address book
	ToStaking                 // validators
)

// ResultMsg is a jump found: the root brings Screen to the front and gives
// it Show.
type ResultMsg struct {
	gen    int
	Screen Screen
	Show   common.ShowMsg
	err    error
}

// NamesMsg brings the names that take a read, the address book's and the
// validators': the root hands it to the prompt.
type NamesMsg struct {
	gen   int
	names []Name
}

// Model is the prompt. The root keeps one and draws it on the status line
// while it is Open.
type Model struct {
	c     *common.Common
	input textinput.Model
	open  bool
	gen   int // the prompt's opening: answers to an older one are ignored
	names []Name
	err   string
	busy  bool
	cands []string // the names tab cycles through
	next  int
}

// New returns a closed prompt.
func New(c *common.Common) *Model {
	return &Model{c: c, input: common.NewInput(c.Styles, ": ", false)}
}

// Open reports whether the prompt shows (and takes every key).
func (p *Model) Open() bool { return p.open }

// Start opens an empty prompt: the wallet's account labels complete at
// once, the address book's and the validators' when read.
func (p *Model) Start() tea.Cmd {
	p.gen++
	p.open, p.err, p.busy, p.cands = true, "", false, nil
	p.input.SetValue("")
	p.names = walletNames(p.c)
	return tea.Batch(p.input.Focus(), loadNames(p.c, p.gen))
}

// Close closes the prompt; a lookup still out is forgotten.
func (p *Model) Close() {
	p.open, p.busy = false, false
	p.gen++
	p.input.Blur()
}

// Names are the names the prompt completes now.
func (p *Model) Names() []Name { return p.names }

// Update handles a key or a paste while open, and the prompt's own
// answers. A ResultMsg that found something closes the prompt and is
// returned for the root to route; nil otherwise.
func (p *Model) Update(msg tea.Msg) (tea.Cmd, *ResultMsg) {
	switch msg := msg.(type) {
	case NamesMsg:
		if msg.gen == p.gen {
			p.names = append(p.names, msg.names...)
		}
		return nil, nil
	case ResultMsg:
		if msg.gen != p.gen || !p.open {
			return nil, nil
		}
		p.busy = false
		if msg.err != nil {
			p.err = msg.err.Error()
			return nil, nil
		}
		p.Close()
		return nil, &msg
	case tea.KeyPressMsg:
		return p.key(msg), nil
	case tea.PasteMsg:
		p.edited()
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return cmd, nil
	}
	return nil, nil
}

func (p *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.Keys
	switch {
	case key.Matches(msg, k.Cancel):
		p.Close()
		return nil
	case p.busy:
		return nil // one lookup at a time
	case key.Matches(msg, k.Submit):
		t, err := Parse(p.input.Value(), p.names)
		if err != nil {
			p.err = err.Error()
			return nil
		}
		p.err, p.busy = "", true
		return resolve(p.c.Node, t, p.names, p.gen)
	case key.Matches(msg, k.Complete):
		p.complete()
		return nil
	}
	p.edited()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

func (p *Model) edited() { p.err, p.cands = "", nil }

// complete completes the name typed: the one name that starts with it, or
// the longest start the names share, showing them; tab again takes each
// in turn.
func (p *Model) complete() {
	if p.cands == nil {
		p.cands, p.next = Candidates(p.input.Value(), p.names), 0
		switch len(p.cands) {
		case 0:
			p.err = "no known name starts with " + strconvQuote(p.input.Value())
			p.cands = nil
			return
		case 1:
			p.set(p.cands[0])
			return
		}
		if pre := sharedPrefix(p.cands); len(pre) > len(strings.TrimSpace(p.input.Value())) {
			p.set(pre)
		}
		return // the names show; tab again takes each in turn
	}
	if len(p.cands) > 1 {
		p.set(p.cands[p.next%len(p.cands)])
		p.next++
	}
}

func (p *Model) set(v string) {
	p.input.SetValue(v)
	p.input.CursorEnd()
	p.err = ""
}

func strconvQuote(s string) string { return strconv.Quote(strings.TrimSpace(s)) }

func sharedPrefix(ss []string) string {
	pre := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(strings.ToLower(s), strings.ToLower(pre)) {
			pre = pre[:len(pre)-1]
		}
	}
	return pre
}

// View is the prompt's line: the input, then the error, the lookup under
// way or the names tab completes to.
func (p *Model) View(width int) string {
	s := p.c.Styles
	common.FitInput(&p.input, min(width/3, 68))
	line := p.input.View()
	var after string
	switch {
	case p.err != "":
		after = s.Error.Render("✗ " + p.err)
	case p.busy:
		after = s.Subtle.Render("looking it up…")
	case len(p.cands) > 1:
		after = s.Subtle.Render("tab: " + strings.Join(p.cands, " · "))
	default:
		after = s.Faint.Render("height · hash · address · name")
	}
	return common.Fit(line+"  "+after, width, 1)
}

// ShortHelp is the prompt's keys for the help bar.
func (p *Model) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go")), k.Complete, k.Cancel}
}

// walletNames are the wallet's accounts by label.
func walletNames(c *common.Common) []Name {
	if c.Wallet == nil || c.Wallet.Locked() {
		return nil
	}
	var out []Name
	for _, a := range c.Wallet.Accounts() {
		if a.Label != "" {
			out = append(out, Name{Name: a.Label, Addr: a.Address, Kind: NameAccount})
		}
	}
	return out
}

// loadNames reads the address book (and the built-in staking contract) and
// asks the node for the validators.
func loadNames(c *common.Common, gen int) tea.Cmd {
	home, node := c.Home, c.Node
	return func() tea.Msg {
		names := []Name{{Name: "Staking", Addr: stakingabi.Address, Kind: NameContract}}
		if home != "" {
			if b, err := contracts.OpenBookFile(filepath.Join(home, contracts.BookFile)); err == nil {
				for _, e := range b.List() {
					names = append(names, Name{Name: e.Name, Addr: e.Address, Kind: NameContract})
				}
			}
		}
		if node != nil {
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			if vl, err := node.Validators(ctx); err == nil {
				for _, v := range vl.Validators {
					if v.Moniker != "" {
						names = append(names, Name{Name: v.Moniker, Addr: v.Operator, Kind: NameValidator})
					}
				}
			}
		}
		return NamesMsg{gen: gen, names: names}
	}
}

// resolve finds t on the node: a height or a hash as a block, else a hash
// as a transaction; an address as a contract of the book, a validator, or
// else an account.
func resolve(node api.Service, t Target, names []Name, gen int) tea.Cmd {
	return func() tea.Msg {
		if node == nil {
			return ResultMsg{gen: gen, err: errors.New("no node to ask")}
		}
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		r := ResultMsg{gen: gen, Screen: ToBlocks}
		switch t.Kind {
		case Height:
			b, err := node.Block(ctx, strconv.FormatUint(t.Height, 10), true)
			if err != nil {
				r.err = notFound(err, "no block at height "+common.FormatCount(t.Height))
				return r
			}
			r.Show = common.ShowMsg{Kind: common.ShowBlock, Block: b}
		case Hash:
			if b, err := node.Block(ctx, t.Hash.Hex(), true); err == nil {
				r.Show = common.ShowMsg{Kind: common.ShowBlock, Block: b}
				return r
			}
			tx, err := node.Tx(ctx, t.Hash)
			if err != nil {
				r.err = notFound(err, "no block or transaction "+common.ShortHash(t.Hash.Hex()))
				return r
			}
			r.Show = common.ShowMsg{Kind: common.ShowTx, Tx: tx}
		case Address:
			if t.Name != nil && t.Name.Kind == NameContract {
				r.Screen, r.Show = ToContracts, common.ShowMsg{Kind: common.ShowContract, Address: t.Addr}
				return r
			}
			if _, err := node.Validator(ctx, t.Addr); err == nil {
				r.Screen, r.Show = ToStaking, common.ShowMsg{Kind: common.ShowValidator, Address: t.Addr}
				return r
			}
			acc, err := node.Account(ctx, t.Addr)
			if err != nil {
				r.err = err
				return r
			}
			label := ""
			for _, n := range names {
				if n.Addr == t.Addr && n.Kind == NameAccount {
					label = n.Name
				}
			}
			r.Show = common.ShowMsg{Kind: common.ShowAccount, Account: acc, Address: t.Addr, Label: label}
		}
		return r
	}
}

// notFound is what a lookup that failed says: why, or plainly that there
// is no such thing when the node says so.
func notFound(err error, what string) error {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code == api.CodeNotFound {
		return errors.New(what)
	}
	return err
}
