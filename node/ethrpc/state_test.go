package ethrpc

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
)

func TestBalanceNonceCodeStorageAtEachBlock(t *testing.T) {
	f := newFixture(t)
	before := f.object("eth_getBlockByNumber", "latest", false)["hash"].(string)
	startBal := f.chain.Genesis().Alloc[addr1].Balance.Int()
	f.send(f.legacyTx(key0, 0, addr1, big.NewInt(12345)))
	f.produce()
	var bal hexutil.Big
	for _, tc := range []struct {
		block any
		want  *big.Int
	}{
		{"earliest", startBal}, {"0x0", startBal}, {map[string]any{"blockHash": before}, startBal},
		{"latest", new(big.Int).Add(startBal, big.NewInt(12345))}, {"pending", new(big.Int).Add(startBal, big.NewInt(12345))},
		{map[string]any{"blockNumber": "0x1"}, new(big.Int).Add(startBal, big.NewInt(12345))},
	} {
		if err := f.call(&bal, "eth_getBalance", addr1, tc.block); err != nil || bal.ToInt().Cmp(tc.want) != 0 {
			t.Errorf("balance at %v = %v (%v), want %v", tc.block, bal.ToInt(), err, tc.want)
		}
	}
	// The block parameter is optional in eth_call only; here a future
	// block or an unknown hash is an error.
	msg, _ := wantCode(t, f.call(&bal, "eth_getBalance", addr1, "0x5"), codeServer)
	if msg != "header not found" {
		t.Errorf("future block: %q", msg)
	}
	wantCode(t, f.call(&bal, "eth_getBalance", addr1, common.Hash{7}), codeServer)
	wantCode(t, f.call(&bal, "eth_getBalance", addr1, map[string]any{"blockHash": common.Hash{7}, "requireCanonical": true}), codeServer)

	var nonce hexutil.Uint64
	f.send(f.legacyTx(key0, 1, addr1, big.NewInt(1)))
	f.send(f.legacyTx(key0, 2, addr1, big.NewInt(1)))
	for block, want := range map[string]uint64{"earliest": 0, "latest": 1, "pending": 3} {
		if err := f.call(&nonce, "eth_getTransactionCount", addr0, block); err != nil || uint64(nonce) != want {
			t.Errorf("nonce at %s = %d (%v), want %d", block, nonce, err, want)
		}
	}
	var code hexutil.Bytes
	if err := f.call(&code, "eth_getCode", slotReaderAddr, "latest"); err != nil || string(code) != string(slotReaderCode) {
		t.Errorf("code = %x (%v)", code, err)
	}
	if got := string(f.raw("eth_getCode", addr0, "latest")); got != `"0x"` {
		t.Errorf("code of an account without code = %s", got)
	}
	var word hexutil.Bytes
	for slot, want := range map[string]common.Hash{"0x1": slot1Value, "0x0000000000000000000000000000000000000000000000000000000000000002": slot2Value, "0x3": {}} {
		if err := f.call(&word, "eth_getStorageAt", slotReaderAddr, slot, "latest"); err != nil || common.BytesToHash(word) != want || len(word) != 32 {
			t.Errorf("slot %s = %x (%v), want %x", slot, word, err, want)
		}
	}
	wantCode(t, f.call(&word, "eth_getStorageAt", slotReaderAddr, "0x1"+strings.Repeat("0", 64), "latest"), codeInvalidParams)
}

func TestGetProofVerifiesAgainstTheStateRoot(t *testing.T) {
	f := newFixture(t)
	f.produce()
	blk := f.chain.Head()
	raw := f.raw("eth_getProof", slotReaderAddr, []string{"0x1", "0x2", "0x9"}, "latest")
	var obj map[string]any
	json.Unmarshal(raw, &obj)
	checkSchema(t, "account proof", obj, accountProofSchema)
	for _, sp := range obj["storageProof"].([]any) {
		checkSchema(t, "storage proof", sp.(map[string]any), storageProofSchema)
	}
	var p accountProof
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	acct := verifyProof(t, blk.Header.StateRoot, crypto.Keccak256(slotReaderAddr.Bytes()), p.AccountProof)
	var st types.StateAccount
	if err := rlp.DecodeBytes(acct, &st); err != nil {
		t.Fatalf("account leaf: %v", err)
	}
	if st.Root != p.StorageHash || common.BytesToHash(st.CodeHash) != p.CodeHash || st.Nonce != uint64(p.Nonce) {
		t.Errorf("proved account %+v, answer %+v", st, p)
	}
	if p.CodeHash != crypto.Keccak256Hash(slotReaderCode) {
		t.Errorf("code hash %s", p.CodeHash)
	}
	for i, want := range []common.Hash{slot1Value, slot2Value, {}} {
		sp := p.StorageProof[i]
		if common.BigToHash(sp.Value.ToInt()) != want {
			t.Errorf("slot %d value %v, want %x", i, sp.Value, want)
		}
		leaf := verifyProof(t, p.StorageHash, crypto.Keccak256(common.HexToHash(sp.Key).Bytes()), sp.Proof)
		if want == (common.Hash{}) {
			if leaf != nil {
				t.Errorf("slot %d: proof of absence holds a value %x", i, leaf)
			}
			continue
		}
		var v []byte
		rlp.DecodeBytes(leaf, &v)
		if common.BytesToHash(v) != want {
			t.Errorf("slot %d: proved %x, want %x", i, v, want)
		}
	}
	// An account with no storage and no code: empty storage proofs.
	var empty accountProof
	if err := f.call(&empty, "eth_getProof", addr1, []string{"0x1"}, "latest"); err != nil {
		t.Fatal(err)
	}
	if empty.StorageHash != types.EmptyRootHash || empty.CodeHash != types.EmptyCodeHash || len(empty.StorageProof[0].Proof) != 0 {
		t.Errorf("account without storage: %+v", empty)
	}
	verifyProof(t, blk.Header.StateRoot, crypto.Keccak256(addr1.Bytes()), empty.AccountProof)
	wantCode(t, f.call(nil, "eth_getProof", addr1, []string{"0xzz"}, "latest"), codeInvalidParams)
	wantCode(t, f.call(nil, "eth_getProof", addr1, []string{}, "0x99"), codeServer)
}

// verifyProof checks an EIP-1186 proof (hex nodes, root first) of key
// against root and returns the proved value (nil: proof of absence).
func verifyProof(t *testing.T, root common.Hash, key []byte, proof []string) []byte {
	t.Helper()
	db := rawdb.NewMemoryDatabase()
	for _, n := range proof {
		node := common.FromHex(n)
		db.Put(crypto.Keccak256(node), node)
	}
	v, err := trie.VerifyProof(root, key, db)
	if err != nil {
		t.Fatalf("proof does not verify against %s: %v", root, err)
	}
	return v
}
