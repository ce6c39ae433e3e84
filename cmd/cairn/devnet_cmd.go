package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"cairn/node/p2p"

	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newDevnetCmd) }

// devnetWarning is shown whenever `cairn devnet` runs. Unlike the built-in
// devnet's, its validator keys are new and stay in the homes; the funded
// accounts are the same public ones.
const devnetWarning = "devnet: the funded accounts are the public development accounts: anyone can spend " +
	"from them; never send real value to them"

// devnetStopTimeout bounds how long `cairn devnet` waits for its nodes
// after SIGTERM before it kills them.
const devnetStopTimeout = 20 * time.Second

// newDevnetCmd is `cairn devnet` (write if needed, then run) and `cairn
// devnet init` (write only).
func newDevnetCmd() *cobra.Command {
	var (
		home string
		o    devnetOptions
	)
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run a local network of N validators as N node processes",
		Long: "devnet runs a local development network: N validators (-n, default 4) with\n" +
			"unequal stakes, any one of which can stop while the others go on (from N = 4),\n" +
			"on chain ID 7777 with the devnet's public funded accounts. Each node is a\n" +
			"`cairn node --home DIR/nodeK` child process listening on 127.0.0.1 only, logging\n" +
			"to DIR/nodeK/node.log. Ctrl-C or SIGTERM stops them all.\n\n" +
			"The first run writes DIR (see `cairn devnet init`). If DIR already holds a devnet,\n" +
			"devnet restarts that same network, with its keys, chain data and ports; -n, the\n" +
			"port flags and --block-time then only confirm it (a different value is refused).\n" +
			"Remove DIR to start afresh. A node that exits by itself is reported with the end\n" +
			"of its log while the others keep running.\n\n" +
			"The devnet's funded accounts are PUBLIC; never send real value to them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := newLogger(o.logLevel); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var d *devnet
			var err error
			if devnetExists(home) {
				if d, err = loadDevnet(home); err != nil {
					return err
				}
				if err := checkSameDevnet(cmd, d, o); err != nil {
					return err
				}
				fmt.Fprintf(out, "restarting the %d-node devnet in %s\n", len(d.Nodes), home)
			} else {
				if d, err = writeDevnet(home, o); err != nil {
					return err
				}
				fmt.Fprintf(out, "wrote a %d-node devnet in %s\n", len(d.Nodes), home)
			}
			if err := d.checkPortsFree(); err != nil {
				return err
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("find the cairn binary: %w", err)
			}
			var extra []string
			if cmd.Flags().Changed("log-level") {
				extra = append(extra, "--log-level", o.logLevel)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			sup := &supervisor{out: out, stopTimeout: devnetStopTimeout}
			return sup.run(ctx, d.childSpecs(exe, extra), func() {
				printDevnet(out, d)
				fmt.Fprintf(out, "\n%s\nCtrl-C stops the nodes.\n", devnetWarning)
			})
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&home, "home", filepath.Join(defaultHome(), "devnet"), "directory of the devnet: genesis.json and the homes node1 … nodeN")
	pf.IntVarP(&o.nodes, "nodes", "n", 4, "number of validators")
	pf.IntVar(&o.baseAPIPort, "base-api-port", 8545, "REST API port of node1; nodeK listens on this + K-1")
	pf.IntVar(&o.baseP2PPort, "base-p2p-port", p2p.DefaultPort, "P2P port (TCP and QUIC) of node1; nodeK listens on this + K-1")
	pf.DurationVar(&o.blockTime, "block-time", 0, "block interval written into the genesis (default 1s)")
	pf.StringVar(&o.logLevel, "log-level", "info", "the nodes' log level: debug, info, warn, error")

	cmd.AddCommand(&cobra.Command{
		Use:   "init",
		Short: "Write a local N-validator devnet without running it",
		Long: "init writes DIR/genesis.json (N validators, chain ID 7777, the devnet's funded\n" +
			"accounts) and for each node a home DIR/nodeK with a new validator_key.json and\n" +
			"node_key (mode 0600), genesis.json and config.toml: API on 127.0.0.1:<base-api-port+K-1>,\n" +
			"P2P on /ip4/127.0.0.1/tcp and udp/quic-v1 <base-p2p-port+K-1>, bootstrap = the other\n" +
			"nodes. Run one with `cairn node --home DIR/nodeK`, or inside the console with\n" +
			"`cairn console --home DIR/nodeK`. init refuses a DIR that already holds a devnet.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := newLogger(o.logLevel); err != nil {
				return err
			}
			d, err := writeDevnet(home, o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "wrote a %d-node devnet in %s\n", len(d.Nodes), home)
			printDevnet(out, d)
			fmt.Fprintf(out, "\nrun them all with: cairn devnet --home %s\nor one by hand:    cairn node --home %s\n",
				home, d.Nodes[0].Home)
			return nil
		},
	})
	return cmd
}

// checkSameDevnet refuses flags given for a devnet that already exists
// when they say something else than what it was written with.
func checkSameDevnet(cmd *cobra.Command, d *devnet, o devnetOptions) error {
	fl := cmd.Flags()
	first := d.Nodes[0]
	wrong := func(flag string, got, had any) error {
		return usageErr("%s %v: the devnet in %s was written with %v; remove it to write a new one, or leave out %s",
			flag, got, d.Dir, had, flag)
	}
	switch {
	case fl.Changed("nodes") && o.nodes != len(d.Nodes):
		return wrong("-n", o.nodes, len(d.Nodes))
	case fl.Changed("base-api-port") && o.baseAPIPort != tcpPort(first.API):
		return wrong("--base-api-port", o.baseAPIPort, tcpPort(first.API))
	case fl.Changed("base-p2p-port") && o.baseP2PPort != tcpPort(first.P2P):
		return wrong("--base-p2p-port", o.baseP2PPort, tcpPort(first.P2P))
	case fl.Changed("block-time") && uint64(o.blockTime.Milliseconds()) != d.Genesis.Params.BlockTimeMs:
		return wrong("--block-time", o.blockTime, time.Duration(d.Genesis.Params.BlockTimeMs)*time.Millisecond)
	}
	return nil
}

// childSpecs are the node processes that run d: exe node --home <home>.
func (d *devnet) childSpecs(exe string, extra []string) []childSpec {
	specs := make([]childSpec, len(d.Nodes))
	for i, n := range d.Nodes {
		specs[i] = childSpec{
			name: n.Name, log: n.Log,
			path: exe, args: append([]string{"node", "--home", n.Home}, extra...),
		}
	}
	return specs
}

// printDevnet writes the table of d's nodes.
func printDevnet(w io.Writer, d *devnet) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tVALIDATOR\tSTAKE\tAPI\tP2P\tLOG")
	for i, n := range d.Nodes {
		api := "off"
		if n.API != "" {
			api = "http://" + n.API
		}
		stake := "?"
		if i < len(d.Genesis.Validators) {
			stake = queryUnits(d.Genesis.Validators[i].Stake.Int(), 18) + " CRN"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Validator.Hex(), stake, api, n.P2P, n.Log)
	}
	tw.Flush()
}
