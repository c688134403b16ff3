"""The runtime on a real EVM: a :class:`Session` whose wallet signs on eth-tester and whose
:class:`FixtureBackend` reads the vault's events from the same chain.

The four stand-in contracts (``tests/chain/evm.py``) are deployed once per module; every test runs
on an eth-tester snapshot that is reverted afterwards, with a fresh backend and session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.ledger import LedgerConfig
from ai_credits.chain import (
    ZERO_ADDRESS,
    ChainReader,
    CustodialWallet,
    InjectedWallet,
    NodeReads,
    WalletAdapter,
    WalletRequest,
    Web3ChainEventSource,
)
from ai_credits.core import events as ev
from ai_credits.core.models import WidgetConfig
from ai_credits.runtime import Session, SessionResult
from fixtures.wallets import UNVERIFIED, VERIFIED, FixtureAccount
from fixtures.world import FrozenClock
from tests.chain.evm import MIN_FIRST_USD, MIN_MONTHLY_USD, PRICE_USD_PER_G, USD, Deployment, G
from tests.chain.evm import deploy as deploy_contracts

PRICE = "0.0001"
"""cUSD per G$ for the widget and the backend: the vault stand-in's ``usdPerToken``."""
START_G = 50_000 * G
"""G$ each fixture account holds at the start of every test."""

WalletKind = Literal["custodial", "injected"]


def widget_config(evm: Deployment, **overrides: Any) -> WidgetConfig:
    """A widget that supports the eth-tester chain, priced and limited exactly like the vault."""
    values: dict[str, Any] = {
        "supported_chain_ids": (evm.config.chain_id,),
        "gd_price": PRICE,
        "min_first_deposit_usd": MIN_FIRST_USD * 1_000_000 // USD,
        "min_monthly_stream_usd": MIN_MONTHLY_USD * 1_000_000 // USD,
    }
    values.update(overrides)
    return WidgetConfig(**values)


@dataclass
class EvmWorld:
    """One visitor on the in-process chain: session, wallet, backend and the account."""

    evm: Deployment
    account: FixtureAccount
    wallet: WalletAdapter
    backend: FixtureBackend
    session: Session
    clock: FrozenClock

    @property
    def address(self) -> str:
        """The visitor's checksummed address."""
        return self.account.address

    async def send(self, *events: ev.Event) -> SessionResult:
        """Send ``events`` in order, each must be accepted; the last result."""
        result = None
        for event in events:
            result = await self.session.send(event)
            assert result.accepted, result.trace[0].step.rejection
        assert result is not None
        return result

    # direct reads of the chain (the sync Web3 on the same eth-tester)
    def g_balance(self, who: str | None = None) -> int:
        """G$ wei held by ``who`` (default: the visitor)."""
        return int(self.evm.token.functions.balanceOf(who or self.address).call())

    def vault_balance(self) -> int:
        """G$ wei held by the vault: what payments actually moved."""
        return self.g_balance(self.evm.vault.address)

    def flow_rate(self) -> int:
        """The forwarder's ``getFlowrate(G$, visitor, vault)``."""
        evm = self.evm
        rate = evm.forwarder.functions.getFlowrate(
            evm.token.address, self.address, evm.vault.address
        ).call()
        return int(rate)

    def tx_count(self) -> int:
        """Transactions the visitor has sent (its nonce)."""
        return int(
            self.evm.w3.eth.get_transaction_count(self.evm.w3.to_checksum_address(self.address))
        )

    def spend_elsewhere(self, keep_wei: int) -> None:
        """Move the visitor's G$ away (a send from another tab) so only ``keep_wei`` is left."""
        self.evm.token.functions.transfer(self.evm.funder, self.g_balance() - keep_wei).transact(
            {"from": self.address}
        )


