package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// base is the home every damage variant starts from: a one-validator
// devnet home (genesis.json, validator_key.json, node_key, config.toml and
// data/) that ran under load and was stopped cleanly, and what it served.
type base struct {
	home    string
	ledger  *ledger
	status  *api.Status // its last status before the stop
	earlyDB string      // a copy of data/chain.db from an earlier clean stop
	earlyAt uint64      // the height of that copy
	txBlock uint64      // a block with transactions in the middle of the chain
	txTo    common.Address
	txs     int
}

func (c *campaign) nodeArgs(home string) []string {
	return []string{"node", "--home", home, "--api", "127.0.0.1:0", "--p2p", "/ip4/127.0.0.1/tcp/0"}
}

// buildBase writes the devnet home and runs it twice under load, keeping
// a copy of its store from the first stop.
func (c *campaign) buildBase(ctx context.Context) (*base, error) {
	dir := filepath.Join(c.tmp, "damage-devnet")
	apiPort, err := freePort()
	if err != nil {
		return nil, err
	}
	p2pPort, err := freePort()
	if err != nil {
		return nil, err
	}
	ictx, cancel := context.WithTimeout(ctx, time.Minute)
	err = runQuiet(ictx, c.bin, "devnet", "init", "-n", "1", "--home", dir, "--block-time", c.blockTime.String(),
		"--base-api-port", fmt.Sprint(apiPort), "--base-p2p-port", fmt.Sprint(p2pPort))
	cancel()
	if err != nil {
		return nil, err
	}
	b := &base{home: filepath.Join(dir, "node1"), ledger: newLedger()}
	if _, err := c.baseRun(ctx, b, false); err != nil {
		return nil, fmt.Errorf("first run of the base home: %w", err)
	}
	b.earlyDB = filepath.Join(c.tmp, "chain-early.db")
	if err := copyFile(filepath.Join(b.home, "data", "chain.db"), b.earlyDB); err != nil {
		return nil, err
	}
	_, _, b.earlyAt = b.ledger.counts()
	st, err := c.baseRun(ctx, b, true)
	if err != nil {
		return nil, fmt.Errorf("second run of the base home: %w", err)
	}
	b.status = st
	_, b.txs, _ = b.ledger.counts()
	return b, nil
}

// baseRun starts the base home, puts 300 transfers through it, records
// every block it holds, and stops it with SIGTERM. The second run also
// picks the block whose transaction is damaged later.
func (c *campaign) baseRun(ctx context.Context, b *base, second bool) (*api.Status, error) {
	p, err := startNode(c.bin, c.nodeArgs(b.home), filepath.Join(c.tmp, "damage-base.log"))
	if err != nil {
		return nil, err
	}
	defer p.kill()
	cl, st, err := p.waitServing(ctx, 30*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%v\n%s", err, p.Tail(20))
	}
	b.ledger.genesis, b.ledger.chainID = st.GenesisHash, st.ChainID
	rec, err := startRecorder(ctx, cl, b.ledger, nil)
	if err != nil {
		return nil, err
	}
	defer rec.stop()
	lg, err := startLoadgen(c.bin, cl.BaseURL(), 300, c.rate, filepath.Join(c.tmp, "damage-loadgen.log"))
	if err != nil {
		return nil, err
	}
	if err := lg.wait(90 * time.Second); err != nil {
		return nil, fmt.Errorf("%v\n%s", err, fileTail(filepath.Join(c.tmp, "damage-loadgen.log"), 15))
	}
	st, err = cl.Status(ctx)
	if err != nil {
		return nil, err
	}
	// A few more blocks, so the store's newest pages are not all the
	// load's.
	if _, err := waitHeight(ctx, cl, st.FinalizedHeight+3, 30*time.Second); err != nil {
		return nil, err
	}
	st, err = cl.Status(ctx)
	if err != nil {
		return nil, err
	}
	// Every block the node holds goes into the ledger, not only those
	// announced while the recorder listened.
	for h := uint64(1); h <= st.FinalizedHeight; {
		page, err := cl.Blocks(ctx, h, 100)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, blk := range page {
			if blk.Height <= st.FinalizedHeight {
				b.ledger.addBlock(blk)
			}
		}
		h = page[len(page)-1].Height + 1
	}
	if second {
		var withTxs []uint64
		heights, _ := b.ledger.all()
		for _, h := range heights {
			if len(b.ledger.block(h).Txs) > 0 {
				withTxs = append(withTxs, h)
			}
		}
		if len(withTxs) == 0 {
			return nil, errors.New("no block holds a transaction: the load did not arrive")
		}
		b.txBlock = withTxs[len(withTxs)/2]
		tx, err := cl.Tx(ctx, b.ledger.block(b.txBlock).Txs[0])
		if err != nil {
			return nil, err
		}
		if tx.To == nil {
			return nil, fmt.Errorf("transaction %s has no recipient", tx.Hash)
		}
		b.txTo = *tx.To
	}
	rec.stop()
	b.ledger.raiseFloor(st.FinalizedHeight)
	if err := p.term(30 * time.Second); err != nil {
		return nil, fmt.Errorf("%v\n%s", err, p.Tail(20))
	}
	return st, nil
}

