package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"cairn/chain"
	"cairn/node/consensus/engine"
	"cairn/node/consensus/wal"

	"github.com/ethereum/go-ethereum/common"
)

// ownSignatureScan is how many of the newest stored commits are searched
// for this validator's own precommit when its sign state is checked.
const ownSignatureScan = 256

// ErrStoreBehind is returned by New when the store holds fewer blocks than
// the home's consensus files show were committed: the store was lost,
// replaced or rolled back.
var ErrStoreBehind = errors.New("store is behind this home's consensus files")

// ErrSignStateLost is returned by New when a validator's sign state is
// missing, damaged or behind what the store and WAL show it signed.
var ErrSignStateLost = errors.New("sign state does not cover what this validator signed")

// homeMarks is what a home's consensus files say the node reached, read
// before the store is trusted.
type homeMarks struct {
	walStart uint64            // height of the WAL's last Start (0: none)
	walOwn   *engine.SignState // this validator's newest message in the WAL
	signed   *engine.SignState // newest entry of the sign state (floors too)
	reached  uint64            // newest height signed at (floors not counted)
	signErr  error             // the sign state could not be read
}

// readHomeMarks reads the WAL and the sign state of home without changing
// either. A damaged WAL tells nothing (its own error comes when it is
// opened); a damaged sign state is kept in signErr.
func readHomeMarks(home string) homeMarks {
	var m homeMarks
	if raw, err := wal.ReadFile(WALPath(home)); err == nil {
		if recs, _, err := decodeWAL(raw); err == nil {
			for _, r := range recs {
				if r.Start != nil {
					m.walStart = max(m.walStart, r.Start.Height)
				}
				if st, ok := ownState(r.Own); ok && (m.walOwn == nil || laterHRS(st, *m.walOwn)) {
					m.walOwn = &st
				}
			}
		}
	}
	signed, err := signStateFile{SignStatePath(home)}.Load()
	m.signErr = err
	if len(signed) > 0 {
		m.signed = &signed[len(signed)-1]
	}
	for _, st := range signed {
		if !st.IsFloor() {
			m.reached = max(m.reached, st.Height)
		}
	}
	return m
}

// ownState is where an own message of the WAL sits in the signing order.
func ownState(m *engine.Message) (engine.SignState, bool) {
	switch {
	case m == nil:
	case m.Vote != nil:
		step := engine.StepPrevote
		if m.Vote.Type == chain.Precommit {
			step = engine.StepPrecommit
		}
		return engine.SignState{Height: m.Vote.Height, Round: m.Vote.Round, Step: step}, true
	case m.Proposal != nil:
		return engine.SignState{Height: m.Proposal.Height, Round: m.Proposal.Round, Step: engine.StepPropose}, true
	}
	return engine.SignState{}, false
}

// laterHRS reports whether a comes after b in (height, round, step) order.
func laterHRS(a, b engine.SignState) bool {
	if a.Height != b.Height {
		return a.Height > b.Height
	}
	if a.Round != b.Round {
		return a.Round > b.Round
	}
	return a.Step > b.Step
}

// committedMark is the newest height the consensus files show was
// committed: a node starts height h only after committing h-1.
func (m homeMarks) committedMark() uint64 {
	reached := max(m.walStart, m.reached)
	if reached == 0 {
		return 0
	}
	return reached - 1
}

