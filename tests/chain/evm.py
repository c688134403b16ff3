"""Deploy the test-only contracts of ``contracts/artifacts.json`` on an in-process EVM."""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass
from typing import Any

from eth_tester import EthereumTester
from web3 import AsyncWeb3, Web3
from web3.providers.eth_tester import AsyncEthereumTesterProvider, EthereumTesterProvider

from ai_credits.chain import ETH_TESTER_CHAIN_ID, ChainConfig

ARTIFACTS = pathlib.Path(__file__).parent / "contracts" / "artifacts.json"
G = 10**18
USD = 10**18
PRICE_USD_PER_G = 10**14  # $0.0001 per G$ (18-decimal USD): $1 = 10 000 G$
CUSD = "0x765DE816845861e75A25fCA122bb6898B8B1282a"
"""The quote token the oracle prices G$ in (no contract needed: the oracle only compares it)."""
MIN_FIRST_USD = 1 * USD
MIN_MONTHLY_USD = 1 * USD


def artifacts() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ARTIFACTS.read_text())
    return data


@dataclass
class Deployment:
    tester: EthereumTester
    w3: Web3
    config: ChainConfig
    token: Any
    vault: Any
    goodid: Any
    forwarder: Any
    funder: str
    oracle: Any = None

    def set_price(self, usd_per_g: int) -> None:
        """Move the oracle's price (18-decimal cUSD per whole G$), as a market would."""
        self.oracle.functions.setQuote(usd_per_g).transact({"from": self.funder})

    def async_w3(self) -> AsyncWeb3[Any]:
        """An AsyncWeb3 on the same in-process chain."""
        provider = AsyncEthereumTesterProvider()
        provider.ethereum_tester = self.tester
        return AsyncWeb3(provider)

    def fund(
        self, account: str, *, celo_wei: int = G, g_wei: int = 0, verified: bool = False
    ) -> None:
        """Give ``account`` native coin for gas, G$, and optionally a GoodID root."""
        if celo_wei:
            self.w3.eth.send_transaction({"from": self.funder, "to": account, "value": celo_wei})
        if g_wei:
            self.token.functions.mint(account, g_wei).transact({"from": self.funder})
        if verified:
            self.goodid.functions.setWhitelistedRoot(account, account).transact(
                {"from": self.funder}
            )


@dataclass(frozen=True)
class Contracts:
    """The five test contracts, deployed."""

    token: Any
    goodid: Any
    forwarder: Any
    vault: Any
    oracle: Any


def deploy_contracts(
    w3: Web3, *, oracle_quote: int = PRICE_USD_PER_G, **config: Any
) -> tuple[Contracts, ChainConfig]:
    """Deploy the test contracts with ``w3``'s first account, on any node; with the
    :class:`ChainConfig` naming them (``config`` gives the rest: URL, chain id, timings)."""
    funder = w3.eth.accounts[0]
    arts = artifacts()["contracts"]

    def create(name: str, *args: Any) -> Any:
        factory = w3.eth.contract(abi=arts[name]["abi"], bytecode=arts[name]["bytecode"])
        tx = factory.constructor(*args).transact({"from": funder})
        receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=30, poll_latency=0.05)
        return w3.eth.contract(address=receipt["contractAddress"], abi=arts[name]["abi"])

    token = create("TestGoodDollar")
    goodid = create("TestGoodId")
    forwarder = create("TestFlowForwarder")
    vault = create("TestCreditsVault", token.address, forwarder.address, PRICE_USD_PER_G,
                   MIN_FIRST_USD, MIN_MONTHLY_USD)  # fmt: skip
    oracle = create("TestStaticOracle", token.address, CUSD, oracle_quote)
    chain = ChainConfig(gd_token=token.address, vault=vault.address, goodid=goodid.address,
                        cfa_forwarder=forwarder.address, price_oracle=oracle.address, cusd=CUSD,
                        **config)  # fmt: skip
    return Contracts(token, goodid, forwarder, vault, oracle), chain


def deploy() -> Deployment:
    """The contracts on a fresh in-process EVM (eth-tester)."""
    tester = EthereumTester()
    w3 = Web3(EthereumTesterProvider(ethereum_tester=tester))
    c, config = deploy_contracts(
        w3,
        rpc_url="http://127.0.0.1:1",  # never used: tests pass the AsyncWeb3
        chain_id=ETH_TESTER_CHAIN_ID,
        poll_interval_s=0.01,
        receipt_timeout_s=5,
    )
    return Deployment(tester, w3, config, c.token, c.vault, c.goodid, c.forwarder,
                      w3.eth.accounts[0], c.oracle)  # fmt: skip
