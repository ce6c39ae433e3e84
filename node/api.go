package node

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"cairn/node/api"
	"cairn/node/localapi"
)

// Version is the node software's version, reported by the API.
const Version = "0.1.0"

// Service is the node as the API and the console see it: the one Go
// interface behind the REST API.
func (n *Node) Service() api.Service { return n.service }

func (n *Node) buildService() {
	n.service = localapi.New(localapi.Config{
		Chain: n.chain, Pool: n.pool, Bus: &n.bus, Info: n.info, Peers: n.peers,
		CallTimeout: n.cfg.CallTimeout, Log: n.cfg.Logger.With("part", "api"),
	})
}

func (n *Node) info() localapi.NodeInfo {
	info := localapi.NodeInfo{Started: n.started, Version: Version}
	if self := n.self.Load(); self != nil {
		addr := self.Address
		info.Validator = &addr
	}
	if n.engine != nil {
		st := n.engine.Status()
		info.Consensus = &st
	}
	if n.tr != nil {
		info.NodeID = string(n.tr.Self())
		info.Listen = n.tr.Listen()
		info.Peers = len(n.tr.Peers())
	}
	if n.sync != nil {
		info.Syncing = n.sync.Status()
	}
	if n.snap != nil {
		info.Snapshot = n.snap.Status()
	}
	if m := n.meters.Load(); m != nil {
		info.Metrics = m.Summary()
	}
	info.State = api.StateKept{Window: n.store.StateWindow(), From: n.store.StateFrom(), Archive: n.store.StateWindow() == 0, Base: n.store.Base()}
	return info
}

// startAPI listens on the configured address and serves the API.
func (n *Node) startAPI(ctx context.Context) error {
	if n.cfg.APIAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", n.cfg.APIAddr)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", n.cfg.APIAddr, err)
	}
	// Cap the open connections, so slow or idle clients cannot pile up;
	// the server's timeouts close the ones that stall.
	ln = api.LimitListener(ln, api.DefaultMaxConns)
	n.listener = ln
	rpc, err := n.newRPC()
	if err != nil {
		ln.Close()
		return fmt.Errorf("json-rpc: %w", err)
	}
	n.closeRPCWhenDone(ctx, rpc)
	m := n.meters.Load()
	handler := api.NewServer(n.service, api.ServerOptions{Root: rpc.Handler(), Log: n.cfg.Logger.With("part", "api"),
		Metrics: m.Handler(), ObserveRequest: m.ObserveRequest, Logs: n.cfg.Logs})
	n.server = api.NewHTTPServer(handler, api.HTTPOptions{})
	// Requests live no longer than the node: stopping it ends event
	// streams instead of waiting for their clients to leave.
	n.server.BaseContext = func(net.Listener) context.Context { return ctx }
	n.wg.Add(1)
	addr := ln.Addr().String()
	n.cfg.Logger.Info("JSON-RPC listening", "http", "http://"+addr+"/", "ws", "ws://"+addr+"/ws")
	go func() {
		defer n.wg.Done()
		if err := n.server.Serve(ln); err != nil && err != http.ErrServerClosed {
			n.cfg.Logger.Error("api server stopped", "err", err)
		}
	}()
	return nil
}
