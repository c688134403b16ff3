// SPDX-License-Identifier: MIT
// TEST-ONLY stand-in for the Uniswap-v3 StaticOracle the credits Worker prices G$ with: the same
// view signature, a settable price. `quote` is the quote-token wei paid for one whole base token.
pragma solidity 0.8.28;

contract TestStaticOracle {
    error UnsupportedPair(address baseToken, address quoteToken);
    error ZeroPeriod();

    address public immutable baseToken;
    address public immutable quoteToken;
    uint256 public quote;

    constructor(address baseToken_, address quoteToken_, uint256 quote_) {
        baseToken = baseToken_;
        quoteToken = quoteToken_;
        quote = quote_;
    }

    function setQuote(uint256 quote_) external {
        quote = quote_;
    }

    /// The Worker asks for (1e18, G$, cUSD, 60). Any other pair reverts, as no pool would exist.
    function quoteAllAvailablePoolsWithTimePeriod(uint128 baseAmount, address base, address quoteTo, uint32 period)
        external
        view
        returns (uint256 quoteAmount, address[] memory queriedPools)
    {
        if (base != baseToken || quoteTo != quoteToken) revert UnsupportedPair(base, quoteTo);
        if (period == 0) revert ZeroPeriod();
        queriedPools = new address[](1);
        queriedPools[0] = address(this);
        quoteAmount = (uint256(baseAmount) * quote) / 1e18;
    }
}
