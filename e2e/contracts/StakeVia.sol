// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IStaking} from "cairn/IStaking.sol";

/// StakeVia delegates its own balance through Cairn's staking contract, the
/// way a Solidity contract reaches it: a call through the IStaking interface
/// (which checks that the callee has code before a call with no return value).
contract StakeVia {
    IStaking public constant STAKING = IStaking(0x0000000000000000000000000000005374616b65);

    function stake(address validator) external payable {
        STAKING.delegate{value: msg.value}(validator);
    }

    function staked(address validator) external view returns (uint256 amount) {
        (amount,) = STAKING.delegation(address(this), validator);
    }
}
