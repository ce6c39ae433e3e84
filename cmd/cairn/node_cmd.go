package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"cairn/chain"
	"cairn/node"

	"github.com/spf13/cobra"
)

// nodeFlags are the flags every command that runs a node shares.
type nodeFlags struct {
	home        string
	devnet      bool
	genesisPath string
	apiAddr     string
	blockTime   time.Duration
	logLevel    string
	pprofAddr   string
}

func (f *nodeFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.home, "home", defaultHome(), "directory for the node's data, genesis and keys")
	fl.BoolVar(&f.devnet, "devnet", false, "run the built-in single-validator development chain (chain ID 7777)")
	fl.StringVar(&f.genesisPath, "genesis", "", "genesis file (default: <home>/genesis.json)")
	fl.StringVar(&f.apiAddr, "api", node.DefaultAPIAddr, "REST API listen address (empty to disable)")
	fl.DurationVar(&f.blockTime, "block-time", 0, "block interval (default: the genesis value, 1s)")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fl.StringVar(&f.pprofAddr, "pprof", "", "serve Go's profiler on this address (e.g. 127.0.0.1:6060)")
}

// config turns the flags into a node configuration: which genesis, which
// validator key.
func (f *nodeFlags) config() (node.Config, error) {
	log, err := newLogger(f.logLevel)
	if err != nil {
		return node.Config{}, err
	}
	cfg := node.Config{Home: f.home, APIAddr: f.apiAddr, BlockTime: f.blockTime, Logger: log}
	switch {
	case f.genesisPath != "" && f.devnet:
		return cfg, usageErr("--devnet and --genesis are exclusive")
	case f.genesisPath != "":
		cfg.Genesis, err = chain.LoadGenesis(f.genesisPath)
	case f.devnet:
		cfg.Genesis = chain.Devnet()
	default:
		cfg.Genesis, err = chain.LoadGenesis(node.GenesisPath(f.home))
		if errors.Is(err, fs.ErrNotExist) {
			return cfg, fmt.Errorf("no genesis in %s: run `cairn init --home %s` first, or pass --devnet", f.home, f.home)
		}
	}
	if err != nil {
		return cfg, err
	}
	cfg.ValidatorKey, err = f.validatorKey()
	return cfg, err
}

// validatorKey loads <home>/validator_key.json; the devnet falls back to
// its public key.
func (f *nodeFlags) validatorKey() (ed25519.PrivateKey, error) {
	key, err := node.LoadValidatorKey(node.ValidatorKeyPath(f.home))
	switch {
	case err == nil:
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case f.devnet:
		return chain.DevnetValidatorKey(), nil
	}
	return nil, nil
}

func newNodeCmd() *cobra.Command {
	var f nodeFlags
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run a headless node with the REST API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.config()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if f.pprofAddr != "" {
				ln, err := servePprof(f.pprofAddr, cfg.Logger)
				if err != nil {
					return fmt.Errorf("--pprof: %w", err)
				}
				defer ln.Close()
			}
			return runNode(ctx, cfg, f.devnet)
		},
	}
	f.register(cmd)
	return cmd
}

// runNode runs a node until ctx ends (SIGINT or SIGTERM), then stops it
// cleanly.
func runNode(ctx context.Context, cfg node.Config, devnet bool) error {
	if devnet {
		cfg.Logger.Warn(chain.DevnetWarning)
	}
	n, err := node.New(cfg)
	if err != nil {
		return err
	}
	if err := n.Start(ctx); err != nil {
		n.Close()
		return err
	}
	<-ctx.Done()
	if err := n.Close(); err != nil {
		return fmt.Errorf("stop node: %w", err)
	}
	return nil
}
