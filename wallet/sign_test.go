package wallet

import (
	"encoding/hex"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

var oneEther = big.NewInt(params.Ether)

func gwei(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.GWei)) }

// viem's published signature of "hello world" by the Hardhat/Anvil account 0
// (viem src/accounts/mnemonicToAccount.test.ts and the signMessage docs).
const helloWorldSig = "a461f509887bd19e312c0c58467ce8ff8e300d3c1a90b608a760c5b80318eaf15fe57c96f9175d6cd4daad4663763baa7e78836e067d0163e9a2ccf2ff753f5b1b"

func TestSignMessageKnownVector(t *testing.T) {
	w := newTestWallet(t)
	sig, err := w.SignMessage(devAddresses[0], []byte("hello world"))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sig); got != helloWorldSig {
		t.Fatalf("signature %s, want %s", got, helloWorldSig)
	}
}

func TestSignMessageRecovers(t *testing.T) {
	w := newTestWallet(t)
	a1, _ := w.Derive("")
	for _, msg := range [][]byte{nil, []byte("x"), []byte("a longer message with\nnewlines"), make([]byte, 1000)} {
		sig, err := w.SignMessage(a1.Address, msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != 65 || (sig[64] != 27 && sig[64] != 28) {
			t.Fatalf("signature %x: want 65 bytes with v 27/28", sig)
		}
		got, err := RecoverMessageSigner(msg, sig)
		if err != nil || got != a1.Address {
			t.Fatalf("recovered %s, %v; want %s", got.Hex(), err, a1.Address.Hex())
		}
		// v as 0/1 is accepted too.
		low := append([]byte(nil), sig...)
		low[64] -= 27
		if got, err := RecoverMessageSigner(msg, low); err != nil || got != a1.Address {
			t.Fatalf("v 0/1: recovered %s, %v", got.Hex(), err)
		}
		other, err := RecoverMessageSigner(append(msg, '!'), sig)
		if err == nil && other == a1.Address {
			t.Fatal("signature verified for a different message")
		}
	}
	sig, _ := w.SignMessage(a1.Address, []byte("m"))
	if _, err := RecoverMessageSigner([]byte("m"), sig[:64]); err == nil {
		t.Fatal("64-byte signature accepted")
	}
	bad := append([]byte(nil), sig...)
	bad[64] = 30
	if _, err := RecoverMessageSigner([]byte("m"), bad); err == nil {
		t.Fatal("v=30 accepted")
	}
}

// viem's published EIP-1559 signature by the dev account 0 (chain 1, 1 ether
// to dev account 1, max fee 20 gwei, tip 0, gas 21000, nonce 0).
const viem1559Tx = "02f86f0180808504a817c8008252089470997970c51812dc3a010c7d01b50e0d17dc79c8880de0b6b3a764000080c001a0f40a2d2ae9638056cafbe9083c7125edc8555e0e715db0984dd859a5c6dfac57a020f36fd0b32bef4d6d75c62f220e59c5fb60c244ca3b361e750985ee5c3a0931"

func TestSignTxEIP1559KnownVector(t *testing.T) {
	w := newTestWallet(t)
	to := devAddresses[1]
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(1), Nonce: 0, GasTipCap: big.NewInt(0), GasFeeCap: gwei(20),
		Gas: 21000, To: &to, Value: oneEther,
	})
	signed, err := w.SignTx(devAddresses[0], tx, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(raw); got != viem1559Tx {
		t.Fatalf("signed tx %s, want %s", got, viem1559Tx)
	}
}

// The example of EIP-155 itself: key 0x4646…46, nonce 9, 20 gwei, 21000
// gas, 1 ether to 0x3535…35, chain 1.
const eip155Example = "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"

