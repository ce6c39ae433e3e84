package staking

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// PowerUnit is the stake that buys one unit of voting power: 1 CRN.
var PowerUnit = uint256.NewInt(1_000_000_000_000_000_000)

// Member is one validator of an active set.
type Member struct {
	Operator common.Address
	Key      common.Hash // ed25519 consensus public key
	Power    uint64
}

// activeWord packs a member's operator and power into one word: power in
// the first 8 bytes, the address in the last 20.
func activeWord(op common.Address, power uint64) common.Hash {
	w := common.BytesToHash(op[:])
	binary.BigEndian.PutUint64(w[:8], power)
	return w
}

func (d db) activeSet() []Member {
	l := d.activeList()
	out := make([]Member, l.Len())
	for i := range out {
		w := l.Get(uint64(i))
		op := common.BytesToAddress(w[12:])
		out[i] = Member{Operator: op, Key: d.validator(op).consensusKey(), Power: binary.BigEndian.Uint64(w[:8])}
	}
	return out
}

// candidates are the validators that may be in the next set, best first:
// most bonded stake, then lowest address.
func (m *machine) candidates(min *uint256.Int) []Member {
	l := m.d.validatorList()
	var out []Member
	stake := map[common.Address]*uint256.Int{}
	for i := uint64(0); i < l.Len(); i++ {
		op := l.Addr(i)
		v := m.d.validator(op)
		if v.jailed() || v.tombstoned() || m.selfStake(op).Lt(min) {
			continue
		}
		tokens := v.tokens()
		power := new(uint256.Int).Div(tokens, PowerUnit)
		if power.IsZero() || !power.IsUint64() {
			continue
		}
		stake[op] = tokens
		out = append(out, Member{Operator: op, Key: v.consensusKey(), Power: power.Uint64()})
	}
	sort.Slice(out, func(i, j int) bool {
		if c := stake[out[i].Operator].Cmp(stake[out[j].Operator]); c != 0 {
			return c > 0
		}
		return bytes.Compare(out[i].Operator[:], out[j].Operator[:]) < 0
	})
	return out
}

// pickSet makes the top MaxValidators candidates the active set and
// reports whether it changed. With no candidate at all the set stays as it
// is: a chain with no validators could never make another block.
func (m *machine) pickSet() bool {
	return m.pickSetAbove(uint256.MustFromBig(m.p.MinSelfStake.Int()))
}

// pickSetAbove is pickSet with the self-stake minimum given: genesis names
// its set, so the minimum does not apply to it.
func (m *machine) pickSetAbove(min *uint256.Int) bool {
	next := m.candidates(min)
	if len(next) > int(m.p.MaxValidators) {
		next = next[:m.p.MaxValidators]
	}
	if len(next) == 0 {
		return false
	}
	prev := m.d.activeSet()
	l := m.d.activeList()
	for range prev {
		l.Remove(l.Len() - 1)
	}
	for _, p := range prev {
		m.d.validator(p.Operator).setU64(vActive, 0)
	}
	for _, n := range next {
		v := m.d.validator(n.Operator)
		if !wasIn(prev, n.Operator) {
			m.resetWindow(v)
		}
		v.setU64(vActive, 1)
		l.Push(activeWord(n.Operator, n.Power))
	}
	return !sameSet(prev, next)
}

func wasIn(set []Member, op common.Address) bool {
	for _, m := range set {
		if m.Operator == op {
			return true
		}
	}
	return false
}

func sameSet(a, b []Member) bool {
	if len(a) != len(b) {
		return false
	}
	pa, pb := map[common.Address]uint64{}, map[common.Address]uint64{}
	for i := range a {
		pa[a[i].Operator], pb[b[i].Operator] = a[i].Power, b[i].Power
	}
	for op, p := range pa {
		if q, ok := pb[op]; !ok || q != p {
			return false
		}
	}
	return true
}

// stakeOf converts wei to a uint256, for amounts that come from genesis
// (already checked to fit).
func stakeOf(x *big.Int) *uint256.Int { return uint256.MustFromBig(x) }
