package ethrpc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"
)

const jsonType = "application/json"

// rpcAnswer is one JSON-RPC response as it comes over the wire.
type rpcAnswer struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    any    `json:"data"`
	} `json:"error"`
}

func decodeAnswer(t *testing.T, body []byte) rpcAnswer {
	t.Helper()
	var a rpcAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("answer %s is not one JSON-RPC response: %v", body, err)
	}
	return a
}

func TestMalformedRequestsAreJSONRPCErrors(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"not JSON", `{"jsonrpc":"2.0","id":1,"method":`, -32700},
		{"garbage", "\x00\xff\xfe", -32700},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"eth_nope","params":[]}`, -32601},
		{"private method name", `{"jsonrpc":"2.0","id":1,"method":"eth_close","params":[]}`, -32601},
		{"bad address", `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x12","latest"]}`, -32602},
		{"bad block tag", `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","newest"]}`, -32602},
		{"too many params", `{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[1,2]}`, -32602},
		{"missing params", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByHash","params":[]}`, -32602},
		{"params not a list", `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":"x"}`, -32602},
		{"huge block number", `{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["0xffffffffffffffffff",false]}`, -32602},
		{"bad filter", `{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"topics":[1]}]}`, -32602},
		{"bad slot", `{"jsonrpc":"2.0","id":1,"method":"eth_getStorageAt","params":["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","0xzz","latest"]}`, -32602},
		{"not a request", `{"jsonrpc":"2.0","id":1}`, -32600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.post("/", jsonType, tc.body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d (%s), want 200 with a JSON-RPC error", resp.StatusCode, body)
			}
			a := decodeAnswer(t, body)
			if a.Error == nil || a.Error.Code != tc.code {
				t.Fatalf("answer %s, want error code %d", body, tc.code)
			}
		})
	}
}

func TestBatches(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBatchItems = 5 })
	var batch []string
	for i := range 5 {
		batch = append(batch, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_chainId"}`, i))
	}
	_, body := f.post("/", jsonType, "["+strings.Join(batch, ",")+"]")
	var answers []rpcAnswer
	if err := json.Unmarshal(body, &answers); err != nil || len(answers) != 5 {
		t.Fatalf("batch of 5: %s (%v)", body, err)
	}
	for _, a := range answers {
		if string(a.Result) != `"0x1e61"` {
			t.Fatalf("batch answer %s", body)
		}
	}
	batch = append(batch, `{"jsonrpc":"2.0","id":9,"method":"eth_chainId"}`)
	_, body = f.post("/", jsonType, "["+strings.Join(batch, ",")+"]")
	if !strings.Contains(string(body), "batch too large") {
		t.Fatalf("batch of 6 over a limit of 5: %s", body)
	}
	_, body = f.post("/", jsonType, "[]")
	if a := decodeAnswer(t, body); a.Error == nil || a.Error.Code != -32600 {
		t.Fatalf("empty batch: %s", body)
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 1024 })
	big := `{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x` + strings.Repeat("00", 1024) + `"]}`
	resp, body := f.post("/", jsonType, big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: status %d %s, want 413", resp.StatusCode, body)
	}
	if _, body := f.post("/", jsonType, `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`); decodeAnswer(t, body).Error != nil {
		t.Fatalf("a small request after an oversized one: %s", body)
	}
}

func TestHTTPRouting(t *testing.T) {
	f := newFixture(t)
	get := func(path string) int {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+path, nil)
		resp, _ := f.do(req)
		return resp.StatusCode
	}
	if code := get("/"); code != http.StatusOK {
		t.Errorf("GET / (health check) = %d, want 200", code)
	}
	if code := get("/nope"); code != http.StatusNotFound {
		t.Errorf("GET /nope = %d, want 404", code)
	}
	if code := get("/ws"); code != http.StatusBadRequest {
		t.Errorf("GET /ws without an upgrade = %d, want 400", code)
	}
	if resp, _ := f.post("/", "text/plain", `{}`); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("POST text/plain = %d, want 415", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPut, f.http.URL+"/", strings.NewReader("{}"))
	if resp, _ := f.do(req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT / = %d, want 405", resp.StatusCode)
	}
}

