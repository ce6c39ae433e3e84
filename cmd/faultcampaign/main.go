// Command faultcampaign puts a real cairn node through crashes and a
// damaged home, and says whether it kept what it had committed.
//
//	go run ./cmd/faultcampaign [-kills 100] [-damage] [-seed N] [-keep]
//
// It builds cairn into a temporary directory, then
//
//   - kill campaign (-kills N, 0 to skip): runs one built-in devnet node
//     on one home under load from `cairn loadgen`, SIGKILLs it at seeded
//     random moments (while it starts, while it resumes after a restart,
//     mid-load, right after a block) and restarts it each time. Whatever
//     the node announced as committed (every block on /v1/events: its
//     hash, parent and transactions) and the finalized height it reported
//     must read back unchanged after each restart, every transaction at
//     its block and index;
//   - damage campaign (-damage): damages copies of a one-validator home
//     that ran under load and stopped cleanly, in each of 21 ways (the
//     store, the sign state, the consensus WAL, the keys, genesis,
//     config), starts a node on each and classifies what it did:
//     REFUSED, SERVED-OK or FAIL.
//
// Everything listens on 127.0.0.1 only, every wait has a deadline, every
// child is killed when the campaign ends (Ctrl-C too), and the temporary
// directory is removed unless -keep. It exits non-zero if any check
// failed. docs/FAULTS.md explains the checks.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	kills := flag.Int("kills", 100, "SIGKILLs of the kill campaign (0 skips it)")
	damage := flag.Bool("damage", false, "also run the store-damage variants")
	netKills := flag.Int("net-kills", 0, "also kill one of four validators of a devnet this many times (0 skips it)")
	seed := flag.Uint64("seed", 0, "seed of the kill moments and samples (0: from the clock, printed)")
	keep := flag.Bool("keep", false, "keep the temporary directory (homes, logs) for a look afterwards")
	blockTime := flag.Duration("block-time", 200*time.Millisecond, "block interval of the nodes")
	rate := flag.Float64("rate", 150, "transfers per second loadgen sends")
	timeout := flag.Duration("timeout", 30*time.Minute, "bound on the whole campaign")
	verbose := flag.Bool("v", false, "a line per kill")
	prebuilt := flag.String("bin", "", "run this cairn binary instead of building ./cmd/cairn (to compare builds)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "faultcampaign takes no arguments; see -h")
		return 2
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	logf := func(format string, args ...any) {
		fmt.Printf(format+"\n", args...)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C is the default: the campaign ends at once
		kids.killAll()
	}()
	defer kids.killAll()

	tmp, err := os.MkdirTemp("", "faultcampaign-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if *keep {
		defer logf("kept %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	started := time.Now()
	logf("faultcampaign: seed %d, block time %s, load %.0f tx/s, temp dir %s", *seed, *blockTime, *rate, tmp)
	bin := filepath.Join(tmp, "cairn")
	if *prebuilt != "" {
		if err := copyFile(*prebuilt, bin); err != nil {
			fmt.Fprintln(os.Stderr, "copy cairn:", err)
			return 1
		}
		os.Chmod(bin, 0o700)
		logf("using %s", *prebuilt)
	} else {
		bctx, bcancel := context.WithTimeout(ctx, 10*time.Minute)
		err = runQuiet(bctx, "go", "build", "-o", bin, "cairn/cmd/cairn")
		bcancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "build cairn:", err)
			return 1
		}
		logf("built %s in %s", bin, time.Since(started).Round(time.Second))
	}

	c := &campaign{bin: bin, tmp: tmp, seed: *seed, blockTime: *blockTime, rate: *rate, verbose: *verbose, logf: logf}
	failed := false
	var ks *killStats
	if *kills > 0 {
		ks = c.runKills(ctx, *kills)
		failed = failed || len(ks.Failures) > 0 || ks.Checks.Bad() > 0
	}
	var ns *netStats
	if *netKills > 0 && ctx.Err() == nil {
		ns = c.runNet(ctx, *netKills)
		failed = failed || len(ns.Failures) > 0 || ns.Checks.Bad() > 0
	}
	var rows []row
	var b *base
	var derr error
	if *damage && ctx.Err() == nil {
		rows, b, derr = c.runDamage(ctx)
		for _, r := range rows {
			failed = failed || r.Outcome == Fail
		}
		failed = failed || derr != nil
	}

	logf("")
	logf("==== summary (seed %d, %s) ====", *seed, time.Since(started).Round(time.Second))
	if ks != nil {
		ks.print(logf)
	}
	if ns != nil {
		ns.print(logf)
	}
	if rows != nil {
		printTable(logf, rows, b)
	}
	if derr != nil {
		logf("damage campaign: %v", derr)
	}
	if ctx.Err() != nil {
		logf("stopped early: %v", context.Cause(ctx))
		failed = true
	}
	if failed {
		logf("RESULT: FAIL")
		if !*keep {
			logf("(rerun with -keep -seed %d to keep the homes and node logs)", *seed)
		}
		return 1
	}
	logf("RESULT: PASS")
	return 0
}

// indent is for multi-line failures in the summary.
func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n      ") }
