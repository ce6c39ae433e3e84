package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// maxResponseBytes bounds a response body the client decodes.
const maxResponseBytes = 256 << 20

// Client is the Service over a node's REST API. It is safe for concurrent
// use and reuses connections.
type Client struct {
	base string
	hc   *http.Client
	// idle, when set, ends an event stream that brings no bytes (not even
	// a heartbeat) for this long: see WithStreamIdleTimeout.
	idle time.Duration
}

var _ Service = (*Client)(nil)

// NewClient returns a client for the node whose API is at baseURL
// ("http://127.0.0.1:8545"; a bare "host:port" means http). A nil
// httpClient gets one whose transport keeps up to 256 idle connections to
// the node, for heavy concurrent use. An overall Timeout on httpClient
// bounds every request but the event stream (Subscribe, Stream), which
// lasts as long as its context.
func NewClient(baseURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 256
		tr.MaxIdleConnsPerHost = 256
		httpClient = &http.Client{Transport: tr}
	}
	return &Client{base: NormalizeURL(baseURL), hc: httpClient}
}

// NormalizeURL turns what a user typed for an API address into a base URL:
// it adds "http://" when there is no scheme and drops trailing slashes.
func NormalizeURL(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	return strings.TrimRight(s, "/")
}

// WithStreamIdleTimeout returns a copy of c whose event streams end, with
// an error, when no bytes arrive for d: the node writes a heartbeat every
// 15 s by default (ServerOptions.Heartbeat), so a stream silent for
// several heartbeats is a connection that died without a word (the node's
// host gone, a network that dropped it), which TCP alone notices only
// minutes later. d <= 0 turns the watch off (the default).
func (c *Client) WithStreamIdleTimeout(d time.Duration) *Client {
	cp := *c
	cp.idle = max(d, 0)
	return &cp
}

// BaseURL is the URL the client sends requests to.
func (c *Client) BaseURL() string { return c.base }

// Status fetches GET /v1/status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	return fetch[Status](ctx, c, http.MethodGet, "/v1/status", nil)
}

// Block fetches GET /v1/blocks/{id}.
func (c *Client) Block(ctx context.Context, id string, full bool) (*Block, error) {
	path := "/v1/blocks/" + url.PathEscape(id)
	if full {
		path += "?full=true"
	}
	return fetch[Block](ctx, c, http.MethodGet, path, nil)
}

