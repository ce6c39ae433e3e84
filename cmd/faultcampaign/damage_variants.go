package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// variant is one way of damaging a home.
type variant struct {
	Name  string
	Words []string // what an error must name for a refusal to count
	// Damage damages the home and says what exactly it did.
	Damage func(home string, b *base) (string, error)
}

var (
	storeWords = []string{"chain.db", "store"}
	signWords  = []string{"sign_state", "sign state"}
	walWords   = []string{"consensus.wal", "wal"}
)

func dataFile(home, name string) string { return filepath.Join(home, "data", name) }

// editFile replaces a file's content with what edit makes of it.
func editFile(path string, edit func([]byte) ([]byte, string, error)) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	out, what, err := edit(data)
	if err != nil {
		return "", err
	}
	return what, os.WriteFile(path, out, 0o600)
}

// editStore is editFile for chain.db with its bbolt layout parsed.
func editStore(home string, edit func(data []byte, f *boltFile) ([]byte, string, error)) (string, error) {
	return editFile(dataFile(home, "chain.db"), func(data []byte) ([]byte, string, error) {
		f, err := parseBolt(data)
		if err != nil {
			return nil, "", err
		}
		return edit(data, f)
	})
}

func truncate(path string, size int64) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if err := os.Truncate(path, size); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s truncated from %d to %d bytes", filepath.Base(path), fi.Size(), size), nil
}

