package contracts

import (
	"fmt"
	"strings"

	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/tui/txsign"
	"cairn/wallet/contracts"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ethereum/go-ethereum/accounts/abi"
)

// purpose is what a form is for.
type purpose int

const (
	forArtifact purpose = iota // deploy, step 1: which artifact
	forDeploy                  // deploy, step 2: the constructor's arguments
	forAdd                     // add a contract by address and ABI file
	forCall                    // a function's arguments
)

// fieldKind is what one field of a form holds.
type fieldKind int

const (
	fieldArg      fieldKind = iota // an ABI argument
	fieldValue                     // CRN sent with a payable call or deploy
	fieldTip                       // the priority fee, gwei
	fieldPath                      // a file
	fieldContract                  // which contract of an artifact file
	fieldName                      // a name for the address book
	fieldAddress                   // a contract's address
)

// field is one input of a form.
type field struct {
	kind  fieldKind
	label string
	arg   abi.Argument // fieldArg
}

// formState is the open form: what it is for and its fields.
type formState struct {
	purpose purpose
	title   string
	about   string
	fields  []field
	fn      abi.Method          // forCall
	art     *contracts.Artifact // forDeploy
}

// open starts a form with fields, labels aligned.
func (m *Model) open(fs *formState) tea.Cmd {
	width := 0
	for _, f := range fs.fields {
		width = max(width, ansi.StringWidth(f.label))
	}
	inputs := make([]textinput.Model, len(fs.fields))
	for i, f := range fs.fields {
		in := common.NewInput(m.c.Styles, f.label+strings.Repeat(" ", width-ansi.StringWidth(f.label))+"  ", false)
		in.CharLimit = 4096
		switch f.kind {
		case fieldTip:
			in.SetValue("1")
		case fieldValue:
			in.SetValue("0")
		case fieldArg:
			in.Placeholder = placeholder(f.arg.Type)
		case fieldPath:
			in.Placeholder = "out/Token.sol/Token.json, artifacts/…/Token.json or solc output"
		}
		inputs[i] = in
	}
	m.fm, m.mode, m.err = fs, modeForm, ""
	return m.form.Set(m.c.Width, inputs...)
}

// placeholder hints how to write a value of t.
func placeholder(t abi.Type) string {
	switch t.T {
	case abi.AddressTy:
		return "0x… address"
	case abi.UintTy, abi.IntTy:
		return "a number: 1000, 0xff or 5e18"
	case abi.BoolTy:
		return "true or false"
	case abi.BytesTy, abi.FixedBytesTy:
		return "0x… hex"
	case abi.SliceTy, abi.ArrayTy:
		return "[a, b, …]"
	case abi.TupleTy:
		return "(a, b, …)"
	}
	return t.String()
}

// argFields are a form's fields for arguments, then value (if payable)
// and tip (if it sends).
func argFields(args abi.Arguments, payable, sends bool) []field {
	var fs []field
	for i, a := range args {
		label := a.Name + " " + a.Type.String()
		if a.Name == "" {
			label = fmt.Sprintf("#%d %s", i+1, a.Type.String())
		}
		fs = append(fs, field{kind: fieldArg, label: label, arg: a})
	}
	if payable {
		fs = append(fs, field{kind: fieldValue, label: "value CRN"})
	}
	if sends {
		fs = append(fs, field{kind: fieldTip, label: "tip gwei"})
	}
	return fs
}

func (m *Model) openDeploy() tea.Cmd {
	return m.open(&formState{purpose: forArtifact, title: "Deploy a contract",
		about:  "The compiled artifact: Foundry's out/X.sol/X.json, Hardhat's artifacts/…/X.json, or solc's --combined-json or standard-JSON output. Name the contract when the file holds several.",
		fields: []field{{kind: fieldPath, label: "Artifact"}, {kind: fieldContract, label: "Contract"}}})
}

