package loadgen

import (
	"errors"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Per-transaction state bits kept by the recorder.
const (
	stSent uint8 = 1 << iota
	stAccepted
	stRejected
	stFinal
)

// recorder keeps what happened to every transaction of one phase: when it
// was sent, whether the target accepted it, and when it was seen final.
// Workers and the tracker report to it concurrently.
type recorder struct {
	clock  Clock
	hashes []common.Hash
	index  map[common.Hash]int // immutable after newRecorder

	changed chan struct{} // signalled (without blocking) on progress

	mu          sync.Mutex
	state       []uint8
	sentAt      []time.Time
	finalAt     []time.Time
	blockAt     []time.Time
	submitted   int
	accepted    int
	finalized   int
	outstanding int // accepted and not yet final
	rejected    map[string]int
	examples    map[string]string // first message seen per reason
	sendsDone   bool
	firstSend   time.Time
	lastSent    time.Time
	lastFinal   time.Time
	heights     map[uint64]struct{}
	cursor      int // every transaction below it is settled (final or refused)
}

// newRecorder returns a recorder for txs, identified by their hashes.
func newRecorder(clock Clock, txs []signedTx) *recorder {
	r := &recorder{
		clock:    clock,
		hashes:   make([]common.Hash, len(txs)),
		index:    make(map[common.Hash]int, len(txs)),
		changed:  make(chan struct{}, 1),
		state:    make([]uint8, len(txs)),
		sentAt:   make([]time.Time, len(txs)),
		finalAt:  make([]time.Time, len(txs)),
		blockAt:  make([]time.Time, len(txs)),
		rejected: map[string]int{},
		examples: map[string]string{},
		heights:  map[uint64]struct{}{},
	}
	for i, tx := range txs {
		r.hashes[i] = tx.hash
		r.index[tx.hash] = i
	}
	return r
}

// signal wakes a waiter without blocking.
func (r *recorder) signal() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// sending stamps transaction i as sent and returns the stamp: due, the
// time its paced slot was due, or now when unpaced (zero due). A paced
// send is timed from when it was due, not from when a busy worker got to
// it, so a stall on the load generator's side shows in the latencies
// instead of hiding them.
func (r *recorder) sending(i int, due time.Time) time.Time {
	now := due
	if now.IsZero() {
		now = r.clock.Now()
	}
	r.mu.Lock()
	r.state[i] |= stSent
	r.sentAt[i] = now
	if r.firstSend.IsZero() || now.Before(r.firstSend) {
		r.firstSend = now
	}
	r.submitted++
	r.mu.Unlock()
	return now
}

// sent records the target's answer to transaction i.
func (r *recorder) sent(i int, err error) {
	now := r.clock.Now()
	r.mu.Lock()
	if now.After(r.lastSent) {
		r.lastSent = now
	}
	if err == nil {
		r.state[i] |= stAccepted
		r.accepted++
		if r.state[i]&stFinal == 0 {
			r.outstanding++
		}
	} else {
		r.state[i] |= stRejected
		reason, msg := ReasonTransport, err.Error()
		var rej *Rejection
		if errors.As(err, &rej) {
			reason, msg = rej.Reason, rej.Message
		}
		r.rejected[reason]++
		if _, ok := r.examples[reason]; !ok {
			r.examples[reason] = truncate(msg, 200)
		}
	}
	r.mu.Unlock()
	r.signal()
}

// finishSends marks the end of submission: once every accepted
// transaction is final, the phase is done.
func (r *recorder) finishSends() {
	r.mu.Lock()
	r.sendsDone = true
	r.mu.Unlock()
	r.signal()
}

// included records transactions seen in finalized blocks, stamped with
// the local time now; hashes that are not ours are ignored.
func (r *recorder) included(incs []Inclusion) {
	now := r.clock.Now()
	r.mu.Lock()
	hit := false
	for _, inc := range incs {
		i, ok := r.index[inc.Hash]
		if !ok || r.state[i]&stFinal != 0 {
			continue
		}
		hit = true
		r.state[i] |= stFinal
		r.finalAt[i] = now
		r.blockAt[i] = inc.BlockTime
		r.finalized++
		r.heights[inc.Height] = struct{}{}
		if r.state[i]&stAccepted != 0 {
			r.outstanding--
		}
	}
	if hit {
		r.lastFinal = now
	}
	r.mu.Unlock()
	if hit {
		r.signal()
	}
}

// done reports whether every transaction was sent and every accepted one
// is final.
func (r *recorder) done() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sendsDone && r.outstanding == 0
}

// watch returns up to limit hashes of sent, not refused transactions not yet
// seen final, oldest first.
func (r *recorder) watch(limit int) []common.Hash {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.cursor < len(r.state) && settled(r.state[r.cursor]) {
		r.cursor++
	}
	var out []common.Hash
	for i := r.cursor; i < len(r.state) && len(out) < limit; i++ {
		if st := r.state[i]; st&stSent != 0 && !settled(st) {
			out = append(out, r.hashes[i])
		}
	}
	return out
}

// settled reports whether a transaction needs no more watching.
func settled(st uint8) bool { return st&(stFinal|stRejected) != 0 }

// truncate shortens s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
