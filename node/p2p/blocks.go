package p2p

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"cairn/chain"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/peer"
)

// blocksRequest asks for up to Count finalized blocks from height From on.
// The answer is, per block, a frame with the block (Block.MarshalBinary)
// and a frame with its commit (RLP), ending at the first height the peer
// lacks, at Count (at most 64) or before the answer would pass 64 MiB.
type blocksRequest struct {
	From  uint64
	Count uint64
}

// txsRequest asks for transactions of a proposed block by index; the
// answer is one frame holding a txsAnswer.
type txsRequest struct {
	Block   common.Hash
	Indices []uint32
}

// txsAnswer is the transactions asked for, in Transaction.MarshalBinary
// encoding and in the order asked, or why not.
type txsAnswer struct {
	Error string
	Txs   [][]byte
}

// serveBlocks answers a blocks request from the Source.
func (t *Transport) serveBlocks(_ peer.ID, raw []byte, w io.Writer) error {
	var req blocksRequest
	if err := rlp.DecodeBytes(raw, &req); err != nil {
		return fmt.Errorf("decode blocks request: %w", err)
	}
	if t.cfg.Source == nil {
		return nil
	}
	count := min(req.Count, maxBlocksPerCall)
	var total int64
	for h := req.From; h-req.From < count && h >= req.From; h++ {
		b, c, err := t.cfg.Source.FinalizedBlock(h)
		if err != nil || b == nil || c == nil {
			break
		}
		braw, err := b.MarshalBinary()
		if err != nil {
			return fmt.Errorf("encode block %d: %w", h, err)
		}
		craw, err := rlp.EncodeToBytes(c)
		if err != nil {
			return fmt.Errorf("encode commit %d: %w", h, err)
		}
		if len(braw) > maxBlockFrame || len(craw) > maxCommitFrame {
			break
		}
		total += int64(len(braw)+len(craw)) + 2*10
		if total > maxBlocksAnswer {
			break
		}
		if err := writeFrame(w, braw); err != nil {
			return err
		}
		if err := writeFrame(w, craw); err != nil {
			return err
		}
	}
	return nil
}

// FetchBlocks asks peer for up to count finalized blocks from height from
// on (at most 64 a call). Fewer, even none, is not an error. The blocks
// are unverified, except that each is at the height asked and its commit
// names it.
func (t *Transport) FetchBlocks(ctx context.Context, id transport.PeerID, from uint64, count int) ([]transport.BlockWithCommit, error) {
	p, err := peer.Decode(string(id))
	if err != nil {
		return nil, fmt.Errorf("fetch blocks: peer %q: %w", id, err)
	}
	if count <= 0 {
		return nil, nil
	}
	count = min(count, maxBlocksPerCall)
	req, err := rlp.EncodeToBytes(&blocksRequest{From: from, Count: uint64(count)})
	if err != nil {
		return nil, fmt.Errorf("encode blocks request: %w", err)
	}
	var out []transport.BlockWithCommit
	err = t.request(ctx, p, protoBlocks, req, maxBlocksAnswer, func(fr *frameReader) error {
		for {
			braw, err := fr.next(maxBlockFrame)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("block %d: %w", from+uint64(len(out)), err)
			}
			want := from + uint64(len(out))
			if len(out) == count {
				return fmt.Errorf("more than the %d blocks asked for", count)
			}
			craw, err := fr.next(maxCommitFrame)
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return fmt.Errorf("commit %d: %w", want, err)
			}
			bc, err := decodeBlock(braw, craw, want)
			if err != nil {
				return err
			}
			out = append(out, bc)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("fetch blocks %d+%d: %w", from, count, err)
	}
	return out, nil
}

// decodeBlock decodes a block and its commit, which must be at height.
func decodeBlock(braw, craw []byte, height uint64) (transport.BlockWithCommit, error) {
	b := new(chain.Block)
	if err := b.UnmarshalBinary(braw); err != nil {
		return transport.BlockWithCommit{}, fmt.Errorf("block %d: %w", height, err)
	}
	c := new(chain.Commit)
	if err := rlp.DecodeBytes(craw, c); err != nil {
		return transport.BlockWithCommit{}, fmt.Errorf("decode commit %d: %w", height, err)
	}
	if b.Height() != height {
		return transport.BlockWithCommit{}, fmt.Errorf("asked for block %d, got %d", height, b.Height())
	}
	if c.Height != height || c.BlockHash != b.Hash() {
		return transport.BlockWithCommit{}, fmt.Errorf("block %d: the commit is for %d %s", height, c.Height, c.BlockHash)
	}
	return transport.BlockWithCommit{Block: b, Commit: c}, nil
}

