package accounts

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"cairn/node/api"

	tea "charm.land/bubbletea/v2"
	ethcommon "github.com/ethereum/go-ethereum/common"
)

// nodeTimeout bounds one round of node calls.
const nodeTimeout = 10 * time.Second

// balancesMsg carries every account's state from one fetch.
type balancesMsg struct {
	info map[ethcommon.Address]*api.Account
	err  error
}

// baseFeeMsg carries the latest block's base fee.
type baseFeeMsg struct{ fee *big.Int }

// fetch reads all accounts from the node in one command. While one fetch
// is in flight, further requests (a storm of block events) collapse into
// one more fetch after it.
func (m *Model) fetch() tea.Cmd {
	if m.c.Node == nil || len(m.accounts) == 0 {
		return nil
	}
	if !m.fetches.Begin() {
		return nil
	}
	node := m.c.Node
	addrs := make([]ethcommon.Address, len(m.accounts))
	for i, a := range m.accounts {
		addrs[i] = a.Address
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		out := balancesMsg{info: make(map[ethcommon.Address]*api.Account, len(addrs))}
		for _, a := range addrs {
			acc, err := node.Account(ctx, a)
			if err != nil {
				out.err = fmt.Errorf("read account %s: %w", a.Hex(), err)
				continue
			}
			out.info[a] = acc
		}
		return out
	}
}

func (m *Model) onBalances(msg balancesMsg) tea.Cmd {
	again := m.fetches.End()
	for a, acc := range msg.info {
		m.info[a] = acc
	}
	m.fetchErr = msg.err
	if again {
		return m.fetch()
	}
	return nil
}

func (m *Model) fetchBaseFee() tea.Cmd {
	if m.c.Node == nil {
		return nil
	}
	node := m.c.Node
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
		defer cancel()
		b, err := node.Block(ctx, "latest", false)
		if err != nil || b.BaseFee == nil {
			return baseFeeMsg{}
		}
		return baseFeeMsg{b.BaseFee.Int()}
	}
}

// balance is an account's latest known balance, or nil.
func (m *Model) balance(a ethcommon.Address) *big.Int {
	if acc := m.info[a]; acc != nil && acc.Balance != nil {
		return acc.Balance.Int()
	}
	return nil
}
