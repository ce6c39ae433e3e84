package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"
)

// A sign state as the node writes it (version 2: entries and a checksum
// over them).
const sampleSignState = `{
 "version": 2,
 "signed": [
  {
   "height": 25,
   "round": 0,
   "step": 2,
   "signBytes": "0xf28a636169726e2f766f7465821e61011980a0406b0d1870b667c7a586c3886dcc3ee7488e4fb05bb996ce90ebf91376b2ff6b",
   "signature": "0xad0cf6e36827047889cd91ffe717df5b39da7040cb6e76bbedf809c0fd125a35d29c63c4717dcdf49304a93b80e8d2c99d5c5fd45051f90dc74b74e89ca09c05"
  },
  {
   "height": 26,
   "round": 1,
   "step": 1,
   "signBytes": "0xf68e636169726e2f70726f706f73616c821e611a8080a05211897ddf0ae82591ee8066d6a24423aa62ed12515c969c754ccc833d4d1027",
   "signature": "0x79aead1922a31368b6dbbcd66d95818e009014dee05c2d0f6f49fe6da01526ef5ac6817f0ef5c28cebb2778222ce9bde35c451ba015f4d51715e1f24c06dc50a"
  },
  {"height":0,"round":0,"step":1}
 ],
 "checksum": "0x49a4ea2085766a61dc692735d9d9233451fdcc4a994e1b5a59b985beafb37e0b"
}`

func TestLowerHeights(t *testing.T) {
	out, n := lowerHeights([]byte(sampleSignState))
	if n != 2 {
		t.Fatalf("lowered %d heights, want 2 (a 0 stays)", n)
	}
	var got, was struct {
		Signed []struct {
			Height uint64 `json:"height"`
			Round  uint64 `json:"round"`
		} `json:"signed"`
		Checksum string `json:"checksum"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("no longer JSON: %v\n%s", err, out)
	}
	json.Unmarshal([]byte(sampleSignState), &was)
	for i := range was.Signed {
		want := was.Signed[i].Height
		if want > 0 {
			want--
		}
		if got.Signed[i].Height != want || got.Signed[i].Round != was.Signed[i].Round {
			t.Errorf("entry %d: height %d round %d, want %d %d", i, got.Signed[i].Height, got.Signed[i].Round, want, was.Signed[i].Round)
		}
	}
	if got.Checksum != was.Checksum {
		t.Error("the checksum changed")
	}
	// Nothing but the digits of the heights changed.
	strip := regexp.MustCompile(`"height"\s*:\s*\d+`)
	if !bytes.Equal(strip.ReplaceAll(out, nil), strip.ReplaceAll([]byte(sampleSignState), nil)) {
		t.Error("bytes other than the heights changed")
	}
	// A height at a power of ten loses a digit, and a file of another
	// layout with a JSON part is edited the same way.
	out, n = lowerHeights([]byte("CSS1\x00\x01{\"height\": 100}\x00sum"))
	if n != 1 || string(out) != "CSS1\x00\x01{\"height\": 99}\x00sum" {
		t.Errorf("got %q, %d", out, n)
	}
	if _, n := lowerHeights([]byte("[]")); n != 0 {
		t.Errorf("[] has %d heights", n)
	}
}

func TestSignatureDigit(t *testing.T) {
	data := []byte(sampleSignState)
	at, err := signatureDigit(data)
	if err != nil {
		t.Fatal(err)
	}
	sig := bytes.Index(data, []byte(`"signature": "0x`)) + len(`"signature": "0x`)
	if at < int64(sig)+8 || at >= int64(sig)+128 {
		t.Errorf("offset %d is not inside the first signature (starting at %d)", at, sig)
	}
	out, err := flipBit(data, at, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c := out[at]; c < '0' || c > '9' || c == data[at] {
		t.Errorf("flipped %q into %q", data[at], c)
	}
	if !json.Valid(out) {
		t.Error("the flip broke the JSON")
	}
	if _, err := signatureDigit([]byte("[]")); err == nil {
		t.Error("found a digit in []")
	}
}

func TestHexAndDecimalDigits(t *testing.T) {
	key := []byte(`{"type":"ed25519","pubKey":"0xcfa2a2a2fd7d7c03bb14","seed":"0x347282285700fb81a91d5911f9e9"}`)
	at, err := hexDigitAfter(key, `"seed"`)
	if err != nil {
		t.Fatal(err)
	}
	if seed := bytes.Index(key, []byte(`"seed":"0x`)) + len(`"seed":"0x`); at < int64(seed)+8 {
		t.Errorf("offset %d is before the seed's ninth digit (%d)", at, seed+8)
	}
	if _, err := hexDigitAfter(key, `"nothing"`); err == nil {
		t.Error("found a field that is not there")
	}
	gen := []byte(`{"alloc": {"0x14dc": {"balance": "1000000000000000000000000"}}}`)
	at, err = decimalDigitAfter(gen, `"balance"`)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(bytes.Index(gen, []byte(`"1000`)) + 3); at != want {
		t.Errorf("offset %d, want %d", at, want)
	}
	if _, err := decimalDigitAfter([]byte(`{"balance": "1"}`), `"balance"`); err == nil {
		t.Error("a one-digit balance gave a digit to flip")
	}
}
