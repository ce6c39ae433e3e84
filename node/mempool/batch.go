package mempool

import (
	"fmt"

	"cairn/vm"

	"github.com/ethereum/go-ethereum/core/types"
)

// Limits of one AddRawBatch call.
const (
	// MaxBatchTxs is the most transactions one batch may hold.
	MaxBatchTxs = 1000
	// MaxBatchBytes bounds the total encoded size of one batch.
	MaxBatchBytes = 4 << 20
)

// ErrBatchTooLarge is returned (wrapped) by AddRawBatch for a batch over
// MaxBatchTxs or MaxBatchBytes; nothing of such a batch is admitted.
var ErrBatchTooLarge = fmt.Errorf("transaction batch too large")

// BatchResult is the outcome of one transaction of a batch.
type BatchResult struct {
	Tx  *types.Transaction // the decoded transaction; nil when the bytes did not decode
	Err error              // nil when admitted, else the *RejectError
}

// AddRawBatch admits a batch of binary-encoded transactions from origin,
// each by the rules of AddRawFrom and in order, with a result per item: a
// bad transaction rejects only itself. The senders of the batch are
// recovered first, in parallel and without the pool's lock, so a batch
// costs about one core's share of recovery per transaction. A batch over
// MaxBatchTxs or MaxBatchBytes is refused whole with ErrBatchTooLarge and
// the pool is unchanged.
func (p *Pool) AddRawBatch(raws [][]byte, origin Origin) ([]BatchResult, error) {
	if len(raws) > MaxBatchTxs {
		return nil, fmt.Errorf("%w: %d transactions, limit %d", ErrBatchTooLarge, len(raws), MaxBatchTxs)
	}
	total := 0
	for _, raw := range raws {
		total += len(raw)
	}
	if total > MaxBatchBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrBatchTooLarge, total, MaxBatchBytes)
	}
	res := make([]BatchResult, len(raws))
	for i, raw := range raws {
		res[i].Tx, res[i].Err = p.decodeRaw(raw)
	}
	// Gossip delivers most transactions more than once: recover only
	// those not pooled.
	recover := make([]*types.Transaction, 0, len(raws))
	p.mu.Lock()
	for _, r := range res {
		if r.Err != nil {
			continue
		}
		if _, known := p.all[r.Tx.Hash()]; !known {
			recover = append(recover, r.Tx)
		}
	}
	p.mu.Unlock()
	// Failures are found again, with their reasons, by check in AddFrom.
	vm.RecoverSenders(p.v.signer, recover)
	for i := range res {
		if res[i].Err != nil {
			continue
		}
		res[i].Err = p.AddFrom(res[i].Tx, origin)
	}
	return res, nil
}
