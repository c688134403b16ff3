// SPDX-License-Identifier: MIT
// TEST-ONLY stand-in for GoodID: `getWhitelistedRoot(account)` is non-zero for verified accounts.
pragma solidity 0.8.28;

contract TestGoodId {
    mapping(address => address) private roots;

    function setWhitelistedRoot(address account, address root) external {
        roots[account] = root;
    }

    function getWhitelistedRoot(address account) external view returns (address) {
        return roots[account];
    }
}
