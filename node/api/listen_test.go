package api

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serveBounded serves the API (over a service the routes used here do not
// touch) with o on a LimitListener of max connections.
func serveBounded(t *testing.T, o HTTPOptions, max int) (addr string, ll *limitListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ll = LimitListener(ln, max).(*limitListener)
	srv := NewHTTPServer(NewServer(newFeedService(), ServerOptions{}), o)
	go srv.Serve(ll)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), ll
}

// get sends one keep-alive request on c and reads the whole response.
func get(t *testing.T, c net.Conn, br *bufio.Reader) *http.Response {
	t.Helper()
	if _, err := io.WriteString(c, "GET /v1/openapi.json HTTP/1.1\r\nHost: node\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed reads c until the server closes it, within a bounded time,
// and returns how long that took.
func waitClosed(t *testing.T, c net.Conn, br *bufio.Reader, what string) time.Duration {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(10 * time.Second))
	n, err := br.Read(make([]byte, 1))
	if n != 0 || err == nil {
		t.Fatalf("%s: read %d bytes from an idle connection", what, n)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s: the server did not close the connection", what)
	}
	return time.Since(start)
}

func TestHTTPServerClosesIdleConnections(t *testing.T) {
	const idle, header = 100 * time.Millisecond, 150 * time.Millisecond
	addr, ll := serveBounded(t, HTTPOptions{IdleTimeout: idle, ReadHeaderTimeout: header}, 0)

	// Kept alive after a request: closed once idle for IdleTimeout.
	c := dial(t, addr)
	br := bufio.NewReader(c)
	if resp := get(t, c, br); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("status %d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
	}
	if d := waitClosed(t, c, br, "kept-alive connection"); d < idle/2 {
		t.Fatalf("closed %v after the response, before the %v idle timeout", d, idle)
	}

	// Connected, never a request: closed after ReadHeaderTimeout.
	c2 := dial(t, addr)
	waitClosed(t, c2, bufio.NewReader(c2), "silent connection")

	// Half a request line, then nothing: the same (after an error answer).
	c3 := dial(t, addr)
	io.WriteString(c3, "GET /v1/openapi.json HT")
	_ = c3.SetReadDeadline(time.Now().Add(10 * time.Second))
	reply, err := io.ReadAll(c3)
	if err != nil {
		t.Fatalf("slow request: the server did not close the connection: %v", err)
	}
	if len(reply) > 0 && !strings.HasPrefix(string(reply), "HTTP/1.1 4") {
		t.Fatalf("slow request answered %q", reply)
	}

	eventually(t, "the closed connections' slots to be freed", func() bool { return ll.open() <= 1 }) // the Accept waiting
}

func TestLimitListenerCapsConnections(t *testing.T) {
	addr, ll := serveBounded(t, HTTPOptions{}, 2)
	c1, c2 := dial(t, addr), dial(t, addr)
	br1, br2 := bufio.NewReader(c1), bufio.NewReader(c2)
	get(t, c1, br1)
	get(t, c2, br2)
	if n := ll.open(); n != 2 {
		t.Fatalf("%d slots held with two connections served, want 2", n)
	}

	// A third connects (the kernel queues it) but is not served while the
	// two are open...
	c3 := dial(t, addr)
	br3 := bufio.NewReader(c3)
	if _, err := io.WriteString(c3, "GET /v1/openapi.json HTTP/1.1\r\nHost: node\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c3.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := br3.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a third connection past the cap of 2 was answered (%v)", err)
	}
	// ...and is, as soon as one of them closes.
	c1.Close()
	_ = c3.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br3, nil)
	if err != nil {
		t.Fatalf("the queued connection was not served after one closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("queued connection: status %d", resp.StatusCode)
	}
	if n := ll.open(); n > 2 {
		t.Fatalf("%d slots held, cap 2", n)
	}
	// The one still open is still served.
	get(t, c2, br2)
}

func TestHTTPServerMaxHeaderBytes(t *testing.T) {
	addr, _ := serveBounded(t, HTTPOptions{MaxHeaderBytes: 1 << 10}, 0)
	c := dial(t, addr)
	big := "GET /v1/openapi.json HTTP/1.1\r\nHost: node\r\nX-Pad: " + strings.Repeat("a", 16<<10) + "\r\n\r\n"
	if _, err := io.WriteString(c, big); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d for 16 KiB of headers with a 1 KiB cap, want 431", resp.StatusCode)
	}
}

func TestHTTPServerDefaults(t *testing.T) {
	s := NewHTTPServer(http.NotFoundHandler(), HTTPOptions{})
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout ||
		s.WriteTimeout != DefaultWriteTimeout || s.IdleTimeout != DefaultIdleTimeout || s.MaxHeaderBytes != DefaultMaxHeaderBytes {
		t.Fatalf("defaults not applied: %+v", s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if ll := LimitListener(ln, 0).(*limitListener); cap(ll.slots) != DefaultMaxConns {
		t.Fatalf("default connection cap %d, want %d", cap(ll.slots), DefaultMaxConns)
	}
}
