// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Cairn's staking contract
/// @notice Native code at 0x0000000000000000000000000000005374616b65 ("Stake"),
/// reached with ordinary transactions and calls. Amounts are in wei (1 CRN =
/// 1e18 wei); times are unix milliseconds of block time. A refused call
/// reverts with a reason.
interface IStaking {
    /// Validator status as views report it.
    /// 0 inactive (registered, not in the active set), 1 active,
    /// 2 jailed, 3 tombstoned (double-signed; never returns).
    struct ValidatorInfo {
        address operator;
        bytes32 consensusKey;
        uint16 commissionBps;
        string moniker;
        uint256 tokens;
        uint256 selfStake;
        uint8 status;
        uint64 power;
        uint64 jailedUntil;
        uint64 missedBlocks;
        uint64 windowBlocks;
    }

    struct DelegationInfo {
        address validator;
        uint256 amount;
        uint256 shares;
        uint256 pendingRewards;
    }

    /// kind 1 is an unbonding (paid by withdraw() after completionTime),
    /// kind 2 a redelegation (stake that moved and stays slashable for the
    /// source validator's earlier faults until completionTime).
    struct Unbonding {
        uint8 kind;
        address validator;
        address destination;
        uint256 amount;
        uint64 completionTime;
        uint64 height;
    }

    event ValidatorCreated(address indexed operator, bytes32 consensusKey, uint16 commissionBps, string moniker);
    event ValidatorEdited(address indexed operator, uint16 commissionBps, string moniker);
    event Delegated(address indexed delegator, address indexed validator, uint256 amount, uint256 shares);
    event Undelegated(address indexed delegator, address indexed validator, uint256 amount, uint64 completionTime);
    event Redelegated(address indexed delegator, address indexed from, address indexed to, uint256 amount);
    event Withdrawn(address indexed delegator, uint256 amount);
    event RewardsClaimed(address indexed delegator, address indexed validator, uint256 amount);
    event Unjailed(address indexed operator);

    /// Registers the sender as a validator and bonds msg.value as its
    /// self-stake. keySignature is the ed25519 signature by the consensus
    /// key over "cairn/validator-key" || uint64 chain ID (big-endian) ||
    /// sender address: only the key's holder can register it.
    function createValidator(bytes32 consensusKey, bytes calldata keySignature, uint16 commissionBps, string calldata moniker)
        external
        payable;

    function editValidator(uint16 commissionBps, string calldata moniker) external;

    function delegate(address validator) external payable;

    /// Starts unbonding amount; withdraw() pays it once the unbonding period ends.
    function undelegate(address validator, uint256 amount) external;

    function redelegate(address from, address to, uint256 amount) external;

    /// Pays every finished unbonding of the sender.
    function withdraw() external;

    /// Pays the sender's rewards from validator (and, for its operator, the commission).
    function claimRewards(address validator) external;

    function unjail() external;

    function validators() external view returns (ValidatorInfo[] memory);

    function validator(address operator) external view returns (ValidatorInfo memory);

    function delegation(address delegator, address validator) external view returns (uint256 amount, uint256 shares);

    function delegations(address delegator) external view returns (DelegationInfo[] memory);

    function pendingRewards(address delegator, address validator) external view returns (uint256);

    function unbondings(address delegator) external view returns (Unbonding[] memory);
}
