package node

import (
	"context"
	"runtime"

	"cairn/node/ethrpc"
)

// newRPC builds the Ethereum JSON-RPC endpoint over the node's chain,
// mempool and event bus.
func (n *Node) newRPC() (*ethrpc.Server, error) {
	return ethrpc.New(ethrpc.Config{
		Chain: n.chain, Pool: n.pool, Bus: &n.bus,
		ClientVersion: "Cairn/v" + Version + "/" + runtime.GOOS + "-" + runtime.GOARCH + "/" + runtime.Version(),
		PeerCount:     n.rpcPeerCount,
		Syncing:       n.rpcSyncing,
		CORSOrigins:   n.cfg.RPCCORSOrigins,
		CallTimeout:   n.cfg.CallTimeout,
		Log:           n.cfg.Logger.With("part", "json-rpc"),
	})
}

func (n *Node) rpcPeerCount() int {
	if n.tr == nil {
		return 0
	}
	return len(n.tr.Peers())
}

func (n *Node) rpcSyncing() *ethrpc.SyncStatus {
	if n.snap != nil {
		// Until a snapshot is adopted the node is at genesis, however far
		// its peers are: it is syncing, towards the snapshot's block.
		if sn := n.snap.Status(); sn.Running() {
			return &ethrpc.SyncStatus{Highest: max(sn.Height, 1)}
		}
	}
	if n.sync == nil {
		return nil
	}
	st := n.sync.Status()
	if st == nil {
		return nil
	}
	return &ethrpc.SyncStatus{Starting: st.From, Current: st.Current, Highest: st.Target}
}

// closeRPCWhenDone closes the endpoint (its WebSocket connections,
// subscriptions and filters, which the HTTP server's shutdown does not
// reach) once ctx ends, before the node closes its store.
func (n *Node) closeRPCWhenDone(ctx context.Context, srv *ethrpc.Server) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		<-ctx.Done()
		srv.Close()
	}()
}
