package api

import (
	"context"
	"math"

	"github.com/ethereum/go-ethereum/common"
)

// Latest, passed as from to Service.Blocks, lists the newest blocks first,
// starting at the head.
const Latest uint64 = math.MaxUint64

// Pages of Service.Blocks: the size a limit <= 0 takes, and the most an
// implementation returns.
const (
	DefaultBlocksPage = 20
	MaxBlocksPage     = 100
)

// Service is everything a console, a CLI or a remote client can ask of a
// node. Local answers in process; Client answers over the REST API; both
// return the same view types and *Error values.
type Service interface {
	// Status summarises the node and the head of its chain.
	Status(ctx context.Context) (*Status, error)
	// Block returns one block. id is a decimal height, a 0x block hash or
	// "latest". With full, transactions are objects with receipts rather
	// than hashes.
	Block(ctx context.Context, id string, full bool) (*Block, error)
	// Blocks lists up to limit blocks (without transaction objects). From a
	// height, they come in ascending order up to the head (empty past the
	// head); from Latest, newest first. limit <= 0 takes the default page
	// size; implementations cap it.
	Blocks(ctx context.Context, from uint64, limit int) ([]*Block, error)
	// SendRawTx submits a signed transaction in its binary (EIP-2718 / RLP)
	// encoding, as Ethereum wallets produce it, and returns its hash once
	// the mempool has admitted it.
	SendRawTx(ctx context.Context, raw []byte) (common.Hash, error)
	// SendRawTxs submits a batch of signed transactions, each as SendRawTx
	// would, in order, and returns one result per transaction: its hash
	// when admitted, or the error that rejected it (a bad transaction
	// rejects only itself). The error return is for the batch as a whole
	// (too large, or the node could not take it); then nothing was
	// submitted.
	SendRawTxs(ctx context.Context, raws [][]byte) ([]TxResult, error)
	// Tx finds a transaction: committed ones (status "included", with
	// receipt) first, then the mempool (status "pending").
	Tx(ctx context.Context, hash common.Hash) (*Tx, error)
	// Account reads an account at the head.
	Account(ctx context.Context, addr common.Address) (*Account, error)
	// Validators lists every registered validator at the head, active ones
	// first by power, then the others by bonded tokens, with the next
	// block's total voting power.
	Validators(ctx context.Context) (*ValidatorList, error)
	// Validator returns the validator whose operator address is operator,
	// at the head; an *Error with CodeNotFound if there is none.
	Validator(ctx context.Context, operator common.Address) (*Validator, error)
	// Delegations lists a delegator's delegations, unbonding and
	// redelegation entries and pending rewards at the head (empty lists
	// and "0" for an address that has none).
	Delegations(ctx context.Context, delegator common.Address) (*Delegations, error)
	// Mempool summarises the mempool and lists (some of) its transactions.
	Mempool(ctx context.Context) (*Mempool, error)
	// Call runs a read-only call against the head state.
	Call(ctx context.Context, req CallRequest) (*CallResult, error)
	// Peers lists the connected peers (empty for a node that runs alone).
	Peers(ctx context.Context) ([]Peer, error)
	// Subscribe streams new blocks, new pending transactions and dropped
	// transactions until ctx ends, then closes the channel. The channel
	// also closes if the stream breaks (Client). A reader that falls far
	// behind loses events rather than slowing the node.
	Subscribe(ctx context.Context) (<-chan Event, error)
}
