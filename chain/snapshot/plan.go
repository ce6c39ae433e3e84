package snapshot

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/trie"
)

// Options shape a Plan.
type Options struct {
	// Intervals is how many disjoint ranges the account hash space is split
	// into, each fetched chunk by chunk and all in parallel: a power of two
	// from 1 to 256 (default 16).
	Intervals int
	// MaxBytes is the entry bytes asked per range chunk (0: the server's).
	MaxBytes uint64
	// CodeBatch is the code hashes asked per code request (default 64).
	CodeBatch int
}

// Progress counts what a Plan has verified and written.
type Progress struct {
	Accounts, Slots, Codes uint64 // entries written
	Bytes                  uint64 // entry bytes verified
	Pending, InFlight      int    // tasks
	IntervalsDone          int    // account intervals complete
}

// ErrNotComplete is returned by Finish while tasks remain.
var ErrNotComplete = errors.New("snapshot: not complete")

// Plan downloads the state at one root: it hands out tasks (one request
// each) for any number of peers in parallel, verifies their answers,
// rebuilds the tries from them into a key-value store, and at the end
// checks that the rebuilt state is the state of the root. It is safe for
// concurrent use.
//
// The account hash space is split into Options.Intervals ranges, each one
// task fetched chunk by chunk; every account with storage adds a storage
// task (one per distinct storage root, fetched chunk by chunk), and code
// hashes are fetched in batches. A task that fails is handed out again.
type Plan struct {
	root common.Hash
	dst  ethdb.KeyValueWriter
	opts Options

	mu        sync.Mutex
	accountQ  []*Task // account intervals waiting
	workQ     []*Task // storage tasks waiting
	codeQ     []common.Hash
	inFlight  map[*Task]bool
	parts     [256][]byte // partition root nodes of the account trie
	storage   map[common.Hash]bool
	code      map[common.Hash]bool
	intervals int
	progress  Progress
	finished  bool
	err       error // a rebuild failure: the plan cannot complete
}

// Task is one request of a Plan in flight: send Request to a peer, then
// call Done with its answer or Failed if there was none. Exactly one of
// them, once.
type Task struct {
	plan *Plan
	req  Request

	storageRoot common.Hash // storage: the root the slots must prove

	// account interval: the stack trie of the partition being filled.
	part  int
	partT *trie.StackTrie
	partN []byte // its root node, once hashed
	// storage: the stack trie of the storage trie.
	st *trie.StackTrie
}

// Request is the request to send for t.
func (t *Task) Request() *Request {
	r := t.req
	r.Hashes = append([]common.Hash(nil), t.req.Hashes...)
	return &r
}

// NewPlan plans the download of the state at root into dst. root must come
// from a header whose commit the caller verified: the snapshot is checked
// against it and nothing else.
func NewPlan(root common.Hash, dst ethdb.KeyValueWriter, opts Options) (*Plan, error) {
	if opts.Intervals == 0 {
		opts.Intervals = 16
	}
	if opts.Intervals < 1 || opts.Intervals > 256 || opts.Intervals&(opts.Intervals-1) != 0 {
		return nil, fmt.Errorf("snapshot plan: %d intervals, want a power of two from 1 to 256", opts.Intervals)
	}
	if opts.CodeBatch <= 0 || opts.CodeBatch > MaxCodeHashes {
		opts.CodeBatch = 64
	}
	p := &Plan{
		root: root, dst: dst, opts: opts,
		inFlight: map[*Task]bool{},
		storage:  map[common.Hash]bool{},
		code:     map[common.Hash]bool{},
	}
	step := 256 / opts.Intervals
	for i := range opts.Intervals {
		var origin, limit common.Hash
		origin[0] = byte(i * step)
		limit[0] = byte(i*step + step - 1)
		for j := 1; j < len(limit); j++ {
			limit[j] = 0xff
		}
		p.accountQ = append(p.accountQ, &Task{plan: p, part: -1, req: Request{
			Kind: KindAccounts, Root: root, Origin: origin, Limit: limit, MaxBytes: opts.MaxBytes,
		}})
	}
	return p, nil
}

// Root is the state root the plan downloads.
func (p *Plan) Root() common.Hash { return p.root }

