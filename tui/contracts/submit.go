package contracts

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/tui/form"
	"cairn/tui/txsign"
	"cairn/wallet"
	"cairn/wallet/contracts"

	tea "charm.land/bubbletea/v2"
	"github.com/ethereum/go-ethereum/accounts/abi"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// nodeTimeout bounds one round of node calls.
const nodeTimeout = 10 * time.Second

// submit acts on a filled form.
func (m *Model) submit() tea.Cmd {
	if m.fm.purpose != forArtifact {
		for i := range m.fm.fields {
			if err := m.fieldError(i); err != nil {
				m.err = form.Capitalize(err.Error()) + "."
				return m.form.FocusOn(i)
			}
		}
	}
	switch m.fm.purpose {
	case forArtifact:
		return m.loadArtifact()
	case forAdd:
		return m.add()
	case forDeploy:
		return m.prepareDeploy()
	}
	if m.fm.fn.IsConstant() {
		return m.call()
	}
	return m.prepareSend()
}

// artifactMsg carries an artifact read from a file.
type artifactMsg struct {
	art *contracts.Artifact
	err error
}

func (m *Model) loadArtifact() tea.Cmd {
	path, name := m.value(fieldPath), m.value(fieldContract)
	if path == "" {
		m.err = "Give the artifact's path."
		return m.form.FocusOn(0)
	}
	return m.setBusy("Reading "+path+"…", func() tea.Msg {
		art, err := contracts.LoadArtifact(path, name)
		return artifactMsg{art, err}
	})
}

func (m *Model) onArtifact(msg artifactMsg) tea.Cmd {
	m.idle()
	if m.fm == nil || m.fm.purpose != forArtifact {
		return nil
	}
	var amb *contracts.AmbiguousError
	switch {
	case errors.As(msg.err, &amb):
		m.err = form.Capitalize(msg.err.Error()) + "."
		return m.form.FocusOn(1)
	case msg.err != nil:
		m.err = form.Capitalize(msg.err.Error()) + "."
		return m.form.FocusOn(0)
	case msg.art.Deployable() != nil:
		m.err = form.Capitalize(msg.art.Deployable().Error()) + "."
		return nil
	}
	art := msg.art
	ctor := art.ABI.Constructor
	return m.open(&formState{purpose: forDeploy, art: art,
		title:  "Deploy " + art.QualifiedName(),
		about:  fmt.Sprintf("%s, %d bytes of creation code, from %s. Its constructor's arguments:", art.Format, len(art.Bytecode), art.Path),
		fields: argFields(ctor.Inputs, payable(ctor), true)})
}

// add puts a contract in the address book and opens its page.
func (m *Model) add() tea.Cmd {
	if m.book == nil {
		m.err = "The address book is not open: " + fmt.Sprint(m.bookErr)
		return nil
	}
	name, path := m.value(fieldName), m.value(fieldPath)
	addr, _ := form.ParseAddress(m.value(fieldAddress), "contract")
	art, err := contracts.LoadArtifact(path, "")
	var amb *contracts.AmbiguousError
	if errors.As(err, &amb) {
		art, err = contracts.LoadArtifact(path, name)
	}
	if err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return nil
	}
	e := contracts.Entry{Name: name, Address: addr, ABI: art.RawABI, Artifact: path}
	if m.c.Status != nil {
		e.ChainID = m.c.Status.ChainID
	}
	if err := m.saveEntry(e); err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return nil
	}
	m.back()
	return tea.Batch(m.openPage(e), notify(name+" added to the address book"))
}

// saveEntry adds e to the book and writes it.
func (m *Model) saveEntry(e contracts.Entry) error {
	if err := m.book.Add(e); err != nil {
		return err
	}
	if err := m.book.Save(); err != nil {
		return fmt.Errorf("save the address book: %w", err)
	}
	m.reload()
	return nil
}

// calledMsg is a read call's answer.
type calledMsg struct {
	text   string
	failed bool
}

// from is the account calls and sends come from: the wallet's default.
func (m *Model) from() (wallet.Account, bool) {
	if m.c.Wallet == nil || m.c.Wallet.Locked() {
		return wallet.Account{}, false
	}
	return m.c.Wallet.Default(), true
}

