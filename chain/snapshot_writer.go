package chain

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// snapshotBatchBytes is how much a SnapshotWriter holds before it writes
// to the file.
const snapshotBatchBytes = 32 << 20

// SnapshotWriter writes the trie nodes and code of a downloaded snapshot
// into the store's state, in batches of its own bbolt transactions, for a
// store whose head is still genesis. What it writes is not used until
// Chain.AdoptSnapshot makes the snapshot's block the head; until then a
// crash leaves only unreferenced nodes, which the next adoption deletes.
//
// Put never fails: go-ethereum's writers stop the process on a write
// error, so a failed batch is held in Err, later writes are dropped, and
// Flush returns it.
type SnapshotWriter struct {
	s *Store

	mu    sync.Mutex
	batch map[string][]byte
	bytes int
	err   error
}

// SnapshotWriter returns a writer for a snapshot's state.
func (s *Store) SnapshotWriter() *SnapshotWriter {
	return &SnapshotWriter{s: s, batch: map[string][]byte{}}
}

// Put implements ethdb.KeyValueWriter.
func (w *SnapshotWriter) Put(key, value []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return nil
	}
	w.batch[string(key)] = bytes.Clone(value)
	w.bytes += len(key) + len(value)
	if w.bytes >= snapshotBatchBytes {
		w.err = w.flushLocked()
	}
	return nil
}

// Delete implements ethdb.KeyValueWriter; a snapshot only adds.
func (w *SnapshotWriter) Delete([]byte) error { return nil }

// Err is the error of a failed batch, if any.
func (w *SnapshotWriter) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Flush writes what is held and returns the first error of any batch.
func (w *SnapshotWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = w.flushLocked()
	}
	return w.err
}

func (w *SnapshotWriter) flushLocked() error {
	if len(w.batch) == 0 {
		return nil
	}
	keys := make([]string, 0, len(w.batch))
	for k := range w.batch {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	err := w.s.update(func(tx *bolt.Tx) error {
		state := tx.Bucket(bucketState)
		for _, k := range keys {
			if err := state.Put([]byte(k), w.batch[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write snapshot state: %w", err)
	}
	w.batch, w.bytes = map[string][]byte{}, 0
	return nil
}
