package node

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"math/big"
	"os"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"cairn/chain"
	"cairn/node/events"
	"cairn/node/transport"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// testBlockTime keeps multi-node tests short; the engine's timeouts come
// from the test genesis.
const testBlockTime = 50 * time.Millisecond

// waitLimit bounds every wait of the multi-node tests.
const waitLimit = 30 * time.Second

// testValidatorKeys are the consensus keys of the four-validator test chain.
func testValidatorKeys() []ed25519.PrivateKey {
	keys := make([]ed25519.PrivateKey, 4)
	for i := range keys {
		seed := sha256.Sum256(fmt.Appendf(nil, "cairn bft test validator %d", i))
		keys[i] = ed25519.NewKeyFromSeed(seed[:])
	}
	return keys
}

// testStakes are unequal, and any one validator stopped leaves more than
// 2/3 of the power, any two stopped leave less.
var testStakes = []int64{30, 25, 25, 20}

func fourValidatorGenesis(keys []ed25519.PrivateKey) *chain.Genesis {
	g := chain.Devnet()
	g.Params.BlockTimeMs = uint64(testBlockTime / time.Millisecond)
	g.Params.Consensus = chain.Timeouts{ProposeMs: 300, VoteMs: 100, DeltaMs: 50}
	g.Params.Staking.MinSelfStake = chain.NewBigInt(chain.CRN(10))
	g.Validators = nil
	for i, k := range keys {
		g.Validators = append(g.Validators, chain.GenesisValidator{
			PubKey: []byte(k.Public().(ed25519.PublicKey)), Stake: chain.NewBigInt(chain.CRN(testStakes[i])),
			Name: fmt.Sprintf("v%d", i),
		})
	}
	return g
}

// lazySource answers block requests from a node set after joining the hub.
type lazySource struct{ n atomic.Pointer[Node] }

func (s *lazySource) FinalizedBlock(h uint64) (*chain.Block, *chain.Commit, error) {
	n := s.n.Load()
	if n == nil {
		return nil, nil, fmt.Errorf("node not started")
	}
	return n.FinalizedBlock(h)
}

func (s *lazySource) Status() transport.Status {
	if n := s.n.Load(); n != nil {
		return n.Status()
	}
	return transport.Status{}
}

func (s *lazySource) ServeSnapshot(req []byte) ([]byte, error) {
	n := s.n.Load()
	if n == nil {
		return nil, fmt.Errorf("node not started")
	}
	return n.ServeSnapshot(req)
}

func (s *lazySource) ProposalTxs(b common.Hash, idx []uint32) ([][]byte, error) {
	n := s.n.Load()
	if n == nil {
		return nil, fmt.Errorf("node not started")
	}
	return n.ProposalTxs(b, idx)
}

// testNet is several full nodes (chain, store, mempool, engine) on one
// in-memory hub.
type testNet struct {
	t         testing.TB
	hub       *transport.Hub
	blockTime time.Duration
	genesis   *chain.Genesis
	keys      []ed25519.PrivateKey
	homes     []string
	nodes     []*Node // nil while stopped
	subs      []*events.Subscription
	tune      func(*Node) // applied to each node before it starts
}

func newTestNet(t testing.TB) *testNet {
	keys := testValidatorKeys()
	return newTestNetWith(t, fourValidatorGenesis(keys), keys)
}

// newTestNetWith starts one node per key on genesis g (keys that are not
// g's validators run nodes that follow until their key is registered).
func newTestNetWith(t testing.TB, g *chain.Genesis, keys []ed25519.PrivateKey) *testNet {
	return newTestNetTuned(t, g, keys, nil)
}

// newTestNetTuned is newTestNetWith with tune applied to each node before
// it starts.
func newTestNetTuned(t testing.TB, g *chain.Genesis, keys []ed25519.PrivateKey, tune func(*Node)) *testNet {
	tn := &testNet{t: t, hub: transport.NewHub(), genesis: g, keys: keys, blockTime: time.Duration(g.Params.BlockTimeMs) * time.Millisecond,
		nodes: make([]*Node, len(keys)), subs: make([]*events.Subscription, len(keys)), tune: tune}
	for range keys {
		tn.homes = append(tn.homes, t.TempDir())
	}
	for i := range keys {
		tn.start(i)
	}
	t.Cleanup(func() {
		for i := range tn.nodes {
			tn.stop(i)
		}
	})
	return tn
}

// start runs node i from its home (a restart if it ran before).
func (tn *testNet) start(i int) {
	t := tn.t
	t.Helper()
	src := &lazySource{}
	tr, err := tn.hub.Join(transport.PeerID(fmt.Sprintf("v%d", i)), src)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(Config{Home: tn.homes[i], Genesis: tn.genesis, ValidatorKey: tn.keys[i],
		BlockTime: tn.blockTime, Transport: tr, Logger: testLogger(i)})
	if err != nil {
		t.Fatal(err)
	}
	src.n.Store(n)
	if tn.tune != nil {
		tn.tune(n)
	}
	tn.subs[i] = n.Events().Subscribe(4096)
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tn.nodes[i] = n
}

