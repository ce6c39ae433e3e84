package ethrpc

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The shapes below are read from ethereum/execution-apis at commit
// 033ca6e6 (src/schemas/base-types.yaml, block.yaml, transaction.yaml,
// receipt.yaml, state.yaml, client.yaml; src/eth/fee_market.yaml and
// execute.yaml for inline result schemas) and written down by hand as Go
// tables: for each object, its properties with their base type and
// whether they are required. checkSchema holds a response to them
// strictly: a missing required field, a field of the wrong pattern, or a
// field the schema does not define fails, except where a test names the
// extra fields docs/JSONRPC.md lists as Cairn's differences.

// Patterns of base-types.yaml.
var basePatterns = map[string]*regexp.Regexp{
	"uint":       regexp.MustCompile(`^0x(0|[1-9a-f][0-9a-f]*)$`),
	"uint64":     regexp.MustCompile(`^0x(0|[1-9a-f][0-9a-f]{0,15})$`),
	"uint256":    regexp.MustCompile(`^0x(0|[1-9a-f][0-9a-f]{0,63})$`),
	"hash32":     regexp.MustCompile(`^0x[0-9a-f]{64}$`),
	"bytes32":    regexp.MustCompile(`^0x[0-9a-f]{64}$`),
	"address":    regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`),
	"bytes":      regexp.MustCompile(`^0x[0-9a-f]*$`),
	"bytesMax32": regexp.MustCompile(`^0x[0-9a-f]{0,64}$`),
	"bytes8":     regexp.MustCompile(`^0x[0-9a-f]{16}$`),
	"bytes256":   regexp.MustCompile(`^0x[0-9a-f]{512}$`),
	"byte":       regexp.MustCompile(`^0x[0-9a-f]{1,2}$`),
}

// prop is one property: its type ("uint", "hash32|null", "array:hash32",
// "array", "bool", "number", "object", "any") and whether it is required.
type prop struct {
	kind     string
	required bool
}

func req(kind string) prop { return prop{kind, true} }
func opt(kind string) prop { return prop{kind, false} }

// block.yaml Block. transactions is checked by the test (hashes or
// TransactionInfo objects).
var blockSchema = map[string]prop{
	"hash": req("hash32"), "parentHash": req("hash32"), "sha3Uncles": req("hash32"), "miner": req("address"),
	"stateRoot": req("hash32"), "transactionsRoot": req("hash32"), "receiptsRoot": req("hash32"),
	"logsBloom": req("bytes256"), "difficulty": opt("uint"), "number": req("uint"), "gasLimit": req("uint"),
	"gasUsed": req("uint"), "timestamp": req("uint"), "extraData": req("bytes"), "mixHash": req("hash32"),
	"nonce": req("bytes8"), "baseFeePerGas": opt("uint"), "withdrawalsRoot": opt("hash32"),
	"blobGasUsed": opt("uint"), "excessBlobGas": opt("uint"), "parentBeaconBlockRoot": opt("hash32"),
	"size": req("uint"), "transactions": req("array"), "withdrawals": opt("array"), "uncles": req("array:hash32"),
	"requestsHash": opt("hash32"), "blockAccessListHash": opt("hash32"),
}

// transaction.yaml TransactionInfo: the contextual fields and the signed
// transaction of each type Cairn runs.
var txContext = map[string]prop{
	"blockHash": req("hash32"), "blockNumber": req("uint"), "blockTimestamp": req("uint"),
	"from": req("address"), "hash": req("hash32"), "transactionIndex": req("uint"),
}

var txSchemas = map[string]map[string]prop{
	"0x0": merge(txContext, map[string]prop{
		"type": req("uint"), "nonce": req("uint"), "to": opt("address|null"), "gas": req("uint"), "value": req("uint"),
		"input": req("bytes"), "gasPrice": req("uint"), "chainId": opt("uint"), "v": req("uint"), "r": req("uint"), "s": req("uint"),
	}),
	"0x1": merge(txContext, map[string]prop{
		"type": req("uint"), "nonce": req("uint"), "to": opt("address|null"), "gas": req("uint"), "value": req("uint"),
		"input": req("bytes"), "gasPrice": req("uint"), "chainId": req("uint"), "accessList": req("array"),
		"yParity": req("byte"), "v": opt("byte"), "r": req("uint"), "s": req("uint"),
	}),
	"0x2": merge(txContext, map[string]prop{
		"type": req("uint"), "nonce": req("uint"), "to": opt("address|null"), "gas": req("uint"), "value": req("uint"),
		"input": req("bytes"), "maxPriorityFeePerGas": req("uint"), "maxFeePerGas": req("uint"), "gasPrice": req("uint"),
		"chainId": req("uint"), "accessList": req("array"), "yParity": req("byte"), "v": opt("byte"), "r": req("uint"), "s": req("uint"),
	}),
}

// receipt.yaml ReceiptInfo and Log (both additionalProperties: false).
var receiptSchema = map[string]prop{
	"type": opt("byte"), "transactionHash": req("hash32"), "transactionIndex": req("uint"), "blockHash": req("hash32"),
	"blockNumber": req("uint"), "from": req("address"), "to": opt("address|null"), "cumulativeGasUsed": req("uint"),
	"gasUsed": req("uint"), "blobGasUsed": opt("uint"), "contractAddress": opt("address|null"), "logs": req("array"),
	"logsBloom": req("bytes256"), "root": opt("hash32"), "status": opt("uint"), "effectiveGasPrice": req("uint"),
	"blobGasPrice": opt("uint"),
}

var logSchema = map[string]prop{
	"removed": opt("bool"), "logIndex": opt("uint"), "transactionIndex": opt("uint"), "transactionHash": req("hash32"),
	"blockHash": opt("hash32"), "blockNumber": opt("uint"), "blockTimestamp": opt("uint"), "address": opt("address"),
	"data": opt("bytes"), "topics": opt("array:bytes32"),
}

// state.yaml AccountProof and StorageProof.
var accountProofSchema = map[string]prop{
	"address": req("address"), "accountProof": req("array:bytes"), "balance": req("uint256"), "codeHash": req("hash32"),
	"nonce": req("uint64"), "storageHash": req("hash32"), "storageProof": req("array"),
}

var storageProofSchema = map[string]prop{"key": req("bytesMax32"), "value": req("uint256"), "proof": req("array:bytes")}

// fee_market.yaml eth_feeHistory result.
var feeHistorySchema = map[string]prop{
	"oldestBlock": req("uint"), "baseFeePerGas": req("array:uint"), "baseFeePerBlobGas": opt("array:uint"),
	"gasUsedRatio": req("array"), "blobGasUsedRatio": opt("array"), "reward": opt("array"),
}

// execute.yaml eth_createAccessList result.
var accessListResultSchema = map[string]prop{"accessList": opt("array"), "error": opt("string"), "gasUsed": opt("uint")}

// client.yaml SyncingStatus (the progress form).
var syncingSchema = map[string]prop{"startingBlock": opt("uint"), "currentBlock": opt("uint"), "highestBlock": opt("uint")}

func merge(a, b map[string]prop) map[string]prop {
	out := map[string]prop{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// checkSchema holds obj to schema; extra names fields Cairn adds on
// purpose (each listed in docs/JSONRPC.md).
func checkSchema(t *testing.T, what string, obj map[string]any, schema map[string]prop, extra ...string) {
	t.Helper()
	var unknown []string
	for k := range obj {
		if _, ok := schema[k]; !ok && !contains(extra, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		t.Errorf("%s: fields the schema does not define: %v", what, unknown)
	}
	for k, p := range schema {
		v, ok := obj[k]
		if !ok {
			if p.required {
				t.Errorf("%s: required field %q missing", what, k)
			}
			continue
		}
		if !kindOK(p.kind, v) {
			t.Errorf("%s: %s = %v is not a %s", what, k, v, p.kind)
		}
	}
}

func kindOK(kind string, v any) bool {
	for _, k := range strings.Split(kind, "|") {
		if oneKindOK(k, v) {
			return true
		}
	}
	return false
}

func oneKindOK(kind string, v any) bool {
	switch {
	case kind == "null":
		return v == nil
	case kind == "bool":
		_, ok := v.(bool)
		return ok
	case kind == "number":
		_, ok := v.(float64)
		return ok
	case kind == "string":
		_, ok := v.(string)
		return ok
	case kind == "object":
		_, ok := v.(map[string]any)
		return ok
	case kind == "array":
		_, ok := v.([]any)
		return ok
	case strings.HasPrefix(kind, "array:"):
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for _, it := range list {
			if !oneKindOK(strings.TrimPrefix(kind, "array:"), it) {
				return false
			}
		}
		return true
	}
	s, ok := v.(string)
	re := basePatterns[kind]
	return ok && re != nil && re.MatchString(s)
}

// checkBlockSchema checks a block and, if they are objects, its
// transactions.
func checkBlockSchema(t *testing.T, blk map[string]any) {
	t.Helper()
	checkSchema(t, "block", blk, blockSchema)
	for i, tx := range blk["transactions"].([]any) {
		switch v := tx.(type) {
		case string:
			if !basePatterns["hash32"].MatchString(v) {
				t.Errorf("block transaction %d: %q is not a hash", i, v)
			}
		case map[string]any:
			checkTxSchema(t, v)
		default:
			t.Errorf("block transaction %d: %v is neither a hash nor an object", i, tx)
		}
	}
}

func checkTxSchema(t *testing.T, tx map[string]any) {
	t.Helper()
	typ, _ := tx["type"].(string)
	schema, ok := txSchemas[typ]
	if !ok {
		t.Fatalf("transaction of type %q: no schema", typ)
	}
	checkSchema(t, "transaction type "+typ, tx, schema)
}

func checkReceiptSchema(t *testing.T, r map[string]any) {
	t.Helper()
	checkSchema(t, "receipt", r, receiptSchema)
	for _, l := range r["logs"].([]any) {
		checkSchema(t, "receipt log", l.(map[string]any), logSchema)
	}
}
