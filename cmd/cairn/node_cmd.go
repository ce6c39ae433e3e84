package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/logs"

	"github.com/spf13/cobra"
)

// nodeFlags are the flags every command that runs a node shares. The
// settings they mirror may also come from <home>/config.toml (see
// configFileHelp); a flag given on the command line wins.
type nodeFlags struct {
	home             string
	devnet           bool
	genesisPath      string
	validatorKeyPath string
	apiAddr          string
	rpcCORS          string
	blockTime        time.Duration
	stateWindow      uint64
	archive          bool
	sync             string
	logLevel         string
	pprofAddr        string
	// Recovery switches: flags only, never config.toml, so that they are
	// given once, on purpose.
	resync        bool
	signStateGone bool
	p2pFlags

	// devnetIfNoGenesis runs the built-in devnet when neither a flag nor
	// config.toml names a genesis and home has none (the console).
	devnetIfNoGenesis bool
	// cmd is the command the flags belong to, to ask which were given.
	cmd *cobra.Command
	// file is config.toml as config read it.
	file *fileConfig
}

func (f *nodeFlags) register(cmd *cobra.Command) {
	f.cmd = cmd
	fl := cmd.Flags()
	fl.StringVar(&f.home, "home", defaultHome(), "directory for the node's data, genesis, keys and config.toml")
	fl.BoolVar(&f.devnet, "devnet", false, "run the built-in single-validator development chain (chain ID 7777)")
	fl.StringVar(&f.genesisPath, "genesis", "", "genesis file (default: <home>/genesis.json)")
	fl.StringVar(&f.validatorKeyPath, "validator-key", "", "validator key file (default: <home>/validator_key.json; none there runs a follower)")
	fl.StringVar(&f.apiAddr, "api", node.DefaultAPIAddr, "listen address of the REST API (/v1) and the Ethereum JSON-RPC (/ and /ws); empty disables both")
	fl.StringVar(&f.rpcCORS, "rpc-cors", "", "browser origins allowed to call JSON-RPC and open its WebSocket, comma-separated (\"*\" for any; default none)")
	fl.DurationVar(&f.blockTime, "block-time", 0, "block interval (default: the genesis value, 1s)")
	fl.Uint64Var(&f.stateWindow, "state-window", chain.DefaultStateWindow, "keep the state of this many blocks before the head; older state is pruned")
	fl.BoolVar(&f.archive, "archive", false, "keep the state of every block (no pruning)")
	fl.StringVar(&f.sync, "sync", node.SyncFull, "how a new node catches up: full (execute every block from genesis) or snapshot "+
		"(download the verified state of a peer's head, then execute from there; blocks before it are not kept)")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fl.StringVar(&f.pprofAddr, "pprof", "", "serve Go's profiler on this address (e.g. 127.0.0.1:6060)")
	fl.BoolVar(&f.resync, "resync", false, "start on a store that is behind this home's consensus WAL and sign state (lost or rolled back) and rebuild it from peers")
	fl.BoolVar(&f.signStateGone, "i-know-my-sign-state-is-gone", false,
		"start a validator whose sign state is lost: it signs nothing up to the height after everything this home shows, then signs again")
	f.p2pFlags.register(cmd)
}

// changed says whether a flag was given on the command line.
func (f *nodeFlags) changed(name string) bool {
	return f.cmd != nil && f.cmd.Flags().Changed(name)
}

// applyFile reads <home>/config.toml and takes each setting it holds whose
// flag was not given on the command line.
func (f *nodeFlags) applyFile() error {
	fc, err := loadConfigFile(node.ConfigPath(f.home))
	if err != nil {
		return err
	}
	f.file = fc
	take := func(flag string, v *string, dst *string, resolve func(string) string) {
		if v != nil && !f.changed(flag) {
			*dst = resolve(*v)
		}
	}
	same := func(s string) string { return s }
	inHome := func(s string) string { return homePath(f.home, s) }
	take("api", fc.API, &f.apiAddr, same)
	take("log-level", fc.LogLevel, &f.logLevel, same)
	take("pprof", fc.Pprof, &f.pprofAddr, same)
	take("sync", fc.Sync, &f.sync, same)
	take("validator-key", fc.ValidatorKey, &f.validatorKeyPath, inHome)
	if !f.changed("devnet") {
		take("genesis", fc.Genesis, &f.genesisPath, inHome)
	}
	if fc.BlockTime != nil && !f.changed("block-time") {
		f.blockTime = *fc.BlockTime
	}
	if fc.StateWindow != nil && !f.changed("state-window") {
		f.stateWindow = *fc.StateWindow
	}
	if fc.Archive != nil && !f.changed("archive") {
		f.archive = *fc.Archive
	}
	return nil
}

