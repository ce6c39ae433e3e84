package chain

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

func TestBloomsAreTheHeadersBlooms(t *testing.T) {
	c := newTestChain(t)
	code, counter := loadContract(t, "Counter")
	addr := deploy(t, c, 0, code)
	inc, _ := counter.Pack("increment")
	for nonce := uint64(1); nonce <= 4; nonce++ {
		var txs []*types.Transaction
		if nonce%2 == 0 {
			tx, _ := types.SignNewTx(devKey0, c.Signer(), &types.DynamicFeeTx{
				ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(10e9),
				Gas: 100_000, To: &addr, Data: inc,
			})
			txs = append(txs, tx)
		} else {
			txs = append(txs, transfer(t, c, devKey0, nonce, DevnetAccounts[1], 1))
		}
		produce(t, c, txs...)
	}
	head := c.Head().Height()
	var heights []uint64
	withLogs := 0
	err := c.Blooms(0, head+10, func(h uint64, bloom *types.Bloom) (bool, error) {
		b, err := c.BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		if *bloom != b.Header.Bloom {
			t.Errorf("bloom of block %d is not its header's", h)
		}
		if types.BloomLookup(*bloom, addr) {
			withLogs++
		}
		heights = append(heights, h)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(heights) != int(head)+1 || heights[0] != 0 || heights[len(heights)-1] != head {
		t.Errorf("walked heights %v, want 0 to the head %d", heights, head)
	}
	if withLogs != 2 {
		t.Errorf("%d blooms hold the contract, want 2", withLogs)
	}
	n := 0
	c.Blooms(1, head, func(uint64, *types.Bloom) (bool, error) { n++; return n < 2, nil })
	if n != 2 {
		t.Errorf("a walk told to stop after 2 visited %d", n)
	}
	stop := errors.New("stop here")
	if err := c.Blooms(1, head, func(uint64, *types.Bloom) (bool, error) { return true, stop }); !errors.Is(err, stop) {
		t.Errorf("the visitor's error: %v", err)
	}
	called := false
	c.Blooms(3, 2, func(uint64, *types.Bloom) (bool, error) { called = true; return true, nil })
	c.Blooms(head+1, head+5, func(uint64, *types.Bloom) (bool, error) { called = true; return true, nil })
	if called {
		t.Error("an empty range or one past the head visited a block")
	}
}

// A damaged header is found by its hash, as when the whole block is read.
func TestBloomsOfADamagedHeaderAreAnError(t *testing.T) {
	d := buildDamageStore(t, 4)
	enc, err := rlp.EncodeToBytes(d.blocks[3].Header)
	if err != nil {
		t.Fatal(err)
	}
	root := d.blocks[3].Header.StateRoot
	d.flipEverywhere(t, enc, bytes.Index(enc, root[:])+5)
	c, _ := d.open(t)
	err = c.Blooms(1, 4, func(uint64, *types.Bloom) (bool, error) { return true, nil })
	wantDamaged(t, err, "blooms of a damaged header", "block 3")
	if err := c.Blooms(1, 2, func(uint64, *types.Bloom) (bool, error) { return true, nil }); err != nil {
		t.Errorf("blooms of the blocks before it: %v", err)
	}
}

func TestStateAtAndPendingHeader(t *testing.T) {
	c := newTestChain(t)
	to := common.HexToAddress("0xabc")
	produce(t, c, transfer(t, c, devKey0, 0, to, 7))
	produce(t, c, transfer(t, c, devKey0, 1, to, 8))
	for h, want := range []int64{0, 7, 15} {
		b, err := c.BlockByHeight(uint64(h))
		if err != nil {
			t.Fatal(err)
		}
		st, err := c.StateAt(b.Header)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.GetBalance(to).ToBig().Int64(); got != want {
			t.Errorf("balance at block %d = %d, want %d", h, got, want)
		}
	}
	head := c.Head()
	p := c.PendingHeader()
	if p.Height != head.Height()+1 || p.ParentHash != head.Hash() || p.Time != head.Header.Time+c.Params().BlockTimeMs ||
		p.BaseFee.Cmp(c.NextBaseFee(head.Header)) != 0 || !bytes.Equal(p.VRFOutput, head.Header.VRFOutput) {
		t.Errorf("pending header %+v after head %d", p, head.Height())
	}
	env := c.BlockEnv(head.Header)
	if env.Number != head.Height() || env.Time != head.Header.TimeSeconds() || env.Random != head.Header.Random() {
		t.Errorf("block env %+v of the head", env)
	}
}
