// Package fakenode is a deterministic, in-memory api.Service for console
// tests: fixed blocks, transactions, accounts and mempool, events pushed by
// the test, and a record of what the console sent.
package fakenode

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"sync"

	"cairn/chain"
	"cairn/node/api"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// T0 is the fake chain's clock origin: block 1's time.
const T0 = 1767225600000 // 2026-01-01T00:00:00Z in ms

// Node is the fake. Its fields may be set by a test before use; methods
// are safe for concurrent use.
type Node struct {
	mu        sync.Mutex
	status    api.Status
	blocks    []*api.Block // index = height
	txs       map[common.Hash]*api.Tx
	accounts  map[common.Address]*api.Account
	mempool   []api.MempoolTx
	subs      []chan api.Event
	peers     []api.Peer
	peerCalls int
	// Sent are the raw transactions the console submitted, in order.
	Sent [][]byte
	// SendErr, if set, is returned by SendRawTx instead of accepting.
	SendErr error
	// CallRevert, if set, is the error every Call reports, as the node
	// reports a reverted call, with CallRevertData as its revert data.
	CallRevert     string
	CallRevertData []byte

	staking *stakingFixture // nil: the one devnet validator

	down    error         // set by Disconnect: what Subscribe and Status fail with
	changed chan struct{} // closed and replaced when the subscribers change
}

// New returns a fake devnet node at height 12: blocks 1..12 a second apart,
// a few transfers among the dev accounts, and three pending transactions.
func New() *Node {
	n := &Node{txs: map[common.Hash]*api.Tx{}, accounts: map[common.Address]*api.Account{}, changed: make(chan struct{})}
	val := chain.DevnetAccounts[0] // the devnet validator's operator
	n.status = api.Status{ChainID: chain.DevnetChainID, Validator: &val, NodeVersion: "0.1.0",
		UptimeSeconds: 754, BlockTimeMs: 1000}
	for i, a := range chain.DevnetAccounts {
		bal := chain.CRN(1_000_000)
		bal.Sub(bal, big.NewInt(int64(i)*1e17))
		n.accounts[a] = &api.Account{Address: a, Balance: api.NewAmount(bal)}
	}
	n.blocks = append(n.blocks, n.block(0, nil))
	for h := uint64(1); h <= 12; h++ {
		var txs []*api.Tx
		for j := uint64(0); j < h%4; j++ {
			txs = append(txs, n.transfer(h, j))
		}
		n.blocks = append(n.blocks, n.block(h, txs))
	}
	for j := 0; j < 3; j++ {
		from := chain.DevnetAccounts[j+3]
		to := chain.DevnetAccounts[j+4]
		n.mempool = append(n.mempool, api.MempoolTx{
			Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("pending-%d", j))), From: from, To: &to,
			Nonce: n.accounts[from].Nonce, Value: api.NewAmount(chain.CRN(int64(j + 1))), Gas: 21000,
			GasTipCap: api.NewAmount(big.NewInt(int64(j+1) * 1e9)), GasFeeCap: api.NewAmount(big.NewInt(20e9)),
			Size: 114, AgeMs: int64(j+1) * 1500,
		})
	}
	n.refreshStatus()
	return n
}

func (n *Node) transfer(height, j uint64) *api.Tx {
	from := chain.DevnetAccounts[j]
	to := chain.DevnetAccounts[j+1]
	acc := n.accounts[from]
	hash := crypto.Keccak256Hash([]byte(fmt.Sprintf("tx-%d-%d", height, j)))
	bh := crypto.Keccak256Hash([]byte(fmt.Sprintf("block-%d", height)))
	idx := int(j)
	h := height
	tx := &api.Tx{
		Hash: hash, Status: api.TxIncluded, BlockHeight: &h, BlockHash: &bh, Index: &idx,
		From: from, To: &to, Nonce: acc.Nonce, Value: api.NewAmount(chain.CRN(int64(j + 1))), Gas: 21000,
		GasPrice: api.NewAmount(big.NewInt(2e9)), Type: types.DynamicFeeTxType,
		Receipt: &api.Receipt{Status: 1, GasUsed: 21000, CumulativeGasUsed: 21000 * (j + 1),
			EffectiveGasPrice: api.NewAmount(big.NewInt(2e9)), Logs: []api.Log{}},
	}
	acc.Nonce++
	acc.PendingNonce = acc.Nonce
	n.txs[hash] = tx
	return tx
}

