package node

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
)

// headState answers the mempool's account questions from the state after
// the head block. The pool calls it under its own lock, and a fresh one is
// handed to the pool after every block.
type headState struct{ st *state.StateDB }

func (h headState) Nonce(addr common.Address) uint64 { return h.st.GetNonce(addr) }

func (h headState) Balance(addr common.Address) *big.Int { return h.st.GetBalance(addr).ToBig() }
