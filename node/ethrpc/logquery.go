package ethrpc

import (
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
)

// Bounds on one log query's shape.
const (
	maxTopics    = 4    // topic positions
	maxAlternate = 1000 // addresses, or topics at one position
)

// logQuery is the filter object of eth_getLogs, eth_newFilter and the
// logs subscription: a block hash or a range, addresses (any of), and per
// topic position a set of topics (any of; empty matches any).
type logQuery struct {
	BlockHash *common.Hash
	FromBlock *rpc.BlockNumber
	ToBlock   *rpc.BlockNumber
	Addresses []common.Address
	Topics    [][]common.Hash

	// The bloom bits of each address and topic, set by UnmarshalJSON, so
	// a block's bloom is tested without hashing anything.
	addrBits  []types.Bloom
	topicBits [][]types.Bloom
}

// UnmarshalJSON reads the filter object: address is one address or a
// list; each topic is null, one topic or a list of topics.
func (q *logQuery) UnmarshalJSON(data []byte) error {
	var raw struct {
		BlockHash *common.Hash      `json:"blockHash"`
		FromBlock *rpc.BlockNumber  `json:"fromBlock"`
		ToBlock   *rpc.BlockNumber  `json:"toBlock"`
		Address   json.RawMessage   `json:"address"`
		Topics    []json.RawMessage `json:"topics"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("filter: %w", err)
	}
	if raw.BlockHash != nil && (raw.FromBlock != nil || raw.ToBlock != nil) {
		return fmt.Errorf("filter: blockHash cannot be given with fromBlock or toBlock")
	}
	*q = logQuery{BlockHash: raw.BlockHash, FromBlock: raw.FromBlock, ToBlock: raw.ToBlock}
	var err error
	if q.Addresses, err = oneOrMany[common.Address](raw.Address, "address"); err != nil {
		return err
	}
	if len(q.Addresses) > maxAlternate {
		return fmt.Errorf("filter: %d addresses, at most %d", len(q.Addresses), maxAlternate)
	}
	if len(raw.Topics) > maxTopics {
		return fmt.Errorf("filter: %d topic positions, at most %d", len(raw.Topics), maxTopics)
	}
	q.Topics = make([][]common.Hash, len(raw.Topics))
	for i, t := range raw.Topics {
		if q.Topics[i], err = oneOrMany[common.Hash](t, fmt.Sprintf("topics[%d]", i)); err != nil {
			return err
		}
		if len(q.Topics[i]) > maxAlternate {
			return fmt.Errorf("filter: topics[%d] has %d topics, at most %d", i, len(q.Topics[i]), maxAlternate)
		}
	}
	q.addrBits = bloomBits(q.Addresses)
	q.topicBits = make([][]types.Bloom, len(q.Topics))
	for i, alts := range q.Topics {
		q.topicBits[i] = bloomBits(alts)
	}
	return nil
}

// bloomBits gives, for each item, a bloom holding only it.
func bloomBits[T interface{ Bytes() []byte }](items []T) []types.Bloom {
	out := make([]types.Bloom, len(items))
	for i, it := range items {
		out[i].Add(it.Bytes())
	}
	return out
}

// oneOrMany reads null, one value or a list of values.
func oneOrMany[T any](data json.RawMessage, what string) ([]T, error) {
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	var list []*T
	if data[0] == '[' {
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("filter: %s: %w", what, err)
		}
	} else {
		one := new(T)
		if err := json.Unmarshal(data, one); err != nil {
			return nil, fmt.Errorf("filter: %s: %w", what, err)
		}
		list = []*T{one}
	}
	out := make([]T, 0, len(list))
	for _, v := range list {
		if v == nil {
			return nil, fmt.Errorf("filter: %s: null inside a list", what)
		}
		out = append(out, *v)
	}
	return out, nil
}

// matches reports whether a log passes the address and topic filters.
func (q *logQuery) matches(l *types.Log) bool {
	if len(q.Addresses) > 0 && !contains(q.Addresses, l.Address) {
		return false
	}
	if len(q.Topics) > len(l.Topics) {
		return false
	}
	for i, alts := range q.Topics {
		if len(alts) > 0 && !contains(alts, l.Topics[i]) {
			return false
		}
	}
	return true
}

// mayMatch reports whether a block with this logs bloom may hold a
// matching log; false is certain, true may be a false positive.
func (q *logQuery) mayMatch(bloom *types.Bloom) bool {
	if len(q.addrBits) > 0 && !anyInBloom(bloom, q.addrBits) {
		return false
	}
	for _, alts := range q.topicBits {
		if len(alts) > 0 && !anyInBloom(bloom, alts) {
			return false
		}
	}
	return true
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// anyInBloom reports whether bloom has all the bits of one of items.
func anyInBloom(bloom *types.Bloom, items []types.Bloom) bool {
	for i := range items {
		if hasBits(bloom, &items[i]) {
			return true
		}
	}
	return false
}

func hasBits(bloom, bits *types.Bloom) bool {
	for i := range bits {
		if bloom[i]&bits[i] != bits[i] {
			return false
		}
	}
	return true
}

// filterLogs keeps the logs q matches.
func (q *logQuery) filterLogs(logs []*types.Log) []*types.Log {
	var out []*types.Log
	for _, l := range logs {
		if q.matches(l) {
			out = append(out, l)
		}
	}
	return out
}