func TestSignTxLegacyEIP155KnownVector(t *testing.T) {
	w := newTestWallet(t)
	key, _ := crypto.HexToECDSA("4646464646464646464646464646464646464646464646464646464646464646")
	acc, err := w.ImportKey(key, "eip155")
	if err != nil {
		t.Fatal(err)
	}
	to := common.HexToAddress("0x3535353535353535353535353535353535353535")
	tx := types.NewTx(&types.LegacyTx{Nonce: 9, GasPrice: gwei(20), Gas: 21000, To: &to, Value: oneEther})
	signed, err := w.SignTx(acc.Address, tx, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := signed.MarshalBinary()
	if got := hex.EncodeToString(raw); got != eip155Example {
		t.Fatalf("signed tx %s, want %s", got, eip155Example)
	}
	if !signed.Protected() {
		t.Fatal("legacy tx not replay protected")
	}
}

func TestSignTxCairnChain(t *testing.T) {
	w := newTestWallet(t)
	chain := big.NewInt(7777)
	to := devAddresses[2]
	txs := map[string]*types.Transaction{
		"legacy": types.NewTx(&types.LegacyTx{Nonce: 1, GasPrice: gwei(1), Gas: 21000, To: &to, Value: big.NewInt(5)}),
		"access list": types.NewTx(&types.AccessListTx{ChainID: chain, Nonce: 2, GasPrice: gwei(1), Gas: 30000, To: &to,
			AccessList: types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}}}}}),
		"dynamic fee": types.NewTx(&types.DynamicFeeTx{ChainID: chain, Nonce: 3, GasTipCap: gwei(1), GasFeeCap: gwei(2),
			Gas: 21000, To: &to, Data: []byte{1, 2, 3}}),
	}
	for name, tx := range txs {
		signed, err := w.SignTx(devAddresses[0], tx, chain)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		from, err := types.Sender(types.LatestSignerForChainID(chain), signed)
		if err != nil || from != devAddresses[0] {
			t.Fatalf("%s: sender %s, %v", name, from.Hex(), err)
		}
		if signed.ChainId().Cmp(chain) != 0 || signed.Hash() == tx.Hash() {
			t.Fatalf("%s: chain %v", name, signed.ChainId())
		}
		// Not valid on another chain.
		if from, err := types.Sender(types.LatestSignerForChainID(big.NewInt(1)), signed); err == nil && from == devAddresses[0] {
			t.Fatalf("%s: signature valid on chain 1", name)
		}
	}
}

func TestSignTxRefusals(t *testing.T) {
	w := newTestWallet(t)
	to := devAddresses[1]
	tx1 := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), GasFeeCap: gwei(1), GasTipCap: gwei(1), Gas: 21000, To: &to})
	if _, err := w.SignTx(devAddresses[0], tx1, big.NewInt(7777)); err == nil {
		t.Fatal("typed tx for chain 1 signed for chain 7777")
	}
	legacy := types.NewTx(&types.LegacyTx{Gas: 21000, GasPrice: gwei(1), To: &to})
	if _, err := w.SignTx(devAddresses[0], legacy, nil); err == nil {
		t.Fatal("nil chain ID accepted (would give an unprotected tx)")
	}
	if _, err := w.SignTx(devAddresses[0], legacy, big.NewInt(0)); err == nil {
		t.Fatal("zero chain ID accepted")
	}
	if _, err := w.SignTx(devAddresses[0], nil, big.NewInt(1)); err == nil {
		t.Fatal("nil tx accepted")
	}
	if _, err := w.SignTx(devAddresses[5], legacy, big.NewInt(1)); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("unknown account: %v", err)
	}
	if _, err := w.SignMessage(devAddresses[5], []byte("x")); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("unknown account: %v", err)
	}
	w.Lock()
	if _, err := w.SignTx(devAddresses[0], legacy, big.NewInt(1)); !errors.Is(err, ErrLocked) {
		t.Fatalf("SignTx while locked: %v", err)
	}
	if _, err := w.SignMessage(devAddresses[0], []byte("x")); !errors.Is(err, ErrLocked) {
		t.Fatalf("SignMessage while locked: %v", err)
	}
}
