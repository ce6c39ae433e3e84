package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// NewHTTPClient returns the one HTTP client a run shares: keep-alive
// connections to a single host, as many idle ones kept as there are
// workers (plus a few for tracking), no compression and no proxy, so the
// generator measures the target and not connection setup.
func NewHTTPClient(workers int) *http.Client {
	conns := max(workers, 1) + 4
	return &http.Client{Transport: &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ResponseHeaderTimeout: 60 * time.Second,
	}}
}

// maxResponse bounds any response body the generator reads.
const maxResponse = 64 << 20

// baseURL checks that raw is an http(s) URL and returns it without a
// trailing slash.
func baseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("target URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("target URL %q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("target URL %q: no host", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// readBody reads a response body up to maxResponse and closes it.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if len(b) > maxResponse {
		return nil, fmt.Errorf("response larger than %d bytes", maxResponse)
	}
	return b, nil
}

// quantity is a JSON number that may also come as a decimal or 0x-hex
// string (amounts are strings in Cairn's API, quantities hex in JSON-RPC).
type quantity struct{ v *big.Int }

// UnmarshalJSON accepts 12, "12" and "0xc"; null leaves the value nil.
func (q *quantity) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		q.v = nil
		return nil
	}
	s := strings.Trim(string(b), `"`)
	v, ok := new(big.Int).SetString(s, 0)
	if !ok || v.Sign() < 0 {
		return fmt.Errorf("not a non-negative integer: %.40s", b)
	}
	q.v = v
	return nil
}

// big returns the value, or nil if absent.
func (q quantity) big() *big.Int { return q.v }

// uint64 returns the value as a uint64, with an error when it is missing
// or too large.
func (q quantity) uint64(what string) (uint64, error) {
	if q.v == nil {
		return 0, fmt.Errorf("%s missing", what)
	}
	if !q.v.IsUint64() {
		return 0, fmt.Errorf("%s %s out of range", what, q.v)
	}
	return q.v.Uint64(), nil
}

// decodeJSON unmarshals b into v with a message that says what it was.
func decodeJSON(b []byte, v any, what string) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}
