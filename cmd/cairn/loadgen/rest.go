package loadgen

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// DefaultPoll is how often targets ask for a new head while tracking.
const DefaultPoll = 50 * time.Millisecond

// maxTrackFailures is how many tracking requests in a row may fail before
// Track gives up.
const maxTrackFailures = 100

// REST is a Cairn node reached through its REST API (/v1). It follows
// finalized blocks by polling /v1/status for the height and reading each new
// block's transaction hashes from /v1/blocks/{height}. (It polls rather
// than reading /v1/events so as not to make the node stream an event for
// every pending transaction of the load.)
type REST struct {
	base string
	hc   *http.Client
	// Poll is how often Track asks for the height (DefaultPoll if zero).
	Poll time.Duration
}

// NewREST returns the REST target at baseURL (e.g. http://127.0.0.1:8545)
// using hc for every request.
func NewREST(base string, hc *http.Client) (*REST, error) {
	b, err := baseURL(base)
	if err != nil {
		return nil, err
	}
	return &REST{base: b, hc: hc}, nil
}

// Name describes the target.
func (r *REST) Name() string { return "rest " + r.base }

// ChainID reads chainId from /v1/status.
func (r *REST) ChainID(ctx context.Context) (*big.Int, error) {
	var st struct {
		ChainID quantity `json:"chainId"`
	}
	if err := r.get(ctx, "/v1/status", &st); err != nil {
		return nil, fmt.Errorf("chain id: %w", err)
	}
	if st.ChainID.big() == nil {
		return nil, errors.New("chain id: /v1/status has no chainId")
	}
	return st.ChainID.big(), nil
}

// Head reads the latest block's height and base fee.
func (r *REST) Head(ctx context.Context) (Head, error) {
	var b restBlock
	if err := r.get(ctx, "/v1/blocks/latest", &b); err != nil {
		return Head{}, fmt.Errorf("head: %w", err)
	}
	h, err := b.Height.uint64("height")
	if err != nil {
		return Head{}, fmt.Errorf("head: %w", err)
	}
	return Head{Height: h, BaseFee: b.BaseFee.big()}, nil
}

// Account reads an account's balance and next nonce (pendingNonce when the
// node reports it, so that transactions already pooled are skipped).
func (r *REST) Account(ctx context.Context, addr common.Address) (Account, error) {
	var a struct {
		Balance      quantity `json:"balance"`
		Nonce        quantity `json:"nonce"`
		PendingNonce quantity `json:"pendingNonce"`
	}
	if err := r.get(ctx, "/v1/accounts/"+addr.Hex(), &a); err != nil {
		return Account{}, fmt.Errorf("account %s: %w", addr.Hex(), err)
	}
	nonce, err := a.Nonce.uint64("nonce")
	if err != nil {
		return Account{}, fmt.Errorf("account %s: %w", addr.Hex(), err)
	}
	if p, err := a.PendingNonce.uint64("pendingNonce"); err == nil && p > nonce {
		nonce = p
	}
	bal := a.Balance.big()
	if bal == nil {
		return Account{}, fmt.Errorf("account %s: no balance", addr.Hex())
	}
	return Account{Nonce: nonce, Balance: bal}, nil
}

// Send posts {"raw":"0x…"} to /v1/txs. A 4xx or 5xx answer is a
// *Rejection whose reason is the API's error code.
func (r *REST) Send(ctx context.Context, raw []byte) error {
	body := make([]byte, 0, len(raw)*2+12)
	body = append(body, `{"raw":"0x`...)
	body = hex.AppendEncode(body, raw)
	body = append(body, `"}`...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+"/v1/txs", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if resp.StatusCode/100 == 2 {
		drain(resp)
		return nil
	}
	b, err := readBody(resp)
	if err != nil {
		return fmt.Errorf("send: HTTP %d: %w", resp.StatusCode, err)
	}
	return restRejection(resp.StatusCode, b)
}

// Track polls the height and reads every new block after from.
func (r *REST) Track(ctx context.Context, from uint64, _ Watch, seen func([]Inclusion)) error {
	poll := r.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	next, failures := from+1, 0
	for {
		err := r.catchUp(ctx, &next, seen)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			failures = 0
		default:
			if failures++; failures >= maxTrackFailures {
				return fmt.Errorf("follow blocks: %d requests failed in a row, last: %w", failures, err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// catchUp reads blocks next… up to the current height, advancing next past
// each block it delivered.
func (r *REST) catchUp(ctx context.Context, next *uint64, seen func([]Inclusion)) error {
	var st struct {
		Height quantity `json:"height"`
	}
	if err := r.get(ctx, "/v1/status", &st); err != nil {
		return err
	}
	height, err := st.Height.uint64("height")
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	for ; *next <= height; *next++ {
		var b restBlock
		if err := r.get(ctx, "/v1/blocks/"+strconv.FormatUint(*next, 10), &b); err != nil {
			return err
		}
		incs, err := b.inclusions(*next)
		if err != nil {
			return fmt.Errorf("block %d: %w", *next, err)
		}
		seen(incs)
	}
	return nil
}

// get GETs path and decodes a 200 answer into v.
func (r *REST) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	b, err := readBody(resp)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %w", path, restRejection(resp.StatusCode, b))
	}
	return decodeJSON(b, v, "GET "+path)
}

// restRejection turns an API error answer {"error":{"code","message"}}
// into a *Rejection; a body of another shape gives reason "http_<status>".
func restRejection(status int, body []byte) *Rejection {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
		return &Rejection{Reason: e.Error.Code, Message: e.Error.Message}
	}
	return &Rejection{Reason: "http_" + strconv.Itoa(status), Message: truncate(string(bytes.TrimSpace(body)), 200)}
}

// restBlock is the part of a /v1/blocks answer the generator reads.
type restBlock struct {
	Height       quantity        `json:"height"`
	Time         quantity        `json:"time"` // unix milliseconds
	BaseFee      quantity        `json:"baseFee"`
	Transactions json.RawMessage `json:"transactions"`
}

// inclusions lists the block's transactions, given as hashes or as objects
// with a "hash".
func (b *restBlock) inclusions(height uint64) ([]Inclusion, error) {
	var when time.Time
	if t := b.Time.big(); t != nil && t.IsInt64() {
		when = time.UnixMilli(t.Int64())
	}
	raw := bytes.TrimSpace(b.Transactions)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var hashes []common.Hash
	if err := json.Unmarshal(raw, &hashes); err != nil {
		hashes = hashes[:0]
		var objs []struct {
			Hash common.Hash `json:"hash"`
		}
		if err := json.Unmarshal(raw, &objs); err != nil {
			return nil, fmt.Errorf("transactions are neither hashes nor objects: %w", err)
		}
		for _, o := range objs {
			hashes = append(hashes, o.Hash)
		}
	}
	incs := make([]Inclusion, len(hashes))
	for i, h := range hashes {
		incs[i] = Inclusion{Hash: h, Height: height, BlockTime: when}
	}
	return incs, nil
}