func (tn *testNet) stop(i int) {
	if tn.nodes[i] == nil {
		return
	}
	tn.subs[i].Close()
	if err := tn.nodes[i].Close(); err != nil {
		tn.t.Error(err)
	}
	tn.nodes[i] = nil
}

// waitHeight waits until every running node among which has committed
// height h.
func (tn *testNet) waitHeight(h uint64, which ...int) {
	tn.t.Helper()
	deadline := time.After(waitLimit)
	for _, i := range which {
		for tn.nodes[i].Chain().Head().Height() < h {
			select {
			case <-tn.subs[i].C:
			case <-deadline:
				tn.t.Fatalf("node %d at height %d, not %d within %s", i, tn.nodes[i].Chain().Head().Height(), h, waitLimit)
			}
		}
	}
}

// probe is a peer on the hub that only listens, to watch the validators'
// votes.
type probe struct {
	t     testing.TB
	msgs  <-chan transport.Message
	seen  map[probeKey]int
	votes map[voteKey]common.Hash
}

type voteKey struct {
	validator common.Address
	height    uint64
	round     uint32
	typ       chain.VoteType
}

// take counts a message and fails the test on two different votes of one
// validator at one height, round and step: a double sign.
func (p *probe) take(m transport.Message) {
	in, err := decodeWire(m.Data)
	if err != nil || in.Msg.Vote == nil {
		return
	}
	v := in.Msg.Vote
	k := voteKey{v.Validator, v.Height, v.Round, v.Type}
	if h, ok := p.votes[k]; ok && h != v.BlockHash {
		p.t.Fatalf("%s signed two %s votes at %d/%d: %x and %x", v.Validator, v.Type, v.Height, v.Round, h, v.BlockHash)
	}
	p.votes[k] = v.BlockHash
	if v.Type == chain.Prevote {
		p.seen[probeKey{v.Validator, v.Height}]++
	}
}

type probeKey struct {
	validator common.Address
	height    uint64
}

func (tn *testNet) probe() *probe {
	tr, err := tn.hub.Join("probe", nil)
	if err != nil {
		tn.t.Fatal(err)
	}
	tn.t.Cleanup(func() { tr.Close() })
	return &probe{t: tn.t, msgs: tr.Messages(), seen: map[probeKey]int{}, votes: map[voteKey]common.Hash{}}
}

// waitResent waits until every node in which has sent its prevote at the
// height it is deciding at least k times: its round timed out or its
// resend timer fired k-1 times, so time passed without a decision.
func (tn *testNet) waitResent(p *probe, k int, which ...int) {
	tn.t.Helper()
	deadline := time.After(waitLimit)
	for _, i := range which {
		n := tn.nodes[i]
		for {
			key := probeKey{n.Validator().Address, n.engine.Status().Height}
			if p.seen[key] >= k {
				break
			}
			select {
			case m := <-p.msgs:
				p.take(m)
			case <-deadline:
				tn.t.Fatalf("node %d did not send its prevote %d times within %s (%+v)", i, k, waitLimit, n.engine.Status())
			}
		}
	}
}

func (tn *testNet) running() []int {
	var out []int
	for i, n := range tn.nodes {
		if n != nil {
			out = append(out, i)
		}
	}
	return out
}

// heads returns the head height of each running node.
func (tn *testNet) head(i int) uint64 { return tn.nodes[i].Chain().Head().Height() }

// checkAgreement checks that the running nodes hold the same block at every
// height they all have, each with a commit that verifies.
func (tn *testNet) checkAgreement() {
	t := tn.t
	t.Helper()
	run := tn.running()
	low := tn.head(run[0])
	for _, i := range run {
		low = min(low, tn.head(i))
	}
	for h := uint64(1); h <= low; h++ {
		var want common.Hash
		for k, i := range run {
			c := tn.nodes[i].Chain()
			b, err := c.BlockByHeight(h)
			if err != nil {
				t.Fatalf("node %d block %d: %v", i, h, err)
			}
			if k == 0 {
				want = b.Hash()
			} else if b.Hash() != want {
				t.Fatalf("fork at height %d: node %d has %x, node %d has %x", h, run[0], want, i, b.Hash())
			}
			cm, err := c.CommitAt(h)
			if err != nil {
				t.Fatalf("node %d commit %d: %v", i, h, err)
			}
			set, err := c.ValidatorsAt(h)
			if err != nil {
				t.Fatalf("node %d set of %d: %v", i, h, err)
			}
			if err := cm.Verify(c.ChainID(), set, h, b.Hash()); err != nil {
				t.Fatalf("node %d commit %d: %v", i, h, err)
			}
		}
	}
}

