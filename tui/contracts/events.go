package contracts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cairn/node/api"
	"cairn/tui/common"
	"cairn/wallet/contracts"

	tea "charm.land/bubbletea/v2"
	"github.com/ethereum/go-ethereum/accounts/abi"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// scanBack is how many blocks a page reads back when it opens, and the
// most one scan reads.
const scanBack = 200

// eventRow is one log of the open contract.
type eventRow struct {
	height uint64
	tx     ethcommon.Hash
	text   string // decoded, or the raw topic when the ABI lacks the event
}

// scannedMsg carries the logs of the blocks a scan read.
type scannedMsg struct {
	addr ethcommon.Address
	upTo uint64
	rows []eventRow
	err  error
}

// scan reads the blocks since the last scan (at most scanBack) for the
// open contract's logs. Blocks without transactions are skipped unread.
func (m *Model) scan() tea.Cmd {
	p := m.page
	if p == nil || m.c.Node == nil || !p.scans.Begin() {
		return nil
	}
	node, addr, from, a := m.c.Node, p.entry.Address, p.scanned+1, p.abi
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		st, err := node.Status(ctx)
		if err != nil {
			return scannedMsg{addr: addr, err: err}
		}
		head := st.Height
		if head >= scanBack && from < head-scanBack+1 {
			from = head - scanBack + 1
		}
		out := scannedMsg{addr: addr, upTo: head}
		for h := from; h <= head; h++ {
			rows, err := blockLogs(ctx, node, h, addr, a)
			if err != nil {
				return scannedMsg{addr: addr, upTo: h - 1, rows: out.rows, err: err}
			}
			out.rows = append(out.rows, rows...)
		}
		return out
	}
}

// blockLogs reads one block's logs from addr, decoded with a.
func blockLogs(ctx context.Context, node api.Service, h uint64, addr ethcommon.Address, a *abi.ABI) ([]eventRow, error) {
	b, err := node.Block(ctx, fmt.Sprint(h), false)
	if err != nil || b.TxCount == 0 {
		return nil, err
	}
	if b, err = node.Block(ctx, fmt.Sprint(h), true); err != nil {
		return nil, err
	}
	var rows []eventRow
	for _, tx := range b.FullTransactions {
		if tx.Receipt == nil {
			continue
		}
		for _, l := range tx.Receipt.Logs {
			if l.Address == addr {
				rows = append(rows, eventRow{height: h, tx: tx.Hash, text: decodeLog(a, l)})
			}
		}
	}
	return rows, nil
}

func decodeLog(a *abi.ABI, l api.Log) string {
	if ev, err := contracts.DecodeLog(a, l.Topics, l.Data); err == nil {
		return ev.Name + "(" + shortValues(ev.Args) + ")"
	}
	if len(l.Topics) == 0 {
		return fmt.Sprintf("anonymous log, %d bytes of data", len(l.Data))
	}
	return "unknown event " + common.ShortHash(l.Topics[0].Hex())
}

func (m *Model) onScanned(msg scannedMsg) tea.Cmd {
	p := m.page
	if p == nil || p.entry.Address != msg.addr {
		return nil // the page closed, or another opened, while it ran
	}
	again := p.scans.End()
	p.events = append(p.events, msg.rows...)
	if n := len(p.events); n > maxEvents {
		p.events = slices.Clone(p.events[n-maxEvents:])
	}
	p.scanned = max(p.scanned, msg.upTo)
	var cmd tea.Cmd
	if msg.err != nil {
		cmd = func() tea.Msg { return common.ErrMsg{Err: fmt.Errorf("read the contract's events: %w", msg.err)} }
	}
	if again {
		return tea.Batch(cmd, m.scan())
	}
	return cmd
}

// eventLines draws the newest events that fit in rows lines.
func (m *Model) eventLines(rows int) []string {
	s, p := m.c.Styles, m.page
	title := m.c.Styles.Accent.Render("Events") + s.Subtle.Render(fmt.Sprintf("  %d seen, newest first · live", len(p.events)))
	lines := []string{title, s.Header.Render(fmt.Sprintf("  %-8s  %-13s  %s", "Block", "Tx", "Event"))}
	if len(p.events) == 0 {
		return append(lines, s.Subtle.Render("  none in the last blocks yet"))
	}
	for i := len(p.events) - 1; i >= 0 && len(lines) < rows+2; i-- {
		e := p.events[i]
		lines = append(lines, s.Value.Render(common.Truncate(fmt.Sprintf("  %-8s  %-13s  %s",
			common.FormatCount(e.height), common.ShortHash(e.tx.Hex()), e.text), m.c.Width)))
	}
	return lines
}

// shortValues writes decoded values as "name: value, …" with addresses
// shortened, so an event fits a table row.
func shortValues(vals []contracts.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		text := contracts.Text(v.Type, v.Value)
		if a, ok := v.Value.(ethcommon.Address); ok && !v.Hashed {
			text = common.ShortAddr(a)
		}
		if v.Name != "" {
			text = v.Name + ": " + text
		}
		parts[i] = text
	}
	return strings.Join(parts, ", ")
}
