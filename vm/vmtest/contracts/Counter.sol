// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Counter is the small contract Cairn's tests deploy and call.
contract Counter {
    uint256 public count;
    event Incremented(address indexed by, uint256 newCount);

    function increment() external {
        count += 1;
        emit Incremented(msg.sender, count);
    }

    function add(uint256 n) external {
        require(n > 0, "n must be positive");
        count += n;
        emit Incremented(msg.sender, count);
    }
}

// Spinner never stops: a call to spin ends only by running out of gas or
// by the caller's time bound.
contract Spinner {
    function spin() external pure returns (uint256 i) {
        while (true) {
            unchecked { i++; }
        }
    }
}
