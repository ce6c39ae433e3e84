package chain

import (
	"fmt"

	"cairn/chain/snapshot"
)

// SnapshotServer answers peers' snapshot requests from the stored state:
// any state root the store still holds.
func (c *Chain) SnapshotServer() *snapshot.Server { return snapshot.NewKVServer(c.store.kv) }

// Base is the first block after genesis the chain holds: 0, or the block
// it started from a snapshot at.
func (c *Chain) Base() uint64 { return c.store.Base() }

// AdoptSnapshot makes the pivot of a the head of a chain that holds only
// its genesis block, once the state at the pivot's root has been
// downloaded, verified (snapshot.Plan.Finish) and written into the store
// (Store.SnapshotWriter). Blocks after the pivot are then executed as on
// any node; blocks before it are not stored (Store.Base).
func (c *Chain) AdoptSnapshot(a *TrustedAnchor) error {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	if h := c.Head().Height(); h != 0 {
		return fmt.Errorf("adopt snapshot: the chain is at block %d already", h)
	}
	if err := c.store.writeBase(a); err != nil {
		return err
	}
	c.sets.Purge()
	c.mu.Lock()
	c.head, c.next = a.Block, a.Next
	c.mu.Unlock()
	c.log.Info("started from a snapshot", "height", a.Height(), "hash", a.Block.Hash(), "stateRoot", a.Block.Header.StateRoot)
	return nil
}
