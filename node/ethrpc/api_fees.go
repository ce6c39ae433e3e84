package ethrpc

import (
	"math/big"
	"slices"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// Fee suggestion bounds.
const (
	tipBlocks          = 20   // recent blocks the tip suggestion looks at
	maxFeeHistory      = 1024 // blocks one eth_feeHistory may span
	maxRewardQuantiles = 100
)

// defaultTip is the tip suggested when recent blocks hold no
// transactions to learn from.
var defaultTip = big.NewInt(params.GWei)

// MaxPriorityFeePerGas is eth_maxPriorityFeePerGas: the median tip paid
// in the last 20 blocks, or 1 gwei if they are empty.
func (api *ethAPI) MaxPriorityFeePerGas() (*hexutil.Big, error) {
	tip, err := api.b.suggestTip()
	return (*hexutil.Big)(tip), err
}

// GasPrice is eth_gasPrice: the next block's base fee plus the suggested
// tip, a legacy gas price that gets a transaction into the next block.
func (api *ethAPI) GasPrice() (*hexutil.Big, error) {
	tip, err := api.b.suggestTip()
	if err != nil {
		return nil, err
	}
	base := api.b.chain.NextBaseFee(api.b.chain.Head().Header)
	return (*hexutil.Big)(tip.Add(tip, base)), nil
}

func (b *backend) suggestTip() (*big.Int, error) {
	head := b.chain.Head().Height()
	var tips []*big.Int
	for h := head; h > 0 && head-h < tipBlocks; h-- {
		blk, err := b.blockByHeight(h)
		if err != nil {
			return nil, err
		}
		for _, tx := range blk.Txs {
			tip, err := tx.EffectiveGasTip(blk.Header.BaseFee)
			if err == nil {
				tips = append(tips, tip)
			}
		}
	}
	if len(tips) == 0 {
		return new(big.Int).Set(defaultTip), nil
	}
	slices.SortFunc(tips, func(x, y *big.Int) int { return x.Cmp(y) })
	return new(big.Int).Set(tips[len(tips)/2]), nil
}

// feeHistory is eth_feeHistory's answer.
type feeHistory struct {
	OldestBlock  hexutil.Uint64   `json:"oldestBlock"`
	BaseFee      []*hexutil.Big   `json:"baseFeePerGas"`
	GasUsedRatio []float64        `json:"gasUsedRatio"`
	Reward       [][]*hexutil.Big `json:"reward,omitempty"`
}

// FeeHistory is eth_feeHistory: base fees (one more than blocks: the next
// block's), gas used ratios and, per block, the tips at the given
// percentiles of gas used, for up to 1024 blocks ending at newest.
func (api *ethAPI) FeeHistory(count math.HexOrDecimal64, newest rpc.BlockNumber, percentiles []float64) (*feeHistory, error) {
	if len(percentiles) > maxRewardQuantiles {
		return nil, invalidParams("%d reward percentiles, at most %d", len(percentiles), maxRewardQuantiles)
	}
	for i, p := range percentiles {
		if p < 0 || p > 100 || (i > 0 && p < percentiles[i-1]) {
			return nil, invalidParams("reward percentiles must rise from 0 to 100: %v", percentiles)
		}
	}
	last, ok := api.b.height(newest)
	if !ok {
		return nil, errHeaderNotFound
	}
	n := min(uint64(count), maxFeeHistory, last+1)
	out := &feeHistory{BaseFee: []*hexutil.Big{}, GasUsedRatio: []float64{}}
	if n == 0 {
		return out, nil // as geth answers a count of 0
	}
	out.OldestBlock = hexutil.Uint64(last + 1 - n)
	var blk *chain.Block
	for h := last + 1 - n; h <= last; h++ {
		var err error
		if blk, err = api.b.blockByHeight(h); err != nil {
			return nil, err
		}
		out.BaseFee = append(out.BaseFee, baseFeeOf(blk.Header))
		out.GasUsedRatio = append(out.GasUsedRatio, float64(blk.Header.GasUsed)/float64(blk.Header.GasLimit))
		if len(percentiles) > 0 {
			r, err := api.b.rewards(blk, percentiles)
			if err != nil {
				return nil, err
			}
			out.Reward = append(out.Reward, r)
		}
	}
	out.BaseFee = append(out.BaseFee, bigOf(api.b.chain.NextBaseFee(blk.Header)))
	return out, nil
}

func baseFeeOf(h *chain.Header) *hexutil.Big {
	if h.BaseFee == nil {
		return (*hexutil.Big)(new(big.Int))
	}
	return bigOf(h.BaseFee)
}

// rewards are the tips at each percentile of a block's gas used, its
// transactions ordered by tip (geth's definition).
func (b *backend) rewards(blk *chain.Block, percentiles []float64) ([]*hexutil.Big, error) {
	out := make([]*hexutil.Big, len(percentiles))
	if len(blk.Txs) == 0 {
		for i := range out {
			out[i] = (*hexutil.Big)(new(big.Int))
		}
		return out, nil
	}
	rs, err := b.chain.Receipts(blk)
	if err != nil {
		return nil, internal("load receipts", err)
	}
	type paid struct {
		tip *big.Int
		gas uint64
	}
	txs := make([]paid, len(blk.Txs))
	for i, tx := range blk.Txs {
		tip, err := tx.EffectiveGasTip(blk.Header.BaseFee)
		if err != nil {
			tip = new(big.Int) // cannot be in a committed block
		}
		txs[i] = paid{tip: tip, gas: rs[i].GasUsed}
	}
	slices.SortStableFunc(txs, func(x, y paid) int { return x.tip.Cmp(y.tip) })
	var i int
	sum := txs[0].gas
	for j, p := range percentiles {
		threshold := uint64(float64(blk.Header.GasUsed) * p / 100)
		for sum < threshold && i < len(txs)-1 {
			i++
			sum += txs[i].gas
		}
		out[j] = bigOf(txs[i].tip)
	}
	return out, nil
}
