package ethrpc

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	gethvm "github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/tracers/logger"
	"github.com/ethereum/go-ethereum/rpc"
)

// maxAccessListRounds bounds the runs eth_createAccessList makes: each
// run with the list found so far may touch more (a warm slot leaves more
// gas), so it runs until the list stops changing.
const maxAccessListRounds = 16

// accessListResult is eth_createAccessList's answer.
type accessListResult struct {
	AccessList *types.AccessList `json:"accessList"`
	Error      string            `json:"error,omitempty"`
	GasUsed    hexutil.Uint64    `json:"gasUsed"`
}

// CreateAccessList is eth_createAccessList: the addresses and slots the
// call touches (without the sender, the recipient or created contract,
// and precompiles and native contracts), with the gas it uses given that
// list. An EVM failure is reported in error, as geth does.
func (api *ethAPI) CreateAccessList(ctx context.Context, args callArgs, p *rpc.BlockNumberOrHash, overrides *stateOverride) (*accessListResult, error) {
	c, err := api.b.prepareCall(&args, orLatest(p), overrides)
	if err != nil {
		return nil, err
	}
	exclude := api.b.accessListExclusions(c)
	list := args.accessList()
	if list == nil {
		list = types.AccessList{}
	}
	prev := logger.NewAccessListTracer(list, exclude)
	for range maxAccessListRounds {
		list = prev.AccessList()
		tracer := logger.NewAccessListTracer(list, exclude)
		res, err := api.b.run(ctx, c, c.msg.Gas, list, tracer.Hooks())
		if err != nil {
			return nil, err
		}
		if tracer.Equal(prev) || res.Err != nil {
			out := &accessListResult{AccessList: &list, GasUsed: hexutil.Uint64(res.GasUsed)}
			if res.Err != nil {
				out.Error = res.Err.Error()
				if rerr := evmError(res); rerr != nil {
					out.Error = rerr.Error()
				}
			}
			return out, nil
		}
		prev = tracer
	}
	return nil, serverError("access list did not settle after %d runs", maxAccessListRounds)
}

// accessListExclusions are the addresses an access list leaves out: they
// are warm anyway.
func (b *backend) accessListExclusions(c *callSetup) map[common.Address]struct{} {
	ex := map[common.Address]struct{}{c.msg.From: {}}
	if c.msg.To != nil {
		ex[*c.msg.To] = struct{}{}
	} else {
		ex[crypto.CreateAddress(c.msg.From, c.st.GetNonce(c.msg.From))] = struct{}{}
	}
	env := b.chain.BlockEnv(c.blk.Header)
	rules := b.chain.Executor().Rules(&env)
	for _, a := range gethvm.ActivePrecompiles(rules) {
		ex[a] = struct{}{}
	}
	ex[env.Coinbase] = struct{}{}
	return ex
}
