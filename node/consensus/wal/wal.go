// Package wal is the consensus write-ahead log: the inputs a validator's
// engine received during the current height, appended and synced before
// the engine acts on them, so a restarted validator replays them and
// continues the round it was in.
//
// A record is framed as length (4 bytes, big endian) ‖ CRC-32C of the
// length (4 bytes) ‖ CRC-32C of the payload (4 bytes) ‖ payload. A crash
// can tear only the last record: Open drops it and goes on. The length's
// own checksum tells a torn tail from a damaged length field, which would
// otherwise make the rest of the file look like one torn record. Damage
// before the last record is not a crash but a broken disk or an edited
// file, and Open refuses it with the way out.
//
// Files of the first layout (no length checksum, an 8-byte header) are
// read and rewritten in this one on Open.
package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"cairn/node/atomicfile"
)

// MaxRecord bounds one record; a longer length field is damage.
const MaxRecord = 16 << 20

const (
	headerSize   = 12
	headerSizeV1 = 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is returned by Open when a record before the last is damaged.
var ErrCorrupt = errors.New("consensus WAL is corrupt")

// WAL is an open log. It is not safe for concurrent use: the consensus
// driver owns it.
type WAL struct {
	f    *os.File
	path string
	size int64
}

// Open opens (or creates) the log at path and returns its records. A torn
// or damaged last record is cut off (torn reports how many bytes); damage
// before it is ErrCorrupt.
func Open(path string) (w *WAL, records [][]byte, torn int64, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, 0, fmt.Errorf("open WAL: %w", err)
	}
	records, good, size, legacy, err := read(path)
	if err != nil {
		return nil, nil, 0, err
	}
	if legacy {
		if err := rewrite(path, records); err != nil {
			return nil, nil, 0, err
		}
		good, size = framedSize(records), framedSize(records)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("open WAL: %w", err)
	}
	if size > good {
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, nil, 0, fmt.Errorf("cut the torn end of the WAL: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, 0, fmt.Errorf("cut the torn end of the WAL: %w", err)
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("open WAL: %w", err)
	}
	return &WAL{f: f, path: path, size: good}, records, size - good, nil
}

// ReadFile returns the records of the log at path without changing the
// file (a torn last record is left out): for checks made before the log
// is opened. A missing file has no records.
func ReadFile(path string) ([][]byte, error) {
	records, _, _, _, err := read(path)
	return records, err
}

// read reads the file at path: its records, the offset after the last
// good one, the file's size, and whether it is of the first layout.
func read(path string) (records [][]byte, good, size int64, legacy bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, 0, false, nil
	}
	if err != nil {
		return nil, 0, 0, false, fmt.Errorf("read WAL: %w", err)
	}
	records, good, err = readAll(data, readRecord)
	if err != nil {
		// A file of the first layout fails at its first record here.
		if v1, v1good, v1err := readAll(data, readRecordV1); v1err == nil && len(v1) > 0 {
			return v1, v1good, int64(len(data)), true, nil
		}
		return nil, 0, 0, false, fmt.Errorf("%w: %s: %v; move the file aside and restart, keeping data/sign_state.json "+
			"(it is what stops this validator signing twice): the node then starts the height afresh, "+
			"signs only what does not conflict with what it signed, and fetches what it missed from its peers", ErrCorrupt, path, err)
	}
	return records, good, int64(len(data)), false, nil
}

// recordReader reads the record at the start of data and says how many
// bytes it spans; torn means the damage can only be a crash mid-append
// (nothing valid can follow it).
type recordReader func(data []byte) (payload []byte, n int, torn bool, err error)

// readAll reads records from the start of data. It returns the records and
// the offset after the last good one; an error means damage that is
// followed by more data, so not a torn tail.
func readAll(data []byte, next recordReader) ([][]byte, int64, error) {
	var records [][]byte
	off := 0
	for off < len(data) {
		payload, n, torn, err := next(data[off:])
		if torn {
			return records, int64(off), nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("record %d at offset %d: %v", len(records)+1, off, err)
		}
		records = append(records, payload)
		off += n
	}
	return records, int64(off), nil
}

