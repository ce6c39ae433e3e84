// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// The interface of Token: a second contract in the same source, so the
/// multi-contract outputs need a --contract name.
interface IToken {
    function transfer(address to, uint256 amount) external returns (bool);
}

/// A minimal ERC-20-like token for Cairn's contract tests.
contract Token is IToken {
    struct Point {
        uint256 x;
        int256 y;
    }

    string public name;
    uint256 public totalSupply;
    address public owner;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Renamed(string indexed oldName, string newName);

    error TooLow(uint256 got, uint256 want);
    error NotOwner(address caller);

    constructor(uint256 supply) {
        owner = msg.sender;
        name = "Token";
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function symbol() external pure returns (string memory) {
        return "TKN";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 have = balanceOf[msg.sender];
        if (have < amount) revert TooLow(have, amount);
        balanceOf[msg.sender] = have - amount;
        balanceOf[to] += amount;
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function rename(string calldata newName) external {
        require(bytes(newName).length > 0, "empty name");
        emit Renamed(name, newName);
        name = newName;
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function sum(uint256[] calldata xs) external pure returns (uint256 total) {
        for (uint256 i = 0; i < xs.length; i++) total += xs[i];
    }

    function flip(Point calldata p) external pure returns (Point memory) {
        return Point(uint256(-p.y), int256(p.x));
    }

    function echo(bytes32 tag, bool ok, int8 small) external pure returns (bytes32, bool, int8) {
        return (tag, ok, small);
    }

    function transfer(address to, uint256 amount, bytes calldata memo) external returns (bool) {
        memo;
        return this.transfer(to, amount);
    }
}
