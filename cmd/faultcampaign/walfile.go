package main

import (
	"encoding/binary"
	"errors"
)

// The consensus WAL frames each record as length (4 bytes, big endian) ‖
// CRC-32C of the length (4) ‖ CRC-32C of the payload (4) ‖ payload.
const walHeader = 12

// walRecords returns the offset and payload length of each whole record
// of a WAL file, read by their length fields alone (nothing is checked:
// this is for aiming damage, not for reading the log).
func walRecords(data []byte) (offs []int64, lens []int64) {
	for off := int64(0); off+walHeader <= int64(len(data)); {
		n := int64(binary.BigEndian.Uint32(data[off:]))
		if off+walHeader+n > int64(len(data)) {
			break
		}
		offs, lens = append(offs, off), append(lens, n)
		off += walHeader + n
	}
	return offs, lens
}

// walTornSize is the size to truncate a WAL to so that its last record is
// torn in the middle of its payload, as a crash during its write leaves it.
func walTornSize(data []byte) (int64, error) {
	offs, lens := walRecords(data)
	if len(offs) == 0 {
		return 0, errors.New("the WAL holds no whole record")
	}
	last := len(offs) - 1
	return offs[last] + walHeader + lens[last]/2, nil
}
