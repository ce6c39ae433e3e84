package ethrpc

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ethereum/go-ethereum/rpc"
)

// router serves the rpc server at "/" (POST, and a WebSocket upgrade for
// clients that dial the root) and "/ws", with the CORS and origin policy.
type router struct {
	http    http.Handler
	ws      http.Handler
	origins originPolicy
}

// newRouter serves HTTP requests with httpH (the rpc server, behind the
// sender warm-up) and WebSocket connections with srv.
func newRouter(httpH http.Handler, srv *rpc.Server, origins []string) http.Handler {
	p := newOriginPolicy(origins)
	return &router{http: httpH, ws: srv.WebsocketHandler(p.wsList()), origins: p}
}

// ServeHTTP routes one request.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" && r.URL.Path != "/ws" {
		writeHTTPError(w, http.StatusNotFound, "no JSON-RPC endpoint at "+r.URL.Path+": POST to / or open a WebSocket at /ws (the REST API is under /v1)")
		return
	}
	origin := r.Header.Get("Origin")
	allowed := origin != "" && rt.origins.allows(origin)
	if isWebsocket(r) {
		// Browsers apply no CORS to WebSockets: the server must refuse
		// a page of another origin itself.
		if origin != "" && !allowed {
			writeHTTPError(w, http.StatusForbidden, "origin "+origin+" is not allowed: start the node with --rpc-cors to allow it")
			return
		}
		rt.ws.ServeHTTP(w, r)
		return
	}
	if r.URL.Path == "/ws" {
		writeHTTPError(w, http.StatusBadRequest, "/ws takes WebSocket connections; POST JSON-RPC requests to /")
		return
	}
	if r.Method == http.MethodOptions && origin != "" {
		rt.preflight(w, r, origin, allowed)
		return
	}
	// Over HTTP, a page of an origin not allowed gets no CORS headers, so
	// its browser keeps the answer from it (and a JSON POST needs a
	// preflight, which is refused). Clients outside browsers' CORS, such
	// as wallet extensions, are served as geth serves them.
	if allowed {
		w.Header().Set("Access-Control-Allow-Origin", rt.origins.echo(origin))
		w.Header().Add("Vary", "Origin")
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet && r.Method != http.MethodOptions {
		w.Header().Set("Allow", "POST, GET, OPTIONS")
		writeHTTPError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed: POST JSON-RPC requests to /")
		return
	}
	rt.http.ServeHTTP(w, r)
}

// preflight answers a browser's CORS preflight: the allowed methods and
// headers for an allowed origin, 403 without CORS headers for another.
func (rt *router) preflight(w http.ResponseWriter, r *http.Request, origin string, allowed bool) {
	w.Header().Add("Vary", "Origin")
	if !allowed {
		writeHTTPError(w, http.StatusForbidden, "origin "+origin+" is not allowed: start the node with --rpc-cors to allow it")
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", rt.origins.echo(origin))
	h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade")
}

// writeHTTPError answers a request that never reached the JSON-RPC server
// with a JSON body in the REST API's error shape.
func writeHTTPError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": http.StatusText(status), "message": msg}})
}

// originPolicy is the set of browser origins allowed in.
type originPolicy struct {
	all  bool
	list map[string]bool
}

func newOriginPolicy(origins []string) originPolicy {
	p := originPolicy{list: map[string]bool{}}
	for _, o := range origins {
		o = normalizeOrigin(o)
		switch {
		case o == "*":
			p.all = true
		case o != "":
			p.list[o] = true
		}
	}
	return p
}

func normalizeOrigin(o string) string {
	return strings.TrimRight(strings.ToLower(strings.TrimSpace(o)), "/")
}

func (p originPolicy) allows(origin string) bool { return p.all || p.list[normalizeOrigin(origin)] }

// echo is the Access-Control-Allow-Origin value for an allowed origin.
func (p originPolicy) echo(origin string) string {
	if p.all {
		return "*"
	}
	return origin
}

// wsList is what the rpc WebSocket handler is given. The router has
// already refused disallowed origins; the handler's own check must then
// let the rest through (given no list, it would allow only localhost).
func (p originPolicy) wsList() []string { return []string{"*"} }
