package main

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// Edits of a sign state file that recompute nothing: the file is changed
// as text, byte for byte, so whatever checksum it carries is left as it
// was. They work on the JSON of today's file and on any file that still
// holds its heights as "height": N.

var heightField = regexp.MustCompile(`("height"\s*:\s*)(\d+)`)

// lowerHeights returns data with every "height": N lowered to N-1 (a 0
// stays 0) and how many it lowered. Nothing else in the file changes.
func lowerHeights(data []byte) ([]byte, int) {
	n := 0
	out := heightField.ReplaceAllFunc(data, func(m []byte) []byte {
		sub := heightField.FindSubmatch(m)
		h, err := strconv.ParseUint(string(sub[2]), 10, 64)
		if err != nil || h == 0 {
			return m
		}
		n++
		return append(bytes.Clone(sub[1]), strconv.FormatUint(h-1, 10)...)
	})
	return out, n
}

// signatureDigit finds a bit to flip in a sign state that keeps it valid
// JSON: a decimal digit inside the first hex string after "signature" (or,
// failing that, after "signBytes", or any "0x" string), whose lowest bit
// turns it into another digit. It returns the offset of that byte.
func signatureDigit(data []byte) (int64, error) {
	return hexDigitAfter(data, `"signature"`, `"signBytes"`, ``)
}

// hexDigitAfter returns the offset of a decimal digit inside the first
// "0x…" string after the first of fields found ("" is the start of the
// file), past its first 8 digits: flipping its lowest bit makes another
// digit, so the file still parses and only the value is wrong.
func hexDigitAfter(data []byte, fields ...string) (int64, error) {
	for _, field := range fields {
		start := 0
		if field != "" {
			i := bytes.Index(data, []byte(field))
			if i < 0 {
				continue
			}
			start = i + len(field)
		}
		j := bytes.Index(data[start:], []byte(`"0x`))
		if j < 0 {
			continue
		}
		from := start + j + 3
		for k := from; k < len(data) && isHex(data[k]); k++ {
			if k-from >= 8 && data[k] >= '0' && data[k] <= '9' {
				return int64(k), nil
			}
		}
	}
	return 0, errors.New("no hex digit found to flip")
}

// decimalDigitAfter returns the offset of the third digit of the first
// quoted decimal string after field (as genesis writes balances).
func decimalDigitAfter(data []byte, field string) (int64, error) {
	i := bytes.Index(data, []byte(field))
	if i < 0 {
		return 0, fmt.Errorf("no %s in the file", field)
	}
	q := bytes.IndexByte(data[i+len(field):], '"')
	if q < 0 {
		return 0, fmt.Errorf("no value after %s", field)
	}
	from := i + len(field) + q + 1
	for k := from; k < len(data) && data[k] >= '0' && data[k] <= '9'; k++ {
		if k-from >= 2 {
			return int64(k), nil
		}
	}
	return 0, fmt.Errorf("the value after %s is not a long decimal", field)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