// row is one variant's result.
type row struct {
	Name    string
	What    string
	Outcome Outcome
	Why     string
	Line    string // the node's error (or, served, its first warning)
	Detail  string
}

// runDamage runs every variant on a fresh copy of the base home.
func (c *campaign) runDamage(ctx context.Context) ([]row, *base, error) {
	b, err := c.buildBase(ctx)
	if err != nil {
		return nil, nil, err
	}
	var rows []row
	for i, v := range variants() {
		if ctx.Err() != nil {
			return rows, b, ctx.Err()
		}
		r := c.runVariant(ctx, b, i+1, v)
		c.logf("variant %2d %-46s %-9s %s", i+1, v.Name, r.Outcome, clip(r.Why, 80))
		rows = append(rows, r)
	}
	return rows, b, nil
}

func (c *campaign) runVariant(ctx context.Context, b *base, n int, v variant) row {
	r := row{Name: v.Name}
	slug := fmt.Sprintf("%02d-%s", n, slugify(v.Name))
	home := filepath.Join(c.tmp, "damage", slug)
	if err := copyDir(b.home, home); err != nil {
		r.Outcome, r.Why = Fail, "could not copy the base home: "+err.Error()
		return r
	}
	what, err := v.Damage(home, b)
	r.What = what
	if err != nil {
		r.Outcome, r.Why = Fail, "could not apply the damage: "+err.Error()
		return r
	}
	p, err := startNode(c.bin, c.nodeArgs(home), filepath.Join(c.tmp, "damage", slug+".log"))
	if err != nil {
		r.Outcome, r.Why = Fail, "could not start the node: "+err.Error()
		return r
	}
	defer p.kill()
	o, detail := c.observe(ctx, b, p)
	r.Outcome, r.Why = classify(o, v.Words)
	r.Detail = detail
	switch {
	case r.Outcome == Detected || o.Served && !o.Exited && len(o.Errors) > 0:
		r.Line = o.Errors[0]
	case o.Served && !o.Exited && crashLine(o.Stderr) == "":
		r.Line = warnLine(o.Stderr) // it ran: its last line is only "node stopped"
	default:
		r.Line = errorLine(o.Stderr)
	}
	r.Line = strings.ReplaceAll(r.Line, home, "<home>")
	r.Why = strings.ReplaceAll(r.Why, home, "<home>")
	return r
}

