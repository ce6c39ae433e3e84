package node

import (
	"bytes"
	"math/big"
	"slices"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// lateSigs keeps the precommits this node hears for the head and the
// height after it. A commit is formed as soon as more than 2/3 of the power
// precommitted, so it often lacks the slower validators; the next block's
// proposer adds the precommits that came later to the last commit it
// includes, because rewards and the downtime count go by that commit.
type lateSigs struct {
	byKey map[precommitKey]map[common.Address][]byte
	n     int
}

// precommitKey is the block a precommit is for.
type precommitKey struct {
	height uint64
	round  uint32
	hash   common.Hash
}

// maxLateSigs bounds what a validator signing many rounds can make a node
// keep.
const maxLateSigs = 4096

// note keeps a precommit (its signature already checked) of height head or
// head+1, and forgets those of older heights.
func (l *lateSigs) note(v *chain.Vote, head uint64) {
	if v.Type != chain.Precommit || v.BlockHash == (common.Hash{}) || v.Height < head || v.Height > head+1 {
		return
	}
	if l.byKey == nil {
		l.byKey = map[precommitKey]map[common.Address][]byte{}
	}
	for k, sigs := range l.byKey {
		if k.height < head {
			l.n -= len(sigs)
			delete(l.byKey, k)
		}
	}
	k := precommitKey{v.Height, v.Round, v.BlockHash}
	sigs := l.byKey[k]
	if sigs == nil {
		sigs = map[common.Address][]byte{}
		l.byKey[k] = sigs
	}
	if _, ok := sigs[v.Validator]; ok || l.n >= maxLateSigs {
		return
	}
	sigs[v.Validator] = v.Signature
	l.n++
}

// extend returns commit with the kept precommits for its block that it
// lacks, in address order, each checked against set.
func (l *lateSigs) extend(commit *chain.Commit, set *chain.ValidatorSet, chainID *big.Int) *chain.Commit {
	sigs := l.byKey[precommitKey{commit.Height, commit.Round, commit.BlockHash}]
	if len(sigs) == 0 {
		return commit
	}
	have := make(map[common.Address]bool, len(commit.Signatures))
	for _, s := range commit.Signatures {
		have[s.Validator] = true
	}
	var add []chain.CommitSig
	for addr, sig := range sigs {
		v := set.ByAddress(addr)
		if have[addr] || v == nil {
			continue
		}
		vote := chain.Vote{Type: chain.Precommit, Height: commit.Height, Round: commit.Round, BlockHash: commit.BlockHash, Validator: addr, Signature: sig}
		if vote.Verify(chainID, v.PubKey) == nil {
			add = append(add, chain.CommitSig{Validator: addr, Signature: sig})
		}
	}
	if len(add) == 0 {
		return commit
	}
	slices.SortFunc(add, func(a, b chain.CommitSig) int { return bytes.Compare(a.Validator[:], b.Validator[:]) })
	out := *commit
	out.Signatures = append(slices.Clone(commit.Signatures), add...)
	return &out
}
