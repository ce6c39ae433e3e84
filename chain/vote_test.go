package chain

import (
	"crypto/ed25519"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func TestCommitVerify(t *testing.T) {
	chainID := big.NewInt(7777)
	var keys []ed25519.PrivateKey
	var vals []*Validator
	for i := 0; i < 4; i++ {
		seed := make([]byte, 32)
		seed[0] = byte(i + 1)
		k := ed25519.NewKeyFromSeed(seed)
		keys = append(keys, k)
		pub := k.Public().(ed25519.PublicKey)
		vals = append(vals, &Validator{Address: ConsensusAddress(pub), PubKey: pub, Power: 10})
	}
	set := NewValidatorSet(vals)
	hash := common.HexToHash("0xabc")
	sign := func(n int) *Commit {
		c := &Commit{Height: 3, Round: 1, BlockHash: hash}
		for i := 0; i < n; i++ {
			v := &Vote{Type: Precommit, Height: 3, Round: 1, BlockHash: hash, Validator: ConsensusAddress(keys[i].Public().(ed25519.PublicKey))}
			v.Sign(chainID, keys[i])
			c.Signatures = append(c.Signatures, CommitSig{Validator: v.Validator, Signature: v.Signature})
		}
		return c
	}
	if err := sign(3).Verify(chainID, set, 3, hash); err != nil {
		t.Fatalf("3 of 4 equal validators: %v", err)
	}
	if err := sign(2).Verify(chainID, set, 3, hash); err == nil {
		t.Fatal("2 of 4 accepted as a quorum")
	}
	c := sign(3)
	c.Signatures[1].Signature[0] ^= 1
	if err := c.Verify(chainID, set, 3, hash); err == nil {
		t.Fatal("bad signature accepted")
	}
	c = sign(3)
	c.Signatures[2] = c.Signatures[0]
	if err := c.Verify(chainID, set, 3, hash); err == nil {
		t.Fatal("duplicate signer accepted")
	}
	if err := sign(3).Verify(big.NewInt(1), set, 3, hash); err == nil {
		t.Fatal("signatures for another chain accepted")
	}
	if err := sign(4).Verify(chainID, set, 4, hash); err == nil {
		t.Fatal("commit for another height accepted")
	}
}

func TestPickIsStakeWeighted(t *testing.T) {
	set := NewValidatorSet([]*Validator{
		{Address: common.HexToAddress("0x01"), Power: 1},
		{Address: common.HexToAddress("0x02"), Power: 3},
	})
	counts := map[common.Address]int{}
	for r := uint64(0); r < 400; r++ {
		counts[set.Pick(r).Address]++
	}
	if counts[common.HexToAddress("0x01")] != 100 || counts[common.HexToAddress("0x02")] != 300 {
		t.Fatalf("picks %v, want 100/300", counts)
	}
}
