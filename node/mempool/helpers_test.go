package mempool

import (
	"crypto/ecdsa"
	"encoding/binary"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

var (
	testChainID = big.NewInt(7777)
	testSigner  = types.LatestSignerForChainID(testChainID)
	gwei        = big.NewInt(params.GWei)
	testTo      = common.HexToAddress("0x00000000000000000000000000000000000000aa")
	// plenty is a balance no test transaction exhausts unless it means to.
	plenty = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(params.Ether))
)

// fakeState is a map-backed State. Accounts not set have nonce 0 and a
// large balance.
type fakeState struct {
	nonces   map[common.Address]uint64
	balances map[common.Address]*big.Int
}

func newFakeState() *fakeState {
	return &fakeState{nonces: map[common.Address]uint64{}, balances: map[common.Address]*big.Int{}}
}

func (s *fakeState) Nonce(a common.Address) uint64 { return s.nonces[a] }

func (s *fakeState) Balance(a common.Address) *big.Int {
	if b, ok := s.balances[a]; ok {
		return b
	}
	return plenty
}

// testKey returns a deterministic private key for index i.
func testKey(i int) *ecdsa.PrivateKey {
	seed := make([]byte, 32)
	binary.BigEndian.PutUint64(seed[24:], uint64(i)+1)
	seed[0] = 0x42
	k, err := crypto.ToECDSA(seed)
	if err != nil {
		panic(err)
	}
	return k
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// gw returns n gwei.
func gw(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), gwei) }

// dyn signs an EIP-1559 transfer with fee cap and tip in gwei.
func dyn(k *ecdsa.PrivateKey, nonce uint64, feeCap, tip int64) *types.Transaction {
	return dynWith(k, &types.DynamicFeeTx{Nonce: nonce, GasFeeCap: gw(feeCap), GasTipCap: gw(tip), Gas: params.TxGas, To: &testTo, Value: big.NewInt(1)})
}

// dynWith fills in the chain ID of d and signs it.
func dynWith(k *ecdsa.PrivateKey, d *types.DynamicFeeTx) *types.Transaction {
	d.ChainID = testChainID
	return types.MustSignNewTx(k, testSigner, d)
}

// testConfig is the configuration most tests use: devnet chain ID and a
// 30M block gas limit.
func testConfig() Config {
	return Config{
		ChainID:       testChainID,
		BlockGasLimit: 30_000_000,
		Now:           func() time.Time { return time.Unix(1_700_000_000, 0) },
	}
}

// newTestPool returns a pool at base fee 1 gwei over a fresh fake state.
func newTestPool(t testing.TB, cfg Config) (*Pool, *fakeState) {
	t.Helper()
	st := newFakeState()
	return New(cfg, st, gw(1)), st
}

// mustAdd adds tx and fails the test on rejection.
func mustAdd(t testing.TB, p *Pool, tx *types.Transaction) {
	t.Helper()
	if err := p.Add(tx); err != nil {
		t.Fatalf("add nonce %d: %v", tx.Nonce(), err)
	}
}

// wantReject asserts err is a RejectError with the given reason.
func wantReject(t testing.TB, err error, reason string) {
	t.Helper()
	re, ok := IsReject(err)
	if !ok {
		t.Fatalf("got %v, want rejection %q", err, reason)
	}
	if re.Reason != reason {
		t.Fatalf("got reason %q (%v), want %q", re.Reason, err, reason)
	}
}

// drain runs a selection to the end with Shift and returns what it gave.
func drain(s *Selection) []*types.Transaction {
	var out []*types.Transaction
	for tx := s.Peek(); tx != nil; tx = s.Peek() {
		out = append(out, tx)
		s.Shift()
	}
	return out
}

// checkCounts asserts the pool's pending and queued totals, and that they
// agree with Pending().
func checkCounts(t testing.TB, p *Pool, pending, queued int) {
	t.Helper()
	st := p.Stats()
	if st.Pending != pending || st.Queued != queued {
		t.Fatalf("stats pending=%d queued=%d, want %d and %d", st.Pending, st.Queued, pending, queued)
	}
	var np, nq, bytes int
	for _, e := range p.Pending() {
		if e.Queued {
			nq++
		} else {
			np++
		}
		bytes += e.Size
	}
	if np != pending || nq != queued || bytes != st.Bytes {
		t.Fatalf("Pending() has %d pending, %d queued, %d bytes; stats say %d, %d, %d", np, nq, bytes, pending, queued, st.Bytes)
	}
}

// countSigner counts the recoveries done through it.
type countSigner struct {
	types.Signer
	n atomic.Int64
}

func (c *countSigner) Sender(tx *types.Transaction) (common.Address, error) {
	c.n.Add(1)
	return c.Signer.Sender(tx)
}

// Equal is true for c itself, so types.Sender's per-transaction cache
// answers for it.
func (c *countSigner) Equal(o types.Signer) bool { return o == types.Signer(c) }
