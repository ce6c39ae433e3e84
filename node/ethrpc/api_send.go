package ethrpc

import (
	"errors"

	"cairn/node/mempool"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// sendMessages are the messages geth gives for each of the mempool's
// refusals: ethers, viem and web3.js recognize these words (nonce too low,
// insufficient funds, already known, replacement transaction
// underpriced…). The mempool's own reason follows, and is the error's
// data.
var sendMessages = map[string]string{
	mempool.ReasonMalformed:              "invalid transaction",
	mempool.ReasonUnsupportedType:        "transaction type not supported",
	mempool.ReasonWrongChainID:           "invalid chain id for signer",
	mempool.ReasonInvalidSignature:       "invalid sender",
	mempool.ReasonNonceTooLow:            "nonce too low",
	mempool.ReasonNonceTooHigh:           "nonce too high",
	mempool.ReasonInsufficientFunds:      "insufficient funds for gas * price + value",
	mempool.ReasonGasLimitExceeded:       "exceeds block gas limit",
	mempool.ReasonIntrinsicGas:           "intrinsic gas too low",
	mempool.ReasonOversized:              "oversized data",
	mempool.ReasonFeeTooLow:              "transaction underpriced",
	mempool.ReasonInvalidFee:             "max priority fee per gas higher than max fee per gas",
	mempool.ReasonReplacementUnderpriced: "replacement transaction underpriced",
	mempool.ReasonPoolFull:               "txpool is full",
	mempool.ReasonAlreadyKnown:           "already known",
	mempool.ReasonSenderLimit:            "account limit exceeded",
}

// SendRawTransaction is eth_sendRawTransaction: the signed transaction
// goes through the same mempool admission as REST's POST /v1/txs, and on
// to peers. A refusal is code -32000 with geth's words for the reason.
func (api *ethAPI) SendRawTransaction(raw hexutil.Bytes) (common.Hash, error) {
	tx, err := api.b.pool.AddRaw(raw)
	if err == nil {
		return tx.Hash(), nil
	}
	var re *mempool.RejectError
	if !errors.As(err, &re) {
		return common.Hash{}, internal("add transaction", err)
	}
	msg, ok := sendMessages[re.Reason]
	if !ok {
		msg = re.Reason
	}
	if re.Detail != "" {
		msg += ": " + re.Detail
	}
	return common.Hash{}, &dataError{rpcError: rpcError{code: codeServer, msg: msg}, data: re.Reason}
}
