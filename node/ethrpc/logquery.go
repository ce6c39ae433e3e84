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
	return nil
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
	if len(q.Addresses) > 0 && !anyInBloom(bloom, q.Addresses) {
		return false
	}
	for _, alts := range q.Topics {
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

func anyInBloom[T interface{ Bytes() []byte }](bloom *types.Bloom, items []T) bool {
	for _, it := range items {
		if bloom.Test(it.Bytes()) {
			return true
		}
	}
	return false
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
