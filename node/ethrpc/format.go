package ethrpc

import (
	"fmt"
	"math/big"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// rpcHeader is a block header in Ethereum's JSON form. Hash is Cairn's
// block hash (keccak256 of Cairn's header), not the hash of an Ethereum
// header holding these fields. Hash, Miner and Nonce are null for the
// pending block.
type rpcHeader struct {
	Hash             *common.Hash      `json:"hash"`
	ParentHash       common.Hash       `json:"parentHash"`
	Sha3Uncles       common.Hash       `json:"sha3Uncles"`
	Miner            *common.Address   `json:"miner"`
	StateRoot        common.Hash       `json:"stateRoot"`
	TransactionsRoot common.Hash       `json:"transactionsRoot"`
	ReceiptsRoot     common.Hash       `json:"receiptsRoot"`
	LogsBloom        types.Bloom       `json:"logsBloom"`
	Difficulty       *hexutil.Big      `json:"difficulty"`
	Number           hexutil.Uint64    `json:"number"`
	GasLimit         hexutil.Uint64    `json:"gasLimit"`
	GasUsed          hexutil.Uint64    `json:"gasUsed"`
	Timestamp        hexutil.Uint64    `json:"timestamp"`
	ExtraData        hexutil.Bytes     `json:"extraData"`
	MixHash          common.Hash       `json:"mixHash"`
	Nonce            *types.BlockNonce `json:"nonce"`
	BaseFeePerGas    *hexutil.Big      `json:"baseFeePerGas"`
	WithdrawalsRoot  common.Hash       `json:"withdrawalsRoot"`
	BlobGasUsed      hexutil.Uint64    `json:"blobGasUsed"`
	ExcessBlobGas    hexutil.Uint64    `json:"excessBlobGas"`
}

// rpcBlock is a block in Ethereum's JSON form: the header, the size, the
// transactions (hashes or objects), and the empty uncles and withdrawals
// of a chain without either.
type rpcBlock struct {
	rpcHeader
	Size         hexutil.Uint64 `json:"size"`
	Transactions []any          `json:"transactions"`
	Uncles       []common.Hash  `json:"uncles"`
	Withdrawals  []struct{}     `json:"withdrawals"`
}

// marshalHeader gives h in Ethereum's form. The time is in seconds (Cairn
// keeps milliseconds), the miner is the proposer and mixHash is the VRF
// beacon the EVM reads as PREVRANDAO.
func marshalHeader(h *chain.Header, pending bool) rpcHeader {
	out := rpcHeader{
		ParentHash: h.ParentHash, Sha3Uncles: types.EmptyUncleHash,
		StateRoot: h.StateRoot, TransactionsRoot: h.TxRoot, ReceiptsRoot: h.ReceiptRoot,
		LogsBloom: h.Bloom, Difficulty: (*hexutil.Big)(new(big.Int)),
		Number: hexutil.Uint64(h.Height), GasLimit: hexutil.Uint64(h.GasLimit), GasUsed: hexutil.Uint64(h.GasUsed),
		Timestamp: hexutil.Uint64(h.TimeSeconds()), ExtraData: hexutil.Bytes{}, MixHash: h.Random(),
		WithdrawalsRoot: types.EmptyWithdrawalsHash,
	}
	if h.BaseFee != nil {
		out.BaseFeePerGas = (*hexutil.Big)(new(big.Int).Set(h.BaseFee))
	}
	if pending {
		out.TransactionsRoot, out.ReceiptsRoot = types.EmptyTxsHash, types.EmptyReceiptsHash
		return out
	}
	hash, miner, nonce := h.Hash(), h.Proposer, types.BlockNonce{}
	out.Hash, out.Miner, out.Nonce = &hash, &miner, &nonce
	return out
}

// marshalBlock gives b in Ethereum's form, with full transaction objects
// if full, else their hashes.
func (b *backend) marshalBlock(blk *chain.Block, full bool) (*rpcBlock, error) {
	enc, err := blk.MarshalBinary()
	if err != nil {
		return nil, internal("encode block", err)
	}
	out := &rpcBlock{
		rpcHeader: marshalHeader(blk.Header, false), Size: hexutil.Uint64(len(enc)),
		Transactions: make([]any, len(blk.Txs)), Uncles: []common.Hash{}, Withdrawals: []struct{}{},
	}
	for i, tx := range blk.Txs {
		if !full {
			out.Transactions[i] = tx.Hash()
			continue
		}
		out.Transactions[i] = b.marshalTx(tx, blk, i)
	}
	return out, nil
}

// pendingBlock is the block after the head as far as it is known: its
// header fields, no transactions, and null hash, miner and nonce.
func (b *backend) pendingBlock() *rpcBlock {
	return &rpcBlock{
		rpcHeader:    marshalHeader(b.chain.PendingHeader(), true),
		Transactions: []any{}, Uncles: []common.Hash{}, Withdrawals: []struct{}{},
	}
}

// rpcTx is a transaction in Ethereum's JSON form. The block fields are
// null for a pending transaction.
type rpcTx struct {
	BlockHash        *common.Hash      `json:"blockHash"`
	BlockNumber      *hexutil.Uint64   `json:"blockNumber"`
	BlockTimestamp   *hexutil.Uint64   `json:"blockTimestamp"`
	From             common.Address    `json:"from"`
	Gas              hexutil.Uint64    `json:"gas"`
	GasPrice         *hexutil.Big      `json:"gasPrice"`
	GasFeeCap        *hexutil.Big      `json:"maxFeePerGas,omitempty"`
	GasTipCap        *hexutil.Big      `json:"maxPriorityFeePerGas,omitempty"`
	Hash             common.Hash       `json:"hash"`
	Input            hexutil.Bytes     `json:"input"`
	Nonce            hexutil.Uint64    `json:"nonce"`
	To               *common.Address   `json:"to"`
	TransactionIndex *hexutil.Uint64   `json:"transactionIndex"`
	Value            *hexutil.Big      `json:"value"`
	Type             hexutil.Uint64    `json:"type"`
	Accesses         *types.AccessList `json:"accessList,omitempty"`
	ChainID          *hexutil.Big      `json:"chainId,omitempty"`
	V                *hexutil.Big      `json:"v"`
	R                *hexutil.Big      `json:"r"`
	S                *hexutil.Big      `json:"s"`
	YParity          *hexutil.Uint64   `json:"yParity,omitempty"`
}

// marshalTx gives tx in Ethereum's form; blk is the block holding it at
// index, or nil for a pending transaction. The gas price of an included
// EIP-1559 transaction is what it paid; of a pending one, its fee cap.
func (b *backend) marshalTx(tx *types.Transaction, blk *chain.Block, index int) *rpcTx {
	from, _ := types.Sender(b.chain.Signer(), tx)
	v, r, s := tx.RawSignatureValues()
	out := &rpcTx{
		From: from, Gas: hexutil.Uint64(tx.Gas()), GasPrice: (*hexutil.Big)(tx.GasPrice()),
		Hash: tx.Hash(), Input: tx.Data(), Nonce: hexutil.Uint64(tx.Nonce()), To: tx.To(),
		Value: (*hexutil.Big)(tx.Value()), Type: hexutil.Uint64(tx.Type()),
		V: (*hexutil.Big)(v), R: (*hexutil.Big)(r), S: (*hexutil.Big)(s),
	}
	if tx.Type() != types.LegacyTxType {
		al := tx.AccessList()
		if al == nil {
			al = types.AccessList{}
		}
		yp := hexutil.Uint64(v.Uint64())
		out.Accesses, out.YParity, out.ChainID = &al, &yp, (*hexutil.Big)(tx.ChainId())
	} else if tx.Protected() {
		out.ChainID = (*hexutil.Big)(tx.ChainId())
	}
	if tx.Type() == types.DynamicFeeTxType {
		out.GasFeeCap, out.GasTipCap = (*hexutil.Big)(tx.GasFeeCap()), (*hexutil.Big)(tx.GasTipCap())
	}
	if blk == nil {
		return out
	}
	hash, num, ts, idx := blk.Hash(), hexutil.Uint64(blk.Height()), hexutil.Uint64(blk.Header.TimeSeconds()), hexutil.Uint64(index)
	out.BlockHash, out.BlockNumber, out.BlockTimestamp, out.TransactionIndex = &hash, &num, &ts, &idx
	if tx.Type() == types.DynamicFeeTxType && blk.Header.BaseFee != nil {
		out.GasPrice = (*hexutil.Big)(effectiveGasPrice(tx, blk.Header.BaseFee))
	}
	return out
}

// effectiveGasPrice is what a transaction paid per gas in a block with
// this base fee: min(fee cap, base fee + tip).
func effectiveGasPrice(tx *types.Transaction, baseFee *big.Int) *big.Int {
	p := new(big.Int).Add(baseFee, tx.GasTipCap())
	if p.Cmp(tx.GasFeeCap()) > 0 {
		p.Set(tx.GasFeeCap())
	}
	return p
}

// rpcReceipt is a receipt in Ethereum's JSON form.
type rpcReceipt struct {
	BlockHash         common.Hash     `json:"blockHash"`
	BlockNumber       hexutil.Uint64  `json:"blockNumber"`
	TransactionHash   common.Hash     `json:"transactionHash"`
	TransactionIndex  hexutil.Uint64  `json:"transactionIndex"`
	From              common.Address  `json:"from"`
	To                *common.Address `json:"to"`
	CumulativeGasUsed hexutil.Uint64  `json:"cumulativeGasUsed"`
	GasUsed           hexutil.Uint64  `json:"gasUsed"`
	EffectiveGasPrice *hexutil.Big    `json:"effectiveGasPrice"`
	ContractAddress   *common.Address `json:"contractAddress"`
	Logs              []*types.Log    `json:"logs"`
	LogsBloom         types.Bloom     `json:"logsBloom"`
	Type              hexutil.Uint64  `json:"type"`
	Status            hexutil.Uint64  `json:"status"`
}

// marshalReceipt gives the receipt r of transaction index of blk. r has
// its derived fields filled in (chain.Chain.Receipts does).
func (b *backend) marshalReceipt(blk *chain.Block, index int, r *types.Receipt) (*rpcReceipt, error) {
	if index >= len(blk.Txs) {
		return nil, serverError("receipt %d of block %d: the block has %d transactions", index, blk.Height(), len(blk.Txs))
	}
	tx := blk.Txs[index]
	from, err := types.Sender(b.chain.Signer(), tx)
	if err != nil {
		return nil, internal(fmt.Sprintf("sender of %s", tx.Hash()), err)
	}
	logs := r.Logs
	if logs == nil {
		logs = []*types.Log{}
	}
	out := &rpcReceipt{
		BlockHash: blk.Hash(), BlockNumber: hexutil.Uint64(blk.Height()), TransactionHash: tx.Hash(),
		TransactionIndex: hexutil.Uint64(index), From: from, To: tx.To(),
		CumulativeGasUsed: hexutil.Uint64(r.CumulativeGasUsed), GasUsed: hexutil.Uint64(r.GasUsed),
		EffectiveGasPrice: (*hexutil.Big)(effectiveGasPrice(tx, blk.Header.BaseFee)),
		Logs:              logs, LogsBloom: types.CreateBloom(r), Type: hexutil.Uint64(tx.Type()),
		Status: hexutil.Uint64(r.Status),
	}
	if tx.Type() == types.LegacyTxType || tx.Type() == types.AccessListTxType {
		out.EffectiveGasPrice = (*hexutil.Big)(tx.GasPrice())
	}
	if tx.To() == nil {
		addr := r.ContractAddress
		out.ContractAddress = &addr
	}
	return out, nil
}
