"""Shared fixtures of the backend suite: a fake clock and chain, the dev server, the harness.

``harness`` is parametrised over the two backends: ``FixtureBackend`` called in process, and
``WorkerBackend`` talking over real loopback TCP to the dev server (uvicorn, background thread) that
serves the very same ``FixtureBackend``.  Every contract test therefore runs twice with the same
expectations.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

from ai_credits.backends.devserver import BackgroundServer, create_app, start_in_thread
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.ledger import LedgerConfig
from ai_credits.backends.protocol import CreditsBackend
from ai_credits.backends.worker import WorkerBackend
from ai_credits.core.onchain import DepositEvent, StreamEvent

START = datetime(2026, 7, 23, 12, 0, 0, tzinfo=UTC)
WEI = 10**18

ALICE: LocalAccount = Account.from_key("0x" + "11" * 32)
BOB: LocalAccount = Account.from_key("0x" + "22" * 32)
A = ALICE.address.lower()
B = BOB.address.lower()
ROOT = "0x600d1d0000000000000000000000000000000001"


class FakeClock:
    """A settable clock."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class FakeChain:
    """A tiny in-memory ``ChainEventSource``."""

    deposits: dict[str, list[DepositEvent]] = field(default_factory=dict)
    streams: dict[str, list[StreamEvent]] = field(default_factory=dict)
    flows: dict[str, int] = field(default_factory=dict)
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def tx(self) -> str:
        return f"0x{next(self._n):064x}"

    def deposit(self, account: str, gd_wei: int, *, logs: int = 1) -> str:
        tx = self.tx()
        self.deposits[tx] = [
            DepositEvent(
                tx_hash=tx,
                log_index=i,
                account=account,
                buyer=account,
                gd_amount_wei=gd_wei,
                block_number=100 + i,
            )
            for i in range(logs)
        ]
        return tx

    def stream_update(self, account: str, flow_rate: int, total_flow_wei: int) -> str:
        tx = self.tx()
        self.streams[tx] = [
            StreamEvent(
                tx_hash=tx,
                log_index=0,
                account=account,
                buyer=account,
                flow_rate=flow_rate,
                monthly_gd_wei=flow_rate * 2_592_000,
                total_flow_wei=total_flow_wei,
            )
        ]
        self.flows[account] = flow_rate
        return tx

    async def deposit_events(self, tx_hash: str) -> list[DepositEvent]:
        return self.deposits.get(tx_hash.lower(), [])

    async def stream_events(self, tx_hash: str) -> list[StreamEvent]:
        return self.streams.get(tx_hash.lower(), [])

    async def current_flow_rate(self, sender: str) -> int:
        return self.flows.get(sender.lower(), 0)

    async def account_events(
        self, account: str, from_block: str, to_block: str
    ) -> tuple[list[DepositEvent], list[StreamEvent]]:
        """The optional range scan the fixture uses for ``record_account_events`` (block tags are
        strings, as the Worker passes them to the node)."""
        first = int(from_block, 0)
        last = 10**12 if to_block == "latest" else int(to_block, 0)
        deposits = [
            e
            for events in self.deposits.values()
            for e in events
            if e.account == account and first <= e.block_number <= last
        ]
        return deposits, []


@dataclass
class Harness:
    """One backend under test plus the fixture state behind it."""

    kind: str
    backend: CreditsBackend
    fixture: FixtureBackend
    chain: FakeChain
    clock: FakeClock

    def configure(self, **config: object) -> None:
        """Change the ledger's prices/bonus rules."""
        for key, value in config.items():
            setattr(self.fixture.ledger.config, key, value)

    async def fund(self, account: str, gd: int | float | str, *, verified: bool = True) -> int:
        """Deposit ``gd`` G$ (whole) through chain + record; returns the credit granted."""
        if verified:
            self.verify(account)
        wei = int(Decimal(str(gd)) * WEI)
        result = await self.backend.record_payment(self.chain.deposit(account, wei))
        return sum(e.total_credit_usd for e in result.events)

    def verify(self, account: str, root: str = ROOT) -> None:
        roots = self.fixture.ledger._roots
        assert isinstance(roots, dict)
        roots[account] = root

    async def api_key(self, signer: LocalAccount = ALICE, label: str | None = None) -> str:
        """A key issued through nonce → EIP-191 signature → create."""
        account = signer.address.lower()
        nonce = await self.backend.auth_nonce(account)
        signature = signer.sign_message(encode_defunct(text=nonce.message)).signature.hex()
        issued = await self.backend.create_api_key(account, nonce.nonce, "0x" + signature, label)
        return issued.token.get_secret_value()


@pytest.fixture(scope="session")
def dev_server() -> Iterator[BackgroundServer]:
    """One dev server for the session; each test swaps in its own backend."""
    server = start_in_thread(create_app(FixtureBackend(clock=FakeClock())))
    yield server
    server.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def chain() -> FakeChain:
    return FakeChain()


@pytest.fixture
def fixture_backend(clock: FakeClock, chain: FakeChain) -> FixtureBackend:
    import random

    return FixtureBackend(
        clock=clock,
        chain=chain,
        rng=random.Random(7),
        verified_roots={},
        config=LedgerConfig(gd_price="1.0"),
    )


@pytest.fixture(params=["fixture", "worker"])
async def harness(
    request: pytest.FixtureRequest,
    fixture_backend: FixtureBackend,
    chain: FakeChain,
    clock: FakeClock,
) -> AsyncIterator[Harness]:
    if request.param == "fixture":
        yield Harness("fixture", fixture_backend, fixture_backend, chain, clock)
        return
    server: BackgroundServer = request.getfixturevalue("dev_server")
    server.app.state.backend = fixture_backend
    async with WorkerBackend(server.url, retries=0) as worker:
        yield Harness("worker", worker, fixture_backend, chain, clock)
