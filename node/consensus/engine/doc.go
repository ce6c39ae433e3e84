// Package engine is Cairn's BFT consensus core: Tendermint's algorithm
// (Buchman, Kwon, Milosevic 2018, "The latest gossip on BFT consensus",
// Algorithm 1) as a deterministic state machine in the style of etcd's raft.
//
// The Engine holds no goroutines, clocks, locks or IO. A driver feeds it
// inputs and carries out its outputs:
//
//   - Step(msg) for a proposal, vote or commit certificate received from the
//     network. The engine checks signatures itself (through the Verifier in
//     its Config) against the validator set of the height it is in, so the
//     driver need not; Step returns an error for a message that is malformed,
//     badly signed or from a non-validator, which the driver may use to
//     score the peer.
//   - Timeout(ev) when a timer the engine asked for fires.
//   - ProposalValid(height, hash, ok) once the driver has fully validated
//     (executed) a block the engine asked about in Ready.Validate.
//   - NewHeight(params) after the driver has applied a committed block: the
//     next height's validator set and the beacon (beta) of the block just
//     committed. The driver may delay this call to pace block times.
//
// After any input the driver calls Ready, and handles it in this order:
// append Ready.Persist (this validator's own signed messages) to its WAL,
// then send Ready.Messages, arm Ready.Timers, validate Ready.Validate,
// apply Ready.Commits (idempotently: a restored engine may repeat the last
// one), serve Ready.Behind with stored blocks and commits, keep
// Ready.Evidence for the next block, log Ready.Errors; then Advance.
//
// Signing goes through the Signer in the Config, so the engine never holds a
// key. SignGuard is the Signer to use: it refuses to sign anything that
// conflicts with what it signed before and stores its last-signed state
// through a Store before a signature leaves it.
//
// A restarted validator rebuilds its engine with Restore from the WAL: every
// input it was given since the last NewHeight (logged before it was given)
// plus its own signed messages (Ready.Persist). The replay reproduces the
// same sign requests, which are answered from the logged messages, so
// nothing is signed twice and the validator continues the round it was in.
//
// Liveness needs every message to reach every correct validator eventually.
// Gossip without retransmission does not promise that, so the engine re-sends
// its own messages of the current and previous round when a round lasts
// longer than Config.ResendInterval, and it reports in Ready.Behind the
// validators that still send messages for heights it has finalized, so the
// driver can send them the commits they missed.
package engine
