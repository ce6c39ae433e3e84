package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"cairn/cmd/cairn/loadgen"
	"cairn/node/api"
	"cairn/wallet"

	"github.com/spf13/cobra"
)

func init() { extraCommands = append(extraCommands, newLoadgenCmd) }

// loadgenFlags are the flags of `cairn loadgen`.
type loadgenFlags struct {
	api          string
	rpc          string
	rpcReceipts  bool
	txs          int
	senders      int
	funded       int
	rate         float64
	concurrency  int
	batch        int
	timeout      time.Duration
	chainID      uint64
	feeCap       string
	tip          string
	value        string
	legacy       bool
	to           string
	mnemonicFile string
	poll         time.Duration
	jsonOut      bool
	cpuProfile   string
	logLevel     string
	sseSubs      int
	sseTypes     []string
}

func newLoadgenCmd() *cobra.Command {
	var f loadgenFlags
	cmd := &cobra.Command{
		Use:   "loadgen",
		Short: "Measure a node: submit pre-signed transfers and report throughput and latency",
		Long: `loadgen pre-signs --txs transfers from --senders accounts of a mnemonic (the
public devnet mnemonic unless --mnemonic-file is given), submits them to a Cairn
node's REST API (--api) or to any Ethereum JSON-RPC endpoint (--rpc) at --rate
transfers per second (0: as fast as --concurrency workers go), follows the chain
until it sees them finalized, and reports submitted/s, finalized/s (from the
first submission to the last finalization) and submit-to-finalized latency.

The first --funded accounts must hold funds (the devnet funds 10); the others
are funded from them first, a phase that is not measured. Nonces come from the
target at the start; run nothing else from these accounts meanwhile.

--sse-subscribers N also holds N event streams (GET /v1/events) open on the
node for the whole run, each on its own connection and reading every byte,
and reports how many the node opened, refused (too_many_subscribers past its
cap) or ended early (too_slow for a stream that fell behind), and the events
they read: the cost of live subscribers shows as the difference in
finalized/s from a run without them. --sse-types picks the event types the
streams ask for (block-only streams cost the node far less than ones with a
tx event per transaction).`,
		Example: `  cairn node --devnet --home /tmp/c1 &
  cairn loadgen --txs 50000 --senders 100
  cairn loadgen --rpc http://127.0.0.1:8545 --rate 2000 --json
  cairn loadgen --txs 60000 --senders 200 --sse-subscribers 1000
  cairn loadgen --txs 60000 --senders 200 --sse-subscribers 1000 --sse-types block`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runLoadgen(ctx, &f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.api, "api", "http://127.0.0.1:8545", "Cairn REST API base URL")
	fl.StringVar(&f.rpc, "rpc", "", "Ethereum JSON-RPC URL to drive instead of the REST API")
	fl.BoolVar(&f.rpcReceipts, "rpc-receipts", false, "with --rpc, track inclusion by polling eth_getTransactionReceipt instead of reading blocks")
	fl.IntVar(&f.txs, "txs", loadgen.DefaultTxs, "transfers to submit and measure")
	fl.IntVar(&f.senders, "senders", loadgen.DefaultFunded, "sending accounts (mnemonic indexes 0..senders-1, at most 1000)")
	fl.IntVar(&f.funded, "funded", loadgen.DefaultFunded, "how many of the first accounts already hold funds")
	fl.Float64Var(&f.rate, "rate", 0, "submission rate in transfers per second (0: as fast as possible)")
	fl.IntVar(&f.batch, "batch", 1, "transfers of one sender per request: a {\"txs\":[…]} body to POST /v1/txs, or a JSON-RPC batch with --rpc (1 to 1000)")
	fl.IntVar(&f.concurrency, "concurrency", loadgen.DefaultConcurrency, "HTTP requests in flight at most (and at most one per sender, to keep nonce order)")
	fl.DurationVar(&f.timeout, "timeout", loadgen.DefaultTimeout, "bound on the whole run; when it passes, report what was seen")
	fl.Uint64Var(&f.chainID, "chain-id", 0, "chain ID to sign for (default: asked from the target)")
	fl.StringVar(&f.feeCap, "fee-cap", "", "max fee per gas in gwei, the gas price with --legacy (default: 2 × base fee, at least 10)")
	fl.StringVar(&f.tip, "tip", "", "max priority fee per gas in gwei (default: 1)")
	fl.StringVar(&f.value, "value", "1", "wei moved by each transfer")
	fl.BoolVar(&f.legacy, "legacy", false, "send EIP-155 legacy transactions instead of EIP-1559")
	fl.StringVar(&f.to, "to", loadgen.ToRandom, "recipients: random (a fresh address per transfer) or ring (sender i pays sender i+1)")
	fl.StringVar(&f.mnemonicFile, "mnemonic-file", "", "file holding the BIP-39 words of funded accounts (default: the public devnet mnemonic)")
	fl.DurationVar(&f.poll, "poll", loadgen.DefaultPoll, "how often to ask the target for new blocks")
	fl.BoolVar(&f.jsonOut, "json", false, "print the report as one JSON object")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the generator to this file")
	fl.StringVar(&f.logLevel, "log-level", "info", "progress log level on stderr: debug, info, warn, error")
	fl.IntVar(&f.sseSubs, "sse-subscribers", 0, "hold this many event streams (GET /v1/events) open on the node during the run and report what they read (REST API only)")
	fl.StringSliceVar(&f.sseTypes, "sse-types", nil, "the event types the --sse-subscribers streams ask for: block, tx, dropped (default all)")
	return cmd
}

// runLoadgen builds the target and the configuration from the flags, runs
// the load and prints the report. A run that ends before every accepted
// transfer is final prints its report and then fails.
func runLoadgen(ctx context.Context, f *loadgenFlags, out io.Writer) error {
	log, err := newLogger(f.logLevel)
	if err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	cfg.Log, cfg.Progress = log, 2*time.Second
	target, err := f.target()
	if err != nil {
		return err
	}
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var sse *loadgen.SSEGroup
	if f.sseSubs > 0 {
		if sse, err = loadgen.OpenSSE(ctx, f.api, f.sseSubs, f.sseTypes, log); err != nil {
			return usageErr("--api: %v", err)
		}
	}
	rep, err := loadgen.Run(ctx, target, cfg)
	if sse != nil {
		sr := sse.Close()
		if rep != nil {
			rep.SSE = &sr
		}
	}
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	if f.jsonOut {
		err = json.NewEncoder(out).Encode(rep)
	} else {
		err = rep.WriteText(out)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if rep.End != loadgen.EndComplete {
		return fmt.Errorf("%w: ended by %s with %d accepted transfers not seen final", errLoadgenIncomplete, rep.End, rep.Pending)
	}
	return nil
}

// config turns the flags into a loadgen configuration.
func (f *loadgenFlags) config() (loadgen.Config, error) {
	switch {
	case f.txs <= 0:
		return loadgen.Config{}, usageErr("--txs must be positive")
	case f.senders <= 0 || f.senders > wallet.MaxDevKeys:
		return loadgen.Config{}, usageErr("--senders must be 1..%d", wallet.MaxDevKeys)
	case f.funded <= 0:
		return loadgen.Config{}, usageErr("--funded must be positive")
	case f.batch < 1 || f.batch > loadgen.MaxBatch:
		return loadgen.Config{}, usageErr("--batch must be between 1 and 1000")
	case f.concurrency <= 0:
		return loadgen.Config{}, usageErr("--concurrency must be positive")
	case f.rate < 0:
		return loadgen.Config{}, usageErr("--rate must not be negative")
	case f.timeout <= 0:
		return loadgen.Config{}, usageErr("--timeout must be positive")
	case f.sseSubs < 0:
		return loadgen.Config{}, usageErr("--sse-subscribers must not be negative")
	case f.sseSubs > 0 && f.rpc != "":
		return loadgen.Config{}, usageErr("--sse-subscribers needs the REST API (--api), not --rpc")
	}
	for _, typ := range f.sseTypes {
		if !api.IsEventType(typ) {
			return loadgen.Config{}, usageErr("--sse-types: unknown event type %q (block, tx, dropped)", typ)
		}
	}
	keys, err := f.keys()
	if err != nil {
		return loadgen.Config{}, err
	}
	cfg := loadgen.Config{
		Txs: f.txs, Keys: keys, Funded: f.funded, Rate: f.rate, Concurrency: f.concurrency, Batch: f.batch,
		Timeout: f.timeout, Legacy: f.legacy, To: f.to,
	}
	if f.chainID != 0 {
		cfg.ChainID = new(big.Int).SetUint64(f.chainID)
	}
	if f.feeCap != "" {
		if cfg.FeeCap, err = loadgen.ParseGwei(f.feeCap); err != nil {
			return cfg, usageErr("--fee-cap: %v", err)
		}
	}
	if f.tip != "" {
		if cfg.Tip, err = loadgen.ParseGwei(f.tip); err != nil {
			return cfg, usageErr("--tip: %v", err)
		}
	}
	v, ok := new(big.Int).SetString(f.value, 10)
	if !ok || v.Sign() < 0 {
		return cfg, usageErr("--value %q: want a non-negative whole number of wei", f.value)
	}
	cfg.Value = v
	return cfg, nil
}

// keys derives the senders from the mnemonic file or the devnet mnemonic.
// The words are never printed.
func (f *loadgenFlags) keys() ([]*ecdsa.PrivateKey, error) {
	if f.mnemonicFile == "" {
		keys, err := wallet.DevKeys(f.senders)
		if err != nil {
			return nil, fmt.Errorf("devnet keys: %w", err)
		}
		return keys, nil
	}
	b, err := os.ReadFile(f.mnemonicFile)
	if err != nil {
		return nil, fmt.Errorf("--mnemonic-file: %w", err)
	}
	mnemonic := strings.TrimSpace(string(b))
	if mnemonic == "" {
		return nil, fmt.Errorf("--mnemonic-file %s is empty", f.mnemonicFile)
	}
	keys, err := wallet.DeriveKeys(mnemonic, "", 0, f.senders)
	if err != nil {
		return nil, fmt.Errorf("--mnemonic-file %s: %w", f.mnemonicFile, err)
	}
	return keys, nil
}

// target builds the REST or JSON-RPC target with one HTTP client sized for
// the workers.
func (f *loadgenFlags) target() (loadgen.Target, error) {
	hc := loadgen.NewHTTPClient(f.concurrency)
	if f.rpc != "" {
		t, err := loadgen.NewRPC(f.rpc, hc)
		if err != nil {
			return nil, usageErr("--rpc: %v", err)
		}
		t.Poll, t.Receipts = f.poll, f.rpcReceipts
		return t, nil
	}
	if f.rpcReceipts {
		return nil, usageErr("--rpc-receipts needs --rpc")
	}
	t, err := loadgen.NewREST(f.api, hc)
	if err != nil {
		return nil, usageErr("--api: %v", err)
	}
	t.Poll = f.poll
	return t, nil
}

// errLoadgenIncomplete is returned when a run ends before every accepted
// transfer is final.
var errLoadgenIncomplete = errors.New("loadgen: run incomplete")
