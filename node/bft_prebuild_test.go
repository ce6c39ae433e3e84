package node

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"
	"time"

	"cairn/chain"

	"github.com/ethereum/go-ethereum/common"
)

// A validator that counts every height as late builds every proposal of
// its own while the block before is written. The blocks
// it builds so carry every transfer, in order, and a follower that checks
// each block by executing it on its own head agrees with every one.
func TestPrebuiltProposalsAreValidBlocks(t *testing.T) {
	seed := sha256.Sum256([]byte("cairn prebuild test follower"))
	keys := []ed25519.PrivateKey{chain.DevnetValidatorKey(), ed25519.NewKeyFromSeed(seed[:])}
	g := chain.Devnet()
	g.Params.BlockTimeMs = uint64(testBlockTime / time.Millisecond)
	tn := newTestNetTuned(t, g, keys, func(n *Node) { n.engine.(*bftEngine).alwaysLate = true })
	validator, follower := tn.nodes[0], tn.nodes[1]

	to := common.HexToAddress("0xfeed")
	const waves, perWave = 5, 40
	var want int64
	nonce := uint64(0)
	for w := 0; w < waves; w++ {
		for i := 0; i < perWave; i++ {
			if err := validator.Pool().Add(signedTransfer(t, validator, nonce, to, 1)); err != nil {
				t.Fatal(err)
			}
			nonce++
			want++
		}
		tn.waitBalance(to, want, 0, 1)
	}
	tn.waitHeight(tn.head(0), 1)
	tn.checkAgreement()

	if got := validator.engine.(*bftEngine).prebuiltUsed.Load(); got == 0 {
		t.Fatalf("no proposal of %d blocks was prebuilt", tn.head(0))
	}
	if got := follower.engine.(*bftEngine).prebuiltUsed.Load(); got != 0 {
		t.Fatalf("a follower used %d prebuilt proposals", got)
	}
	acc, err := follower.Chain().Account(chain.DevnetAccounts[0])
	if err != nil {
		t.Fatal(err)
	}
	if acc.Nonce != nonce {
		t.Fatalf("sender nonce on the follower %d, want %d", acc.Nonce, nonce)
	}
}
