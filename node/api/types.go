package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Status summarises a node and the head of its chain.
type Status struct {
	ChainID  uint64      `json:"chainId"`
	Height   uint64      `json:"height"`
	HeadHash common.Hash `json:"headHash"`
	HeadTime uint64      `json:"headTime"` // unix milliseconds
	// FinalizedHeight is the last finalized block. Cairn's BFT finality
	// commits only finalized blocks, so today it equals Height.
	FinalizedHeight uint64      `json:"finalizedHeight"`
	GenesisHash     common.Hash `json:"genesisHash"`
	// Devnet says the chain is the built-in development chain, whose
	// funded accounts have public keys (a faucet is safe).
	Devnet        bool            `json:"devnet"`
	Mempool       MempoolCounts   `json:"mempool"`
	Validator     *common.Address `json:"validator"` // this node's validator address, or null
	NodeVersion   string          `json:"nodeVersion"`
	UptimeSeconds uint64          `json:"uptimeSeconds"`
	BlockTimeMs   uint64          `json:"blockTimeMs"`
	// Consensus is the state of the consensus engine, when the node runs
	// one that reports it.
	Consensus *ConsensusStatus `json:"consensus,omitempty"`
	// NodeID is this node's peer ID on the network ("" when it runs alone).
	NodeID string `json:"nodeId,omitempty"`
	// Listen are the addresses peers can dial this node at.
	Listen []string `json:"listen,omitempty"`
	// Peers is how many peers are connected.
	Peers int `json:"peers"`
	// Syncing is set while the node fetches finalized blocks it is behind
	// on; nil when it is in step with its peers.
	Syncing *SyncStatus `json:"syncing"`
	// Snapshot is set on a node that starts from a state snapshot, with
	// its progress; nil on a node that replays blocks from genesis.
	Snapshot *SnapshotStatus `json:"snapshot,omitempty"`
	// State says which blocks' state this node keeps.
	State StateKept `json:"state"`
	// Metrics are figures the node's Prometheus metrics (GET /metrics)
	// hold since it started, read from the same histograms and counters;
	// nil for a node that keeps none.
	Metrics *MetricsSummary `json:"metrics,omitempty"`
}

// MetricsSummary is what a console shows of a node's metrics: quantiles
// are estimated from the histograms' buckets as Prometheus's
// histogram_quantile does, over every block since the node started.
type MetricsSummary struct {
	// Blocks is how many committed blocks the figures cover.
	Blocks uint64 `json:"blocks"`
	// FinalityP50 and FinalityP99 are the finality latency's median and
	// 99th percentile in seconds (header time to this node's commit; 0
	// with no block committed live).
	FinalityP50 float64 `json:"finalityP50"`
	FinalityP99 float64 `json:"finalityP99"`
	// IntervalMean is the mean time between consecutive blocks, seconds.
	IntervalMean float64 `json:"intervalMean"`
	// TxsPerBlock is the mean number of transactions per block.
	TxsPerBlock float64 `json:"txsPerBlock"`
	// Signed and Missed count the blocks this node's validator signed
	// and missed while in the set.
	Signed uint64 `json:"signed"`
	Missed uint64 `json:"missed"`
	// BytesIn and BytesOut are the bytes exchanged with peers, all topics.
	BytesIn  uint64 `json:"bytesIn"`
	BytesOut uint64 `json:"bytesOut"`
}

// StateKept is which blocks' state a node keeps and which blocks it holds.
type StateKept struct {
	// Window is how many blocks before the head keep their state; 0 on an
	// archive node, which keeps every state.
	Window uint64 `json:"window"`
	// From is the lowest height whose state is kept.
	From uint64 `json:"from"`
	// Archive says the node keeps every state (--archive, or a store
	// written before pruning existed).
	Archive bool `json:"archive"`
	// Base is the first block after genesis the node holds: 0 when it
	// holds them all, the snapshot's height when it started from one.
	Base uint64 `json:"base"`
}

// The phases of a snapshot sync, in order.
const (
	SnapshotFindingPeers = "finding peers"
	SnapshotAnchoring    = "verifying a peer's head"
	SnapshotDownloading  = "downloading state"
	SnapshotAdopting     = "adopting"
	SnapshotDone         = "done"
	// SnapshotSkipped: the peers were at genesis (a new network), so the
	// node follows from genesis.
	SnapshotSkipped = "skipped: the peers are at genesis"
)