func variants() []variant {
	return []variant{
		{"chain.db deleted", storeWords, func(home string, b *base) (string, error) {
			return "data/chain.db removed", os.Remove(dataFile(home, "chain.db"))
		}},
		{"chain.db emptied", storeWords, func(home string, b *base) (string, error) {
			return truncate(dataFile(home, "chain.db"), 0)
		}},
		{"chain.db truncated to half", storeWords, func(home string, b *base) (string, error) {
			return editStore(home, func(data []byte, f *boltFile) ([]byte, string, error) {
				// Half of the pages bbolt counts in use, not of the file
				// (which bbolt grows in large steps).
				size := int64(f.meta.Pgid/2) * f.psize
				return data[:size], fmt.Sprintf("chain.db truncated from %d to %d bytes: %d of the %d pages the newest meta page counts kept", len(data), size, f.meta.Pgid/2, f.meta.Pgid), nil
			})
		}},
		{"chain.db cut at its last page in use", storeWords, func(home string, b *base) (string, error) {
			return editStore(home, func(data []byte, f *boltFile) ([]byte, string, error) {
				pages, err := f.pagesInUse()
				if err != nil {
					return nil, "", err
				}
				last := pages[len(pages)-1]
				size := int64(last.ID) * f.psize
				return data[:size], fmt.Sprintf("chain.db truncated from %d to %d bytes, a page boundary: page %d (the highest in use, a %s of bucket %q; %d pages counted) and after cut off",
					len(data), size, last.ID, pageType(last.Flags), last.Bucket, f.meta.Pgid), nil
			})
		}},
		{"a stored transaction's bit flipped", storeWords, func(home string, b *base) (string, error) {
			return editStore(home, func(data []byte, f *boltFile) ([]byte, string, error) {
				bk, err := f.bucket("blocks")
				if err != nil {
					return nil, "", err
				}
				key := binary.BigEndian.AppendUint64(nil, b.txBlock)
				off, n, err := f.lookup(bk, key)
				if err != nil {
					return nil, "", err
				}
				needle := append([]byte{0x94}, b.txTo.Bytes()...)
				i := bytes.Index(data[off:off+n], needle)
				if i < 0 {
					return nil, "", fmt.Errorf("block %d's stored value does not hold recipient %s", b.txBlock, b.txTo)
				}
				at := off + int64(i) + 1
				out, err := flipBit(data, at, 0)
				return out, fmt.Sprintf("block %d in bucket \"blocks\": bit 0 of byte %d (the first byte of its first transaction's recipient %s) flipped", b.txBlock, at, b.txTo), err
			})
		}},
		{"branch/leaf page header flipped", storeWords, func(home string, b *base) (string, error) {
			return editStore(home, func(data []byte, f *boltFile) ([]byte, string, error) {
				bk, err := f.bucket("blocks")
				if err != nil {
					return nil, "", err
				}
				if bk.Root == 0 {
					return nil, "", errors.New("the blocks bucket is inline: no page of its own")
				}
				n, err := f.page(bk.Root)
				if err != nil {
					return nil, "", err
				}
				out, err := flipBit(data, n.Off+8, 0)
				return out, fmt.Sprintf("page %d (the blocks bucket's root, a %s page): bit 0 of its flags flipped (%#x → %#x)", n.ID, pageType(n.Flags), n.Flags, n.Flags^1), err
			})
		}},
		{"newest meta page flipped", storeWords, func(home string, b *base) (string, error) {
			return editStore(home, func(data []byte, f *boltFile) ([]byte, string, error) {
				m := f.newestMeta()
				out, err := flipBit(data, m.ChecksumOffset(), 0)
				other := f.metas[1-m.Page]
				return out, fmt.Sprintf("meta page %d (txid %d, the newer): bit 0 of its checksum flipped; the other holds txid %d", m.Page, m.Txid, other.Txid), err
			})
		}},
		{"a page in the middle zeroed", storeWords, func(home string, b *base) (string, error) {
			return editStore(home, func(data []byte, f *boltFile) ([]byte, string, error) {
				pages, err := f.pagesInUse()
				if err != nil {
					return nil, "", err
				}
				pg := pages[len(pages)/2]
				out, err := zeroPage(data, pg.ID, f.psize)
				return out, fmt.Sprintf("page %d of %d in use (a %s of bucket %q) zeroed: %d bytes at offset %d", pg.ID, len(pages), pageType(pg.Flags), pg.Bucket, f.psize, int64(pg.ID)*f.psize), err
			})
		}},
		{"chain.db rolled back to an earlier copy", storeWords, func(home string, b *base) (string, error) {
			return fmt.Sprintf("data/chain.db replaced by its copy from an earlier clean stop at height %d (now %d)", b.earlyAt, b.status.FinalizedHeight),
				copyFile(b.earlyDB, dataFile(home, "chain.db"))
		}},
		{"sign_state.json deleted", signWords, func(home string, b *base) (string, error) {
			return "data/sign_state.json removed", os.Remove(dataFile(home, "sign_state.json"))
		}},
		{"sign_state.json replaced by []", signWords, func(home string, b *base) (string, error) {
			return "data/sign_state.json is now the two bytes []", os.WriteFile(dataFile(home, "sign_state.json"), []byte("[]"), 0o600)
		}},
		{"sign_state.json heights lowered by one", signWords, func(home string, b *base) (string, error) {
			return editFile(dataFile(home, "sign_state.json"), func(data []byte) ([]byte, string, error) {
				out, n := lowerHeights(data)
				if n == 0 {
					return nil, "", errors.New("no height found in the sign state")
				}
				return out, fmt.Sprintf("%d heights lowered by one in place; checksum left as it was", n), nil
			})
		}},
		{"sign_state.json bit flipped", signWords, func(home string, b *base) (string, error) {
			return editFile(dataFile(home, "sign_state.json"), func(data []byte) ([]byte, string, error) {
				at, err := signatureDigit(data)
				if err != nil {
					return nil, "", err
				}
				out, err := flipBit(data, at, 0)
				return out, fmt.Sprintf("bit 0 of byte %d (a digit of the first signature, %q → %q) flipped", at, data[at], data[at]^1), err
			})
		}},
		{"consensus.wal moved aside", walWords, func(home string, b *base) (string, error) {
			return "data/consensus.wal renamed to consensus.wal.aside (sign state kept)",
				os.Rename(dataFile(home, "consensus.wal"), dataFile(home, "consensus.wal.aside"))
		}},
		{"consensus.wal moved aside, sign state deleted", append(signWords, walWords...), func(home string, b *base) (string, error) {
			if err := os.Rename(dataFile(home, "consensus.wal"), dataFile(home, "consensus.wal.aside")); err != nil {
				return "", err
			}
			return "data/consensus.wal renamed aside and data/sign_state.json removed", os.Remove(dataFile(home, "sign_state.json"))
		}},
		{"consensus.wal first record's length damaged", walWords, func(home string, b *base) (string, error) {
			return editFile(dataFile(home, "consensus.wal"), func(data []byte) ([]byte, string, error) {
				offs, lens := walRecords(data)
				if len(offs) == 0 {
					return nil, "", errors.New("the WAL holds no record")
				}
				out, err := flipBit(data, 2, 0)
				return out, fmt.Sprintf("bit 0 of byte 2 flipped: the first of %d records now claims %d bytes, not %d", len(offs), lens[0]^256, lens[0]), err
			})
		}},
		{"consensus.wal torn mid-record", walWords, func(home string, b *base) (string, error) {
			data, err := os.ReadFile(dataFile(home, "consensus.wal"))
			if err != nil {
				return "", err
			}
			size, err := walTornSize(data)
			if err != nil {
				return "", err
			}
			what, err := truncate(dataFile(home, "consensus.wal"), size)
			return what + " (the last record torn in its payload, as a crash leaves it)", err
		}},
		{"validator_key.json damaged", []string{"validator key", "validator_key"}, func(home string, b *base) (string, error) {
			return editFile(filepath.Join(home, "validator_key.json"), func(data []byte) ([]byte, string, error) {
				at, err := hexDigitAfter(data, `"seed"`)
				if err != nil {
					return nil, "", err
				}
				out, err := flipBit(data, at, 0)
				return out, fmt.Sprintf("bit 0 of byte %d (a digit of the seed) flipped", at), err
			})
		}},
		{"node_key damaged", []string{"node_key", "node key", "peer key"}, func(home string, b *base) (string, error) {
			fi, err := os.Stat(filepath.Join(home, "node_key"))
			if err != nil {
				return "", err
			}
			what, err := truncate(filepath.Join(home, "node_key"), fi.Size()/2)
			return what + " (a torn write)", err
		}},
		{"genesis.json damaged", []string{"genesis"}, func(home string, b *base) (string, error) {
			return editFile(filepath.Join(home, "genesis.json"), func(data []byte) ([]byte, string, error) {
				at, err := decimalDigitAfter(data, `"balance"`)
				if err != nil {
					return nil, "", err
				}
				out, err := flipBit(data, at, 0)
				return out, fmt.Sprintf("bit 0 of byte %d (a digit of the first balance, %q → %q) flipped", at, data[at], data[at]^1), err
			})
		}},
		{"config.toml garbage", []string{"config.toml", "config"}, func(home string, b *base) (string, error) {
			garbage := []byte("api = \"127.0.0.1:8545\"\n\x00\x17\xff[[p2p\n=== not toml\n")
			return "config.toml replaced by a line of settings and binary garbage", os.WriteFile(filepath.Join(home, "config.toml"), garbage, 0o600)
		}},
		{"node_key seed bit flipped", []string{"node_key", "node key", "peer key"}, func(home string, b *base) (string, error) {
			return editFile(filepath.Join(home, "node_key"), func(data []byte) ([]byte, string, error) {
				// libp2p's encoding: 4 bytes of type and length, then the
				// 32-byte seed and the 32-byte public key.
				at := int64(len(data) - 48)
				out, err := flipBit(data, at, 3)
				return out, fmt.Sprintf("bit 3 of byte %d (in the seed) flipped: another valid key, under another peer ID", at), err
			})
		}},
	}
}
