package qr

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

var devAddr = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")

func TestAddressIsVersion2(t *testing.T) {
	m, err := Address(devAddr)
	if err != nil {
		t.Fatal(err)
	}
	if m.Size() != 25 {
		t.Fatalf("address code is %dx%d, want 25x25 (version 2)", m.Size(), m.Size())
	}
	// The three finder patterns: a dark 7x7 ring with a dark 3x3 centre.
	for _, c := range [][2]int{{0, 0}, {m.Size() - 7, 0}, {0, m.Size() - 7}} {
		for i := 0; i < 7; i++ {
			for _, p := range [][2]int{{i, 0}, {i, 6}, {0, i}, {6, i}, {2 + i%3, 2 + i/3}} {
				if !m.Black(c[0]+p[0], c[1]+p[1]) {
					t.Fatalf("finder at %v: module %v is light", c, p)
				}
			}
			if m.Black(c[0]+1, c[1]+1+i%5) {
				t.Fatalf("finder at %v: inner ring is dark", c)
			}
		}
	}
}

func TestRenderRoundTrips(t *testing.T) {
	for _, inkDark := range []bool{true, false} {
		m, err := Address(devAddr)
		if err != nil {
			t.Fatal(err)
		}
		lines := Render(m, 2, inkDark)
		if len(lines) != 15 {
			t.Fatalf("rendered %d lines, want 15 (29 module rows)", len(lines))
		}
		back, err := Read(lines, 2, inkDark)
		if err != nil {
			t.Fatal(err)
		}
		if back.Size() != m.Size() {
			t.Fatalf("read size %d, want %d", back.Size(), m.Size())
		}
		for y := 0; y < m.Size(); y++ {
			for x := 0; x < m.Size(); x++ {
				if back.Black(x, y) != m.Black(x, y) {
					t.Fatalf("inkDark=%v: module (%d,%d) differs", inkDark, x, y)
				}
			}
		}
	}
}

func TestDifferentAddressesDiffer(t *testing.T) {
	a, _ := Address(devAddr)
	b, _ := Address(common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"))
	if strings.Join(Render(a, 2, true), "\n") == strings.Join(Render(b, 2, true), "\n") {
		t.Fatal("two addresses drew the same code")
	}
}

func TestReadRejectsGarbage(t *testing.T) {
	if _, err := Read([]string{"ab", "cd"}, 0, true); err == nil {
		t.Fatal("read of letters succeeded")
	}
	if _, err := Read(nil, 0, true); err == nil {
		t.Fatal("read of nothing succeeded")
	}
	m, _ := Address(devAddr)
	lines := Render(m, 2, true)
	lines[0] = "█" + string([]rune(lines[0])[1:])
	if _, err := Read(lines, 2, true); err == nil {
		t.Fatal("a dark quiet zone was accepted")
	}
}

func TestTextFallsBackToBytes(t *testing.T) {
	m, err := Text("ethereum:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266@7777")
	if err != nil {
		t.Fatal(err)
	}
	if m.Size() <= 25 {
		t.Fatalf("byte-mode URI fit in %d modules; expected a larger version", m.Size())
	}
}
