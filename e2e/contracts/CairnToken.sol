// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// An OpenZeppelin ERC-20 that mints its whole supply to the deployer.
contract CairnToken is ERC20 {
    constructor(uint256 supply) ERC20("Cairn Test Token", "CTT") {
        _mint(msg.sender, supply);
    }
}