// Next returns a task to hand to a peer, or nil when none is waiting (all
// are in flight, or the download is complete). Storage and code come
// before accounts, so memory stays bounded by the tries in progress.
func (p *Plan) Next() *Task {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return nil
	}
	var t *Task
	switch {
	case len(p.workQ) > 0:
		t, p.workQ = p.workQ[0], p.workQ[1:]
	case len(p.codeQ) > 0:
		n := min(len(p.codeQ), p.opts.CodeBatch)
		t = &Task{plan: p, req: Request{Kind: KindCode, Root: p.root, Hashes: append([]common.Hash(nil), p.codeQ[:n]...)}}
		p.codeQ = p.codeQ[n:]
	case len(p.accountQ) > 0:
		t, p.accountQ = p.accountQ[0], p.accountQ[1:]
	default:
		return nil
	}
	p.inFlight[t] = true
	return t
}

// Err is the failure that stopped the plan, if any: a rebuild that cannot
// go on (a write order the stack trie refuses, which verified chunks do not
// cause). A downloader stops when it is set; Next then returns nil and
// Finish the error.
func (p *Plan) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Complete reports whether every task is done (Finish may be called). A
// plan that failed (Err) is never complete.
func (p *Plan) Complete() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.complete()
}

func (p *Plan) complete() bool {
	return p.err == nil && len(p.accountQ) == 0 && len(p.workQ) == 0 && len(p.codeQ) == 0 && len(p.inFlight) == 0
}

// Progress returns the counts so far.
func (p *Plan) Progress() Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := p.progress
	pr.Pending = len(p.accountQ) + len(p.workQ) + (len(p.codeQ)+p.opts.CodeBatch-1)/p.opts.CodeBatch
	pr.InFlight = len(p.inFlight)
	pr.IntervalsDone = p.intervals
	return pr
}

// Failed hands t out again: its peer did not answer.
func (t *Task) Failed() {
	p := t.plan
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inFlight[t] {
		p.requeue(t)
	}
}

// requeue puts t, in flight, back in its queue.
func (p *Plan) requeue(t *Task) {
	delete(p.inFlight, t)
	switch t.req.Kind {
	case KindAccounts:
		p.accountQ = append(p.accountQ, t)
	case KindStorage:
		p.workQ = append(p.workQ, t)
	case KindCode:
		p.codeQ = append(p.codeQ, t.req.Hashes...)
	}
}

// Done verifies c, the answer to t, and writes what it proves. A chunk
// that fails verification is refused with an error wrapping
// ErrInvalidChunk, nothing of it is kept, and t is handed out again (ask
// another peer; score this one down).
func (t *Task) Done(c *Chunk) error {
	p := t.plan
	p.mu.Lock()
	if !p.inFlight[t] {
		p.mu.Unlock()
		return fmt.Errorf("snapshot: %s task from %x is not in flight", t.req.Kind, t.req.Origin)
	}
	p.mu.Unlock()
	// The request of a task in flight does not change: verify unlocked, so
	// the answers of several peers are checked in parallel.
	var (
		r   *Range
		n   int
		err error
	)
	switch t.req.Kind {
	case KindAccounts:
		r, err = VerifyAccountRange(p.root, &t.req, c)
	case KindStorage:
		r, err = VerifyStorageRange(t.storageRoot, &t.req, c)
	case KindCode:
		n, err = VerifyCodes(&t.req, c)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.requeue(t)
		return fmt.Errorf("%s task from %x: %w", t.req.Kind, t.req.Origin, err)
	}
	if p.err != nil {
		return p.err
	}
	switch t.req.Kind {
	case KindAccounts:
		err = p.applyAccounts(t, r)
	case KindStorage:
		err = p.applyStorage(t, r)
	case KindCode:
		p.applyCode(t, c, n)
	}
	if err != nil {
		return fmt.Errorf("%s task from %x: %w", t.req.Kind, t.req.Origin, err)
	}
	return nil
}

func (p *Plan) writeNode(hash common.Hash, blob []byte) {
	rawdb.WriteLegacyTrieNode(p.dst, hash, bytes.Clone(blob))
}

