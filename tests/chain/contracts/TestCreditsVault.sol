// SPDX-License-Identifier: MIT
// TEST-ONLY stand-in for CeloGdAntSeedVault: the same errors, events and views the library uses.
// Price is fixed at construction (18-decimal USD per whole G$); minimums are 18-decimal USD.
// StreamUpdated is emitted HERE (by the vault, as on Celo), called back by TestFlowForwarder.
pragma solidity 0.8.28;

contract TestCreditsVault {
    error ZeroAmount();
    error UnsupportedToken();
    error NotForwarder();
    error FirstDepositBelowMinimum();
    error StreamRateBelowMinimum();
    error MissingBuyerAddress();

    event GdDeposited(address indexed account, address indexed buyer, uint256 gdAmount, bytes data);
    event StreamUpdated(
        address indexed account, address indexed buyer, int96 flowRate, uint256 monthlyGdAmountWei, uint256 totalFlowWei
    );

    address public immutable gdToken;
    address public immutable forwarder;
    uint256 public immutable usdPerToken;
    uint256 public minFirstDepositUsd;
    uint256 public minMonthlyStreamUsd;
    mapping(address => uint256) public totalDepositedGd;
    mapping(address => address) public streamBuyer;

    constructor(address token_, address forwarder_, uint256 usdPerToken_, uint256 minFirst_, uint256 minMonthly_) {
        gdToken = token_;
        forwarder = forwarder_;
        usdPerToken = usdPerToken_;
        minFirstDepositUsd = minFirst_;
        minMonthlyStreamUsd = minMonthly_;
    }

    /// 18-decimal USD value of `amount` G$ wei.
    function gdUsdPerToken(uint128 amount) public view returns (uint256) {
        return (uint256(amount) * usdPerToken) / 1e18;
    }

    /// ERC-677 receiver: `data` must be abi.encode(buyer).
    function onTokenTransfer(address from, uint256 amount, bytes calldata data) external returns (bool) {
        if (msg.sender != gdToken) revert UnsupportedToken();
        _record(from, amount, data);
        return true;
    }

    /// Two-step path: approve first, then deposit.
    function deposit(uint256 amount, bytes calldata data) external returns (uint256) {
        _record(msg.sender, amount, data);
        (bool ok, bytes memory ret) = gdToken.call(
            abi.encodeWithSignature("transferFrom(address,address,uint256)", msg.sender, address(this), amount)
        );
        if (!ok) {
            assembly { revert(add(ret, 32), mload(ret)) }
        }
        return totalDepositedGd[msg.sender];
    }

    /// Called by the forwarder stand-in after it changed a flow (the Superfluid callbacks, simplified).
    function onFlowChanged(
        address sender,
        int96 previousRate,
        uint256 previousTimestamp,
        int96 newRate,
        bytes calldata userData,
        bool deleted
    ) external {
        if (msg.sender != forwarder) revert NotForwarder();
        address buyer = deleted ? streamBuyer[sender] : _decodeBuyer(userData);
        if (!deleted && buyer == address(0)) revert MissingBuyerAddress();
        streamBuyer[sender] = buyer;
        uint256 monthly = uint256(uint96(newRate)) * 30 days;
        if (monthly > 0 && gdUsdPerToken(uint128(monthly)) < minMonthlyStreamUsd) revert StreamRateBelowMinimum();
        uint256 total = 0;
        if (previousRate > 0 && block.timestamp > previousTimestamp) {
            total = uint256(uint96(previousRate)) * (block.timestamp - previousTimestamp);
        }
        emit StreamUpdated(sender, buyer, newRate, monthly, total);
    }

    function _record(address account, uint256 amount, bytes calldata data) private {
        if (amount == 0) revert ZeroAmount();
        address buyer = _decodeBuyer(data);
        if (buyer == address(0)) revert MissingBuyerAddress();
        if (totalDepositedGd[account] == 0 && gdUsdPerToken(uint128(amount)) < minFirstDepositUsd) {
            revert FirstDepositBelowMinimum();
        }
        totalDepositedGd[account] += amount;
        emit GdDeposited(account, buyer, amount, data);
    }

    function _decodeBuyer(bytes memory data) private pure returns (address) {
        if (data.length < 32) return address(0);
        return abi.decode(data, (address));
    }
}