// Running reports whether a snapshot sync is under way (not done, not
// skipped); false for nil.
func (s *SnapshotStatus) Running() bool {
	return s != nil && s.Phase != SnapshotDone && s.Phase != SnapshotSkipped
}

// SnapshotStatus is the progress of a snapshot sync.
type SnapshotStatus struct {
	Phase     string      `json:"phase"`
	Height    uint64      `json:"height"`    // the block whose state is downloaded (0 until chosen)
	StateRoot common.Hash `json:"stateRoot"` // its state root, which every chunk is checked against
	Accounts  uint64      `json:"accounts"`  // accounts verified and written
	Slots     uint64      `json:"slots"`     // storage slots verified and written
	Codes     uint64      `json:"codes"`     // contract codes verified and written
	Bytes     uint64      `json:"bytes"`     // entry bytes verified
	Peers     int         `json:"peers"`     // peers being downloaded from
	Refused   int         `json:"refused"`   // chunks refused because they did not verify
	LastError string      `json:"lastError,omitempty"`
}

// SyncStatus is the progress of block sync: it started at From, has
// committed up to Current and is fetching up to Target, the highest head
// its peers report.
type SyncStatus struct {
	From    uint64 `json:"from"`
	Current uint64 `json:"current"`
	Target  uint64 `json:"target"`
}

// PeerList is the body of GET /v1/peers.
type PeerList struct {
	Peers []Peer `json:"peers"`
}

// Peer is one connected peer as GET /v1/peers shows it.
type Peer struct {
	ID        string   `json:"id"`
	Addrs     []string `json:"addrs"`
	Direction string   `json:"direction"` // "inbound" or "outbound"
	// LatencyMs is the last measured round trip, in milliseconds (0 until measured).
	LatencyMs float64 `json:"latencyMs"`
	Score     float64 `json:"score"`
	Agent     string  `json:"agent"`
	// Height and Finalized are the peer's head and finalized height as it
	// last reported them (0 until it has).
	Height    uint64 `json:"height"`
	Finalized uint64 `json:"finalized"`
	// ConnectedSince is when the current connection opened, unix milliseconds.
	ConnectedSince uint64 `json:"connectedSince"`
}

// MempoolCounts are the mempool's totals.
type MempoolCounts struct {
	Pending int `json:"pending"` // ready to be included
	Queued  int `json:"queued"`  // held back behind a nonce gap
	Bytes   int `json:"bytes"`   // encoded size of all held transactions
}

// ConsensusStatus is where the consensus engine is: the height and round it
// works on, its step and the round's proposer.
type ConsensusStatus struct {
	Height   uint64          `json:"height"`
	Round    uint32          `json:"round"`
	Step     string          `json:"step"`
	Proposer *common.Address `json:"proposer"`
	// Validators are the validators of the height with whether their
	// prevote and precommit of the current round have arrived.
	Validators []ValidatorVotes `json:"validators,omitempty"`
}

// ValidatorVotes is one validator's part in the current round.
type ValidatorVotes struct {
	Address   common.Address `json:"address"`
	Name      string         `json:"name,omitempty"`
	Power     uint64         `json:"power"`
	Prevote   bool           `json:"prevote"`
	Precommit bool           `json:"precommit"`
}

// Block is a block as the API shows it.
type Block struct {
	Height         uint64         `json:"height"`
	Hash           common.Hash    `json:"hash"`
	ParentHash     common.Hash    `json:"parentHash"`
	Time           uint64         `json:"time"` // unix milliseconds
	Proposer       common.Address `json:"proposer"`
	Round          uint32         `json:"round"`
	StateRoot      common.Hash    `json:"stateRoot"`
	TxRoot         common.Hash    `json:"txRoot"`
	ReceiptRoot    common.Hash    `json:"receiptRoot"`
	ValidatorsHash common.Hash    `json:"validatorsHash"`
	GasUsed        uint64         `json:"gasUsed"`
	GasLimit       uint64         `json:"gasLimit"`
	BaseFee        *Amount        `json:"baseFee"`
	VRF            VRF            `json:"vrf"`
	// Commit is the commit that finalized this block, when the node has it
	// (null for genesis and for blocks committed without one).
	Commit  *Commit `json:"commit"`
	TxCount int     `json:"txCount"`
	// Transactions are the hashes of the block's transactions, in order.
	// In JSON they are the "transactions" array unless FullTransactions is
	// set.
	Transactions []common.Hash `json:"-"`
	// FullTransactions, when set (a ?full=true request), are the
	// transactions with receipts; in JSON they replace the hashes.
	FullTransactions []*Tx `json:"-"`
}