func (m *Model) openAdd() tea.Cmd {
	return m.open(&formState{purpose: forAdd, title: "Add a contract",
		about:  "A contract already on the chain, by its address and an ABI (an artifact file or a bare ABI JSON), kept in the address book.",
		fields: []field{{kind: fieldName, label: "Name"}, {kind: fieldAddress, label: "Address"}, {kind: fieldPath, label: "ABI file"}}})
}

// openCall opens the form of one of the page's functions.
func (m *Model) openCall(fn abi.Method) tea.Cmd {
	m.page.result, m.page.failed = "", false
	about := "A read function: the node runs it and nothing is sent."
	if !fn.IsConstant() {
		about = "A write function: it is sent as a transaction, after the confirm step."
	}
	fs := &formState{purpose: forCall, title: describe(fn), about: about, fn: fn,
		fields: argFields(fn.Inputs, payable(fn), !fn.IsConstant())}
	if len(fs.fields) == 0 {
		m.fm = fs
		return m.submit()
	}
	return m.open(fs)
}

// value is field i's text.
func (m *Model) value(kind fieldKind) string {
	for i, f := range m.fm.fields {
		if f.kind == kind {
			return strings.TrimSpace(m.form.Value(i))
		}
	}
	return ""
}

// args are the form's argument fields as typed.
func (m *Model) args() []string {
	var out []string
	for i, f := range m.fm.fields {
		if f.kind == fieldArg {
			out = append(out, m.form.Value(i))
		}
	}
	return out
}

// fieldError is what is wrong with field i, or nil.
func (m *Model) fieldError(i int) error {
	f := m.fm.fields[i]
	v := m.form.Value(i)
	switch f.kind {
	case fieldArg:
		_, err := contracts.ParseValue(f.arg.Type, v)
		return err
	case fieldValue:
		if strings.TrimSpace(v) == "0" {
			return nil
		}
		_, err := form.ParseCRN(v)
		return err
	case fieldTip:
		tip, err := form.ParseGwei(v)
		if err == nil {
			_, err = txsign.CheckTip(tip, nil) // an absurd tip, as the accounts' send refuses it
		}
		return err
	case fieldAddress:
		_, err := form.ParseAddress(v, "contract")
		return err
	case fieldName:
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("give it a name for the address book")
		}
	case fieldPath:
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("give the file's path")
		}
	}
	return nil
}

// formKey handles keys while a form is open.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.Keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.back()
		return nil
	case key.Matches(msg, k.NextField):
		return m.form.FocusOn(m.form.Focus + 1)
	case key.Matches(msg, k.PrevField):
		return m.form.FocusOn(m.form.Focus - 1)
	case key.Matches(msg, k.Submit):
		if err := m.fieldError(m.form.Focus); err != nil {
			m.err = form.Capitalize(err.Error()) + "."
			return nil
		}
		if i := m.form.NextEmpty(); i >= 0 && m.fm.fields[i].kind != fieldContract {
			return m.form.FocusOn(i)
		}
		return m.submit()
	}
	cmd := m.form.Update(msg)
	m.err = ""
	return cmd
}

func (m *Model) formView() string {
	s, fs := m.c.Styles, m.fm
	lines := []string{s.Title.Render(common.Truncate(fs.title, m.c.Width)), s.Subtle.Render(common.Wrap(fs.about, m.c.Width)), ""}
	for i := range fs.fields {
		lines = append(lines, "  "+m.form.Inputs[i].View())
		if v := m.form.Value(i); v != "" {
			if err := m.fieldError(i); err != nil {
				lines = append(lines, s.Error.Render("      ✗ "+err.Error()))
			}
		}
	}
	switch {
	case m.busy != "":
		lines = append(lines, "", s.Subtle.Render(m.spin.Line(m.busy)))
	case m.err != "":
		lines = append(lines, "", s.Error.Render("✗ "+m.err))
	default:
		lines = append(lines, "", s.Subtle.Render("enter: go on · esc: cancel"))
	}
	return strings.Join(lines, "\n")
}
