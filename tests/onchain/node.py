"""A real local EVM node for the test suite: anvil (Foundry) over JSON-RPC, chain id 42220.

:func:`anvil_binary` installs the pinned anvil from npm (``ensure_anvil.sh``) when it is missing;
:class:`AnvilNode` runs it on a free port; :func:`deploy` puts the solc-compiled test contracts of
``tests/chain/contracts`` on it over JSON-RPC (G$, GoodID, flow forwarder, vault, StaticOracle).
Nothing here skips: a node that cannot be installed or started fails the tests that need it.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from eth_account import Account
from web3 import HTTPProvider, Web3

from ai_credits.chain import CELO_CHAIN_ID, ChainConfig
from tests.chain.evm import deploy_contracts
from tests.processes import free_port, stop

HERE = pathlib.Path(__file__).parent
ENSURE = HERE / "ensure_anvil.sh"
G = 10**18
CUSD = ChainConfig().cusd
ORACLE_QUOTE = 1_154_299_954_649_337  # cUSD wei per G$: the Worker's price 0.001154299954649337


@dataclass
class Timings:
    """Seconds spent installing (0 when already installed) and starting the node."""

    install_s: float = 0.0
    start_s: float = 0.0


TIMINGS = Timings()


def anvil_binary() -> str:
    """The anvil executable, installed from npm into build/anvil/ if needed (fails loudly)."""
    started = time.monotonic()
    done = subprocess.run(
        ["sh", str(ENSURE)], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"could not install anvil:\n{done.stderr[-4000:]}")
    if "already in" not in done.stderr:
        TIMINGS.install_s = time.monotonic() - started
    path = done.stdout.strip().splitlines()[-1]
    if not pathlib.Path(path).is_file():
        raise RuntimeError(f"ensure_anvil.sh printed no binary: {done.stdout!r}")
    return path


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    """One raw JSON-RPC call; raises on a JSON-RPC error."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    answer = httpx.post(url, json=body, timeout=10).json()
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


@dataclass
class AnvilNode:
    """A running anvil process; ``stop()`` ends it (only this process, by its pid)."""

    process: subprocess.Popen[bytes]
    url: str
    log: pathlib.Path

    @classmethod
    def start(cls, log_dir: pathlib.Path, *, timeout: float = 30.0) -> AnvilNode:
        binary = anvil_binary()
        port = free_port()
        log = log_dir / f"anvil-{port}.log"
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [binary, "--chain-id", str(CELO_CHAIN_ID), "--host", "127.0.0.1",
                 "--port", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        node = cls(process, url, log)
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"anvil exited with {process.returncode}: {log.read_text()}")
            try:
                if int(rpc(url, "eth_chainId"), 16) == CELO_CHAIN_ID:
                    break
            except (httpx.HTTPError, RuntimeError):
                pass
            if time.monotonic() - started > timeout:
                node.stop()
                raise RuntimeError(f"anvil did not answer on {url} within {timeout}s")
            time.sleep(0.05)
        TIMINGS.start_s = time.monotonic() - started
        return node

    def stop(self) -> None:
        stop(self.process)

    def snapshot(self) -> str:
        return str(rpc(self.url, "evm_snapshot"))

    def revert(self, snapshot_id: str) -> None:
        assert rpc(self.url, "evm_revert", [snapshot_id]) is True

    def advance(self, seconds: int) -> None:
        """Move the chain's clock and mine a block."""
        rpc(self.url, "evm_increaseTime", [seconds])
        rpc(self.url, "evm_mine")

    def set_automine(self, on: bool) -> None:
        rpc(self.url, "evm_setAutomine", [on])


@dataclass
class Deployed:
    """The test contracts on the node and a :class:`ChainConfig` naming them."""

    node: AnvilNode
    w3: Web3
    config: ChainConfig
    funder: str
    token: Any
    goodid: Any
    forwarder: Any
    vault: Any
    oracle: Any
    keys: dict[str, str] = field(default_factory=dict)

    def fund(self, account: str, *, celo_wei: int = G, g_wei: int = 0, verified: bool = False,
             root: str | None = None) -> None:  # fmt: skip
        """Native coin for gas, G$, and optionally a GoodID root (``root`` or the account)."""
        sender = {"from": self.funder}
        if celo_wei:
            self.w3.eth.send_transaction({"from": self.funder, "to": account, "value": celo_wei})
        if g_wei:
            self.token.functions.mint(account, g_wei).transact(sender)
        if verified or root:
            self.goodid.functions.setWhitelistedRoot(account, root or account).transact(sender)

    def set_quote(self, quote_wei: int) -> None:
        self.oracle.functions.setQuote(quote_wei).transact({"from": self.funder})

    def new_key(self) -> tuple[str, str]:
        """A fresh private key and its address."""
        acct = Account.create()
        return "0x" + bytes(acct.key).hex(), str(acct.address)


def deploy(node: AnvilNode) -> Deployed:
    """Deploy the five test contracts with the node's first unlocked account."""
    w3 = Web3(HTTPProvider(node.url))
    c, config = deploy_contracts(w3, oracle_quote=ORACLE_QUOTE, rpc_url=node.url,
                                 chain_id=CELO_CHAIN_ID, poll_interval_s=0.05,
                                 receipt_timeout_s=20, rpc_retries=1)  # fmt: skip
    return Deployed(node, w3, config, w3.eth.accounts[0], c.token, c.goodid, c.forwarder,
                    c.vault, c.oracle)  # fmt: skip


def config_json(config: ChainConfig) -> str:
    """The config as JSON (for logs)."""
    return json.dumps(config.model_dump(), indent=2)
