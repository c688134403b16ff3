"""Quote = credit, to the micro-dollar, on a real EVM (PRODUCT.md §5 "Price source").

The backend credits a deposit at the price its oracle quotes when it records it; the widget must
quote from the same source.  Here the oracle's price is moved away from the backend's configured
fallback before the visitor connects, so a quote made at the fallback would be visibly wrong.
"""

from __future__ import annotations

import pytest

from ai_credits.core import events as ev
from ai_credits.core.quote import credit_with_bonus
from fixtures.wallets import UNVERIFIED, VERIFIED
from tests.chain.evm import G
from tests.integration.conftest import PRICE, EvmWorld, WorldFactory

MakeWorld = WorldFactory

pytestmark = pytest.mark.asyncio

ORACLE_PRICE = "0.001154299954649337"
"""WORKER_CONTRACT.md's E3 price: $0.0011543 per G$ (the backend's fallback stays 0.0001)."""
ORACLE_QUOTE = 1_154_299_954_649_337  # 18-decimal cUSD for one whole G$
MONTH = 2_592_000


def _world(make_world: MakeWorld, verified: bool) -> EvmWorld:
    world = make_world(account=VERIFIED if verified else UNVERIFIED)
    world.evm.set_price(ORACLE_QUOTE)
    return world


@pytest.mark.parametrize("verified", [True, False], ids=["verified", "unverified"])
async def test_one_time_purchase_is_credited_exactly_as_quoted(
    make_world: MakeWorld, verified: bool
) -> None:
    world = _world(make_world, verified)
    snap = (await world.send(ev.Connect(), ev.EnterAmount(text="12345.678"))).snapshot
    quote = snap.quote
    assert quote is not None and not quote.estimate
    assert (quote.gd_price, quote.verified) == (ORACLE_PRICE, verified)
    assert quote.gd_price != PRICE  # the fallback would have quoted another amount
    expected = credit_with_bonus(12_345_678 * G // 1000, source="deposit", verified=verified,
                                 gd_price=ORACLE_PRICE).total_credit_usd  # fmt: skip
    assert quote.total_credit_usd == expected == (15_671_603 if verified else 14_246_912)

    snap = (await world.send(ev.Confirm())).snapshot

    profile = await world.backend.profile(world.address)
    credited = profile.total_principal_usd + profile.total_bonus_usd
    assert credited == snap.credit.credited_usd == quote.total_credit_usd


@pytest.mark.parametrize("verified", [True, False], ids=["verified", "unverified"])
async def test_a_month_of_streaming_is_credited_exactly_as_quoted(
    make_world: MakeWorld, verified: bool
) -> None:
    world = _world(make_world, verified)
    snap = (await world.send(ev.Connect(), ev.ChooseMode(mode="stream"),
                             ev.EnterAmount(text="30000"))).snapshot  # fmt: skip
    quote = snap.quote
    assert quote is not None and quote.mode == "stream" and not quote.estimate
    assert quote.gd_price == ORACLE_PRICE

    await world.send(ev.StartStream())
    started = world.evm.w3.eth.get_block("latest")["timestamp"]
    world.evm.tester.time_travel(started + MONTH)  # the stop is mined 30 days after the start
    await world.send(ev.StopStream())

    [stop] = await world.backend.chain.stream_events(
        world.evm.w3.eth.get_block("latest")["transactions"][0].to_0x_hex())
    assert stop.total_flow_wei == quote.flow_rate * MONTH == quote.gd_wei
    profile = await world.backend.profile(world.address)
    assert profile.total_principal_usd + profile.total_bonus_usd == quote.total_credit_usd
