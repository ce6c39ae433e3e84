package api

import (
	"strings"
	"testing"
)

func TestReadEventsSkipsUnknownAndComments(t *testing.T) {
	stream := ": hello\n\nevent: other\ndata: {}\n\nid: 7\nretry: 100\nevent: dropped\ndata: {\"hash\":\"0x" +
		strings.Repeat("00", 32) + "\",\"reason\":\"evicted\"}\n\n"
	var got []Event
	if err := readEvents(strings.NewReader(stream), func(e Event) bool { got = append(got, e); return true }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Type != EventDropped || got[0].Dropped.Reason != "evicted" {
		t.Fatalf("events %+v, want one dropped", got)
	}
	if err := readEvents(strings.NewReader("event: block\ndata: {bad\n\n"), func(Event) bool { return true }); err == nil {
		t.Fatal("a malformed block event was accepted")
	}
}
