// Package loadgen is Cairn's load generator: it pre-signs transfers from
// many senders, submits them to a node (Cairn's REST API or any Ethereum
// JSON-RPC endpoint) at a set rate or as fast as it can, follows the chain
// until it sees them finalized, and reports throughput and latency.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Run funds the senders that need it, pre-signs cfg.Txs transfers, submits
// them to t, follows the chain until every accepted one is final or the
// run's time is up, and reports. An error means the run could not start
// (bad config, target unreachable, funding failed); once submission has
// started, Run always returns a report, whose End says how it ended.
func Run(ctx context.Context, t Target, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	chainID := cfg.ChainID
	if chainID == nil {
		if chainID, err = t.ChainID(ctx); err != nil {
			return nil, err
		}
	}
	head, err := t.Head(ctx)
	if err != nil {
		return nil, err
	}
	fees := cfg.fees(head.BaseFee)
	addrs := make([]common.Address, len(cfg.Keys))
	for i, k := range cfg.Keys {
		addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
	}
	accounts, err := fetchAccounts(ctx, t, addrs, cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		Target:      t.Name(),
		ChainID:     chainID.String(),
		TxType:      "eip1559",
		FeeCapWei:   fees.FeeCap.String(),
		TipWei:      fees.Tip.String(),
		Txs:         cfg.Txs,
		Senders:     len(cfg.Keys),
		Rate:        cfg.Rate,
		Concurrency: cfg.Concurrency,
		Rejected:    map[string]int{},
	}
	if fees.Legacy {
		rep.TxType, rep.TipWei = "legacy", ""
	}

	nonces := make([]uint64, len(accounts))
	for i, a := range accounts {
		nonces[i] = a.Nonce
	}
	if err := fund(ctx, t, cfg, chainID, fees, head.Height, addrs, accounts, nonces, rep); err != nil {
		return nil, err
	}

	cfg.Log.Info("signing transfers", "txs", cfg.Txs, "senders", len(cfg.Keys))
	specs, lanes, err := planTransfers(cfg.Txs, addrs, nonces, cfg.To, cfg.Value)
	if err != nil {
		return nil, err
	}
	txs, err := signAll(ctx, chainID, cfg.Keys, specs, fees)
	if err != nil {
		return nil, err
	}
	if head, err = t.Head(ctx); err != nil {
		return nil, err
	}

	cfg.Log.Info("submitting", "txs", len(txs), "rate", cfg.Rate, "concurrency", cfg.Concurrency)
	rec, trackErr := runPhase(ctx, t, cfg, txs, lanes, cfg.Concurrency, cfg.Rate, head.Height, true)
	rec.fill(rep)
	switch {
	case rec.done():
		rep.End = EndComplete
	case trackErr != nil:
		rep.End = "tracking failed"
		rep.TrackError = trackErr.Error()
	case parent.Err() != nil:
		rep.End = EndInterrupted
	default:
		rep.End = EndTimeout
	}
	return rep, nil
}

// fetchAccounts reads every sender's nonce and balance, a few at a time.
func fetchAccounts(ctx context.Context, t Target, addrs []common.Address, parallel int) ([]Account, error) {
	out := make([]Account, len(addrs))
	errs := make([]error, len(addrs))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = t.Account(ctx, a)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("read senders: %w", err)
	}
	return out, nil
}

