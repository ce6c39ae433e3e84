package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

func records(n int) [][]byte {
	var out [][]byte
	for i := 0; i < n; i++ {
		out = append(out, []byte(fmt.Sprintf("input %d %s", i, bytes.Repeat([]byte{'x'}, i*7))))
	}
	return out
}

func writeLog(t *testing.T, recs [][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cs.wal")
	w, got, _, err := Open(path)
	if err != nil || len(got) != 0 {
		t.Fatalf("open new WAL: %v, %d records", err, len(got))
	}
	for _, r := range recs {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return path
}

func equal(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestRecordsSurviveReopenAndAppendContinues(t *testing.T) {
	want := records(20)
	path := writeLog(t, want)
	w, got, torn, err := Open(path)
	if err != nil || torn != 0 || !equal(got, want) {
		t.Fatalf("reopen: %v, torn %d, %d records", err, torn, len(got))
	}
	if err := w.Append([]byte("after")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, got, _, _ = Open(path)
	if !equal(got, append(want, []byte("after"))) {
		t.Fatal("append after reopen lost or mangled records")
	}
}

func TestTornLastRecordIsDroppedAtEveryCut(t *testing.T) {
	want := records(5)
	path := writeLog(t, want)
	full, _ := os.ReadFile(path)
	lastLen := headerSize + len(want[4])
	for cut := 1; cut < lastLen; cut++ {
		if err := os.WriteFile(path, full[:len(full)-cut], 0o600); err != nil {
			t.Fatal(err)
		}
		w, got, torn, err := Open(path)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if !equal(got, want[:4]) || torn != int64(lastLen-cut) {
			t.Fatalf("cut %d: %d records, torn %d", cut, len(got), torn)
		}
		w.Close()
		if fi, _ := os.Stat(path); fi.Size() != int64(len(full)-lastLen) {
			t.Fatalf("cut %d: the torn tail was not removed (size %d)", cut, fi.Size())
		}
	}
}

func TestDamagedLastRecordIsDropped(t *testing.T) {
	want := records(3)
	path := writeLog(t, want)
	data, _ := os.ReadFile(path)
	data[len(data)-1] ^= 0xff // last payload byte
	os.WriteFile(path, data, 0o600)
	_, got, torn, err := Open(path)
	if err != nil || !equal(got, want[:2]) || torn == 0 {
		t.Fatalf("damaged last record: %v, %d records, torn %d", err, len(got), torn)
	}
}

func TestDamageBeforeTheLastRecordIsRefused(t *testing.T) {
	want := records(6)
	path := writeLog(t, want)
	data, _ := os.ReadFile(path)
	data[headerSize+2] ^= 0xff // inside the first payload
	os.WriteFile(path, data, 0o600)
	before, _ := os.ReadFile(path)
	_, _, _, err := Open(path)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupt middle: %v, want ErrCorrupt", err)
	}
	if msg := err.Error(); !bytes.Contains([]byte(msg), []byte("move the file aside")) || !bytes.Contains([]byte(msg), []byte("record 1")) {
		t.Fatalf("the error does not say where or what to do: %s", msg)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("a refused WAL was changed")
	}
}

func TestResetStartsAnEmptyHeight(t *testing.T) {
	path := writeLog(t, records(4))
	w, _, _, _ := Open(path)
	if err := w.Reset(); err != nil {
		t.Fatal(err)
	}
	w.Append([]byte("next height"))
	w.Close()
	_, got, _, _ := Open(path)
	if !equal(got, [][]byte{[]byte("next height")}) {
		t.Fatalf("after reset: %q", got)
	}
}

func TestOversizedRecordIsRefused(t *testing.T) {
	path := writeLog(t, nil)
	w, _, _, _ := Open(path)
	defer w.Close()
	if err := w.Append(make([]byte, MaxRecord+1)); err == nil {
		t.Fatal("oversized record appended")
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 'x'})
	f.Add(bytes.Repeat([]byte{0xff}, 20))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.wal")
		os.WriteFile(path, data, 0o600)
		w, recs, _, err := Open(path)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		defer w.Close()
		// What Open kept must read back the same.
		w.Append([]byte("z"))
		w.Close()
		_, again, _, err := Open(path)
		if err != nil || len(again) != len(recs)+1 {
			t.Fatalf("reopen after append: %v, %d records, had %d", err, len(again), len(recs))
		}
	})
}

// A damaged length field in the first record must not pass for a torn
// tail: that would drop the whole log as "the last record".
func TestDamagedLengthIsNotATornTail(t *testing.T) {
	want := records(6)
	path := writeLog(t, want)
	data, _ := os.ReadFile(path)
	data[1] ^= 0x18 // the first record now claims about 1.5 MB
	os.WriteFile(path, data, 0o600)
	if _, _, _, err := Open(path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged first length: %v, want ErrCorrupt", err)
	}
	if _, err := ReadFile(path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("ReadFile of a damaged first length: %v, want ErrCorrupt", err)
	}
}

// A crash can leave the file longer than what was written, the rest zeros.
func TestZeroFilledTailIsTorn(t *testing.T) {
	want := records(3)
	path := writeLog(t, want)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, append(data, make([]byte, 4096)...), 0o600)
	w, got, torn, err := Open(path)
	if err != nil || !equal(got, want) || torn != 4096 {
		t.Fatalf("zero tail: %v, %d records, torn %d", err, len(got), torn)
	}
	w.Close()
}

// A log written in the first layout (an 8-byte header without the length's
// checksum) is read and rewritten in the current one.
func TestFirstLayoutIsReadAndRewritten(t *testing.T) {
	want := records(4)
	var old []byte
	for _, r := range want {
		hdr := make([]byte, headerSizeV1)
		binary.BigEndian.PutUint32(hdr, uint32(len(r)))
		binary.BigEndian.PutUint32(hdr[4:], crc32.Checksum(r, castagnoli))
		old = append(append(old, hdr...), r...)
	}
	path := filepath.Join(t.TempDir(), "old.wal")
	os.WriteFile(path, old, 0o600)
	w, got, torn, err := Open(path)
	if err != nil || torn != 0 || !equal(got, want) {
		t.Fatalf("first layout: %v, torn %d, %d records", err, torn, len(got))
	}
	w.Append([]byte("next"))
	w.Close()
	got, err = ReadFile(path)
	if err != nil || !equal(got, append(want, []byte("next"))) {
		t.Fatalf("after the rewrite: %v, %q", err, got)
	}
}
