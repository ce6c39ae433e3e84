package api

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of HTTPOptions and LimitListener: bounds on what one client
// can hold of a node's API server.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxConns          = 512
)

// HTTPOptions bound the connections of the API's HTTP server (see
// NewHTTPServer). Zero values take the defaults.
type HTTPOptions struct {
	// ReadHeaderTimeout bounds reading a request's headers (default 10 s),
	// which is also how long a connection may sit before its first request.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included (default
	// 30 s). An event stream lifts it once its request is read.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response (default 30 s). An event
	// stream bounds each of its writes instead
	// (ServerOptions.StreamWriteTimeout).
	WriteTimeout time.Duration
	// IdleTimeout is how long a kept-alive connection may wait for its next
	// request (default 60 s).
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's headers (default 64 KiB).
	MaxHeaderBytes int
}

// NewHTTPServer returns an http.Server for handler (the API from
// NewServer) with the bounds of o, so that slow or idle clients cannot hold
// connections indefinitely. Serve it on a LimitListener to cap how many
// connections are open at once.
func NewHTTPServer(handler http.Handler, o HTTPOptions) *http.Server {
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
	}
}

// LimitListener returns a listener that has at most max connections open
// (DefaultMaxConns if max <= 0): at the cap, Accept waits until one closes,
// and further clients wait in the kernel's accept queue. A hijacked
// connection (a WebSocket) counts until it is closed.
func LimitListener(ln net.Listener, max int) net.Listener {
	if max <= 0 {
		max = DefaultMaxConns
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, max), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	slots     chan struct{} // one value per open connection
	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, l: l}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// open is how many accepted connections are not closed yet.
func (l *limitListener) open() int { return len(l.slots) }

type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { <-c.l.slots })
	return err
}