// fund checks that the pre-funded senders can pay for their share and
// tops up every other sender that holds less than its share would cost,
// with transfers from the pre-funded ones, then waits until those
// transfers are final. nonces are advanced past the funding transfers.
func fund(ctx context.Context, t Target, cfg Config, chainID *big.Int, fees Fees, from uint64,
	addrs []common.Address, accounts []Account, nonces []uint64, rep *Report) error {
	k := len(addrs)
	perSender := (cfg.Txs + k - 1) / k
	need := new(big.Int).Mul(fees.maxCost(cfg.Value), big.NewInt(int64(perSender)))
	funders := max(cfg.Funded, 0)
	var specs []txSpec
	for s := funders; s < k; s++ {
		if accounts[s].Balance.Cmp(need) >= 0 {
			continue
		}
		if funders == 0 {
			return fmt.Errorf("fund senders: sender %d (%s) holds %s wei, needs %s, and no sender is marked funded",
				s, addrs[s].Hex(), accounts[s].Balance, need)
		}
		specs = append(specs, txSpec{sender: len(specs) % funders, to: addrs[s], value: need})
	}
	// Each pre-funded sender pays for its own transfers and those it funds.
	for f := 0; f < funders; f++ {
		cost := new(big.Int).Set(need)
		for _, sp := range specs {
			if sp.sender == f {
				cost.Add(cost, fees.maxCost(sp.value))
			}
		}
		if accounts[f].Balance.Cmp(cost) < 0 {
			return fmt.Errorf("fund senders: sender %d (%s) holds %s wei, needs %s for its transfers and funding",
				f, addrs[f].Hex(), accounts[f].Balance, cost)
		}
	}
	if len(specs) == 0 {
		return nil
	}
	lanes := make([][]int, funders)
	for i := range specs {
		s := specs[i].sender
		specs[i].nonce = nonces[s]
		nonces[s]++
		lanes[s] = append(lanes[s], i)
	}
	txs, err := signAll(ctx, chainID, cfg.Keys, specs, fees)
	if err != nil {
		return fmt.Errorf("fund senders: %w", err)
	}
	cfg.Log.Info("funding senders", "transfers", len(txs), "each_wei", need.String())
	start := cfg.Clock.Now()
	rec, trackErr := runPhase(ctx, t, cfg, txs, lanes, funders, 0, from, false)
	var r Report
	rec.fill(&r)
	switch {
	case r.RejectedTotal > 0:
		return fmt.Errorf("fund senders: %d of %d funding transfers rejected: %v %v", r.RejectedTotal, len(txs), r.Rejected, r.RejectExamples)
	case trackErr != nil:
		return fmt.Errorf("fund senders: %w", trackErr)
	case !rec.done():
		return fmt.Errorf("fund senders: %d of %d funding transfers not final before the run ended: %w",
			len(txs)-r.Finalized, len(txs), context.Cause(ctx))
	}
	rep.Funding = Funding{Transfers: len(txs), Seconds: cfg.Clock.Now().Sub(start).Seconds()}
	return nil
}

// runPhase submits txs and follows the chain from height from until every
// accepted transaction is final, ctx ends or tracking fails (the error).
func runPhase(ctx context.Context, t Target, cfg Config, txs []signedTx, lanes [][]int, workers int, rate float64,
	from uint64, progress bool) (*recorder, error) {
	rec := newRecorder(cfg.Clock, txs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	trackErr := make(chan error, 1)
	wg.Go(func() {
		err := t.Track(ctx, from, rec.watch, rec.included)
		if err == nil && ctx.Err() == nil {
			err = errors.New("tracking stopped")
		}
		trackErr <- err
	})
	wg.Go(func() {
		submit(ctx, t, txs, lanes, workers, cfg.Batch, newPacer(cfg.Clock, cfg.Clock.Now(), rate), rec)
	})
	var tick <-chan time.Time
	if progress && cfg.Progress > 0 {
		ticker := time.NewTicker(cfg.Progress)
		defer ticker.Stop()
		tick = ticker.C
	}
	var err error
wait:
	for !rec.done() {
		select {
		case <-rec.changed:
		case <-tick:
			rec.logProgress(cfg)
		case <-ctx.Done():
			break wait
		case err = <-trackErr:
			if err != nil {
				break wait
			}
		}
	}
	cancel()
	wg.Wait()
	return rec, err
}

// logProgress logs the counts so far.
func (r *recorder) logProgress(cfg Config) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cfg.Log.Info("progress", "submitted", r.submitted, "accepted", r.accepted, "finalized", r.finalized,
		"pending", r.outstanding)
}