// VRF is a block's randomness beacon and its proof.
type VRF struct {
	Output hexutil.Bytes `json:"output"` // beta
	Proof  hexutil.Bytes `json:"proof"`  // pi
}

// Commit is the set of precommits that finalized a block.
type Commit struct {
	Height    uint64           `json:"height"`
	Round     uint32           `json:"round"`
	BlockHash common.Hash      `json:"blockHash"`
	Signers   []common.Address `json:"signers"`
}

// blockFields is Block without its JSON methods.
type blockFields Block

// MarshalJSON writes the block with "transactions" as hashes, or as objects
// when FullTransactions is set.
func (b *Block) MarshalJSON() ([]byte, error) {
	var txs any = b.Transactions
	switch {
	case b.FullTransactions != nil:
		txs = b.FullTransactions
	case b.Transactions == nil:
		txs = []common.Hash{}
	}
	return json.Marshal(struct {
		*blockFields
		Transactions any `json:"transactions"`
	}{(*blockFields)(b), txs})
}

// UnmarshalJSON reads a block whose "transactions" are hashes or objects.
func (b *Block) UnmarshalJSON(data []byte) error {
	var dec struct {
		*blockFields
		Transactions json.RawMessage `json:"transactions"`
	}
	dec.blockFields = (*blockFields)(b)
	if err := json.Unmarshal(data, &dec); err != nil {
		return err
	}
	b.Transactions, b.FullTransactions = []common.Hash{}, nil
	raw := bytes.TrimSpace(dec.Transactions)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(raw, &b.Transactions); err == nil {
		return nil
	}
	var full []*Tx
	if err := json.Unmarshal(raw, &full); err != nil {
		return fmt.Errorf("block transactions are neither hashes nor objects: %w", err)
	}
	b.FullTransactions = full
	b.Transactions = make([]common.Hash, len(full))
	for i, tx := range full {
		b.Transactions[i] = tx.Hash
	}
	return nil
}

// Transaction statuses.
const (
	TxPending  = "pending"  // in the mempool
	TxIncluded = "included" // in a committed (final) block
)

// Tx is a transaction as the API shows it: where it is, what it does and,
// once included, its receipt.
type Tx struct {
	Hash        common.Hash     `json:"hash"`
	Status      string          `json:"status"`      // TxPending or TxIncluded
	BlockHeight *uint64         `json:"blockHeight"` // null while pending
	BlockHash   *common.Hash    `json:"blockHash"`   // null while pending
	Index       *int            `json:"index"`       // position in the block; null while pending
	From        common.Address  `json:"from"`
	To          *common.Address `json:"to"` // null for a contract creation
	Nonce       uint64          `json:"nonce"`
	Value       *Amount         `json:"value"`
	Gas         uint64          `json:"gas"`
	// GasPrice is the legacy or access-list gas price; for an EIP-1559
	// transaction it is the price actually paid once included, and the fee
	// cap while pending (as Ethereum's JSON-RPC reports it).
	GasPrice             *Amount       `json:"gasPrice"`
	MaxFeePerGas         *Amount       `json:"maxFeePerGas,omitempty"`         // EIP-1559 only
	MaxPriorityFeePerGas *Amount       `json:"maxPriorityFeePerGas,omitempty"` // EIP-1559 only
	Type                 uint8         `json:"type"`                           // 0 legacy, 1 EIP-2930, 2 EIP-1559
	Input                hexutil.Bytes `json:"input"`
	Receipt              *Receipt      `json:"receipt"` // null while pending
}

// Receipt is the outcome of an included transaction.
type Receipt struct {
	Status            uint64          `json:"status"` // 1 success, 0 failure (reverted, out of gas…)
	GasUsed           uint64          `json:"gasUsed"`
	CumulativeGasUsed uint64          `json:"cumulativeGasUsed"`
	EffectiveGasPrice *Amount         `json:"effectiveGasPrice"`
	ContractAddress   *common.Address `json:"contractAddress"` // the created contract, or null
	Logs              []Log           `json:"logs"`
}

