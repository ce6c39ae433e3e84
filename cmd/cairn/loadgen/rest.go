package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
)

// DefaultPoll is how often targets ask for a new head while tracking.
const DefaultPoll = 50 * time.Millisecond

// maxTrackFailures is how many tracking requests in a row may fail before
// Track gives up.
const maxTrackFailures = 100

// REST is a Cairn node reached through its REST API (/v1) with the API's
// own client. It follows finalized blocks by polling /v1/status for the
// height and reading each new block's transaction hashes from
// /v1/blocks/{height}. (It polls rather than reading /v1/events so as not
// to make the node stream an event for every pending transaction of the
// load it is measuring.)
type REST struct {
	c *api.Client
	// Poll is how often Track asks for the height (DefaultPoll if zero).
	Poll time.Duration
}

// NewREST returns the REST target at base (e.g. http://127.0.0.1:8545, or
// host:port) using hc for every request.
func NewREST(base string, hc *http.Client) (*REST, error) {
	b, err := baseURL(api.NormalizeURL(base))
	if err != nil {
		return nil, err
	}
	return &REST{c: api.NewClient(b, hc)}, nil
}

// Name describes the target.
func (r *REST) Name() string { return "rest " + r.c.BaseURL() }

// ChainID reads chainId from /v1/status.
func (r *REST) ChainID(ctx context.Context) (*big.Int, error) {
	st, err := r.c.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("chain id: %w", err)
	}
	return new(big.Int).SetUint64(st.ChainID), nil
}

// Head reads the latest block's height and base fee.
func (r *REST) Head(ctx context.Context) (Head, error) {
	b, err := r.c.Block(ctx, "latest", false)
	if err != nil {
		return Head{}, fmt.Errorf("head: %w", err)
	}
	h := Head{Height: b.Height}
	if b.BaseFee != nil {
		h.BaseFee = b.BaseFee.Int()
	}
	return h, nil
}

// Account reads an account's balance and next nonce (pendingNonce, so that
// transactions already pooled are skipped).
func (r *REST) Account(ctx context.Context, addr common.Address) (Account, error) {
	a, err := r.c.Account(ctx, addr)
	if err != nil {
		return Account{}, fmt.Errorf("account %s: %w", addr.Hex(), err)
	}
	if a.Balance == nil {
		return Account{}, fmt.Errorf("account %s: no balance", addr.Hex())
	}
	return Account{Nonce: max(a.Nonce, a.PendingNonce), Balance: a.Balance.Int()}, nil
}

// Send posts the transaction to /v1/txs. An API error answer is a
// *Rejection whose reason is the API's error code (the mempool's reason
// for a refused transaction).
func (r *REST) Send(ctx context.Context, raw []byte) error {
	_, err := r.c.SendRawTx(ctx, raw)
	var apiErr *api.Error
	if errors.As(err, &apiErr) {
		return &Rejection{Reason: apiErr.Code, Message: apiErr.Message}
	}
	return err
}

// SendBatch posts the transactions to /v1/txs as one {"txs":[…]} batch.
func (r *REST) SendBatch(ctx context.Context, raws [][]byte) ([]error, error) {
	res, err := r.c.SendRawTxs(ctx, raws)
	if err != nil {
		var apiErr *api.Error
		if errors.As(err, &apiErr) {
			return nil, &Rejection{Reason: apiErr.Code, Message: apiErr.Message}
		}
		return nil, err
	}
	errs := make([]error, len(raws))
	for i, x := range res {
		if x.Error != nil {
			errs[i] = &Rejection{Reason: x.Error.Code, Message: x.Error.Message}
		}
	}
	return errs, nil
}

// Track polls the height and reads every new block after from.
func (r *REST) Track(ctx context.Context, from uint64, _ Watch, seen func([]Inclusion)) error {
	next := from + 1
	return pollUntilDone(ctx, r.Poll, "follow blocks", func() error {
		return r.catchUp(ctx, &next, seen)
	})
}

// catchUp reads blocks next… up to the current height, advancing next past
// each block it delivered.
func (r *REST) catchUp(ctx context.Context, next *uint64, seen func([]Inclusion)) error {
	st, err := r.c.Status(ctx)
	if err != nil {
		return err
	}
	for ; *next <= st.Height; *next++ {
		b, err := r.c.Block(ctx, strconv.FormatUint(*next, 10), false)
		if err != nil {
			return err
		}
		seen(blockInclusions(b))
	}
	return nil
}

// blockInclusions lists a block's transactions with its height and time.
func blockInclusions(b *api.Block) []Inclusion {
	var when time.Time
	if b.Time > 0 && b.Time <= 1<<62 {
		when = time.UnixMilli(int64(b.Time))
	}
	incs := make([]Inclusion, len(b.Transactions))
	for i, h := range b.Transactions {
		incs[i] = Inclusion{Hash: h, Height: b.Height, BlockTime: when}
	}
	return incs
}
