package tui

import (
	"context"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cairn/chain"
	"cairn/chain/staking/stakingabi"
	"cairn/node/api"
	"cairn/node/events"
	"cairn/wallet"

	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// TestStakingFlowWithRealNode stakes from the console on a real devnet
// node: the dev words' first account operates the devnet validator; it
// watches its rewards grow block by block, delegates 1,000 CRN more,
// undelegates 400 (which then unbonds for the devnet's seven days) and
// claims its rewards, each through the form and the confirm step, and
// checks each against the chain.
func TestStakingFlowWithRealNode(t *testing.T) {
	home := t.TempDir()
	rn := startRealNode(t, home)
	screen, tm, keys, typeText := openConsole(t, home, rn)
	onboard(t, screen, tm, keys, typeText, wallet.DevMnemonic)
	sub := <-rn.subReady
	defer sub.Close()
	svc := rn.n.Service()
	op := chain.DevnetAccounts[0]

	keys("7")
	screen.must(t, "Validators", "devnet-0", "active", "This node's validator devnet-0", "Your delegations")
	// Rewards: the row of the operator's self-delegation shows more after
	// later blocks.
	first := rewardsShown(t, screen.must(t, "1,000,000 CRN"))
	screen.await(t, "the rewards growing", func(fr string) bool {
		r := rewardsShownOr(fr)
		return r != nil && r.Cmp(first) > 0
	})

	// Delegate 1,000 CRN more to devnet-0 (the cursor is on it).
	keys("d")
	screen.must(t, "Delegate", "Amount")
	typeText("1000")
	keys("enter")
	screen.must(t, "Confirm the transaction", "delegate(devnet-0", stakingabi.Address.Hex())
	keys("y")
	waitStakingTx(t, sub, svc, op)
	keys("esc")
	screen.must(t, "1,001,000 CRN")
	if d := delegated(t, svc, op); d.Cmp(chain.CRN(1_001_000)) != 0 {
		t.Fatalf("the chain says %s wei is delegated, want 1,001,000 CRN", d)
	}

	// Undelegate 400 from the delegation table: it unbonds for 7 days.
	keys("right", "u")
	screen.must(t, "Undelegate", "Delegated to devnet-0: 1,001,000 CRN")
	typeText("400")
	keys("enter")
	screen.must(t, "undelegate(devnet-0")
	keys("y")
	waitStakingTx(t, sub, svc, op)
	keys("esc")
	screen.must(t, "1,000,600 CRN", "Unbonding", "400 CRN", "6d 23h")

	// Claim: the rewards go to the operator's balance.
	before, err := svc.Account(context.Background(), op)
	if err != nil {
		t.Fatal(err)
	}
	keys("c")
	screen.must(t, "Claim rewards", "of rewards earned with devnet-0")
	keys("enter")
	screen.must(t, "claimRewards(devnet-0")
	keys("y")
	tx := waitStakingTx(t, sub, svc, op)
	after, err := svc.Account(context.Background(), op)
	if err != nil {
		t.Fatal(err)
	}
	fee := new(big.Int).Mul(new(big.Int).SetUint64(tx.Receipt.GasUsed), tx.Receipt.EffectiveGasPrice.Int())
	if gain := new(big.Int).Sub(after.Balance.Int(), before.Balance.Int()); new(big.Int).Add(gain, fee).Sign() <= 0 {
		t.Fatalf("claiming paid nothing: balance %s → %s, fee %s", before.Balance.Int(), after.Balance.Int(), fee)
	}
	keys("ctrl+c")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

var rewardsRe = regexp.MustCompile(`devnet-0\s+1,00[0-9,]+ CRN\s+([0-9.,]+) CRN`)

// rewardsShownOr reads the self-delegation's pending rewards off a frame,
// or nil.
func rewardsShownOr(frame string) *big.Int {
	m := rewardsRe.FindStringSubmatch(frame)
	if m == nil {
		return nil
	}
	f, ok := new(big.Float).SetString(strings.ReplaceAll(m[1], ",", ""))
	if !ok {
		return nil
	}
	wei, _ := new(big.Float).Mul(f, big.NewFloat(1e18)).Int(nil)
	return wei
}

func rewardsShown(t *testing.T, frame string) *big.Int {
	t.Helper()
	r := rewardsShownOr(frame)
	if r == nil {
		t.Fatalf("no rewards on the delegation row:\n%s", frame)
	}
	return r
}

// waitStakingTx waits for from's next staking transaction to be included
// and checks it succeeded; it returns it with its receipt.
func waitStakingTx(t *testing.T, sub *events.Subscription, svc api.Service, from common.Address) *api.Tx {
	t.Helper()
	sent := waitChain(t, sub, "the staking transaction", func(e events.Event) bool {
		return e.Tx != nil && e.TxFrom == from && e.Tx.To() != nil && *e.Tx.To() == stakingabi.Address
	})
	hash := sent.Tx.Hash()
	waitChain(t, sub, "the block with the staking transaction", func(e events.Event) bool {
		return e.Block != nil && slices.ContainsFunc(e.Block.Txs, func(tx *types.Transaction) bool { return tx.Hash() == hash })
	})
	tx, err := svc.Tx(context.Background(), hash)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Receipt == nil || tx.Receipt.Status != 1 {
		t.Fatalf("the staking transaction failed: %+v", tx.Receipt)
	}
	return tx
}

// delegated is what the chain says from has delegated to itself.
func delegated(t *testing.T, svc api.Service, from common.Address) *big.Int {
	t.Helper()
	d, err := svc.Delegations(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range d.Delegations {
		if x.Validator == from {
			return x.Amount.Int()
		}
	}
	return new(big.Int)
}