// checkStoreExists refuses a missing store where the consensus files show
// blocks were committed, before opening it would create an empty one.
func checkStoreExists(path string, m homeMarks, resync bool) error {
	want := m.committedMark()
	if want == 0 || resync {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return storeBehindError(path, "no file", want)
}

// checkStoreNotBehind refuses a store that holds fewer blocks than the
// consensus files show were committed, before a fresh genesis or an old
// head can pass for the chain: unless resync asks to rebuild it from peers.
func checkStoreNotBehind(store *chain.Store, m homeMarks, resync bool) error {
	want := m.committedMark()
	if want == 0 {
		return nil
	}
	head, ok, err := store.Head()
	if err != nil {
		return fmt.Errorf("read head: %w", err)
	}
	if ok && head >= want {
		return nil
	}
	if resync {
		return nil
	}
	have := "no blocks"
	if ok {
		have = fmt.Sprintf("blocks up to height %d", head)
	}
	return storeBehindError(store.Path(), have, want)
}

func storeBehindError(path, have string, want uint64) error {
	return fmt.Errorf("%w: %s holds %s, but the consensus WAL and sign state beside it show height %d was committed. "+
		"chain.db was lost, replaced or rolled back (bbolt falls back to its older meta page when the newer one is damaged). "+
		"Restore it from a backup, or start with --resync to rebuild it from peers (what this validator signed stays refused)",
		ErrStoreBehind, path, have, want)
}

// checkSignState makes sure a validator's sign state covers every
// signature the store's newest commits and the WAL hold of it: otherwise
// the node would sign again where it already signed. With gone (the
// operator's word that the file is lost), a missing, damaged or stale
// state is replaced by a floor above every height this home shows, so the
// node follows that height without signing and signs from the next.
func (n *Node) checkSignState(m homeMarks, gone bool) error {
	inStore, err := n.ownPrecommitInStore()
	if err != nil {
		return err
	}
	path := SignStatePath(n.cfg.Home)
	problem := m.signErr
	for _, seen := range []*engine.SignState{inStore, m.walOwn} {
		switch {
		case problem != nil || seen == nil:
		case m.signed == nil:
			problem = fmt.Errorf("%s is missing or empty, but this validator signed at height %d round %d", path, seen.Height, seen.Round)
		case laterHRS(*seen, *m.signed):
			problem = fmt.Errorf("%s ends at height %d round %d, but this validator signed at height %d round %d", path,
				m.signed.Height, m.signed.Round, seen.Height, seen.Round)
		}
	}
	if problem == nil {
		if gone {
			n.cfg.Logger.Warn("--i-know-my-sign-state-is-gone given, but the sign state checks out: it is kept")
		}
		return nil
	}
	floor := n.chain.Head().Height() + 1
	for _, st := range []*engine.SignState{inStore, m.walOwn, m.signed} {
		if st != nil {
			floor = max(floor, st.Height)
		}
	}
	floor = max(floor, m.walStart)
	if !gone {
		return fmt.Errorf("%w: %v. Starting now could make this validator sign twice (a slashable fault). "+
			"Restore the file from a backup; if it is truly lost, start once with --i-know-my-sign-state-is-gone: "+
			"the node then signs nothing up to height %d and follows the chain until then", ErrSignStateLost, problem, floor)
	}
	if set := n.chain.Validators(); n.self.Load().Power*3 > set.TotalPower() {
		return fmt.Errorf("%w: %v. This validator holds more than a third of the voting power, so no block can be "+
			"finalized at height %d without its vote, which it may already have given to another block: it cannot skip "+
			"that height. Restore the sign state from a backup; on a development chain, start over in a new home",
			ErrSignStateLost, problem, floor)
	}
	return n.rebuildSignState(path, floor, problem)
}

// rebuildSignState keeps a damaged sign state aside and writes a floor.
func (n *Node) rebuildSignState(path string, floor uint64, problem error) error {
	if _, err := os.Stat(path); err == nil {
		aside := path + ".lost"
		if err := os.Rename(path, aside); err != nil {
			return fmt.Errorf("move the old sign state aside: %w", err)
		}
		n.cfg.Logger.Warn("old sign state moved aside", "path", aside)
	}
	if err := (signStateFile{path}).Save([]engine.SignState{engine.Floor(floor)}); err != nil {
		return fmt.Errorf("write the new sign state: %w", err)
	}
	n.cfg.Logger.Warn("sign state rebuilt: this validator signs nothing up to the floor height and follows the chain until then",
		"floor", floor, "reason", problem)
	return nil
}

// ownPrecommitInStore finds this validator's newest precommit in the
// newest stored blocks: in the commit this node stored for a block, or in
// the last commit the next block carries (which holds precommits that came
// after the commit formed). nil if it is in none of them.
func (n *Node) ownPrecommitInStore() (*engine.SignState, error) {
	head := n.chain.Head().Height()
	self := n.self.Load().Address
	for h := head; h > 0 && head-h < ownSignatureScan; h-- {
		for _, read := range []func(uint64) (*chain.Commit, error){n.store.CommitAt, n.lastCommitOf} {
			c, err := read(h)
			if errors.Is(err, chain.ErrNotFound) || c == nil {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("read the commit of block %d to check the sign state: %w", h, err)
			}
			if hasSigner(c, self) {
				return &engine.SignState{Height: c.Height, Round: c.Round, Step: engine.StepPrecommit}, nil
			}
		}
	}
	return nil, nil
}

// lastCommitOf is the commit of block h that block h+1 carries.
func (n *Node) lastCommitOf(h uint64) (*chain.Commit, error) {
	if h >= n.chain.Head().Height() {
		return nil, chain.ErrNotFound
	}
	b, err := n.store.BlockByHeight(h + 1)
	if err != nil {
		return nil, err
	}
	return b.LastCommit, nil
}

func hasSigner(c *chain.Commit, addr common.Address) bool {
	for _, s := range c.Signatures {
		if s.Validator == addr {
			return true
		}
	}
	return false
}
