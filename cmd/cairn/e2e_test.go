package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/api"
	"cairn/vm/vmtest"
	"cairn/wallet"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

var devnetChainID = big.NewInt(chain.DevnetChainID)

func signDyn(t *testing.T, key *ecdsa.PrivateKey, chainID *big.Int, tx *types.DynamicFeeTx) []byte {
	t.Helper()
	tx.ChainID = chainID
	if tx.GasTipCap == nil {
		tx.GasTipCap = big.NewInt(1e9)
	}
	if tx.GasFeeCap == nil {
		tx.GasFeeCap = big.NewInt(20e9)
	}
	signed, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), tx)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := signed.MarshalBinary()
	return raw
}

func send(t *testing.T, p *nodeProc, raw []byte) common.Hash {
	t.Helper()
	h, err := p.client.SendRawTx(context.Background(), raw)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return h
}

// TestEndToEnd drives the real binary over real sockets: transfers of both
// kinds, rejected input, a contract, then SIGKILL in the middle of a load
// and a restart that must find every included transaction and the state
// those blocks imply.
func TestEndToEnd(t *testing.T) {
	keys, err := wallet.DevKeys(10)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	p := startNode(t, home)
	if !p.logContains("PUBLIC") {
		t.Error("devnet started without the public-keys warning")
	}
	t.Run("transfers", func(t *testing.T) { testTransfers(t, p, keys) })
	t.Run("rejections", func(t *testing.T) { testRejections(t, p, keys) })
	t.Run("contract", func(t *testing.T) { testContract(t, p, keys[2]) })
	t.Run("query cli", func(t *testing.T) { testQueryCLI(t, p) })
	p = testKillMidLoad(t, p, home, keys[3:])
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
}

