package common

import (
	"testing"

	"cairn/node/api"
)

func TestWaitEventsBatchesWhatIsQueued(t *testing.T) {
	ch := make(chan api.Event, 2000)
	for i := 0; i < 1500; i++ {
		ch <- api.Event{Type: api.EventTx}
	}
	first := WaitEvents(ch)().(EventBatchMsg)
	second := WaitEvents(ch)().(EventBatchMsg)
	if len(first) != maxEventBatch || len(second) != 1500-maxEventBatch {
		t.Fatalf("batches of %d and %d, want %d and %d", len(first), len(second), maxEventBatch, 1500-maxEventBatch)
	}
	close(ch)
	if msg := WaitEvents(ch)(); msg != (EventsEndedMsg{}) {
		t.Fatalf("closed feed gave %#v, want EventsEndedMsg", msg)
	}
}