// Blocks fetches GET /v1/blocks.
func (c *Client) Blocks(ctx context.Context, from uint64, limit int) ([]*Block, error) {
	q := url.Values{}
	if from != Latest {
		q.Set("from", strconv.FormatUint(from, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/blocks"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out []*Block
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// SendRawTx posts to /v1/txs.
func (c *Client) SendRawTx(ctx context.Context, raw []byte) (common.Hash, error) {
	var out sendTxResponse
	body := struct {
		Raw hexutil.Bytes `json:"raw"`
	}{raw}
	if err := c.do(ctx, http.MethodPost, "/v1/txs", body, &out); err != nil {
		return common.Hash{}, err
	}
	return out.Hash, nil
}

// SendRawTxs posts a batch to /v1/txs ({"txs":[…]}) and returns the
// per-transaction results in order.
func (c *Client) SendRawTxs(ctx context.Context, raws [][]byte) ([]TxResult, error) {
	body := struct {
		Txs []hexutil.Bytes `json:"txs"`
	}{make([]hexutil.Bytes, len(raws))}
	for i, raw := range raws {
		body.Txs[i] = raw
	}
	var out sendTxsResponse
	if err := c.do(ctx, http.MethodPost, "/v1/txs", body, &out); err != nil {
		return nil, err
	}
	if len(out.Results) != len(raws) {
		return nil, fmt.Errorf("send transactions: %d results for %d transactions", len(out.Results), len(raws))
	}
	return out.Results, nil
}

// Tx fetches GET /v1/txs/{hash}.
func (c *Client) Tx(ctx context.Context, hash common.Hash) (*Tx, error) {
	return fetch[Tx](ctx, c, http.MethodGet, "/v1/txs/"+hash.Hex(), nil)
}

// Account fetches GET /v1/accounts/{address}.
func (c *Client) Account(ctx context.Context, addr common.Address) (*Account, error) {
	return fetch[Account](ctx, c, http.MethodGet, "/v1/accounts/"+addr.Hex(), nil)
}

// Validators fetches GET /v1/validators.
func (c *Client) Validators(ctx context.Context) (*ValidatorList, error) {
	return fetch[ValidatorList](ctx, c, http.MethodGet, "/v1/validators", nil)
}

// Validator fetches GET /v1/validators/{address}.
func (c *Client) Validator(ctx context.Context, operator common.Address) (*Validator, error) {
	return fetch[Validator](ctx, c, http.MethodGet, "/v1/validators/"+operator.Hex(), nil)
}

// Delegations fetches GET /v1/delegations/{address}.
func (c *Client) Delegations(ctx context.Context, delegator common.Address) (*Delegations, error) {
	return fetch[Delegations](ctx, c, http.MethodGet, "/v1/delegations/"+delegator.Hex(), nil)
}

// Mempool fetches GET /v1/mempool.
func (c *Client) Mempool(ctx context.Context) (*Mempool, error) {
	return fetch[Mempool](ctx, c, http.MethodGet, "/v1/mempool", nil)
}

// Peers gets /v1/peers.
func (c *Client) Peers(ctx context.Context) ([]Peer, error) {
	l, err := fetch[PeerList](ctx, c, http.MethodGet, "/v1/peers", nil)
	if err != nil {
		return nil, err
	}
	return l.Peers, nil
}

// Call posts to /v1/call.
func (c *Client) Call(ctx context.Context, req CallRequest) (*CallResult, error) {
	return fetch[CallResult](ctx, c, http.MethodPost, "/v1/call", req)
}

// Subscribe opens GET /v1/events and decodes the stream until ctx ends or
// the stream ends; either closes the channel. It returns once the node has
// accepted the subscription, so no event published after that is missed.
// To learn why a stream ended (the node dropping a reader that fell
// behind, say), use Stream.
func (c *Client) Subscribe(ctx context.Context) (<-chan Event, error) {
	st, err := c.Stream(ctx)
	if err != nil {
		return nil, err
	}
	return st.C, nil
}

// EventStream is an open GET /v1/events stream.
type EventStream struct {
	// C delivers the events; it is closed when the stream ends.
	C <-chan Event

	done chan struct{}
	err  error
}

// Err waits for C to be closed and says why: nil when ctx ended (or the
// node closed the stream without a word), the node's *Error when it ended
// the stream with a reason (code too_slow when this reader fell behind and
// was dropped, unavailable when the node's event source ended), or the
// error that broke the connection or the decoding.
func (s *EventStream) Err() error {
	<-s.done
	return s.err
}

// Stream is Subscribe with the reason the stream ended (see EventStream.Err),
// for the event types given (EventBlock, EventTx, EventDropped; none for
// all). A node that refuses the stream answers an *Error (503
// too_many_subscribers past its cap).
func (c *Client) Stream(ctx context.Context, types ...string) (*EventStream, error) {
	rctx, cancel := context.WithCancel(ctx) // also ended by the idle watch
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, c.base+EventsPath(types...), nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	hc := *c.hc
	hc.Timeout = 0 // a stream lasts as long as ctx
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("subscribe to %s: %w", c.base, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		return nil, responseError(resp)
	}
	var body io.Reader = resp.Body
	var idled atomic.Bool
	var watch *time.Timer
	if c.idle > 0 {
		watch = time.AfterFunc(c.idle, func() { idled.Store(true); cancel() })
		body = &idleReader{r: resp.Body, t: watch, d: c.idle}
	}
	out := make(chan Event, 64)
	st := &EventStream{C: out, done: make(chan struct{})}
	go func() {
		defer close(st.done)
		defer close(out)
		defer cancel()
		defer resp.Body.Close()
		if c.idle > 0 {
			defer watch.Stop()
		}
		err := readEvents(body, func(ev Event) bool {
			select {
			case out <- ev:
				return true
			case <-ctx.Done():
				return false
			}
		})
		if ctx.Err() == nil && idled.Load() {
			st.err = fmt.Errorf("event stream from %s: no data for %v", c.base, c.idle)
			return
		}
		if ctx.Err() == nil && err != nil {
			if e, ok := err.(*Error); ok {
				st.err = e
			} else {
				st.err = fmt.Errorf("event stream from %s: %w", c.base, err)
			}
		}
	}()
	return st, nil
}

// idleReader restarts an idle timer on every read that brings bytes.
type idleReader struct {
	r io.Reader
	t *time.Timer
	d time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.t.Reset(r.d)
	}
	return n, err
}

// fetch sends one request and decodes the answer into a new T.
func fetch[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	out := new(T)
	if err := c.do(ctx, method, path, body, out); err != nil {
		return nil, err
	}
	return out, nil
}

// do sends one request with an optional JSON body and decodes a 200
// response into out, or an error response into an *Error.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s%s: %w", method, c.base, path, err)
	}
	defer func() {
		// Drain what is left so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return responseError(resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	return nil
}

// responseError decodes an error response into an *Error; a body that is
// not the API's error JSON (a proxy's page, say) becomes an *Error with a
// code derived from the status.
func responseError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var eb errorBody
	if err := json.Unmarshal(data, &eb); err == nil && eb.Error != nil && eb.Error.Code != "" {
		eb.Error.Status = resp.StatusCode
		return eb.Error
	}
	msg := strings.TrimSpace(string(data))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = resp.Status
	}
	return &Error{Status: resp.StatusCode, Code: "http_" + strconv.Itoa(resp.StatusCode), Message: msg}
}
