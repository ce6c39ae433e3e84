// Package wal is the consensus write-ahead log: the inputs a validator's
// engine received during the current height, appended and synced before
// the engine acts on them, so a restarted validator replays them and
// continues the round it was in.
//
// A record is framed as length (4 bytes, big endian) ‖ CRC-32C of the
// payload (4 bytes) ‖ payload. A crash can tear only the last record: Open
// drops it and goes on. Damage before the last record is not a crash but a
// broken disk or an edited file, and Open refuses it with the way out.
package wal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// MaxRecord bounds one record; a longer length field is damage.
const MaxRecord = 16 << 20

const headerSize = 8

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
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("open WAL: %w", err)
	}
	records, good, err := readAll(f)
	if err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%w: %s: %v; move the file aside and restart: the node then starts the height afresh and fetches what it missed from its peers", ErrCorrupt, path, err)
	}
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, nil, 0, fmt.Errorf("open WAL: %w", err)
	}
	if end > good {
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
	return &WAL{f: f, path: path, size: good}, records, end - good, nil
}

// readAll reads records from the start. It returns the records and the
// offset after the last good one; an error means damage that is followed
// by more data, so not a torn tail.
func readAll(f *os.File) ([][]byte, int64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	r := bufio.NewReader(f)
	var records [][]byte
	var off int64
	for off < fi.Size() {
		payload, n, err := readRecord(r)
		if err != nil {
			if off+n >= fi.Size() {
				return records, off, nil // the last record is torn: a crash mid-append
			}
			return nil, 0, fmt.Errorf("record %d at offset %d: %v", len(records)+1, off, err)
		}
		records = append(records, payload)
		off += n
	}
	return records, off, nil
}

// readRecord reads one record and says how many bytes it spans (as far as
// its header claims, when it is damaged).
func readRecord(r *bufio.Reader) ([]byte, int64, error) {
	var hdr [headerSize]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, int64(n), fmt.Errorf("short header")
	}
	length := binary.BigEndian.Uint32(hdr[:4])
	if length > MaxRecord {
		return nil, headerSize, fmt.Errorf("length %d over the %d limit", length, MaxRecord)
	}
	payload := make([]byte, length)
	if n, err := io.ReadFull(r, payload); err != nil {
		return nil, headerSize + int64(n), fmt.Errorf("short payload")
	}
	if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(hdr[4:]) {
		return nil, headerSize + int64(length), fmt.Errorf("checksum mismatch")
	}
	return payload, headerSize + int64(length), nil
}

// Append writes one record and syncs it to disk before returning: the
// engine may act on an input only once it is in the log.
func (w *WAL) Append(payload []byte) error {
	if len(payload) > MaxRecord {
		return fmt.Errorf("WAL record of %d bytes over the %d limit", len(payload), MaxRecord)
	}
	buf := make([]byte, headerSize+len(payload))
	binary.BigEndian.PutUint32(buf[:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(buf[4:8], crc32.Checksum(payload, castagnoli))
	copy(buf[headerSize:], payload)
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
