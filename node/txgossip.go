package node

import (
	"sync"
	"time"

	"cairn/node/clock"
	"cairn/node/mempool"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Transactions go out in batches, as Ethereum's own gossip sends them: one
// gossip message a few milliseconds carries everything admitted since, so
// a node taking thousands of transactions a second sends tens of messages,
// and consensus messages are not queued behind a flood of tiny ones.
const (
	txBatchDelay = 10 * time.Millisecond
	txBatchMax   = 512
	// txBatchBytes keeps a batch under the transaction topic's size cap
	// (128 KiB) with room for the list's framing; a transaction near the
	// cap goes in a batch of its own.
	txBatchBytes = 96 << 10
)

// txBatcher collects transactions submitted to this node and broadcasts
// them on the transaction topic as RLP lists of their binary encodings.
// Nothing admitted is dropped: a full batch goes out at once.
type txBatcher struct {
	tr    transport.Transport
	clock clock.Clock
	logf  func(msg string, args ...any)

	mu      sync.Mutex
	batch   [][]byte
	size    int
	pending clock.Stopper // the timer that sends the current batch
}

// add queues one transaction, sending the batch when it is full.
func (b *txBatcher) add(tx *types.Transaction) {
	raw, err := tx.MarshalBinary()
	if err != nil {
		b.logf("encode transaction for gossip", "tx", tx.Hash(), "err", err)
		return
	}
	var out [][][]byte
	b.mu.Lock()
	if len(b.batch) > 0 && b.size+len(raw) > txBatchBytes {
		out = append(out, b.take())
	}
	b.batch = append(b.batch, raw)
	b.size += len(raw)
	if len(b.batch) >= txBatchMax {
		out = append(out, b.take())
	} else if b.pending == nil {
		b.pending = b.clock.AfterFunc(txBatchDelay, b.flush)
	}
	b.mu.Unlock()
	for _, txs := range out {
		b.send(txs)
	}
}

// take empties the batch; the caller holds mu.
func (b *txBatcher) take() [][]byte {
	out := b.batch
	b.batch, b.size = nil, 0
	if b.pending != nil {
		b.pending.Stop()
		b.pending = nil
	}
	return out
}

// flush sends what the batch holds.
func (b *txBatcher) flush() {
	b.mu.Lock()
	out := b.take()
	b.mu.Unlock()
	b.send(out)
}

func (b *txBatcher) send(txs [][]byte) {
	if len(txs) == 0 {
		return
	}
	data, err := rlp.EncodeToBytes(txs)
	if err != nil {
		b.logf("encode transaction batch", "txs", len(txs), "err", err)
		return
	}
	if err := b.tr.Broadcast(transport.TopicTx, data); err != nil {
		b.logf("gossip transactions", "txs", len(txs), "err", err)
	}
}

// decodeTxBatch splits a gossiped batch into its transactions' encodings.
func decodeTxBatch(data []byte) ([][]byte, error) {
	var txs [][]byte
	if err := rlp.DecodeBytes(data, &txs); err != nil {
		return nil, err
	}
	return txs, nil
}

// validateTx admits the transactions of a gossiped batch to the mempool.
// A batch with any transaction in it that no node could ever admit
// (undecodable, badly signed, for another chain, over a hard limit) is
// rejected, which counts against the peer; one with something new goes on
// to other peers; one with nothing new (all known, stale or priced out
// here) is dropped quietly.
func (n *Node) validateTx(from transport.PeerID, data []byte) (transport.Verdict, any) {
	if n.snapping.Load() {
		return transport.Ignore, nil // no state to check them against yet
	}
	txs, err := decodeTxBatch(data)
	if err != nil || len(txs) == 0 || len(txs) > txBatchMax {
		n.cfg.Logger.Debug("gossiped transaction batch rejected", "from", from, "txs", len(txs), "err", err)
		return transport.Reject, nil
	}
	// The batch's senders are recovered in parallel before admission.
	results, err := n.pool.AddRawBatch(txs, mempool.Remote)
	if err != nil {
		n.cfg.Logger.Debug("gossiped transaction batch rejected", "from", from, "txs", len(txs), "err", err)
		return transport.Reject, nil
	}
	admitted := 0
	for _, r := range results {
		if r.Err == nil {
			admitted++
			continue
		}
		if rej, ok := mempool.IsReject(r.Err); ok && neverAdmissible(rej.Reason) {
			n.cfg.Logger.Debug("gossiped transaction rejected", "from", from, "err", r.Err)
			return transport.Reject, nil
		}
	}
	if admitted == 0 {
		return transport.Ignore, nil
	}
	return transport.Accept, admitted
}

// neverAdmissible reports whether a rejection holds on every node: the
// transaction itself is bad, not merely late or cheap here.
func neverAdmissible(reason string) bool {
	switch reason {
	case mempool.ReasonMalformed, mempool.ReasonUnsupportedType, mempool.ReasonWrongChainID,
		mempool.ReasonInvalidSignature, mempool.ReasonOversized, mempool.ReasonIntrinsicGas,
		mempool.ReasonGasLimitExceeded, mempool.ReasonInvalidFee:
		return true
	}
	return false
}
