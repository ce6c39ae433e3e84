// Package events is the node's publish/subscribe bus: new blocks and new
// pending transactions flow from the node to the API's event stream and the
// console, pushed, never polled.
package events

import (
	"sync"
	"sync/atomic"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Event is one thing that happened in the node. Exactly one field is set.
type Event struct {
	// Block is a newly committed (and so finalized) block.
	Block *chain.Block
	// Tx is a transaction newly admitted to the mempool, with its sender.
	Tx     *types.Transaction
	TxFrom common.Address
	// Dropped is a transaction the node removed from its mempool without
	// including it, with the reason.
	Dropped       *types.Transaction
	DroppedReason string
}

// Bus fans events out to subscribers. Publishing never blocks: a
// subscriber that falls behind by more than its buffer loses events and
// sees its Missed count rise, so a slow reader cannot stall block
// production.
type Bus struct {
	mu   sync.RWMutex
	subs map[*Subscription]struct{}
}

// Subscription receives events on C until it is closed.
type Subscription struct {
	C      <-chan Event
	c      chan Event
	bus    *Bus
	missed atomic.Uint64
	once   sync.Once
}

// Subscribe returns a subscription with room for buffer pending events.
func (b *Bus) Subscribe(buffer int) *Subscription {
	if buffer < 1 {
		buffer = 1
	}
	c := make(chan Event, buffer)
	s := &Subscription{C: c, c: c, bus: b}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[*Subscription]struct{}{}
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Publish delivers e to every subscriber that has room for it.
func (b *Bus) Publish(e Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs {
		select {
		case s.c <- e:
		default:
			s.missed.Add(1)
		}
	}
}

// Missed is how many events this subscriber lost because it was full.
func (s *Subscription) Missed() uint64 { return s.missed.Load() }

// Close stops delivery and closes C. It is safe to call more than once.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		close(s.c)
	})
}