func TestCORSClosedByDefault(t *testing.T) {
	f := newFixture(t)
	req := `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`
	if resp, body := f.post("/", jsonType, req); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("no Origin: %d %s, ACAO %q", resp.StatusCode, body, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// A page of another origin: no CORS headers, so its browser keeps the
	// answer from it; its preflight is refused.
	if resp, _ := f.post("/", jsonType, req, "Origin", "https://evil.example"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("a browser origin with no --rpc-cors got CORS headers: %v", resp.Header)
	}
	pre, _ := http.NewRequest(http.MethodOptions, f.http.URL+"/", nil)
	pre.Header.Set("Origin", "https://evil.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	if resp, _ := f.do(pre); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from a browser origin with no --rpc-cors: %d %v", resp.StatusCode, resp.Header)
	}
	// What a page may send without a preflight is refused for its type.
	if resp, _ := f.post("/", "text/plain", req, "Origin", "https://evil.example"); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("a simple text/plain request from a page: %d, want 415", resp.StatusCode)
	}
	_, _, err := websocket.DefaultDialer.Dial(wsURL(f, "/ws"), http.Header{"Origin": {"https://evil.example"}})
	if err == nil {
		t.Fatal("a WebSocket from a browser origin opened with no --rpc-cors")
	}
}

func TestCORSAllowedOrigins(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CORSOrigins = []string{"https://app.example", "http://localhost:3000/"} })
	req := `{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`
	resp, body := f.post("/", jsonType, req, "Origin", "https://app.example")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("allowed origin: %d %s, ACAO %q", resp.StatusCode, body, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	pre, _ := http.NewRequest(http.MethodOptions, f.http.URL+"/", nil)
	pre.Header.Set("Origin", "http://localhost:3000")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	presp, _ := f.do(pre)
	if presp.StatusCode != http.StatusNoContent || presp.Header.Get("Access-Control-Allow-Headers") != "content-type" ||
		!strings.Contains(presp.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", presp.StatusCode, presp.Header)
	}
	if resp, _ := f.post("/", jsonType, req, "Origin", "https://other.example"); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("origin not in the list got CORS headers: %v", resp.Header)
	}
	if _, _, err := websocket.DefaultDialer.Dial(wsURL(f, "/ws"), http.Header{"Origin": {"https://other.example"}}); err == nil {
		t.Fatal("a WebSocket from an origin not in the list opened")
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(f, "/ws"), http.Header{"Origin": {"https://app.example"}})
	if err != nil {
		t.Fatalf("WebSocket from an allowed origin: %v", err)
	}
	conn.Close()

	any := newFixture(t, func(c *Config) { c.CORSOrigins = []string{"*"} })
	if resp, _ := any.post("/", jsonType, req, "Origin", "https://whoever.example"); resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("* origin: %d ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func wsURL(f *fixture, path string) string {
	return "ws" + strings.TrimPrefix(f.http.URL, "http") + path
}

// dialWS opens a JSON-RPC client over a real WebSocket to the fixture.
func dialWS(t *testing.T, f *fixture, path string) *rpc.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := rpc.DialWebsocket(ctx, wsURL(f, path), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestWebsocketServesCallsAtWsAndRoot(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/ws", "/"} {
		c := dialWS(t, f, path)
		var id string
		if err := c.Call(&id, "eth_chainId"); err != nil || id != "0x1e61" {
			t.Fatalf("eth_chainId over ws %s = %q, %v", path, id, err)
		}
	}
}

func TestWebsocketMessageLimit(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 1024 })
	conn, _, err := websocket.DefaultDialer.Dial(wsURL(f, "/ws"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	big := `{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x` + strings.Repeat("00", 1024) + `"]}`
	if err := conn.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := conn.ReadMessage(); err == nil && !strings.Contains(string(msg), "error") {
		t.Fatalf("an oversized WebSocket message was answered: %s", msg)
	}
}

func TestCloseEndsWebsocketsAndIsIdempotent(t *testing.T) {
	f := newFixture(t)
	c := dialWS(t, f, "/ws")
	ch := make(chan map[string]any)
	sub, err := c.EthSubscribe(context.Background(), ch, "newHeads")
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv.Close()
	select {
	case <-sub.Err():
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription did not end when the server closed")
	}
}
