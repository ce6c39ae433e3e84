package events

import (
	"testing"

	"cairn/chain"
)

func TestPublishReachesEverySubscriber(t *testing.T) {
	var b Bus
	s1, s2 := b.Subscribe(4), b.Subscribe(4)
	blk := &chain.Block{Header: &chain.Header{Height: 7}}
	b.Publish(Event{Block: blk})
	for _, s := range []*Subscription{s1, s2} {
		if e := <-s.C; e.Block != blk {
			t.Fatalf("got %+v, want block 7", e)
		}
	}
}

func TestSlowSubscriberMissesInsteadOfBlocking(t *testing.T) {
	var b Bus
	s := b.Subscribe(2)
	for i := 0; i < 5; i++ {
		b.Publish(Event{Block: &chain.Block{Header: &chain.Header{Height: uint64(i)}}})
	}
	if got := s.Missed(); got != 3 {
		t.Fatalf("missed %d, want 3", got)
	}
	if e := <-s.C; e.Block.Height() != 0 {
		t.Fatalf("first delivered height %d, want 0", e.Block.Height())
	}
}

func TestCloseStopsDelivery(t *testing.T) {
	var b Bus
	s := b.Subscribe(1)
	s.Close()
	s.Close()
	b.Publish(Event{Block: &chain.Block{Header: &chain.Header{}}})
	if _, ok := <-s.C; ok {
		t.Fatal("closed subscription still delivers")
	}
}
