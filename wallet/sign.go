package wallet

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// SignTx signs tx with account addr for chainID using go-ethereum's latest
// signer for that chain: legacy transactions get EIP-155 replay protection,
// and EIP-2930, EIP-1559 (and later typed) transactions are signed as their
// type requires. A typed transaction whose own chain ID differs from
// chainID is refused. Needs the wallet unlocked.
func (w *Wallet) SignTx(addr common.Address, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	if tx == nil {
		return nil, errors.New("sign tx: no transaction")
	}
	if chainID == nil || chainID.Sign() <= 0 {
		return nil, errors.New("sign tx: a positive chain ID is required")
	}
	if tx.Type() != types.LegacyTxType && tx.ChainId().Cmp(chainID) != 0 {
		return nil, fmt.Errorf("sign tx: transaction is for chain %v, signing for %v", tx.ChainId(), chainID)
	}
	w.mu.Lock()
	key, err := w.privateKey(addr)
	w.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("sign tx: %w", err)
	}
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(chainID), key)
	if err != nil {
		return nil, fmt.Errorf("sign tx: %w", err)
	}
	return signed, nil
}

// SignMessage signs msg as Ethereum's personal_sign / eth_sign does
// (EIP-191 version 0x45: keccak256("\x19Ethereum Signed Message:\n" +
// len(msg) + msg)) and returns the 65-byte signature r || s || v with v 27
// or 28, the form MetaMask, ethers and `cast wallet sign` produce. Needs the
// wallet unlocked.
func (w *Wallet) SignMessage(addr common.Address, msg []byte) ([]byte, error) {
	w.mu.Lock()
	key, err := w.privateKey(addr)
	w.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("sign message: %w", err)
	}
	sig, err := crypto.Sign(accounts.TextHash(msg), key)
	if err != nil {
		return nil, fmt.Errorf("sign message: %w", err)
	}
	sig[crypto.RecoveryIDOffset] += 27
	return sig, nil
}

// RecoverMessageSigner returns the address that produced an EIP-191
// personal_sign signature of msg. It accepts v as 27/28 or 0/1.
func RecoverMessageSigner(msg, sig []byte) (common.Address, error) {
	if len(sig) != crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("recover signer: signature is %d bytes, want %d", len(sig), crypto.SignatureLength)
	}
	s := append([]byte(nil), sig...)
	if s[crypto.RecoveryIDOffset] >= 27 {
		s[crypto.RecoveryIDOffset] -= 27
	}
	if s[crypto.RecoveryIDOffset] > 1 {
		return common.Address{}, fmt.Errorf("recover signer: bad v %d", sig[crypto.RecoveryIDOffset])
	}
	pub, err := crypto.SigToPub(accounts.TextHash(msg), s)
	if err != nil {
		return common.Address{}, fmt.Errorf("recover signer: %w", err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}
