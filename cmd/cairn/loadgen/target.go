package loadgen

import (
	"context"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Target is the node or chain under test, as the load generator sees it.
// REST speaks Cairn's /v1 API and RPC speaks Ethereum JSON-RPC; a test
// double can implement it directly.
type Target interface {
	// Name describes the target for the report, e.g. "rest http://…".
	Name() string
	// ChainID asks the target for its EIP-155 chain ID.
	ChainID(ctx context.Context) (*big.Int, error)
	// Head returns the latest block's height and base fee.
	Head(ctx context.Context) (Head, error)
	// Account returns an account's next nonce and balance.
	Account(ctx context.Context, addr common.Address) (Account, error)
	// Send submits one signed transaction (its binary encoding). A refusal
	// by the target is a *Rejection; any other error is a transport failure.
	Send(ctx context.Context, raw []byte) error
	// Track follows the chain from the block after height from and calls
	// seen, from one goroutine, with the transactions it finds in finalized
	// blocks (all of them or only watched ones: the caller filters). Watch
	// lists the oldest transactions still awaited, for targets that poll
	// per transaction. Track returns when ctx ends; transient errors are
	// retried, and an error is returned only when tracking cannot go on.
	Track(ctx context.Context, from uint64, watch Watch, seen func([]Inclusion)) error
}

// BatchTarget is a Target that takes several transactions in one request.
type BatchTarget interface {
	Target
	// SendBatch submits raws in order in one request. errs[i] is the
	// outcome of raws[i] as Send would report it (nil: accepted); err is a
	// failure of the whole request, and then errs is nil.
	SendBatch(ctx context.Context, raws [][]byte) (errs []error, err error)
}

// Watch returns up to max hashes of submitted transactions not yet seen in
// a block, oldest first.
type Watch func(max int) []common.Hash

// Head is the state of the chain's tip.
type Head struct {
	Height uint64
	// BaseFee is the EIP-1559 base fee of the latest block, nil when the
	// chain has none.
	BaseFee *big.Int
}

// Account is what the generator needs to know about a sender.
type Account struct {
	Nonce   uint64
	Balance *big.Int
}

// Inclusion says that a transaction was seen in a finalized block.
type Inclusion struct {
	Hash   common.Hash
	Height uint64
	// BlockTime is the block's own timestamp, zero when unknown.
	BlockTime time.Time
}

// Rejection is a target's refusal of a transaction, with a short stable
// reason (the mempool's reason code for Cairn, a classified message for
// JSON-RPC) and the target's message for humans.
type Rejection struct {
	Reason  string
	Message string
}

// Error formats the rejection as "rejected: reason: message".
func (r *Rejection) Error() string {
	if r.Message == "" || r.Message == r.Reason {
		return "rejected: " + r.Reason
	}
	return "rejected: " + r.Reason + ": " + r.Message
}

// ReasonTransport is the rejection reason counted for a submission that
// failed in transport (connection refused, reset, cancelled) rather than
// being refused by the target.
const ReasonTransport = "transport_error"
