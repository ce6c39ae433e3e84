package node

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// startAPI listens on the configured address and serves the API.
func (n *Node) startAPI() error {
	if n.cfg.APIAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", n.cfg.APIAddr)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", n.cfg.APIAddr, err)
	}
	n.listener = ln
	n.server = &http.Server{Handler: n.apiHandler(), ReadHeaderTimeout: 10 * time.Second}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.server.Serve(ln); err != nil && err != http.ErrServerClosed {
			n.cfg.Logger.Error("api server stopped", "err", err)
		}
	}()
	return nil
}

func (n *Node) apiHandler() http.Handler {
	return http.NotFoundHandler() // replaced by the REST API
}