// observe waits (bounded) for a node on a damaged home to serve or exit;
// one that serves is read back in full against the base's ledger, watched
// for a few seconds more and stopped.
func (c *campaign) observe(ctx context.Context, b *base, p *nodeProc) (observation, string) {
	var o observation
	var detail string
	cl, st, err := p.waitServing(ctx, 30*time.Second)
	switch {
	case errors.Is(err, errNodeExited):
	case err != nil:
		// Neither served nor exited within the bound: a hang, unless it
		// exited just now.
		select {
		case <-p.done:
		case <-time.After(time.Second):
			o.Hung = true
			p.kill()
		}
	default:
		o.Served = true
		o.Problems = append(o.Problems, checkStatus(st, b.ledger)...)
		o.Problems = append(o.Problems, identity(b.status, st)...)
		heights, txs := b.ledger.all()
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		res := checkNode(cctx, cl, b.ledger, heights, txs, 8)
		cancel()
		o.Problems = append(o.Problems, res.Problems...)
		o.Errors = res.Errors
		detail = fmt.Sprintf("height %d → %d; %d blocks, %d txs read back identical", b.status.FinalizedHeight, st.FinalizedHeight, res.Blocks, res.Txs)
		if res.Incomplete != nil && !p.Exited() {
			o.Problems = append(o.Problems, "stopped answering during the read-back: "+res.Incomplete.Error())
		}
		// It must keep running: a node that serves and then dies is not
		// serving.
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			if st2, err := cl.Status(ctx); err == nil {
				detail += fmt.Sprintf("; at %d after 3s", st2.FinalizedHeight)
			}
			if err := p.term(15 * time.Second); err != nil {
				detail += "; " + err.Error()
			}
			o.Stderr = p.Lines()
			return o, detail
		}
	}
	<-p.done
	o.Stderr = p.Lines()
	if !o.Hung {
		o.Exited = true
		o.ExitCode, o.Signal = p.exitStatus()
	}
	return o, detail
}

// identity compares who the node is with who it was: a node that silently
// runs without its validator key, or under another peer ID, lost its
// identity without saying so.
func identity(was, now *api.Status) []string {
	var p []string
	switch {
	case was.Validator != nil && now.Validator == nil:
		p = append(p, fmt.Sprintf("runs as a follower: it was validator %s", was.Validator.Hex()))
	case was.Validator != nil && *now.Validator != *was.Validator:
		p = append(p, fmt.Sprintf("runs as validator %s, not %s", now.Validator.Hex(), was.Validator.Hex()))
	}
	if was.NodeID != "" && now.NodeID != was.NodeID {
		p = append(p, fmt.Sprintf("peer ID changed from %s to %s", was.NodeID, now.NodeID))
	}
	return p
}

// warnLine is the first ERROR or WARN log line, shortened, or "".
func warnLine(lines []string) string {
	for _, lvl := range []string{"level=ERROR", "level=WARN"} {
		for _, l := range lines {
			if strings.Contains(l, lvl) {
				return logMessage(l)
			}
		}
	}
	return ""
}

func printTable(w func(format string, args ...any), rows []row, b *base) {
	if b != nil && b.status != nil {
		w("damage campaign: %d variants, each on a copy of a 1-validator devnet home stopped cleanly at height %d holding %d txs", len(rows), b.status.FinalizedHeight, b.txs)
	}
	w("%-2s  %-46s  %-9s  %s", "#", "variant", "outcome", "the node's first error line (FAIL: why | error line)")
	counts := map[Outcome]int{}
	for i, r := range rows {
		counts[r.Outcome]++
		var detail string
		switch r.Outcome {
		case Refused:
			detail = r.Line
		case ServedOK, Detected:
			detail = r.Detail
			if r.Line != "" {
				detail += " | " + r.Line
			}
		default:
			detail = r.Why
			if r.Line != "" {
				detail += " | " + r.Line
			}
		}
		w("%-2d  %-46s  %-9s  %s", i+1, r.Name, r.Outcome, clip(detail, 200))
	}
	w("damage done:")
	for i, r := range rows {
		w("%-2d  %s", i+1, r.What)
	}
	w("damage summary: %d REFUSED, %d SERVED-OK, %d DETECTED, %d FAIL", counts[Refused], counts[ServedOK], counts[Detected], counts[Fail])
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// copyDir copies a home: its directories and regular files, with their
// modes.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o700)
		case d.Type().IsRegular():
			return copyFile(path, to)
		}
		return nil
	})
}

// fileTail is the last n lines of a file.
func fileTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