// Log is an event a contract emitted.
type Log struct {
	Address  common.Address `json:"address"`
	Topics   []common.Hash  `json:"topics"`
	Data     hexutil.Bytes  `json:"data"`
	LogIndex uint           `json:"logIndex"` // position among the block's logs
}

// Account is an account at the head.
type Account struct {
	Address common.Address `json:"address"`
	Balance *Amount        `json:"balance"` // wei
	Nonce   uint64         `json:"nonce"`
	// PendingNonce is the nonce the account's next transaction should use:
	// Nonce plus its transactions ready in the mempool.
	PendingNonce uint64 `json:"pendingNonce"`
	IsContract   bool   `json:"isContract"`
}

// Mempool summarises the mempool and lists its transactions, ordered by
// sender and then nonce, up to a limit (Truncated says whether there are
// more).
type Mempool struct {
	Count        int         `json:"count"` // Pending + Queued
	Pending      int         `json:"pending"`
	Queued       int         `json:"queued"`
	Bytes        int         `json:"bytes"`
	Truncated    bool        `json:"truncated"`
	Transactions []MempoolTx `json:"transactions"`
}

// MempoolTx is one transaction waiting in the mempool.
type MempoolTx struct {
	Hash      common.Hash     `json:"hash"`
	From      common.Address  `json:"from"`
	To        *common.Address `json:"to"`
	Nonce     uint64          `json:"nonce"`
	Value     *Amount         `json:"value"`
	Gas       uint64          `json:"gas"`
	GasTipCap *Amount         `json:"gasTipCap"` // priority fee cap (gas price for legacy)
	GasFeeCap *Amount         `json:"gasFeeCap"` // fee cap (gas price for legacy)
	Size      int             `json:"size"`      // encoded bytes
	AgeMs     int64           `json:"ageMs"`     // time since admission
	Queued    bool            `json:"queued"`    // behind a nonce gap
}

// CallRequest is a read-only call. A missing to deploys data as init code
// and returns the would-be runtime code. A missing or zero gas takes the
// node's cap.
type CallRequest struct {
	From  common.Address  `json:"from"`
	To    *common.Address `json:"to"`
	Data  hexutil.Bytes   `json:"data"`
	Value *Amount         `json:"value"`
	Gas   uint64          `json:"gas"`
}

// CallResult is what a read-only call returned. Error is set when the EVM
// stopped with an error: "execution reverted: <reason>" for a revert with a
// reason, "out of gas", and so on; ReturnData then holds any revert data.
type CallResult struct {
	ReturnData hexutil.Bytes `json:"returnData"`
	GasUsed    uint64        `json:"gasUsed"`
	Error      string        `json:"error,omitempty"`
}

// Event types, also the SSE event names.
const (
	EventBlock   = "block"   // a newly committed block
	EventTx      = "tx"      // a transaction newly admitted to the mempool
	EventDropped = "dropped" // a transaction that left the mempool unincluded
)

// Event is one thing that happened in the node. Type says which of the
// other fields is set.
type Event struct {
	Type    string     `json:"type"`
	Block   *Block     `json:"block,omitempty"`
	Tx      *Tx        `json:"tx,omitempty"`
	Dropped *DroppedTx `json:"dropped,omitempty"`
}

// DroppedTx is a transaction the node removed from its mempool without
// including it, and why.
type DroppedTx struct {
	Hash   common.Hash `json:"hash"`
	Reason string      `json:"reason"`
}

// TxResult is the outcome of one transaction of a POST /v1/txs batch:
// its hash when the mempool admitted it, else the error that rejected it
// (its code is the mempool's reason, as for a single transaction).
type TxResult struct {
	Hash  *common.Hash `json:"hash,omitempty"`
	Error *Error       `json:"error,omitempty"`
}

// LogLine is one of a node's own log lines, as the console shows it. The
// node keeps its recent lines in memory (cairn/node/logs) for a console in
// the same process, and its REST API serves them (GET /v1/logs and
// /v1/logs/stream, read by RemoteLogs) to a console attached over it.
type LogLine struct {
	Time    time.Time  `json:"time"`
	Level   slog.Level `json:"level"`
	Message string     `json:"message"`
	Attrs   string     `json:"attrs"` // "key=value key=value"
}

// String renders the line as slog's text handler would.
func (l LogLine) String() string {
	s := l.Time.Format("15:04:05.000") + " " + l.Level.String() + " " + l.Message
	if l.Attrs != "" {
		s += " " + l.Attrs
	}
	return s
}