func (p *Plan) applyAccounts(t *Task, r *Range) error {
	for i, e := range r.Entries {
		if int(e.Key[0]) != t.part {
			t.closePart()
			t.part = int(e.Key[0])
			t.partN = nil
			t.partT = trie.NewStackTrie(func(path []byte, h common.Hash, blob []byte) {
				p.writeNode(h, blob)
				if len(path) == 0 {
					t.partN = bytes.Clone(blob)
				}
			})
		}
		if err := t.partT.Update(e.Key[1:], e.Value); err != nil {
			// The partition holds part of the chunk: it cannot be resumed.
			p.err = fmt.Errorf("snapshot: rebuild account %x: %w", e.Key, err)
			return p.err
		}
		acc := &r.Accounts[i]
		if acc.Root != types.EmptyRootHash && !p.storage[acc.Root] {
			p.storage[acc.Root] = true
			p.workQ = append(p.workQ, &Task{plan: p, storageRoot: acc.Root, req: Request{
				Kind: KindStorage, Root: p.root, Account: e.Key, Limit: maxHash, MaxBytes: p.opts.MaxBytes,
			}})
		}
		if h := common.BytesToHash(acc.CodeHash); h != types.EmptyCodeHash && !p.code[h] {
			p.code[h] = true
			p.codeQ = append(p.codeQ, h)
		}
		p.progress.Accounts++
		p.progress.Bytes += e.size()
	}
	delete(p.inFlight, t)
	if !r.Complete {
		t.req.Origin = r.Next
		p.accountQ = append(p.accountQ, t)
		return nil
	}
	t.closePart()
	p.intervals++
	return nil
}

// closePart hashes the partition being filled and records its root node.
func (t *Task) closePart() {
	if t.partT == nil {
		return
	}
	t.partT.Hash()
	t.plan.parts[t.part] = t.partN
	t.partT = nil
}

var maxHash = common.HexToHash("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")

func (p *Plan) applyStorage(t *Task, r *Range) error {
	if t.st == nil {
		t.st = trie.NewStackTrie(func(_ []byte, h common.Hash, blob []byte) { p.writeNode(h, blob) })
	}
	for _, e := range r.Entries {
		if err := t.st.Update(e.Key[:], e.Value); err != nil {
			p.restartStorage(t)
			return fmt.Errorf("rebuild slot %x of %x: %w", e.Key, t.req.Account, err)
		}
		p.progress.Slots++
		p.progress.Bytes += e.size()
	}
	if !r.Complete {
		delete(p.inFlight, t)
		t.req.Origin = r.Next
		p.workQ = append(p.workQ, t)
		return nil
	}
	if got := t.st.Hash(); got != t.storageRoot {
		p.restartStorage(t)
		return fmt.Errorf("rebuilt storage of %x has root %x, expected %x", t.req.Account, got, t.storageRoot)
	}
	delete(p.inFlight, t)
	t.st = nil
	return nil
}

// restartStorage fetches t's storage trie again from the start.
func (p *Plan) restartStorage(t *Task) {
	t.st, t.req.Origin = nil, common.Hash{}
	p.requeue(t)
}

func (p *Plan) applyCode(t *Task, c *Chunk, n int) {
	for _, e := range c.Entries[:n] {
		rawdb.WriteCode(p.dst, e.Key, e.Value)
		p.progress.Codes++
		p.progress.Bytes += e.size()
	}
	delete(p.inFlight, t)
	p.codeQ = append(p.codeQ, t.req.Hashes[n:]...)
}

// Finish checks that the download is complete and that the rebuilt
// account trie has the plan's root, and writes its top nodes. Only then is
// the state at the root usable in the store; on an error it must not be
// used (every storage trie was already checked against its account's
// storage root as it completed).
func (p *Plan) Finish() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return nil
	}
	if p.err != nil {
		return p.err
	}
	if !p.complete() {
		return fmt.Errorf("%w: %d account intervals, %d storage tasks and %d code hashes waiting, %d in flight",
			ErrNotComplete, len(p.accountQ), len(p.workQ), len(p.codeQ), len(p.inFlight))
	}
	var pending []func()
	n, err := mountRoot(&p.parts, func(blob []byte) {
		pending = append(pending, func() { p.writeNode(crypto.Keccak256Hash(blob), blob) })
	})
	if err != nil {
		return fmt.Errorf("snapshot: mount account trie: %w", err)
	}
	got := types.EmptyRootHash
	if n != nil {
		got = crypto.Keccak256Hash(n)
	}
	if got != p.root {
		return fmt.Errorf("snapshot: rebuilt account trie has root %x, expected %x", got, p.root)
	}
	for _, w := range pending {
		w()
	}
	if n != nil {
		p.writeNode(got, n)
	}
	p.finished = true
	return nil
}
