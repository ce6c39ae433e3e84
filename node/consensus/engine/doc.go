// Package engine is Cairn's BFT consensus core: Tendermint's algorithm
// (Buchman, Kwon, Milosevic 2018, "The latest gossip on BFT consensus",
// Algorithm 1) as a deterministic state machine in the style of etcd's raft.
//
// The Engine holds no goroutines, clocks, locks or IO. A driver feeds it
// inputs and carries out its outputs:
//
//   - Step(msg) for a proposal, vote, commit certificate or POL received
//     from the network. The engine checks signatures itself (through the
//     Verifier in its Config) against the validator set of the height it is
//     in; Step returns an error for a message that is malformed, badly
//     signed, from a non-validator or from a proposer not chosen for its
//     round, which the driver may use to score the peer. Duplicates,
//     messages of finalized heights and conflicting votes (which become
//     evidence) are not errors.
//   - Timeout(ev) when a timer the engine asked for fires.
//   - ProposalValid(height, hash, ok) once the driver has fully validated
//     (executed) a block the engine asked about in Ready.Validate.
//   - NewHeight(params) after the driver has applied a finalized block: the
//     next height's validator set and the beacon (beta) of that block. The
//     driver may delay this call to pace block times.
//
// After any input the driver calls Ready and handles it in this order:
// append Ready.Persist (this validator's own signed messages) to its WAL,
// then send Ready.Messages, arm Ready.Timers, validate Ready.Validate,
// apply Ready.Commits (idempotently: a restored engine may repeat the last
// one), serve Ready.Behind with stored blocks and commits, keep
// Ready.Evidence for the next block, log Ready.Errors; call Advance; then
// log and Step each message of Ready.Requeue.
//
// Signing goes through the Signer in the Config, so the engine never holds a
// key. SignGuard is the Signer to use: it refuses to sign anything earlier
// than or conflicting with what it signed before, gives back the stored
// signature for a repeated request, and stores its state through a Store
// before a signature leaves it. A refused signature is reported in
// Ready.Errors and the engine goes on as if the message were lost.
//
// A restarted validator rebuilds its engine with Restore from the WAL: the
// Start of its height, every input given since (logged before it was
// given) and its own signed messages. Replaying them asks to sign the same
// messages again, which are answered from the WAL or the guard, so nothing
// is signed twice and the validator continues the round it was in. For the
// replay to match, a ProposalSource returns the same block when asked again
// for the same height and round.
//
// Deviations from Algorithm 1, all for liveness over a network that loses
// messages (the paper assumes gossip delivers every message eventually):
//
//   - Re-sending: when a round lasts longer than Config.ResendInterval the
//     engine re-sends its own messages of the current and previous round
//     and a POL of its valid value. Validators that are still at a
//     finalized height are reported in Ready.Behind, so the driver sends
//     them the commits they missed; a commit counts as its precommits.
//   - A re-proposal carries its POL prevotes, and certificates (commits,
//     POLs) are checked and counted as a whole, so no validator can be made
//     deaf to them.
//   - A POL of an earlier round than the current one but later than the
//     valid round also updates the valid value (the paper does this for the
//     current round only). Safety rests on locks, which this leaves alone.
//   - A decision needs more than 2/3 precommits and the driver's verdict
//     that the block is valid, not the proposal message itself.
//   - The proposer arms the propose timer too, so a proposer whose block
//     cannot be built or signed still moves on.
//
// Proposers are picked by consensus.ProposerFor: stake-weighted, with the
// previous block's VRF beacon and the round as the random number.
package engine
