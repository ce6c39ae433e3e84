// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A value below the minimum.
error TooLow(uint256 got, uint256 want);

/// Guard refuses values below its minimum with the custom error TooLow, from
/// a view (eth_call) and from a state-changing method (eth_estimateGas).
contract Guard {
    uint256 public constant MIN = 10;
    uint256 public value;

    event Set(address indexed by, uint256 value);

    function check(uint256 x) external pure returns (uint256) {
        if (x < MIN) revert TooLow(x, MIN);
        return x;
    }

    function set(uint256 x) external {
        if (x < MIN) revert TooLow(x, MIN);
        value = x;
        emit Set(msg.sender, x);
    }
}