func testTransfers(t *testing.T, p *nodeProc, keys []*ecdsa.PrivateKey) {
	ctx := context.Background()
	to := common.HexToAddress("0x000000000000000000000000000000000000e2e1")
	h1 := send(t, p, signDyn(t, keys[0], devnetChainID, &types.DynamicFeeTx{Nonce: 0, Gas: 21000, To: &to, Value: big.NewInt(1000)}))
	legacy, err := types.SignNewTx(keys[1], types.NewEIP155Signer(devnetChainID),
		&types.LegacyTx{Nonce: 0, GasPrice: big.NewInt(3e9), Gas: 21000, To: &to, Value: big.NewInt(234)})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := legacy.MarshalBinary()
	h2 := send(t, p, raw)

	for _, h := range []common.Hash{h1, h2} {
		tx := p.waitTx(ctx, h)
		if tx.Receipt == nil || tx.Receipt.Status != 1 || tx.Receipt.GasUsed != 21000 {
			t.Fatalf("tx %s receipt %+v", h, tx.Receipt)
		}
	}
	acc, err := p.client.Account(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Balance.Int().Int64() != 1234 {
		t.Fatalf("recipient balance %v, want 1234", acc.Balance.Int())
	}
	for i := 0; i < 2; i++ {
		a, _ := p.client.Account(ctx, crypto.PubkeyToAddress(keys[i].PublicKey))
		if a.Nonce != 1 {
			t.Fatalf("sender %d nonce %d, want 1", i, a.Nonce)
		}
	}
}

func testRejections(t *testing.T, p *nodeProc, keys []*ecdsa.PrivateKey) {
	to := common.HexToAddress("0x000000000000000000000000000000000000e2e2")
	poor, _ := crypto.GenerateKey()
	cases := []struct {
		name, code string
		raw        []byte
	}{
		{"truncated rlp", "malformed", []byte{0x02, 0xf8}},
		{"empty rlp list", "malformed", []byte{0xc0}},
		{"unknown type byte", "unsupported_type", []byte("not a transaction at all")},
		{"other chain", "wrong_chain_id", signDyn(t, keys[0], big.NewInt(1), &types.DynamicFeeTx{Nonce: 1, Gas: 21000, To: &to})},
		{"nonce reused", "nonce_too_low", signDyn(t, keys[0], devnetChainID, &types.DynamicFeeTx{Nonce: 0, Gas: 21000, To: &to})},
		{"unfunded", "insufficient_funds", signDyn(t, poor, devnetChainID, &types.DynamicFeeTx{Nonce: 0, Gas: 21000, To: &to, Value: big.NewInt(1)})},
		{"gas over cap", "gas_limit_exceeded", signDyn(t, keys[0], devnetChainID, &types.DynamicFeeTx{Nonce: 1, Gas: 400_000_000, To: &to})},
		{"fee below base fee", "fee_too_low", signDyn(t, keys[0], devnetChainID, &types.DynamicFeeTx{Nonce: 1, Gas: 21000, To: &to, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(1)})},
		{"gas below intrinsic", "intrinsic_gas", signDyn(t, keys[0], devnetChainID, &types.DynamicFeeTx{Nonce: 1, Gas: 20000, To: &to})},
	}
	for _, tc := range cases {
		_, err := p.client.SendRawTx(context.Background(), tc.raw)
		var apiErr *api.Error
		if !errors.As(err, &apiErr) || apiErr.Status < 400 || apiErr.Status >= 500 || apiErr.Code != tc.code || apiErr.Message == "" {
			t.Errorf("%s: got %v, want a 4xx %q with a reason", tc.name, err, tc.code)
		}
	}
	// Bodies that are not even JSON get a 400 too, and the node lives on.
	for _, body := range []string{"{", `{"raw":"0xzz"}`, `{"raw":12}`, strings.Repeat("x", 2<<20)} {
		resp, err := http.Post("http://"+p.addr+"/v1/txs", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("body %.20q: status %d, want 4xx", body, resp.StatusCode)
		}
	}
	if _, err := p.client.Status(context.Background()); err != nil {
		t.Fatalf("node unhealthy after bad input: %v", err)
	}
}

func loadTestContract(t *testing.T, name string) ([]byte, abi.ABI) {
	t.Helper()
	c := vmtest.MustLoad(name)
	return c.Code, c.ABI
}

func testContract(t *testing.T, p *nodeProc, key *ecdsa.PrivateKey) {
	ctx := context.Background()
	code, counter := loadTestContract(t, "Counter")
	tx := p.waitTx(ctx, send(t, p, signDyn(t, key, devnetChainID, &types.DynamicFeeTx{Nonce: 0, Gas: 500_000, Data: code})))
	if tx.Receipt.Status != 1 || tx.Receipt.ContractAddress == nil {
		t.Fatalf("deploy receipt %+v", tx.Receipt)
	}
	addr := *tx.Receipt.ContractAddress
	inc, _ := counter.Pack("increment")
	tx = p.waitTx(ctx, send(t, p, signDyn(t, key, devnetChainID, &types.DynamicFeeTx{Nonce: 1, Gas: 100_000, To: &addr, Data: inc})))
	if len(tx.Receipt.Logs) != 1 {
		t.Fatalf("increment logs %+v", tx.Receipt.Logs)
	}
	get, _ := counter.Pack("count")
	res, err := p.client.Call(ctx, api.CallRequest{To: &addr, Data: hexutil.Bytes(get)})
	if err != nil || res.Error != "" {
		t.Fatalf("call count(): %v %+v", err, res)
	}
	if n := new(big.Int).SetBytes(res.ReturnData); n.Int64() != 1 {
		t.Fatalf("count() = %v, want 1", n)
	}
	spinCode, spinner := loadTestContract(t, "Spinner")
	tx = p.waitTx(ctx, send(t, p, signDyn(t, key, devnetChainID, &types.DynamicFeeTx{Nonce: 2, Gas: 500_000, Data: spinCode})))
	spinAddr := *tx.Receipt.ContractAddress
	spin, _ := spinner.Pack("spin")
	res, err = p.client.Call(ctx, api.CallRequest{To: &spinAddr, Data: hexutil.Bytes(spin)})
	if err != nil || !strings.Contains(res.Error, "out of gas") {
		t.Fatalf("infinite loop call: %v %+v, want it to end out of gas", err, res)
	}
}

// testKillMidLoad submits transfers from several senders as fast as the
// node takes them, kills the node with SIGKILL once blocks with those
// transfers are being committed, restarts it, and checks that every block
// and transaction seen committed is still there and that nonces and
// balances match what the stored blocks contain.
func testKillMidLoad(t *testing.T, p *nodeProc, home string, senders []*ecdsa.PrivateKey) *nodeProc {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, err := p.client.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recipient := func(i int) common.Address { return common.BigToAddress(big.NewInt(int64(0xe2e00 + i))) }
	const perSender = 1000
	var wg sync.WaitGroup
	var sent atomic.Int64
	for i, key := range senders {
		raws := make([][]byte, perSender)
		to := recipient(i)
		for n := range raws {
			raws[n] = signDyn(t, key, devnetChainID, &types.DynamicFeeTx{Nonce: uint64(n), Gas: 21000, To: &to, Value: big.NewInt(1)})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, raw := range raws {
				if _, err := p.client.SendRawTx(ctx, raw); err != nil {
					return // the node is gone
				}
				sent.Add(1)
			}
		}()
	}
	// Watch committed blocks until two of them carried load, then kill
	// while the senders are still sending.
	seen := map[uint64]common.Hash{}
	included := map[common.Hash]uint64{}
	loaded := 0
	deadline := time.After(60 * time.Second)
	for loaded < 2 {
		select {
		case e := <-evs:
			if e.Block == nil {
				continue
			}
			seen[e.Block.Height] = e.Block.Hash
			for _, h := range e.Block.Transactions {
				included[h] = e.Block.Height
			}
			if len(e.Block.Transactions) > 0 {
				loaded++
			}
		case <-deadline:
			t.Fatal("no loaded blocks within 60s")
		}
	}
	p.kill()
	sentAtKill := sent.Load()
	cancel()
	wg.Wait()
	if total := int64(perSender * len(senders)); sentAtKill >= total {
		t.Fatalf("all %d transfers were sent before the kill: not a kill under load", total)
	}
	if len(included) == 0 {
		t.Fatal("nothing was included before the kill")
	}

	p2 := startNode(t, home)
	ctx2 := context.Background()
	st, err := p2.client.Status(ctx2)
	if err != nil {
		t.Fatal(err)
	}
	for h, hash := range seen {
		if h > st.Height {
			t.Fatalf("restarted at height %d, below block %d seen committed", st.Height, h)
		}
		b, err := p2.client.Block(ctx2, strconv.FormatUint(h, 10), false)
		if err != nil || b.Hash != hash {
			t.Fatalf("block %d after restart: %v (hash %v, want %s)", h, err, b, hash)
		}
	}
	for hash, height := range included {
		tx, err := p2.client.Tx(ctx2, hash)
		if err != nil || tx.Status != api.TxIncluded || *tx.BlockHeight != height {
			t.Fatalf("tx %s included at %d before the kill: after restart %v %+v", hash, height, err, tx)
		}
	}
	// The state must be exactly what the stored blocks say: walk them all
	// and count each sender's transfers.
	counts := make([]uint64, len(senders))
	senderIndex := map[common.Address]int{}
	for i, k := range senders {
		senderIndex[crypto.PubkeyToAddress(k.PublicKey)] = i
	}
	// The restarted node may still commit a block its WAL held, so read the
	// accounts between two equal heads: the state of exactly that head.
	nonces, balances := make([]uint64, len(senders)), make([]uint64, len(senders))
	var head uint64
	for try := 0; ; try++ {
		before, err := p2.client.Status(ctx2)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range senders {
			acc, err := p2.client.Account(ctx2, crypto.PubkeyToAddress(k.PublicKey))
			if err != nil {
				t.Fatal(err)
			}
			rec, err := p2.client.Account(ctx2, recipient(i))
			if err != nil {
				t.Fatal(err)
			}
			nonces[i], balances[i] = acc.Nonce, rec.Balance.Int().Uint64()
		}
		after, err := p2.client.Status(ctx2)
		if err != nil {
			t.Fatal(err)
		}
		if before.Height == after.Height {
			head = after.Height
			break
		}
		if try == 50 {
			t.Fatal("the head moved during every one of 50 reads of the accounts")
		}
	}
	for from := uint64(1); from <= head; from += 100 {
		blocks, err := p2.client.Blocks(ctx2, from, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b.Height > head {
				continue
			}
			full, err := p2.client.Block(ctx2, b.Hash.Hex(), true)
			if err != nil {
				t.Fatal(err)
			}
			for _, tx := range full.FullTransactions {
				if i, ok := senderIndex[tx.From]; ok {
					counts[i]++
				}
			}
		}
	}
	for i := range senders {
		if nonces[i] != counts[i] || balances[i] != counts[i] {
			t.Fatalf("sender %d: nonce %d, recipient balance %d at head %d; the blocks up to it hold %d of its transfers",
				i, nonces[i], balances[i], head, counts[i])
		}
	}
	t.Logf("killed after %d of %d transfers were sent, %d seen committed in %d blocks; restart found all of them",
		sentAtKill, perSender*len(senders), len(included), len(seen))
	return p2
}
