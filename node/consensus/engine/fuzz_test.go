package engine

import (
	"encoding/binary"
	"testing"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzStep feeds an engine messages built from arbitrary bytes, signed
// and unsigned: it must never panic, and a rejected message changes
// nothing visible.
func FuzzStep(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 1, 2, 3}, true)
	f.Add([]byte{1, 2, 1, 0, 0, 9, 9, 9, 9, 9}, false)
	f.Add([]byte{2, 0, 1, 0, 3, 0, 0, 0, 0, 0, 1}, true)
	f.Add([]byte{3, 1, 0, 0, 2, 0, 0, 0, 7}, true)
	f.Fuzz(func(t *testing.T, data []byte, sign bool) {
		fx := newFixture(t, 10, 20, 30, 40)
		n := fx.node(0, 1)
		n.take()
		for len(data) >= 8 {
			kind, who, h, r := data[0]%4, int(data[1])%4, uint64(data[2]%3), uint32(data[3]%4)
			hash := common.BytesToHash(data[4:8])
			if data[4]%3 == 0 {
				hash = common.Hash{}
			}
			data = data[8:]
			var m Message
			switch kind {
			case 0, 1:
				typ := chain.VoteType(1 + kind)
				if len(data) > 0 && data[0] > 250 {
					typ = chain.VoteType(data[0])
				}
				if sign {
					m = fx.vote(who, typ, h, r, hash)
				} else {
					m = Message{Vote: &chain.Vote{Type: typ, Height: h, Round: r, BlockHash: hash, Validator: fx.addr(who), Signature: []byte{1}}}
				}
			case 2:
				pol := int32(binary.BigEndian.Uint16(hash[30:])) % 5
				m = fx.proposal(who, h, r, pol-1, hash)
				if !sign {
					m.Proposal.Signature = nil
				}
			case 3:
				c := &chain.Commit{Height: h, Round: r, BlockHash: hash, Signatures: fx.sigs(chain.Precommit, h, r, hash, who, (who+1)%4)}
				if sign {
					c.Signatures = fx.sigs(chain.Precommit, h, r, hash, 0, 1, 2, 3)[who%2:]
				}
				m = Message{Commit: c}
			}
			before := n.Status()
			if err := n.Step(m); err != nil && n.Status() != before {
				t.Fatalf("rejected %s changed the state", m)
			}
			n.ProposalValid(h, hash, data != nil)
			n.Timeout(TimeoutEvent{Height: h, Round: r, Step: Step(kind + 1)})
			n.take()
		}
	})
}