class EvmHost:
    """The host's browser wallet for an :class:`InjectedWallet`, backed by eth-tester.

    Transactions are sent by eth-tester for the visitor's (unlocked) account, ``personal_sign``
    is signed with the visitor's key.  Knobs: ``reject_with`` answers every request with that
    EIP-1193 error; ``fixed_gas`` sends without estimating (a revert is then mined, not refused);
    ``before_sign`` runs while the signature prompt is open (e.g. to let the clock move on).
    """

    def __init__(self, world: EvmWorld) -> None:
        assert isinstance(world.wallet, InjectedWallet), "build the world with wallet='injected'"
        self.world = world
        self.wallet: InjectedWallet = world.wallet
        self.reject_with: int | None = None
        self.fixed_gas: int | None = None
        self.before_sign: Callable[[], None] | None = None
        self.answered: list[WalletRequest] = []
        self.sent: list[str] = []

    async def serve(self) -> None:
        """Answer requests until cancelled."""
        while True:
            request = await self.wallet.next_request()
            self.answer(request)

    def answer(self, request: WalletRequest) -> None:
        """Perform ``request`` and report the outcome to the wallet."""
        self.answered.append(request)
        if self.reject_with is not None:
            self.wallet.report_rejection(
                request.request_id, {"code": self.reject_with, "message": "User rejected."}
            )
            return
        evm, account = self.world.evm, self.world.account
        if request.kind == "connect":
            self.wallet.report_connection(request.request_id, account.address, evm.config.chain_id)
        elif request.kind == "sign_message":
            assert request.params[1] == account.address
            if self.before_sign is not None:
                self.before_sign()
            raw = bytes.fromhex(str(request.params[0])[2:])
            signed = Account.sign_message(encode_defunct(primitive=raw), account.private_key)
            self.wallet.report_signature(request.request_id, "0x" + signed.signature.hex())
        elif request.kind == "send_transaction":
            params = request.params[0]
            assert int(params["chainId"], 16) == evm.w3.eth.chain_id  # a wallet checks this
            tx: dict[str, Any] = {
                "from": params["from"],
                "to": params["to"],
                "data": params["data"],
                "value": int(params["value"], 16),
            }
            if self.fixed_gas is not None:
                tx["gas"] = self.fixed_gas
            tx_hash = evm.w3.eth.send_transaction(tx)  # type: ignore[arg-type]
            self.sent.append(tx_hash.to_0x_hex())
            self.wallet.report_hash(request.request_id, tx_hash.to_0x_hex())
        else:  # pragma: no cover - the tests never ask to switch on eth-tester
            raise AssertionError(f"unexpected request {request.kind}")


@dataclass
class WorldFactory:
    """Builds :class:`EvmWorld`s on one reverted-per-test deployment."""

    evm: Deployment
    hosts: list[EvmHost] = field(default_factory=list)

    def __call__(
        self,
        *,
        account: FixtureAccount = VERIFIED,
        config: WidgetConfig | None = None,
        wallet: WalletKind = "custodial",
        custodial: type[CustodialWallet] = CustodialWallet,
    ) -> EvmWorld:
        evm = self.evm
        clock = FrozenClock()
        reader = ChainReader(evm.config, w3=evm.async_w3())
        backend = FixtureBackend(
            clock=clock,
            chain=Web3ChainEventSource(reader),
            verified_roots=self._goodid_root,
            config=LedgerConfig(gd_price=PRICE),
        )
        adapter: WalletAdapter
        if wallet == "custodial":
            adapter = custodial(account.private_key, evm.config, reader=reader)
        else:
            adapter = InjectedWallet(evm.config, reads=NodeReads(reader), request_timeout_s=5)
        session = Session(
            backend=backend,
            wallet=adapter,
            config=widget_config(evm) if config is None else config,
            clock=clock,
            effect_timeout_s=10,
        )
        return EvmWorld(evm, account, adapter, backend, session, clock)

    def _goodid_root(self, account: str) -> str | None:
        """The backend's GoodID lookup, read from the same chain's GoodID stand-in."""
        goodid = self.evm.goodid.functions
        root = str(goodid.getWhitelistedRoot(self.evm.w3.to_checksum_address(account)).call())
        return None if root == ZERO_ADDRESS else root.lower()


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    """The contracts, deployed once per module; VERIFIED (GoodID) and UNVERIFIED hold
    :data:`START_G` G$ and 1 CELO and are unlocked in eth-tester (the injected host sends as them)."""
    evm = deploy_contracts()
    assert PRICE_USD_PER_G * 10**4 == USD  # PRICE is $0.0001
    for account in (VERIFIED, UNVERIFIED):
        evm.tester.add_account(account.private_key)
        evm.fund(account.address, g_wei=START_G, verified=account.verified)
    return evm


@pytest.fixture
def evm(deployment: Deployment) -> Iterator[Deployment]:
    """The deployment, every change a test makes reverted afterwards."""
    snapshot = deployment.tester.take_snapshot()
    yield deployment
    deployment.tester.revert_to_snapshot(snapshot)


@pytest.fixture
def make_world(evm: Deployment) -> WorldFactory:
    """Build a world: ``make_world(account=…, config=…, wallet="custodial" | "injected",
    custodial=<CustodialWallet subclass>)``."""
    return WorldFactory(evm)


@pytest.fixture
def world(make_world: Callable[..., EvmWorld]) -> EvmWorld:
    """VERIFIED with a custodial wallet and a widget configured for the eth-tester chain."""
    return make_world()