// readRecord reads one record of the current layout.
func readRecord(data []byte) ([]byte, int, bool, error) {
	if len(data) < headerSize {
		return nil, 0, true, nil
	}
	if crc32.Checksum(data[:4], castagnoli) != binary.BigEndian.Uint32(data[4:8]) {
		// A crash can leave a zero-filled tail; anything else is damage.
		return nil, 0, allZero(data), errors.New("damaged length field")
	}
	length := binary.BigEndian.Uint32(data[:4])
	if length > MaxRecord {
		return nil, 0, false, fmt.Errorf("length %d over the %d limit", length, MaxRecord)
	}
	end := headerSize + int(length)
	if len(data) < end {
		return nil, 0, true, nil
	}
	payload := data[headerSize:end]
	if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(data[8:12]) {
		return nil, 0, len(data) == end, errors.New("checksum mismatch")
	}
	return payload, end, false, nil
}

// readRecordV1 reads one record of the first layout: length ‖ CRC-32C of
// the payload ‖ payload.
func readRecordV1(data []byte) ([]byte, int, bool, error) {
	if len(data) < headerSizeV1 {
		return nil, 0, true, nil
	}
	length := binary.BigEndian.Uint32(data[:4])
	if length > MaxRecord {
		return nil, 0, false, fmt.Errorf("length %d over the %d limit", length, MaxRecord)
	}
	end := headerSizeV1 + int(length)
	if len(data) < end {
		return nil, 0, true, nil
	}
	payload := data[headerSizeV1:end]
	if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(data[4:8]) {
		return nil, 0, len(data) == end, errors.New("checksum mismatch")
	}
	return payload, end, false, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// frame is one record in the current layout.
func frame(payload []byte) []byte {
	buf := make([]byte, headerSize+len(payload))
	binary.BigEndian.PutUint32(buf[:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(buf[4:8], crc32.Checksum(buf[:4], castagnoli))
	binary.BigEndian.PutUint32(buf[8:12], crc32.Checksum(payload, castagnoli))
	copy(buf[headerSize:], payload)
	return buf
}

func framedSize(records [][]byte) int64 {
	var n int64
	for _, r := range records {
		n += int64(headerSize + len(r))
	}
	return n
}

// rewrite replaces the file at path by records in the current layout.
func rewrite(path string, records [][]byte) error {
	var buf []byte
	for _, r := range records {
		buf = append(buf, frame(r)...)
	}
	if err := atomicfile.Write(path, buf, 0o600); err != nil {
		return fmt.Errorf("rewrite WAL in the current layout: %w", err)
	}
	return nil
}

// Append writes one record and syncs it to disk before returning: the
// engine may act on an input only once it is in the log.
func (w *WAL) Append(payload []byte) error {
	if len(payload) > MaxRecord {
		return fmt.Errorf("WAL record of %d bytes over the %d limit", len(payload), MaxRecord)
	}
	buf := frame(payload)
	if _, err := w.f.Write(buf); err != nil {
		// Leave no half record behind for the next append to follow.
		w.f.Truncate(w.size)
		w.f.Seek(w.size, io.SeekStart)
		return fmt.Errorf("append to WAL: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync WAL: %w", err)
	}
	w.size += int64(len(buf))
	return nil
}

// Reset empties the log: the driver calls it when a height is committed,
// since the next height's inputs start from the committed block.
func (w *WAL) Reset() error {
	if err := w.f.Truncate(0); err != nil {
		return fmt.Errorf("reset WAL: %w", err)
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reset WAL: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("reset WAL: %w", err)
	}
	w.size = 0
	return nil
}

// Close closes the file.
func (w *WAL) Close() error { return w.f.Close() }