func (n *Node) block(h uint64, txs []*api.Tx) *api.Block {
	b := &api.Block{
		Height: h, Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("block-%d", h))),
		Time: T0 + (h-1)*1000, Proposer: *n.status.Validator, GasLimit: 300_000_000,
		BaseFee:   api.NewAmount(big.NewInt(1e9)),
		VRF:       api.VRF{Output: append(crypto.Keccak256([]byte(fmt.Sprintf("beta-%d", h))), crypto.Keccak256([]byte(fmt.Sprintf("beta2-%d", h)))...), Proof: make([]byte, 80)},
		TxCount:   len(txs),
		StateRoot: crypto.Keccak256Hash([]byte(fmt.Sprintf("state-%d", h))),
	}
	if h == 0 {
		b.Time = T0 - 1000
	} else {
		b.ParentHash = crypto.Keccak256Hash([]byte(fmt.Sprintf("block-%d", h-1)))
		b.Commit = &api.Commit{Height: h, BlockHash: b.Hash, Signers: []common.Address{b.Proposer}}
	}
	for _, tx := range txs {
		b.Transactions = append(b.Transactions, tx.Hash)
		b.GasUsed += tx.Receipt.GasUsed
	}
	return b
}

func (n *Node) refreshStatus() {
	head := n.blocks[len(n.blocks)-1]
	n.status.Height, n.status.FinalizedHeight = head.Height, head.Height
	n.status.HeadHash, n.status.HeadTime = head.Hash, head.Time
	n.status.GenesisHash = n.blocks[0].Hash
	n.status.Mempool = api.MempoolCounts{Pending: len(n.mempool), Bytes: 114 * len(n.mempool)}
	n.status.Peers = len(n.peers)
}

// Status implements api.Service.
func (n *Node) Status(context.Context) (*api.Status, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.down != nil {
		return nil, n.down
	}
	st := n.status
	return &st, nil
}

func notFound(what string) error {
	return &api.Error{Status: 404, Code: api.CodeNotFound, Message: what + " not found"}
}

// Block implements api.Service: "latest", a decimal height or a 0x hash.
func (n *Node) Block(_ context.Context, id string, full bool) (*api.Block, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var b *api.Block
	switch {
	case id == "latest":
		b = n.blocks[len(n.blocks)-1]
	case len(id) == 66:
		for _, c := range n.blocks {
			if c.Hash.Hex() == id {
				b = c
			}
		}
	default:
		var h uint64
		if _, err := fmt.Sscan(id, &h); err == nil && h < uint64(len(n.blocks)) {
			b = n.blocks[h]
		}
	}
	if b == nil {
		return nil, notFound("block " + id)
	}
	c := *b
	if full {
		for _, h := range b.Transactions {
			c.FullTransactions = append(c.FullTransactions, n.txs[h])
		}
	}
	return &c, nil
}

// Blocks implements api.Service (api.Latest: newest first).
func (n *Node) Blocks(_ context.Context, from uint64, limit int) ([]*api.Block, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if limit <= 0 {
		limit = 20
	}
	var out []*api.Block
	if from == api.Latest {
		for h := len(n.blocks) - 1; h >= 0 && len(out) < limit; h-- {
			out = append(out, n.blocks[h])
		}
		return out, nil
	}
	for h := from; h < uint64(len(n.blocks)) && len(out) < limit; h++ {
		out = append(out, n.blocks[h])
	}
	return out, nil
}

// SendRawTxs implements api.Service: each transaction as SendRawTx.
func (n *Node) SendRawTxs(ctx context.Context, raws [][]byte) ([]api.TxResult, error) {
	out := make([]api.TxResult, len(raws))
	for i, raw := range raws {
		h, err := n.SendRawTx(ctx, raw)
		if err != nil {
			var ae *api.Error
			if !errors.As(err, &ae) {
				ae = &api.Error{Status: 500, Code: "internal", Message: err.Error()}
			}
			out[i].Error = ae
			continue
		}
		out[i].Hash = &h
	}
	return out, nil
}

// SendRawTx implements api.Service: it records the transaction, puts it in
// the fake mempool and announces it.
func (n *Node) SendRawTx(_ context.Context, raw []byte) (common.Hash, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.SendErr != nil {
		return common.Hash{}, n.SendErr
	}
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		return common.Hash{}, &api.Error{Status: 400, Code: "malformed", Message: err.Error()}
	}
	from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), &tx)
	if err != nil {
		return common.Hash{}, &api.Error{Status: 400, Code: "invalid_signature", Message: err.Error()}
	}
	n.Sent = append(n.Sent, raw)
	mt := api.MempoolTx{Hash: tx.Hash(), From: from, To: tx.To(), Nonce: tx.Nonce(),
		Value: api.NewAmount(tx.Value()), Gas: tx.Gas(), GasTipCap: api.NewAmount(tx.GasTipCap()),
		GasFeeCap: api.NewAmount(tx.GasFeeCap()), Size: int(tx.Size())}
	n.mempool = append(n.mempool, mt)
	if acc := n.accounts[from]; acc != nil {
		acc.PendingNonce = tx.Nonce() + 1
	}
	n.txs[tx.Hash()] = &api.Tx{Hash: tx.Hash(), Status: api.TxPending, From: from, To: tx.To(),
		Nonce: tx.Nonce(), Value: api.NewAmount(tx.Value()), Gas: tx.Gas(), Type: tx.Type()}
	n.refreshStatus()
	n.publish(api.Event{Type: api.EventTx, Tx: n.txs[tx.Hash()]})
	return tx.Hash(), nil
}

