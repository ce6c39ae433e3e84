package staking

import (
	"context"
	"fmt"
	"time"

	"cairn/node/api"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// nodeTimeout bounds one round of node calls.
const nodeTimeout = 10 * time.Second

// snapshotMsg is one fetch: the validators and every wallet account's
// delegations, all read after the same block.
type snapshotMsg struct {
	vals *api.ValidatorList
	dels map[ethcommon.Address]*api.Delegations
	err  error
}

// fetch reads the validators and the wallet's delegations in one command.
// While one fetch is out, further asks (a block per second) fold into one
// more after it.
func (m *Model) fetch() tea.Cmd {
	if m.c.Node == nil || !m.fetches.Begin() {
		return nil
	}
	node := m.c.Node
	var addrs []ethcommon.Address
	if m.c.Wallet != nil {
		for _, a := range m.c.Wallet.Accounts() {
			addrs = append(addrs, a.Address)
		}
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		vals, err := node.Validators(ctx)
		if err != nil {
			return snapshotMsg{err: fmt.Errorf("read the validators: %w", err)}
		}
		out := snapshotMsg{vals: vals, dels: make(map[ethcommon.Address]*api.Delegations, len(addrs))}
		for _, a := range addrs {
			d, err := node.Delegations(ctx, a)
			if err != nil {
				out.err = fmt.Errorf("read the delegations of %s: %w", a.Hex(), err)
				continue
			}
			out.dels[a] = d
		}
		return out
	}
}

func (m *Model) onSnapshot(msg snapshotMsg) tea.Cmd {
	again := m.fetches.End()
	m.fetchErr = msg.err
	oldVals := m.vals
	if msg.vals != nil {
		m.vals = msg.vals.Validators
		m.totalPower = msg.vals.TotalPower
		m.loaded = true
	}
	for a, d := range msg.dels {
		m.dels[a] = d
	}
	m.rebuild(oldVals)
	if again {
		return m.fetch()
	}
	return nil
}