func signedTransfer(t *testing.T, n *Node, nonce uint64, to common.Address, value int64) *types.Transaction {
	t.Helper()
	tx, err := types.SignNewTx(devKey0, n.Chain().Signer(), &types.DynamicFeeTx{
		ChainID: n.Chain().ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(5e9),
		Gas: 21000, To: &to, Value: big.NewInt(value),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// waitBalance waits until the account holds want on every node in which.
func (tn *testNet) waitBalance(addr common.Address, want int64, which ...int) {
	tn.t.Helper()
	deadline := time.After(waitLimit)
	for _, i := range which {
		for {
			acc, err := tn.nodes[i].Chain().Account(addr)
			if err == nil && acc.Balance != nil && acc.Balance.Int64() == want {
				break
			}
			select {
			case <-tn.subs[i].C:
			case <-deadline:
				tn.t.Fatalf("node %d: balance of %s is not %d within %s", i, addr, want, waitLimit)
			}
		}
	}
}

func TestFourValidatorsFinalizeStallAndRecover(t *testing.T) {
	tn := newTestNet(t)
	all := []int{0, 1, 2, 3}
	to := common.HexToAddress("0xb0b")

	// Transactions sent to one node reach the proposers by gossip.
	if err := tn.nodes[1].Pool().Add(signedTransfer(t, tn.nodes[1], 0, to, 7)); err != nil {
		t.Fatal(err)
	}
	tn.waitBalance(to, 7, all...)
	tn.waitHeight(3, all...)
	tn.checkAgreement()

	// One stopped: the other three hold more than 2/3 and go on.
	tn.stop(3)
	h := tn.head(0)
	if err := tn.nodes[0].Pool().Add(signedTransfer(t, tn.nodes[0], 1, to, 8)); err != nil {
		t.Fatal(err)
	}
	tn.waitBalance(to, 15, 0, 1, 2)
	tn.waitHeight(h+3, 0, 1, 2)
	tn.checkAgreement()

	// Two stopped: 55 of 100 cannot finalize. The survivors keep sending
	// their votes for the height above their heads without committing it.
	p := tn.probe()
	tn.stop(2)
	tn.waitResent(p, 3, 0, 1)
	stuck := []uint64{tn.head(0), tn.head(1)}
	tn.waitResent(p, 6, 0, 1)
	if tn.head(0) != stuck[0] || tn.head(1) != stuck[1] {
		t.Fatalf("heads moved from %v to [%d %d] with 55%% of the power", stuck, tn.head(0), tn.head(1))
	}
	if d := int64(stuck[0]) - int64(stuck[1]); d > 1 || d < -1 {
		t.Fatalf("survivors' heads %v more than one apart", stuck)
	}
	tn.checkAgreement()

	// A survivor restarted mid-height restores its round from the WAL and
	// sends the same votes again (the probe fails on a second, different
	// one), still without progress.
	tn.stop(1)
	tn.start(1)
	select {
	case <-tn.nodes[1].engine.(*bftEngine).begun:
	case <-time.After(waitLimit):
		t.Fatal("restarted survivor did not start its engine")
	}
	tn.waitResent(p, 9, 1)
	if st := tn.nodes[1].engine.Status(); st.Height != stuck[1]+1 {
		t.Fatalf("restarted survivor at height %d, want %d", st.Height, stuck[1]+1)
	}
	if stuck[0] == stuck[1] {
		// Nothing to fetch from the other survivor: the round came from the WAL.
		if got := tn.nodes[1].engine.(*bftEngine).restored.Load(); got != stuck[1]+1 {
			t.Fatalf("restarted survivor resumed height %d from its WAL, want %d", got, stuck[1]+1)
		}
	}
	if tn.head(0) != stuck[0] || tn.head(1) != stuck[1] {
		t.Fatalf("heads moved from %v to [%d %d] with 55%% of the power", stuck, tn.head(0), tn.head(1))
	}

	// Both restarted from their homes (WAL and sign state): they fetch what
	// they missed, verified, and all four go on.
	tn.start(2)
	tn.start(3)
	top := max(stuck[0], stuck[1])
	tn.waitHeight(top+3, all...)
	if err := tn.nodes[3].Pool().Add(signedTransfer(t, tn.nodes[3], 2, to, 9)); err != nil {
		t.Fatal(err)
	}
	tn.waitBalance(to, 24, all...)
	tn.checkAgreement()
	for _, i := range all {
		if fi, err := os.Stat(SignStatePath(tn.homes[i])); err != nil || fi.Size() == 0 {
			t.Fatalf("node %d: no sign state on disk (%v)", i, err)
		}
	}
}

// TestFourValidatorLatency reports how long after a block's proposal time
// the four validators finalize it, and the intervals between blocks. It
// asserts that blocks are finalized in agreement; the figures are logged
// (-v). BenchmarkFourValidatorFinality reports the same as metrics.
func TestFourValidatorLatency(t *testing.T) {
	tn := newTestNet(t)
	lat, gap := tn.finalityTimes(40)
	tn.checkAgreement()
	t.Logf("block time %s, 4 validators: proposal→commit on node 0 %s; interval between blocks %s",
		testBlockTime, quantiles(lat), quantiles(gap))
}

// BenchmarkFourValidatorFinality measures, per finalized block of four
// in-process validators at a 50 ms block time, the time from the block's
// proposal to its commit on node 0 and the interval between blocks.
func BenchmarkFourValidatorFinality(b *testing.B) {
	tn := newTestNet(b)
	b.ResetTimer()
	lat, gap := tn.finalityTimes(max(b.N, 2))
	b.StopTimer()
	b.ReportMetric(ms(pct(lat, 0.5)), "commit-p50-ms")
	b.ReportMetric(ms(pct(lat, 0.9)), "commit-p90-ms")
	b.ReportMetric(ms(pct(gap, 0.5)), "interval-p50-ms")
	b.ReportMetric(ms(pct(gap, 0.9)), "interval-p90-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// finalityTimes waits for n blocks on node 0 and returns, for each, the
// time from its proposal (header time) to its commit event, and the
// intervals between consecutive blocks' times.
func (tn *testNet) finalityTimes(n int) (lat, gap []time.Duration) {
	tn.t.Helper()
	var last uint64
	deadline := time.After(waitLimit + time.Duration(n)*time.Second)
	for len(lat) < n {
		select {
		case e := <-tn.subs[0].C:
			if e.Block == nil {
				continue
			}
			ts := e.Block.Header.Time
			lat = append(lat, time.Since(time.UnixMilli(int64(ts))))
			if last != 0 {
				gap = append(gap, time.Duration(ts-last)*time.Millisecond)
			}
			last = ts
		case <-deadline:
			tn.t.Fatalf("only %d of %d blocks in time", len(lat), n)
		}
	}
	return lat, gap
}

// pct is the p-quantile of ds.
func pct(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(p*float64(len(s)-1))]
}

func quantiles(ds []time.Duration) string {
	return fmt.Sprintf("p50 %s p90 %s max %s (n=%d)", pct(ds, 0.5), pct(ds, 0.9), pct(ds, 1), len(ds))
}

// TestFollowerOnTheHubFollowsTheValidators: a node without a validator key
// runs the engine without voting, finalizes what the validators finalize
// from their votes, and shows the consensus view in its status.
func TestFollowerOnTheHubFollowsTheValidators(t *testing.T) {
	tn := newTestNet(t)
	src := &lazySource{}
	tr, err := tn.hub.Join("follower", src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Config{Home: t.TempDir(), Genesis: tn.genesis, BlockTime: testBlockTime, Transport: tr, Logger: testLogger(9)})
	if err != nil {
		t.Fatal(err)
	}
	src.n.Store(f)
	sub := f.Events().Subscribe(4096)
	defer sub.Close()
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	waitBlock(t, sub, func(b *chain.Block) bool { return b.Height() >= 5 })
	for h := uint64(1); h <= 5; h++ {
		got, err := f.Chain().BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		tn.waitHeight(h, 0)
		want, _ := tn.nodes[0].Chain().BlockByHeight(h)
		if got.Hash() != want.Hash() {
			t.Fatalf("follower block %d %x, validator's %x", h, got.Hash(), want.Hash())
		}
	}
	st, err := f.Service().Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := st.Consensus
	if st.Validator != nil || c == nil || c.Height < 5 || c.Proposer == nil || f.Chain().Validators().ByAddress(*c.Proposer) == nil {
		t.Fatalf("follower status: validator %v, consensus %+v", st.Validator, c)
	}
}

// TestCutOffValidatorCatchesUpWithoutRestart: a validator cut off from
// the others while they finalize heights hears, once its links heal, votes
// for heights far above its head, fetches the blocks it missed (verified)
// and votes again.
func TestCutOffValidatorCatchesUpWithoutRestart(t *testing.T) {
	tn := newTestNet(t)
	all := []int{0, 1, 2, 3}
	tn.waitHeight(2, all...)
	tn.hub.Isolate("v3")
	missed := tn.head(3)
	tn.waitHeight(missed+5, 0, 1, 2)
	if tn.head(3) > missed+1 {
		t.Fatalf("isolated node went from %d to %d", missed, tn.head(3))
	}
	tn.hub.Heal()
	tn.waitHeight(tn.head(0)+3, all...)
	tn.checkAgreement()
}