// Tx implements api.Service.
func (n *Node) Tx(_ context.Context, hash common.Hash) (*api.Tx, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if tx, ok := n.txs[hash]; ok {
		c := *tx
		return &c, nil
	}
	return nil, notFound("transaction " + hash.Hex())
}

// Account implements api.Service; unknown accounts are empty.
func (n *Node) Account(_ context.Context, addr common.Address) (*api.Account, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if a, ok := n.accounts[addr]; ok {
		c := *a
		return &c, nil
	}
	return &api.Account{Address: addr, Balance: api.NewAmount(new(big.Int))}, nil
}

// Mempool implements api.Service.
func (n *Node) Mempool(context.Context) (*api.Mempool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	txs := append([]api.MempoolTx(nil), n.mempool...)
	sort.SliceStable(txs, func(i, j int) bool { return txs[i].AgeMs > txs[j].AgeMs })
	return &api.Mempool{Count: len(txs), Pending: len(txs), Bytes: 114 * len(txs), Transactions: txs}, nil
}

// Call implements api.Service: the fake has no EVM.
func (n *Node) Call(context.Context, api.CallRequest) (*api.CallResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.CallRevert != "" {
		return &api.CallResult{GasUsed: 30_000, Error: n.CallRevert, ReturnData: n.CallRevertData}, nil
	}
	return &api.CallResult{ReturnData: make([]byte, 32), GasUsed: 21000}, nil
}

// Subscribe implements api.Service: events pushed with Push (and the fake's
// own) until ctx ends.
// While the fake is disconnected, it fails.
func (n *Node) Subscribe(ctx context.Context) (<-chan api.Event, error) {
	c := make(chan api.Event, 64)
	n.mu.Lock()
	if n.down != nil {
		n.mu.Unlock()
		return nil, n.down
	}
	n.subs = append(n.subs, c)
	n.signalLocked()
	n.mu.Unlock()
	go func() {
		<-ctx.Done()
		n.mu.Lock()
		defer n.mu.Unlock()
		for i, s := range n.subs {
			if s == c {
				n.subs = append(n.subs[:i], n.subs[i+1:]...)
				close(c)
				n.signalLocked()
				break
			}
		}
	}()
	return c, nil
}

func (n *Node) signalLocked() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// Disconnect plays a node that went away: every event feed closes, and
// Subscribe and Status fail with err until Reconnect.
func (n *Node) Disconnect(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.down = err
	for _, c := range n.subs {
		close(c)
	}
	n.subs = nil
	n.signalLocked()
}

// Reconnect ends Disconnect.
func (n *Node) Reconnect() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.down = nil
}

// WaitSubscribers waits until at least k event feeds are open, or ctx ends.
func (n *Node) WaitSubscribers(ctx context.Context, k int) error {
	for {
		n.mu.Lock()
		got, changed := len(n.subs), n.changed
		n.mu.Unlock()
		if got >= k {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%d event feeds open, waiting for %d: %w", got, k, ctx.Err())
		}
	}
}

func (n *Node) publish(e api.Event) {
	for _, s := range n.subs {
		select {
		case s <- e:
		default:
		}
	}
}

// MineBlock commits the fake mempool into a new block one second after the
// head, marks its transactions included, and announces the block.
func (n *Node) MineBlock() *api.Block {
	n.mu.Lock()
	defer n.mu.Unlock()
	h := uint64(len(n.blocks))
	var txs []*api.Tx
	for i, mt := range n.mempool {
		tx := n.txs[mt.Hash]
		if tx == nil {
			continue
		}
		height, idx := h, i
		bh := crypto.Keccak256Hash([]byte(fmt.Sprintf("block-%d", h)))
		tx.Status, tx.BlockHeight, tx.BlockHash, tx.Index = api.TxIncluded, &height, &bh, &idx
		tx.Receipt = &api.Receipt{Status: 1, GasUsed: 21000, CumulativeGasUsed: 21000 * uint64(i+1),
			EffectiveGasPrice: api.NewAmount(big.NewInt(2e9)), Logs: []api.Log{}}
		if acc := n.accounts[tx.From]; acc != nil {
			acc.Nonce = tx.Nonce + 1
			acc.Balance = api.NewAmount(new(big.Int).Sub(acc.Balance.Int(), tx.Value.Int()))
		}
		txs = append(txs, tx)
	}
	n.mempool = nil
	b := n.block(h, txs)
	n.blocks = append(n.blocks, b)
	n.refreshStatus()
	n.publish(api.Event{Type: api.EventBlock, Block: b})
	return b
}

// SetDevnet makes the fake report that it runs the built-in devnet, to
// test what the console offers only there.
func (n *Node) SetDevnet() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.status.Devnet = true
}

// Push delivers an event to every subscriber.
func (n *Node) Push(e api.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.publish(e)
}

var _ api.Service = (*Node)(nil)