// call runs a read function on the node and decodes its answer.
func (m *Model) call() tea.Cmd {
	p, fn := m.page, m.fm.fn
	data, err := contracts.Pack(fn, m.args())
	if err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return nil
	}
	var from ethcommon.Address
	if acc, ok := m.from(); ok {
		from = acc.Address
	}
	node, to, a := m.c.Node, p.entry.Address, p.abi
	what := fn.RawName + "(" + strings.Join(m.args(), ", ") + ")"
	m.back()
	return m.setBusy("Calling "+what+"…", func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		res, err := node.Call(ctx, api.CallRequest{From: from, To: &to, Data: data})
		switch {
		case err != nil:
			return calledMsg{text: what + ": " + txsign.NodeError(err), failed: true}
		case res.Error != "":
			return calledMsg{text: what + " reverted: " + revertText(res.ReturnData, res.Error, a), failed: true}
		}
		vals, err := contracts.DecodeOutputs(fn, res.ReturnData)
		if err != nil {
			return calledMsg{text: what + ": " + err.Error(), failed: true}
		}
		return calledMsg{text: what + " = " + contracts.Format(vals)}
	})
}

func (m *Model) onCalled(msg calledMsg) {
	m.idle()
	if m.page != nil {
		m.page.result, m.page.failed = msg.text, msg.failed
	}
}

// revertText explains a revert: its data decoded with the contract's ABI
// when there is any, else the node's words.
func revertText(data []byte, reason string, a *abi.ABI) string {
	if len(data) > 0 {
		return contracts.DecodeRevert(data, a)
	}
	return reason
}

// draftFor starts a transaction from the default account.
func (m *Model) draftFor(to *ethcommon.Address, data []byte, what string) (*txsign.Draft, error) {
	acc, ok := m.from()
	if !ok {
		return nil, errors.New("the wallet is locked: unlock it to sign")
	}
	value := new(big.Int)
	if v := m.value(fieldValue); v != "" && v != "0" {
		var err error
		if value, err = form.ParseCRN(v); err != nil {
			return nil, err
		}
	}
	tip, err := form.ParseGwei(m.value(fieldTip))
	if err != nil {
		return nil, err
	}
	return &txsign.Draft{From: acc, To: to, Value: value, Tip: tip, Data: data, Call: what}, nil
}

func (m *Model) prepareDeploy() tea.Cmd {
	art := m.fm.art
	data, err := contracts.PackConstructor(art, m.args())
	if err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return nil
	}
	return m.prepare(nil, data, "deploy "+art.Name+"("+strings.Join(m.args(), ", ")+")")
}

func (m *Model) prepareSend() tea.Cmd {
	fn := m.fm.fn
	data, err := contracts.Pack(fn, m.args())
	if err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return nil
	}
	to := m.page.entry.Address
	return m.prepare(&to, data, fn.RawName+"("+strings.Join(m.args(), ", ")+")")
}

// preparedMsg carries what the confirm step needs from the node.
type preparedMsg struct {
	*txsign.Prepared
	err error
}

func (m *Model) prepare(to *ethcommon.Address, data []byte, what string) tea.Cmd {
	d, err := m.draftFor(to, data, what)
	if err != nil {
		m.err = form.Capitalize(err.Error()) + "."
		return nil
	}
	m.draft, m.err = d, ""
	node, c := m.c.Node, *d
	return m.setBusy("Reading the nonce and the base fee, estimating the gas…", func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		p, err := txsign.Prepare(ctx, node, &c)
		return preparedMsg{p, err}
	})
}

func (m *Model) onPrepared(msg preparedMsg) tea.Cmd {
	if m.mode != modeForm || m.busy == "" {
		return nil
	}
	m.idle()
	var re *txsign.RevertError
	switch {
	case errors.As(msg.err, &re):
		var a *abi.ABI
		if m.fm.art != nil {
			a = &m.fm.art.ABI
		} else if m.page != nil {
			a = m.page.abi
		}
		m.err = "The transaction would fail: " + revertText(re.Data, re.Reason, a) + ". Nothing was sent."
		return nil
	case msg.err != nil:
		m.err = txsign.NodeError(msg.err)
		return nil
	}
	d := m.draft
	d.Fill(msg.Prepared)
	if d.Balance != nil && d.MaxCost().Cmp(d.Balance) > 0 {
		m.err = fmt.Sprintf("%s has %s CRN; this can cost up to %s CRN.", d.From.Label,
			common.FormatCRN(d.Balance, 18), common.FormatCRN(d.MaxCost(), 18))
		return nil
	}
	m.mode = modeConfirm
	m.form.Blur()
	return nil
}
