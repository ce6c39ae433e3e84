package node

import (
	"context"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// A devnet node on 127.0.0.1 serves JSON-RPC at / and /ws beside the REST
// API: a transaction sent with eth_sendRawTransaction is included, its
// receipt is there, newHeads arrive over the WebSocket, browser origins
// are let in only as configured, and closing the node ends the socket.
func TestNodeServesJSONRPC(t *testing.T) {
	n, err := New(Config{Home: t.TempDir(), Genesis: chain.Devnet(), ValidatorKey: chain.DevnetValidatorKey(),
		BlockTime: 20 * time.Millisecond, APIAddr: "127.0.0.1:0", RPCCORSOrigins: []string{"https://app.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			n.Close()
		}
	}()
	base := "http://" + n.APIAddr()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hc, err := rpc.DialContext(ctx, base+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	var id hexutil.Big
	if err := hc.CallContext(ctx, &id, "eth_chainId"); err != nil || id.ToInt().Int64() != chain.DevnetChainID {
		t.Fatalf("eth_chainId = %v, %v", id.ToInt(), err)
	}
	ws, err := rpc.DialContext(ctx, "ws://"+n.APIAddr()+"/ws")
	if err != nil {
		t.Fatal(err)
	}
	heads := make(chan map[string]any, 16)
	sub, err := ws.EthSubscribe(ctx, heads, "newHeads")
	if err != nil {
		t.Fatal(err)
	}
	to := common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	tx := types.MustSignNewTx(devKey0, n.Chain().Signer(), &types.DynamicFeeTx{
		ChainID: n.Chain().ChainID(), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9), Gas: 21000, To: &to, Value: big.NewInt(3),
	})
	raw, _ := tx.MarshalBinary()
	var hash common.Hash
	if err := hc.CallContext(ctx, &hash, "eth_sendRawTransaction", hexutil.Bytes(raw)); err != nil || hash != tx.Hash() {
		t.Fatalf("eth_sendRawTransaction = %s, %v", hash, err)
	}
	for {
		select {
		case h := <-heads:
			var receipt map[string]any
			if err := hc.CallContext(ctx, &receipt, "eth_getTransactionReceipt", tx.Hash()); err != nil {
				t.Fatal(err)
			}
			if receipt == nil {
				continue
			}
			if receipt["status"] != "0x1" || h["number"] == nil {
				t.Fatalf("receipt %v after head %v", receipt, h["number"])
			}
		case err := <-sub.Err():
			t.Fatalf("newHeads ended: %v", err)
		case <-ctx.Done():
			t.Fatal("the transaction was not included within 30s")
		}
		break
	}
	for origin, want := range map[string]string{"https://app.example": "https://app.example", "https://evil.example": ""} {
		req, _ := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q, want %q", origin, got, want)
		}
	}
	if resp, err := http.Get(base + "/v1/status"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("REST beside JSON-RPC: %v %v", resp, err)
	}
	closed = true
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sub.Err():
	case <-time.After(10 * time.Second):
		t.Fatal("the WebSocket subscription outlived the node")
	}
}
