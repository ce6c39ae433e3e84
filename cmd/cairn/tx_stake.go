package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"cairn/chain/staking"
	"cairn/node"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
)

// newTxStakeCmd is `cairn tx stake …`: calls of the staking contract,
// signed with the wallet like any transaction.
func newTxStakeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stake",
		Short: "Stake: create a validator, delegate, undelegate, redelegate, withdraw, claim rewards, unjail",
		Long: "stake sends calls of the staking contract at " + staking.Address.Hex() + " from a wallet\n" +
			"account. Each command estimates its gas first: a call the contract would refuse is\n" +
			"reported with its reason and not sent. Amounts are in CRN.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetFlagErrorFunc(flagErrorLine)
	cmd.AddCommand(
		newStakeCreateCmd(), newStakeEditCmd(),
		stakeCmd("delegate VALIDATOR AMOUNT", "Bond AMOUNT CRN to a validator", 2, func(a stakeArgs) (*sendPlan, error) {
			val, amount := a.addr(0), a.crn(1)
			return a.call(amount, "delegate", val), a.err
		}),
		stakeCmd("undelegate VALIDATOR AMOUNT", "Start unbonding AMOUNT CRN from a validator; `withdraw` pays it when the unbonding period ends", 2, func(a stakeArgs) (*sendPlan, error) {
			val, amount := a.addr(0), a.crn(1)
			return a.call(nil, "undelegate", val, amount), a.err
		}),
		stakeCmd("redelegate FROM TO AMOUNT", "Move AMOUNT CRN of bonded stake from one validator to another at once", 3, func(a stakeArgs) (*sendPlan, error) {
			from, to, amount := a.addr(0), a.addr(1), a.crn(2)
			return a.call(nil, "redelegate", from, to, amount), a.err
		}),
		stakeCmd("withdraw", "Pay out every unbonding whose period has ended", 0, func(a stakeArgs) (*sendPlan, error) {
			return a.call(nil, "withdraw"), nil
		}),
		newStakeClaimCmd(),
		stakeCmd("unjail", "Bring the sender's jailed validator back once its jail time is over", 0, func(a stakeArgs) (*sendPlan, error) {
			return a.call(nil, "unjail"), nil
		}),
	)
	return cmd
}

// stakeArgs reads a stake command's positional arguments; the first bad
// one is kept in err.
type stakeArgs struct {
	args []string
	err  error
}

func (a *stakeArgs) addr(i int) common.Address {
	v, err := api.ParseAddress(a.args[i])
	if err != nil && a.err == nil {
		a.err = usageErr("%q: %s", a.args[i], apiMessage(err))
	}
	return v
}

func (a *stakeArgs) crn(i int) *big.Int {
	v, err := parseCRN(a.args[i])
	if err == nil && v.Sign() == 0 {
		err = fmt.Errorf("the amount must be above zero")
	}
	if err != nil && a.err == nil {
		a.err = usageErr("%v", err)
	}
	return v
}

// call plans a call of the staking contract carrying value (nil: none).
func (a *stakeArgs) call(value *big.Int, method string, args ...any) *sendPlan {
	if a.err != nil {
		return nil
	}
	data, err := staking.ABI.Pack(method, args...)
	if err != nil {
		a.err = fmt.Errorf("encode %s: %w", method, err)
		return nil
	}
	if value == nil {
		value = new(big.Int)
	}
	return &sendPlan{to: staking.Address, value: value, data: data}
}

// stakeCmd is a stake command with n positional arguments that plan turns
// into a call.
func stakeCmd(use, short string, n int, plan func(stakeArgs) (*sendPlan, error)) *cobra.Command {
	var f sendFlags
	name, _, _ := strings.Cut(use, " ")
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != n {
				return usageErr("stake %s takes %d arguments: %s", name, n, use)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := plan(stakeArgs{args: args})
			if err != nil {
				return err
			}
			return f.sendStaking(cmd, p)
		},
	}
	f.register(cmd.Flags(), 0)
	return cmd
}

func (f *sendFlags) sendStaking(cmd *cobra.Command, p *sendPlan) error {
	if err := f.checkCommon(cmd, p); err != nil {
		return err
	}
	return f.send(cmd, p)
}

