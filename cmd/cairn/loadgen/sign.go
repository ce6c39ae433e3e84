package loadgen

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"math/big"
	"runtime"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// TransferGas is the gas limit of every generated transfer.
const TransferGas = params.TxGas

// Fees are the fee fields every generated transaction carries.
type Fees struct {
	// Legacy selects EIP-155 legacy transactions (gas price FeeCap)
	// instead of EIP-1559 ones.
	Legacy bool
	// FeeCap is the max fee per gas, or the gas price when Legacy.
	FeeCap *big.Int
	// Tip is the max priority fee per gas (EIP-1559 only).
	Tip *big.Int
}

// maxCost is what one transfer of value can cost its sender at most.
func (f Fees) maxCost(value *big.Int) *big.Int {
	c := new(big.Int).Mul(f.FeeCap, new(big.Int).SetUint64(TransferGas))
	return c.Add(c, value)
}

// txSpec is an unsigned transfer.
type txSpec struct {
	sender int // index into the keys
	nonce  uint64
	to     common.Address
	value  *big.Int
}

// signedTx is a pre-signed transfer ready to send.
type signedTx struct {
	hash   common.Hash
	raw    []byte
	sender int
	nonce  uint64
}

// Recipient modes for Config.To.
const (
	// ToRandom sends each transfer to a fresh random address, so every
	// transfer creates an account (the costlier, more honest workload).
	ToRandom = "random"
	// ToRing sends sender i's transfers to sender i+1 (mod K).
	ToRing = "ring"
)

// planTransfers lays out n transfers round-robin over the senders whose
// next nonces are given: transfer i is sent by sender i mod K with that
// sender's next nonce. lanes[s] lists sender s's transfers in nonce order.
func planTransfers(n int, addrs []common.Address, nonces []uint64, to string, value *big.Int) ([]txSpec, [][]int, error) {
	k := len(addrs)
	if k == 0 || len(nonces) != k {
		return nil, nil, fmt.Errorf("plan transfers: %d senders, %d nonces", k, len(nonces))
	}
	specs := make([]txSpec, n)
	lanes := make([][]int, k)
	next := append([]uint64(nil), nonces...)
	var buf [common.AddressLength]byte
	for i := range specs {
		s := i % k
		var dst common.Address
		switch to {
		case ToRing:
			dst = addrs[(s+1)%k]
		case ToRandom, "":
			if _, err := rand.Read(buf[:]); err != nil {
				return nil, nil, fmt.Errorf("plan transfers: random recipient: %w", err)
			}
			dst = common.Address(buf)
		default:
			return nil, nil, fmt.Errorf("plan transfers: unknown recipient mode %q (want %s or %s)", to, ToRandom, ToRing)
		}
		specs[i] = txSpec{sender: s, nonce: next[s], to: dst, value: value}
		next[s]++
		lanes[s] = append(lanes[s], i)
	}
	return specs, lanes, nil
}

// signAll signs specs with keys for chainID, spread over all CPUs, and
// returns the transactions in the order of specs.
func signAll(ctx context.Context, chainID *big.Int, keys []*ecdsa.PrivateKey, specs []txSpec, fees Fees) ([]signedTx, error) {
	signer := types.LatestSignerForChainID(chainID)
	out := make([]signedTx, len(specs))
	workers := min(runtime.GOMAXPROCS(0), max(len(specs), 1))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n, i := 0, w; i < len(specs); n, i = n+1, i+workers {
				if n%256 == 0 && ctx.Err() != nil {
					errs[w] = ctx.Err()
					return
				}
				tx, err := signOne(signer, chainID, keys[specs[i].sender], specs[i], fees)
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = tx
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("sign transfers: %w", err)
		}
	}
	return out, nil
}

// signOne builds and signs one transfer.
func signOne(signer types.Signer, chainID *big.Int, key *ecdsa.PrivateKey, s txSpec, fees Fees) (signedTx, error) {
	to := s.to
	var data types.TxData
	if fees.Legacy {
		data = &types.LegacyTx{Nonce: s.nonce, GasPrice: fees.FeeCap, Gas: TransferGas, To: &to, Value: s.value}
	} else {
		data = &types.DynamicFeeTx{ChainID: chainID, Nonce: s.nonce, GasTipCap: fees.Tip, GasFeeCap: fees.FeeCap,
			Gas: TransferGas, To: &to, Value: s.value}
	}
	tx, err := types.SignTx(types.NewTx(data), signer, key)
	if err != nil {
		return signedTx{}, fmt.Errorf("sign nonce %d of sender %d: %w", s.nonce, s.sender, err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return signedTx{}, fmt.Errorf("encode nonce %d of sender %d: %w", s.nonce, s.sender, err)
	}
	return signedTx{hash: tx.Hash(), raw: raw, sender: s.sender, nonce: s.nonce}, nil
}
