// Package snapshot serves, verifies and rebuilds a snapshot of the world
// state at one state root, so that a new node can start from a recent
// finalized block instead of replaying the chain from genesis.
//
// A snapshot is the leaves of the state's Merkle-Patricia tries (hash
// scheme): the account trie, keyed by keccak(address), the storage trie of
// every account with storage, keyed by keccak(slot), and the code of every
// contract, keyed by its code hash. It is carried in chunks of three kinds
// (Kind), each the answer to a Request:
//
//   - accounts: the accounts of the account trie from an origin hash up to
//     a limit (or a size bound), as (account hash, slim account RLP)
//     entries in key order, with the proof of the origin and of the last
//     key against the state root;
//   - storage: the slots of one account's storage trie in the same form,
//     proven against the account's storage root; a big storage trie takes
//     several chunks;
//   - code: contract code by code hash.
//
// Requests and chunks are RLP (EncodeRequest, DecodeChunk, ...); decoders
// refuse oversized input before parsing it (MaxChunkBytes) and bound every
// part, since a peer may be hostile.
//
// Nothing a peer sends is trusted. VerifyAccountRange and
// VerifyStorageRange rebuild the edge of the trie from the proof and the
// entries (go-ethereum's trie.VerifyRangeProof) and accept the chunk only
// if it hashes to the expected root: a forged, missing, reordered or extra
// entry, an entry outside the asked range, a bad proof, or a chunk that
// ends early while the trie goes on (the proof shows whether entries
// follow the last one) all fail with an error wrapping ErrInvalidChunk.
// VerifyCode checks code by its keccak hash.
//
// A Plan drives a download: it splits the account hash space into
// intervals fetched in parallel (each chunk by chunk), adds a storage task
// for every distinct storage root and a code task for every code hash as
// accounts arrive, hands tasks out to any number of peers, and writes what
// each verified chunk proves, as trie nodes rebuilt with go-ethereum's
// stack trie, into a key-value store in the layout of the node's state
// database. A refused chunk is handed out again, to be asked of another
// peer. Plan.Finish checks that the rebuilt account trie has the expected
// root (every storage trie was checked against its account's storage root
// as it completed); only then may the state be opened.
//
// Everything is verified against one state root, and a snapshot is only
// as trustworthy as that root. A node must take it from the header of a
// block whose commit it verified itself (signatures of more than 2/3 of
// the validator power of a set it trusts), never from the peer serving the
// snapshot: a peer could serve a complete, self-consistent snapshot of a
// state it made up, and every proof would check against its made-up root.
//
// A Server answers requests from the stored tries of a node (NewKVServer
// over the state's key-value store, or NewServer over a trie database and
// a code store). The package does no networking: the node carries
// requests and chunks over its peer protocol.
package snapshot