// config turns the flags and config.toml into a node configuration: which
// genesis, which validator key, which network.
func (f *nodeFlags) config() (node.Config, error) {
	if err := f.applyFile(); err != nil {
		return node.Config{}, err
	}
	log, err := newLogger(f.logLevel)
	if err != nil {
		return node.Config{}, err
	}
	if f.blockTime < 0 {
		return node.Config{}, usageErr("--block-time %v must not be negative", f.blockTime)
	}
	if f.stateWindow == 0 {
		return node.Config{}, usageErr("--state-window must be at least 1 (--archive keeps every state)")
	}
	if f.sync != node.SyncFull && f.sync != node.SyncSnapshot {
		return node.Config{}, usageErr("--sync %q: want %s or %s", f.sync, node.SyncFull, node.SyncSnapshot)
	}
	if f.devnetIfNoGenesis && f.genesisPath == "" && !f.devnet {
		if _, err := os.Stat(node.GenesisPath(f.home)); errors.Is(err, fs.ErrNotExist) {
			f.devnet = true
		}
	}
	cfg := node.Config{Home: f.home, APIAddr: f.apiAddr, BlockTime: f.blockTime, Logger: log,
		Resync: f.resync, SignStateGone: f.signStateGone, RPCCORSOrigins: splitList(f.rpcCORS),
		StateWindow: f.stateWindow, Archive: f.archive, Sync: f.sync}
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
	if cfg.ValidatorKey, err = f.validatorKey(); err != nil {
		return cfg, err
	}
	cfg.P2P, err = f.p2pConfig(f.devnet, f.file.P2P, f.changed)
	return cfg, err
}

// splitList reads a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// validatorKey loads the validator key: the one named by --validator-key
// or config.toml must exist; <home>/validator_key.json may be missing (a
// follower), and the devnet then falls back to its public key.
func (f *nodeFlags) validatorKey() (ed25519.PrivateKey, error) {
	path, named := f.validatorKeyPath, f.validatorKeyPath != ""
	if !named {
		path = node.ValidatorKeyPath(f.home)
	}
	key, err := node.LoadValidatorKey(path)
	switch {
	case err == nil:
		return key, nil
	case !errors.Is(err, fs.ErrNotExist) || named:
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
		Long: "node runs a headless node until SIGINT or SIGTERM; it exits non-zero if the node\n" +
			"stops by itself on a fatal error.\n\n" + configFileHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.config()
			if err != nil {
				return err
			}
			keepLogs(&cfg, f.logLevel)
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

// keptLogLines is how many of its recent log lines a node keeps for its
// API (GET /v1/logs), as the console keeps for its own node.
const keptLogLines = 2000

// keepLogs tees the node's logs into a buffer its API serves, so a console
// attached over the API shows them on its Logs screen.
func keepLogs(cfg *node.Config, level string) {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // config checked it
	buf := logs.NewBuffer(keptLogLines)
	cfg.Logger = slog.New(slog.NewMultiHandler(buf.Handler(l), cfg.Logger.Handler()))
	cfg.Logs = buf
}

// runNode runs a node until ctx ends (SIGINT or SIGTERM) or the node stops
// on a fatal error, then closes it.
func runNode(ctx context.Context, cfg node.Config, devnet bool) error {
	if devnet {
		cfg.Logger.Warn(chain.DevnetWarning)
	}
	n, err := node.New(cfg)
	if err != nil {
		return err
	}
	return serveNode(ctx, n)
}

// runningNode is what serveNode needs of a node.
type runningNode interface {
	Start(ctx context.Context) error
	Close() error
	Done() <-chan struct{}
	Err() error
}

// serveNode starts n and waits for ctx to end or n to stop by itself.
// Either way it closes n; a node that stopped by itself returns its error.
func serveNode(ctx context.Context, n runningNode) error {
	if err := n.Start(ctx); err != nil {
		n.Close()
		return err
	}
	var fatal error
	select {
	case <-ctx.Done():
	case <-n.Done():
		fatal = n.Err()
		if fatal == nil {
			fatal = errors.New("the node stopped by itself")
		}
	}
	if err := n.Close(); err != nil {
		return errors.Join(fatal, fmt.Errorf("stop node: %w", err))
	}
	if fatal != nil {
		return fmt.Errorf("node stopped: %w", fatal)
	}
	return nil
}
