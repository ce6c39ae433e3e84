package ethrpc

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// maxProofKeys caps the storage keys of one eth_getProof.
const maxProofKeys = 1024

// accountProof is eth_getProof's answer (EIP-1186).
type accountProof struct {
	Address      common.Address `json:"address"`
	AccountProof []string       `json:"accountProof"`
	Balance      *hexutil.Big   `json:"balance"`
	CodeHash     common.Hash    `json:"codeHash"`
	Nonce        hexutil.Uint64 `json:"nonce"`
	StorageHash  common.Hash    `json:"storageHash"`
	StorageProof []storageProof `json:"storageProof"`
}

// storageProof proves one storage slot against the account's storage root.
type storageProof struct {
	Key   string       `json:"key"`
	Value *hexutil.Big `json:"value"`
	Proof []string     `json:"proof"`
}

// proofList collects the trie nodes of a proof, root first, as hex.
type proofList []string

// Put adds a node.
func (l *proofList) Put(_ []byte, value []byte) error {
	*l = append(*l, hexutil.Encode(value))
	return nil
}

// Delete is never called by a proof.
func (l *proofList) Delete([]byte) error { return nil }

// GetProof is eth_getProof: the account and the given storage slots with
// Merkle proofs against the state root of the block named (Cairn's state
// is Ethereum's state trie, so the proofs verify as Ethereum's do).
func (api *ethAPI) GetProof(addr common.Address, keys []string, p rpc.BlockNumberOrHash) (*accountProof, error) {
	if len(keys) > maxProofKeys {
		return nil, limitExceeded("%d storage keys, at most %d", len(keys), maxProofKeys)
	}
	slots := make([]common.Hash, len(keys))
	for i, k := range keys {
		var err error
		if slots[i], err = decodeSlot(k); err != nil {
			return nil, invalidParams("storage key %q: %v", k, err)
		}
	}
	blk, err := api.b.stateBlock(p)
	if err != nil {
		return nil, err
	}
	st, err := api.b.chain.StateAt(blk.Header)
	if err != nil {
		return nil, internal("open state", err)
	}
	out := &accountProof{
		Address: addr, Balance: (*hexutil.Big)(st.GetBalance(addr).ToBig()), CodeHash: st.GetCodeHash(addr),
		Nonce: hexutil.Uint64(st.GetNonce(addr)), StorageHash: st.GetStorageRoot(addr),
	}
	if out.CodeHash == (common.Hash{}) {
		out.CodeHash = types.EmptyCodeHash
	}
	if out.StorageHash == (common.Hash{}) {
		out.StorageHash = types.EmptyRootHash
	}
	if out.StorageProof, err = storageProofs(st, blk.Header.StateRoot, addr, out.StorageHash, slots); err != nil {
		return nil, err
	}
	tr, err := st.Database().OpenTrie(blk.Header.StateRoot)
	if err != nil {
		return nil, internal("open account trie", err)
	}
	if err := tr.Prove(crypto.Keccak256(addr.Bytes()), (*proofList)(&out.AccountProof)); err != nil {
		return nil, internal("prove account", err)
	}
	if out.AccountProof == nil {
		out.AccountProof = []string{}
	}
	return out, stateErr(st)
}

// storageProofs proves each slot in the storage trie with root storageRoot.
func storageProofs(st *state.StateDB, stateRoot common.Hash, addr common.Address, storageRoot common.Hash, slots []common.Hash) ([]storageProof, error) {
	out := make([]storageProof, len(slots))
	var tr state.Trie
	if storageRoot != types.EmptyRootHash {
		var err error
		if tr, err = st.Database().OpenStorageTrie(stateRoot, addr, storageRoot, nil); err != nil {
			return nil, internal("open storage trie", err)
		}
	}
	for i, slot := range slots {
		v := st.GetState(addr, slot)
		out[i] = storageProof{Key: hexutil.Encode(slot[:]), Value: (*hexutil.Big)(v.Big()), Proof: []string{}}
		if tr == nil {
			continue
		}
		if err := tr.Prove(crypto.Keccak256(slot[:]), (*proofList)(&out[i].Proof)); err != nil {
			return nil, internal("prove storage slot", err)
		}
	}
	return out, nil
}