// FetchBlock asks the connected peers in turn, highest reported head
// first, for the finalized block at height. It returns a wrapped
// transport.ErrNoPeerHasIt when none has it. The block is unverified.
func (t *Transport) FetchBlock(ctx context.Context, height uint64) (*chain.Block, *chain.Commit, error) {
	type candidate struct {
		id   peer.ID
		head uint64
	}
	t.mu.Lock()
	cands := make([]candidate, 0, len(t.peers))
	for id, st := range t.peers {
		if st.ready {
			cands = append(cands, candidate{id, st.status.Head})
		}
	}
	t.mu.Unlock()
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].head != cands[j].head {
			return cands[i].head > cands[j].head
		}
		return cands[i].id < cands[j].id
	})
	var errs []error
	for _, c := range cands {
		got, err := t.FetchBlocks(ctx, transport.PeerID(c.id.String()), height, 1)
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("fetch block %d: %w", height, ctx.Err())
		}
		if err != nil {
			t.log.Debug("peer did not serve a block", "peer", c.id, "height", height, "err", err)
			errs = append(errs, err)
			continue
		}
		if len(got) == 1 {
			return got[0].Block, got[0].Commit, nil
		}
	}
	err := fmt.Errorf("block %d from %d peers: %w", height, len(cands), transport.ErrNoPeerHasIt)
	if len(errs) > 0 {
		err = fmt.Errorf("%w (%w)", err, errors.Join(errs...))
	}
	return nil, nil, err
}

// serveTxs answers a transactions request from the Source.
func (t *Transport) serveTxs(_ peer.ID, raw []byte, w io.Writer) error {
	var req txsRequest
	if err := rlp.DecodeBytes(raw, &req); err != nil {
		return fmt.Errorf("decode txs request: %w", err)
	}
	if len(req.Indices) > maxTxsPerCall {
		return fmt.Errorf("txs request for %d transactions, cap %d", len(req.Indices), maxTxsPerCall)
	}
	var ans txsAnswer
	switch {
	case t.cfg.Source == nil:
		ans.Error = "this node serves no transactions"
	default:
		txs, err := t.cfg.Source.ProposalTxs(req.Block, req.Indices)
		if err != nil {
			ans.Error = truncate(err.Error(), 256)
			break
		}
		total := 0
		for _, tx := range txs {
			total += len(tx) + 5
		}
		if total > maxTxsAnswer-1024 {
			ans.Error = fmt.Sprintf("%d bytes of transactions exceed the answer cap", total)
			break
		}
		ans.Txs = txs
	}
	data, err := rlp.EncodeToBytes(&ans)
	if err != nil {
		return fmt.Errorf("encode txs answer: %w", err)
	}
	return writeFrame(w, data)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// FetchTxs asks peer for transactions of a proposed block by index (at
// most 20,000), answered from its Source.ProposalTxs.
func (t *Transport) FetchTxs(ctx context.Context, id transport.PeerID, block common.Hash, indices []uint32) ([][]byte, error) {
	p, err := peer.Decode(string(id))
	if err != nil {
		return nil, fmt.Errorf("fetch txs: peer %q: %w", id, err)
	}
	if len(indices) > maxTxsPerCall {
		return nil, fmt.Errorf("fetch txs: %d indices, at most %d a request", len(indices), maxTxsPerCall)
	}
	req, err := rlp.EncodeToBytes(&txsRequest{Block: block, Indices: indices})
	if err != nil {
		return nil, fmt.Errorf("encode txs request: %w", err)
	}
	var ans txsAnswer
	err = t.request(ctx, p, protoTxs, req, maxTxsAnswer+16, func(fr *frameReader) error {
		raw, err := fr.next(maxTxsAnswer)
		if err != nil {
			return err
		}
		if err := rlp.DecodeBytes(raw, &ans); err != nil {
			return fmt.Errorf("decode txs answer: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fetch txs of %s: %w", block, err)
	}
	if ans.Error != "" {
		return nil, fmt.Errorf("fetch txs of %s from %s: peer says: %s", block, p, ans.Error)
	}
	if len(ans.Txs) != len(indices) {
		return nil, fmt.Errorf("fetch txs of %s from %s: asked for %d, got %d", block, p, len(indices), len(ans.Txs))
	}
	return ans.Txs, nil
}