// newStakeClaimCmd is `stake claim [VALIDATOR]`: one claimRewards call, or
// one per validator the sender has rewards from.
func newStakeClaimCmd() *cobra.Command {
	var f sendFlags
	cmd := &cobra.Command{
		Use:   "claim [VALIDATOR]",
		Short: "Pay out the rewards (and, for its operator, the commission) earned from a validator, or from every one",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErr("stake claim takes at most one argument: the validator")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				a := stakeArgs{args: args}
				p := a.call(nil, "claimRewards", a.addr(0))
				if a.err != nil {
					return a.err
				}
				return f.sendStaking(cmd, p)
			}
			vals, err := f.rewardingValidators(cmd)
			if err != nil {
				return err
			}
			if len(vals) == 0 {
				return plainErrorf("no rewards to claim: see `cairn query rewards`")
			}
			for _, v := range vals {
				a := stakeArgs{}
				if err := f.sendStaking(cmd, a.call(nil, "claimRewards", v)); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f.register(cmd.Flags(), 0)
	return cmd
}

// rewardingValidators are the validators the sender has pending rewards
// from, as the node reports them.
func (f *sendFlags) rewardingValidators(cmd *cobra.Command) ([]common.Address, error) {
	w, err := f.wf.open()
	if err != nil {
		return nil, err
	}
	acc, err := resolveAccount(w, f.from, "--from")
	if err != nil {
		return nil, err
	}
	var vals []common.Address
	err = f.qf.run(cmd, func(ctx context.Context, c *api.Client, _ *queryPrinter) error {
		d, err := c.Delegations(ctx, acc.Address)
		if err != nil {
			return err
		}
		for _, x := range d.Delegations {
			if x.PendingRewards != nil && x.PendingRewards.Sign() > 0 {
				vals = append(vals, x.Validator)
			}
		}
		return nil
	})
	return vals, err
}

func newStakeCreateCmd() *cobra.Command {
	var f sendFlags
	var keyFile, stake, commission, moniker string
	cmd := &cobra.Command{
		Use:   "create-validator --consensus-key FILE --stake CRN --commission PCT --moniker NAME",
		Short: "Register the sender as a validator, self-bonding --stake CRN",
		Long: "create-validator registers the sending account as the operator of the validator whose\n" +
			"consensus key is in FILE (the validator_key.json of the node that will sign for it),\n" +
			"bonding --stake CRN. The key signs the operator's address and the chain ID, so nobody\n" +
			"can register a key they do not hold. The validator joins the active set at the end of\n" +
			"the epoch, if its stake ranks among the top and it is at least the minimum self-stake.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyFile == "" || stake == "" {
				return usageErr("--consensus-key and --stake are required")
			}
			bps, err := parseCommission(commission)
			if err != nil {
				return usageErr("--commission: %v", err)
			}
			amount, err := parseCRN(stake)
			if err != nil {
				return usageErr("--stake: %v", err)
			}
			key, err := node.LoadValidatorKey(keyFile)
			if err != nil {
				return err
			}
			pub := [32]byte(key.Public().(ed25519.PublicKey))
			p := &sendPlan{to: staking.Address, value: amount, dataFor: func(chainID uint64, from common.Address) ([]byte, error) {
				sig := ed25519.Sign(key, staking.KeyProof(chainID, from))
				return staking.ABI.Pack("createValidator", pub, sig, bps, moniker)
			}}
			return f.sendStaking(cmd, p)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&keyFile, "consensus-key", "", "the validator's consensus key file (validator_key.json)")
	fl.StringVar(&stake, "stake", "", "self-stake in CRN")
	fl.StringVar(&commission, "commission", "0%", "the validator's cut of its rewards: \"5%\" or \"500bps\"")
	fl.StringVar(&moniker, "moniker", "", "the validator's name, at most 70 bytes")
	f.register(fl, 0)
	return cmd
}

func newStakeEditCmd() *cobra.Command {
	var f sendFlags
	var commission, moniker string
	cmd := &cobra.Command{
		Use:   "edit-validator --commission PCT --moniker NAME",
		Short: "Change the sender's validator's commission and moniker",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bps, err := parseCommission(commission)
			if err != nil {
				return usageErr("--commission: %v", err)
			}
			data, err := staking.ABI.Pack("editValidator", bps, moniker)
			if err != nil {
				return err
			}
			return f.sendStaking(cmd, &sendPlan{to: staking.Address, value: new(big.Int), data: data})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&commission, "commission", "", "the new commission: \"5%\" or \"500bps\" (required)")
	fl.StringVar(&moniker, "moniker", "", "the new moniker")
	_ = cmd.MarkFlagRequired("commission")
	f.register(fl, 0)
	return cmd
}

// parseCommission reads "5%", "5.25%" or "525bps" as basis points.
func parseCommission(s string) (uint16, error) {
	s = strings.TrimSpace(s)
	var bps float64
	switch {
	case strings.HasSuffix(s, "bps"):
		n, err := strconv.ParseUint(strings.TrimSuffix(s, "bps"), 10, 16)
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number of basis points", s)
		}
		bps = float64(n)
	case strings.HasSuffix(s, "%"):
		pct, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || pct < 0 {
			return 0, fmt.Errorf("%q is not a percentage", s)
		}
		bps = pct * 100
		if bps != float64(int64(bps)) {
			return 0, fmt.Errorf("%q is finer than a basis point (0.01%%)", s)
		}
	default:
		return 0, fmt.Errorf("%q: write a percentage (\"5%%\") or basis points (\"500bps\")", s)
	}
	if bps > 10_000 {
		return 0, fmt.Errorf("%q is above 100%%", s)
	}
	return uint16(bps), nil
}
