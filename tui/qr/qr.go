// Package qr draws QR codes in a terminal: an address encoded as compactly
// as the QR format allows, drawn with half-block characters so one text
// line carries two rows of modules and the code fits an 80x24 console.
package qr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"rsc.io/qr/coding"
)

// Matrix is a square grid of QR modules.
type Matrix struct {
	size  int
	black []bool // row-major
}

// Size is the number of modules on a side (without a quiet zone).
func (m *Matrix) Size() int { return m.size }

// Black reports whether the module at column x, row y is dark. Outside the
// code every module is light (the quiet zone).
func (m *Matrix) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= m.size || y >= m.size {
		return false
	}
	return m.black[y*m.size+x]
}

// Address encodes an Ethereum address as "0x" followed by its 40 hex digits
// in upper case: the digits then fit QR's alphanumeric mode (5.5 bits a
// character instead of 8), so the code is version 2 (25x25 modules) at the
// low error-correction level. Wallets read an all-upper-case address as
// valid (EIP-55 checks only mixed case).
func Address(addr common.Address) (*Matrix, error) {
	hexDigits := strings.ToUpper(addr.Hex()[2:])
	return encode(coding.String("0x"), coding.Alpha(hexDigits))
}

// Text encodes arbitrary text in byte mode at the low error-correction
// level, in the smallest version it fits.
func Text(s string) (*Matrix, error) {
	return encode(coding.String(s))
}

// encode picks the smallest version that holds the segments at level L and
// builds its matrix.
func encode(segs ...coding.Encoding) (*Matrix, error) {
	for _, s := range segs {
		if err := s.Check(); err != nil {
			return nil, fmt.Errorf("qr encode: %w", err)
		}
	}
	for v := coding.Version(coding.MinVersion); v <= coding.MaxVersion; v++ {
		bits := 0
		for _, s := range segs {
			bits += s.Bits(v)
		}
		if bits > v.DataBytes(coding.L)*8 {
			continue
		}
		plan, err := coding.NewPlan(v, coding.L, 0)
		if err != nil {
			return nil, fmt.Errorf("qr plan for version %d: %w", v, err)
		}
		code, err := plan.Encode(segs...)
		if err != nil {
			return nil, fmt.Errorf("qr encode: %w", err)
		}
		m := &Matrix{size: code.Size, black: make([]bool, code.Size*code.Size)}
		for y := 0; y < code.Size; y++ {
			for x := 0; x < code.Size; x++ {
				m.black[y*code.Size+x] = code.Black(x, y)
			}
		}
		return m, nil
	}
	return nil, errors.New("qr encode: text too long for a QR code")
}
