package vm

import (
	"crypto/ecdsa"
	"encoding/binary"
	"math/big"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

var sendersChainID = big.NewInt(7777)

// countingSigner counts the recoveries its inner signer does.
type countingSigner struct {
	types.Signer
	n atomic.Int64
}

func (c *countingSigner) Sender(tx *types.Transaction) (common.Address, error) {
	c.n.Add(1)
	return c.Signer.Sender(tx)
}

func sendersKey(i int) *ecdsa.PrivateKey {
	seed := make([]byte, 32)
	binary.BigEndian.PutUint64(seed[24:], uint64(i)+1)
	seed[0] = 0x51
	k, err := crypto.ToECDSA(seed)
	if err != nil {
		panic(err)
	}
	return k
}

func signedTransfer(t testing.TB, k *ecdsa.PrivateKey, chainID *big.Int, nonce uint64) *types.Transaction {
	t.Helper()
	to := common.HexToAddress("0xaa")
	return types.MustSignNewTx(k, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasFeeCap: big.NewInt(params.GWei), GasTipCap: big.NewInt(1),
		Gas: params.TxGas, To: &to, Value: big.NewInt(1),
	})
}

// fresh returns a newly decoded copy of tx, with no sender remembered in
// the object, as a gossiped or proposed transaction arrives.
func fresh(t testing.TB, tx *types.Transaction) *types.Transaction {
	t.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	out := new(types.Transaction)
	if err := out.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCachingSignerRecoversOnce(t *testing.T) {
	inner := &countingSigner{Signer: types.LatestSignerForChainID(sendersChainID)}
	s := NewCachingSigner(inner, 1<<20)
	k := sendersKey(0)
	tx := signedTransfer(t, k, sendersChainID, 0)
	for i := 0; i < 3; i++ {
		from, err := types.Sender(s, fresh(t, tx))
		if err != nil {
			t.Fatal(err)
		}
		if from != crypto.PubkeyToAddress(k.PublicKey) {
			t.Fatalf("sender %s, want %s", from.Hex(), crypto.PubkeyToAddress(k.PublicKey).Hex())
		}
	}
	if got := inner.n.Load(); got != 1 {
		t.Fatalf("%d recoveries for one transaction hash, want 1", got)
	}
	// Another transaction is recovered.
	if _, err := s.Sender(fresh(t, signedTransfer(t, k, sendersChainID, 1))); err != nil {
		t.Fatal(err)
	}
	if got := inner.n.Load(); got != 2 {
		t.Fatalf("%d recoveries for two transactions, want 2", got)
	}
}

func TestCachingSignerEqual(t *testing.T) {
	plain := types.LatestSignerForChainID(sendersChainID)
	s := NewCachingSigner(plain, 0)
	if !s.Equal(plain) || !s.Equal(NewCachingSigner(types.LatestSignerForChainID(sendersChainID), 0)) {
		t.Fatal("caching signer not equal to its inner signer or another cache over the same one")
	}
	if s.Equal(types.LatestSignerForChainID(big.NewInt(1))) {
		t.Fatal("caching signer equal to another chain's signer")
	}
	// A sender remembered in the object through the caching signer answers
	// the plain one without recovery, and the other way round.
	tx := fresh(t, signedTransfer(t, sendersKey(1), sendersChainID, 0))
	inner := &countingSigner{Signer: plain}
	cs := NewCachingSigner(inner, 0)
	if _, err := types.Sender(cs, tx); err != nil {
		t.Fatal(err)
	}
	if _, err := types.Sender(cs, tx); err != nil {
		t.Fatal(err)
	}
	if got := inner.n.Load(); got != 1 {
		t.Fatalf("%d recoveries, want 1", got)
	}
}

func TestCachingSignerWrongChain(t *testing.T) {
	inner := &countingSigner{Signer: types.LatestSignerForChainID(sendersChainID)}
	s := NewCachingSigner(inner, 0)
	tx := signedTransfer(t, sendersKey(2), big.NewInt(1), 0)
	for i := 0; i < 2; i++ {
		if _, err := types.Sender(s, fresh(t, tx)); err == nil {
			t.Fatal("sender of a transaction signed for chain 1 recovered by the chain 7777 signer")
		}
	}
	if s.Len() != 0 {
		t.Fatalf("failed recovery cached: %d entries", s.Len())
	}
	if inner.n.Load() != 2 {
		t.Fatalf("%d recoveries, want 2 (failures are not cached)", inner.n.Load())
	}
}

// TestSenderCacheByteBound fills a cache far past its capacity and checks
// that it holds at most MaxEntries senders and that the heap it takes is
// within its byte budget.
func TestSenderCacheByteBound(t *testing.T) {
	const budget = 4 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewCachingSigner(types.LatestSignerForChainID(sendersChainID), budget)
	max := s.MaxEntries()
	if max*senderEntryBytes > budget || max < budget/senderEntryBytes/2 {
		t.Fatalf("MaxEntries %d for a budget of %d bytes at %d bytes each", max, budget, senderEntryBytes)
	}
	var h common.Hash
	for i := 0; i < 3*max; i++ {
		binary.BigEndian.PutUint64(h[:8], uint64(i)*0x9e3779b97f4a7c15)
		binary.BigEndian.PutUint64(h[8:], uint64(i))
		s.shard(h).put(h, common.Address{1})
		if i%4096 == 0 && s.Len() > max {
			t.Fatalf("%d entries after %d inserts, bound %d", s.Len(), i+1, max)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d entries, %d bytes on the heap (%d per entry), budget %d", s.Len(), used, used/int64(s.Len()), budget)
	if s.Len() > max {
		t.Fatalf("%d entries, bound %d", s.Len(), max)
	}
	if used > budget {
		t.Fatalf("cache takes %d bytes of heap, budget %d", used, budget)
	}
	runtime.KeepAlive(s)
}

// TestRecoverSendersMatchesSerial recovers a mix of valid transactions,
// transactions for another chain, one with a broken signature and a nil
// entry, in parallel and one by one, and compares.
func TestRecoverSendersMatchesSerial(t *testing.T) {
	plain := types.LatestSignerForChainID(sendersChainID)
	var txs []*types.Transaction
	for i := 0; i < 500; i++ {
		k := sendersKey(i % 37)
		switch {
		case i%50 == 7:
			txs = append(txs, signedTransfer(t, k, big.NewInt(1), uint64(i)))
		case i%50 == 21:
			tx := signedTransfer(t, k, sendersChainID, uint64(i))
			v, r, _ := tx.RawSignatureValues()
			bad, err := tx.WithSignature(plain, append(append(common.LeftPadBytes(r.Bytes(), 32), make([]byte, 32)...), byte(v.Uint64())))
			if err != nil {
				t.Fatal(err)
			}
			txs = append(txs, bad)
		case i == 333:
			txs = append(txs, nil)
		default:
			txs = append(txs, signedTransfer(t, k, sendersChainID, uint64(i)))
		}
	}
	decoded := make([]*types.Transaction, len(txs))
	for i, tx := range txs {
		if tx != nil {
			decoded[i] = fresh(t, tx)
		}
	}
	inner := &countingSigner{Signer: plain}
	s := NewCachingSigner(inner, 0)
	froms, errs := RecoverSenders(s, decoded)
	if errs == nil {
		t.Fatal("no errors reported for a batch with invalid transactions")
	}
	valid := 0
	for i, tx := range txs {
		var want common.Address
		var wantErr error = errNilTx
		if tx != nil {
			want, wantErr = plain.Sender(tx)
		}
		if (wantErr == nil) != (errs[i] == nil) || froms[i] != want {
			t.Fatalf("tx %d: got %s, %v; serial %s, %v", i, froms[i].Hex(), errs[i], want.Hex(), wantErr)
		}
		if wantErr == nil {
			valid++
			// Remembered in the object and by hash.
			if got, err := types.Sender(s, decoded[i]); err != nil || got != want {
				t.Fatalf("tx %d: cached sender %s, %v", i, got.Hex(), err)
			}
			if got, err := s.Sender(fresh(t, tx)); err != nil || got != want {
				t.Fatalf("tx %d: sender by hash %s, %v", i, got.Hex(), err)
			}
		}
	}
	if s.Len() != valid {
		t.Fatalf("%d cached, want %d", s.Len(), valid)
	}
	if n := inner.n.Load(); n != int64(len(txs)-1) { // every non-nil tx once
		t.Fatalf("%d recoveries, want %d", n, len(txs)-1)
	}
	// All valid: errs is nil.
	if _, errs := RecoverSenders(s, []*types.Transaction{fresh(t, txs[0])}); errs != nil {
		t.Fatalf("errors %v for a valid batch", errs)
	}
	if froms, errs := RecoverSenders(s, nil); len(froms) != 0 || errs != nil {
		t.Fatalf("empty batch: %v, %v", froms, errs)
	}
}

func TestExecutorSignerCaches(t *testing.T) {
	e := NewExecutor(sendersChainID, 30_000_000)
	if _, ok := e.Signer().(*CachingSigner); !ok {
		t.Fatalf("executor signer is %T, want *CachingSigner", e.Signer())
	}
}

func BenchmarkRecoverSenders(b *testing.B) {
	txs := make([]*types.Transaction, 1000)
	for i := range txs {
		txs[i] = signedTransfer(b, sendersKey(i%50), sendersChainID, uint64(i))
	}
	plain := types.LatestSignerForChainID(sendersChainID)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		batch := make([]*types.Transaction, len(txs))
		for j, tx := range txs {
			batch[j] = fresh(b, tx)
		}
		b.StartTimer()
		if _, errs := RecoverSenders(plain, batch); errs != nil {
			b.Fatal(errs)
		}
	}
	b.ReportMetric(float64(b.N*len(txs))/b.Elapsed().Seconds(), "tx/s")
}
