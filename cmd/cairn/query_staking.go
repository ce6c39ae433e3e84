package main

import (
	"context"
	"fmt"
	"math/big"
	"text/tabwriter"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
)

// newQueryStakingCmds are `cairn query validators|validator|delegations|
// rewards|unbondings`: the staking contract's state at the node's head.
func newQueryStakingCmds(qf *queryFlags) []*cobra.Command {
	byAddress := func(use, short string, show func(ctx context.Context, c *api.Client, p *queryPrinter, a common.Address) error) *cobra.Command {
		name := use[:len(use)-len(" <0xaddress>")]
		return &cobra.Command{
			Use: use, Short: short, Args: queryArgs(name, "a 0x address"),
			RunE: func(cmd *cobra.Command, args []string) error {
				addr, err := api.ParseAddress(args[0])
				if err != nil {
					return queryInputErr(err)
				}
				return qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error { return show(ctx, c, p, addr) })
			},
		}
	}
	delegations := func(ctx context.Context, c *api.Client, a common.Address) (*api.Delegations, error) {
		return c.Delegations(ctx, a)
	}
	return []*cobra.Command{
		{
			Use:   "validators",
			Short: "List the validators: power, commission, status, uptime",
			Args:  queryArgs("validators", ""),
			RunE: func(cmd *cobra.Command, _ []string) error {
				return qf.run(cmd, func(ctx context.Context, c *api.Client, p *queryPrinter) error {
					l, err := c.Validators(ctx)
					if err != nil {
						return err
					}
					return p.show(l, func() { p.validators(l) })
				})
			},
		},
		byAddress("validator <0xaddress>", "Show one validator by its operator address", func(ctx context.Context, c *api.Client, p *queryPrinter, a common.Address) error {
			v, err := c.Validator(ctx, a)
			if err != nil {
				return err
			}
			return p.show(v, func() { p.validator(v) })
		}),
		byAddress("delegations <0xaddress>", "Show an address's delegations, pending rewards and unbondings", func(ctx context.Context, c *api.Client, p *queryPrinter, a common.Address) error {
			d, err := delegations(ctx, c, a)
			if err != nil {
				return err
			}
			return p.show(d, func() { p.delegations(d); p.unbondings(d.Unbondings, time.Now()) })
		}),
		byAddress("rewards <0xaddress>", "Show an address's pending rewards, per validator", func(ctx context.Context, c *api.Client, p *queryPrinter, a common.Address) error {
			d, err := delegations(ctx, c, a)
			if err != nil {
				return err
			}
			return p.show(d, func() { p.rewards(d) })
		}),
		byAddress("unbondings <0xaddress>", "Show an address's unbonding and redelegation entries and the time left", func(ctx context.Context, c *api.Client, p *queryPrinter, a common.Address) error {
			d, err := delegations(ctx, c, a)
			if err != nil {
				return err
			}
			return p.show(d.Unbondings, func() { p.unbondings(d.Unbondings, time.Now()) })
		}),
	}
}

func (p *queryPrinter) validators(l *api.ValidatorList) {
	if len(l.Validators) == 0 {
		fmt.Fprintln(p.w, "no validators")
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MONIKER\tOPERATOR\tSTATUS\tPOWER\tSHARE\tCOMMISSION\tUPTIME\tSTAKE (CRN)")
	for _, v := range l.Validators {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.2f%%\t%s\t%.1f%%\t%s\n", orDash(v.Moniker), v.Operator.Hex(), v.Status, v.Power,
			100*v.PowerShare, bps(v.CommissionBps), 100*v.Uptime, queryUnits(queryInt(v.Tokens), 18))
	}
	tw.Flush()
}

func (p *queryPrinter) validator(v *api.Validator) {
	p.kv("operator", "%s", v.Operator.Hex())
	p.kv("moniker", "%s", orDash(v.Moniker))
	p.kv("status", "%s", v.Status)
	p.kv("power", "%d (%.2f%% of the set)", v.Power, 100*v.PowerShare)
	p.kv("commission", "%s", bps(v.CommissionBps))
	p.kv("stake", "%s", queryCRN(queryInt(v.Tokens)))
	p.kv("self-stake", "%s", queryCRN(queryInt(v.SelfStake)))
	p.kv("uptime", "%.1f%% (%d missed of the last %d commits)", 100*v.Uptime, v.MissedBlocks, v.WindowBlocks)
	if v.JailedUntil > 0 {
		p.kv("jailed until", "%s", time.UnixMilli(int64(v.JailedUntil)).UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	p.kv("consensus key", "%x", []byte(v.ConsensusKey))
}

func (p *queryPrinter) delegations(d *api.Delegations) {
	if len(d.Delegations) == 0 {
		fmt.Fprintf(p.w, "%s has no delegations\n", d.Delegator.Hex())
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VALIDATOR\tAMOUNT (CRN)\tPENDING REWARDS (CRN)")
	for _, x := range d.Delegations {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", x.Validator.Hex(), queryUnits(queryInt(x.Amount), 18), queryUnits(queryInt(x.PendingRewards), 18))
	}
	tw.Flush()
}

func (p *queryPrinter) rewards(d *api.Delegations) {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VALIDATOR\tPENDING REWARDS (CRN)")
	for _, x := range d.Delegations {
		fmt.Fprintf(tw, "%s\t%s\n", x.Validator.Hex(), queryUnits(queryInt(x.PendingRewards), 18))
	}
	fmt.Fprintf(tw, "total\t%s\n", queryUnits(queryInt(d.PendingRewards), 18))
	tw.Flush()
}

// unbondings lists entries with the time left until each completes, as of
// now.
func (p *queryPrinter) unbondings(us []api.Unbonding, now time.Time) {
	if len(us) == 0 {
		fmt.Fprintln(p.w, "no unbondings")
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tVALIDATOR\tAMOUNT (CRN)\tCOMPLETES\tLEFT")
	for _, u := range us {
		done := time.UnixMilli(int64(u.CompletionTime))
		left := "done: withdraw it"
		if d := done.Sub(now); d > 0 {
			left = d.Round(time.Second).String()
		}
		amount := queryUnits(queryInt(u.Amount), 18)
		if u.Kind == api.UnbondingKindRedelegation {
			amount = "-" // a redelegation holds nothing; its amount is shares
			if u.Destination != nil {
				left += " (to " + u.Destination.Hex() + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Kind, u.Validator.Hex(), amount, done.UTC().Format("2006-01-02 15:04:05"), left)
	}
	tw.Flush()
}

// bps writes basis points as a percentage.
func bps(b uint16) string {
	return new(big.Rat).SetFrac64(int64(b), 100).FloatString(2) + "%"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
