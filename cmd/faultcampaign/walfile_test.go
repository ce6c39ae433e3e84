package main

import (
	"encoding/binary"
	"testing"
)

func walRecord(payload string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	b = append(b, make([]byte, 8)...) // the two checksums, not looked at
	return append(b, payload...)
}

func TestWalRecordsAndTornSize(t *testing.T) {
	var data []byte
	for _, p := range []string{"first record", "second", "the third and last record"} {
		data = append(data, walRecord(p)...)
	}
	offs, lens := walRecords(data)
	if len(offs) != 3 || offs[1] != 12+12 || lens[2] != 25 {
		t.Fatalf("offsets %v lengths %v", offs, lens)
	}
	size, err := walTornSize(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := offs[2] + 12 + 12; size != want {
		t.Errorf("torn size %d, want %d", size, want)
	}
	// A torn tail already there is not a record.
	offs, _ = walRecords(data[:size])
	if len(offs) != 2 {
		t.Errorf("%d records in a torn file, want 2", len(offs))
	}
	if _, err := walTornSize(nil); err == nil {
		t.Error("an empty WAL has a record to tear")
	}
}
