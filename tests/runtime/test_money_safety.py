"""Money is sacred: one user intent moves G$ at most once, whatever fails and whatever the user
clicks next (issue: "a payment is never sent twice, the quote equals the credit, and the widget
offers only what the backend has").

Every test runs the real runtime on the fixture world and counts what left the wallet on the
in-memory chain.
"""

from __future__ import annotations

import asyncio

import pytest

from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.protocol import Capabilities
from ai_credits.chain.errors import ChainError
from ai_credits.core import events as ev
from ai_credits.core.snapshot import Snapshot
from ai_credits.core.states import State
from ai_credits.quote import usd_micro_per_token
from ai_credits.views import build_view
from fixtures.world import World, build_world

S = State
GD = 10**18


async def send(world: World, *events: ev.Event) -> Snapshot:
    for event in events:
        result = await world.session.send(event)
        assert result.accepted, result.trace[0].step.rejection
    return world.session.snapshot


async def refused(world: World, event: ev.Event) -> bool:
    """Whether the machine refuses ``event`` now (and so nothing is sent)."""
    return not (await world.session.send(event)).accepted


def paid_wei(world: World) -> int:
    """G$ that left the wallet for the vault."""
    return world.chain.total_deposited(world.account)


def transfers(world: World) -> int:
    """Purchase transactions the wallet signed (mined or not, reverted or not)."""
    return sum(t.type == "submit_payment" for e in world.session.history for t in e.step.effects)


async def bought(world: World, amount: str = "1000") -> None:
    await send(world, ev.Connect(), ev.EnterAmount(text=amount))


# 1. ---------------------------------------------------------------------------------------------
async def test_a_late_receipt_is_still_confirming_and_every_next_click_rechecks_it() -> None:
    world = build_world("zero_credits")
    await bought(world)
    world.chain.timeout_next()
    snap = await send(world, ev.Confirm())
    assert snap.state is S.payment_confirming and snap.pending.tx_hash is not None
    assert "Do not pay again" in snap.notice.message
    # the clicks that paid twice before are refused; nothing builds a transfer
    for click in (ev.Retry(), ev.PayAgain(), ev.Confirm(), ev.EnterAmount(text="1000")):
        assert await refused(world, click), click.type
    # a reload: the host restores the snapshot from storage, the next click is Check Again
    world.session.snapshot = Snapshot.model_validate_json(snap.model_dump_json())
    snap = await send(world, ev.CheckPayment())
    assert snap.state is S.payment_confirmed and snap.pending is None
    assert (paid_wei(world), transfers(world)) == (1000 * GD, 1)
    assert snap.credit.credited_usd == world.backend.ledger.credited(world.account.lower())


# 2. ---------------------------------------------------------------------------------------------
async def test_failed_crediting_is_owed_shown_again_on_reconnect_and_checked_not_repaid() -> None:
    world = build_world("zero_credits")
    await bought(world)
    world.backend.fail_next_payment = True
    snap = await send(world, ev.Confirm())
    assert snap.state is S.credit_outstanding
    [owed] = snap.outstanding
    assert (owed.status, owed.tx_hash, owed.gd_wei) == ("failed", snap.pending.tx_hash, 1000 * GD)
    view = build_view(snap)
    assert view.pending is not None and view.pending.tx_full == owed.tx_hash
    assert {line.label for line in view.pending.lines} >= {"You paid", "Credit owed to you"}
    for click in (ev.Retry(), ev.PayAgain(), ev.Confirm()):
        assert await refused(world, click), click.type
    # the user leaves, comes back: the credit owed is shown with its transaction
    snap = await send(world, ev.ViewUsage(), ev.Disconnect(), ev.Connect())
    assert snap.state is S.connected_empty and snap.credit.pending_usd == owed.credit_usd
    banner = next(n for n in build_view(snap).notices if n.id == "gw-notice-owed")
    assert "Do not pay again" in banner.message and banner.actions[0].type == "check_payment"
    snap = await send(world, ev.CheckPayment())  # the backend funds the same entry again
    assert snap.state is S.payment_confirmed and snap.outstanding == ()
    assert snap.credit.credited_usd == owed.credit_usd
    assert (paid_wei(world), transfers(world)) == (1000 * GD, 1)


# 3. ---------------------------------------------------------------------------------------------
async def test_a_credited_payment_is_no_longer_in_flight() -> None:
    world = build_world("zero_credits")
    await bought(world, "20000")
    snap = await send(world, ev.Confirm())
    assert snap.state is S.payment_confirmed and snap.pending is None
    snap = await send(world, ev.ViewUsage())
    world.backend.down = True
    snap = await send(world, ev.Refresh())
    assert snap.state is S.backend_unavailable
    assert "has not been charged" in snap.notice.message and "Do not pay" not in snap.notice.message
    world.backend.down = False
    trace = (await world.session.send(ev.Retry())).trace
    assert "record_payment" not in {e.type for t in trace for e in t.step.effects}
    assert world.session.snapshot.state is S.usage_empty
    assert (paid_wei(world), transfers(world)) == (20_000 * GD, 1)


# 4. ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "title"),
    [(ev.PauseStream(), "The stream was not paused"), (ev.StopStream(), "The stream was not stopped")],
)
async def test_a_failed_stream_change_returns_to_the_stream_card(action: ev.Event, title: str) -> None:
    world = build_world("stream_running")
    await send(world, ev.Connect())
    world.chain.revert_next()
    snap = await send(world, action)
    assert snap.state is S.streaming_active and snap.notice.title == title
    assert snap.pending is None and build_view(snap).stream_status is not None
    assert world.chain.flow_rate(world.account) > 0  # the flow still runs


async def test_a_failed_resume_returns_to_the_paused_card() -> None:
    world = build_world("stream_running")
    await send(world, ev.Connect(), ev.PauseStream())
    world.chain.revert_next()
    snap = await send(world, ev.ResumeStream())
    assert snap.state is S.streaming_paused and snap.notice.title == "The stream did not resume"


# 5. ---------------------------------------------------------------------------------------------
async def test_the_quote_is_priced_at_the_oracle_the_backend_credits_with() -> None:
    world = build_world("zero_credits")  # the backend's configured fallback price: 0.0001
    world.chain.gd_usd_micro_per_token = usd_micro_per_token("0.001154299954649337")
    snap = await send(world, ev.Connect(), ev.EnterAmount(text="12345.678"))
    quote = snap.quote
    assert quote is not None and not quote.estimate and quote.gd_price == "0.001154"
    snap = await send(world, ev.Confirm())
    assert snap.credit.credited_usd == quote.total_credit_usd == 15_671_603


async def test_a_quote_at_the_backend_fallback_is_labelled_an_estimate() -> None:
    world = build_world("zero_credits")

    async def no_oracle() -> None:
        return None

    reading = world.chain.reading

    world.chain.reading = lambda account: reading(account).model_copy(update={"gd_price": None})
    world.chain.gd_price = no_oracle  # type: ignore[method-assign]
    snap = await send(world, ev.Connect(), ev.EnterAmount(text="20000"))
    assert snap.quote.estimate and snap.config.gd_price_source == "backend"
    quote = build_view(snap).quote
    assert quote.total_label == "Estimated total AI credit" and quote.price_note


# 6. ---------------------------------------------------------------------------------------------
class CountingBackend(FixtureBackend):
    """The fixture backend, counting capability probes."""

    probes = 0

    async def capabilities(self) -> Capabilities:
        CountingBackend.probes += 1
        return await super().capabilities()


async def test_a_backend_without_keys_is_asked_once_per_connection_and_never_signed_in_to() -> None:
    world = build_world("zero_credits")
    world.backend.__class__ = CountingBackend
    CountingBackend.probes = 0
    world.backend.planned_endpoints = False
    await bought(world, "20000")
    snap = await send(world, ev.Confirm())
    assert snap.state is S.payment_confirmed and snap.features.api_keys is False
    effects = {e.type for t in world.session.history for e in t.step.effects}
    assert "issue_api_key" not in effects
    assert await refused(world, ev.CreateKey())
    view = build_view(snap)
    assert "Copy your API key" not in " ".join(n.message for n in view.notices)
    assert [c.key for c in view.info_cards] == ["api-keys"]
    snap = await send(world, ev.ViewUsage())
    assert snap.state is S.has_credits and snap.history and snap.history[0].status == "funded"
    assert "Create a new key" not in str(build_view(snap).model_dump())
    assert CountingBackend.probes == 1
    await send(world, ev.Disconnect(), ev.Connect())
    assert CountingBackend.probes == 2


# the user's next click after every fault --------------------------------------------------------
def wallet_never_answers(world: World) -> None:
    world.session._executor.timeout_s = 0.2  # the prompt stays open past the effect's timeout
    never = asyncio.Event()

    async def silent_wallet(**_: object) -> str:
        await never.wait()
        raise AssertionError("unreachable")

    world.session.wallet.send_purchase = silent_wallet  # type: ignore[method-assign]


def wallet_sends_but_its_answer_is_lost(world: World) -> None:
    """The transfer is sent, then the page or the wallet goes away before the hash comes back."""
    wallet = world.session.wallet
    send_purchase = wallet.send_purchase

    async def lost_answer(**kwargs: object) -> str:
        await send_purchase(**kwargs)  # type: ignore[arg-type]
        raise ChainError("disconnected")

    wallet.send_purchase = lost_answer  # type: ignore[method-assign]


FAULTS = {
    "wallet rejects": lambda w: w.chain.reject_next(4001),
    "wallet never answers": wallet_never_answers,
    "wallet sends, answer lost": wallet_sends_but_its_answer_is_lost,
    "no gas": lambda w: w.chain.set_celo(w.account, 0),
    "reverts": lambda w: w.chain.revert_next("insufficient_gd"),
    "late receipt": lambda w: w.chain.timeout_next(),
    "node down after sending": None,
    "backend down": lambda w: setattr(w.backend, "down", True),
    "funding fails": lambda w: setattr(w.backend, "fail_next_payment", True),
    "funding deferred": lambda w: setattr(w.backend, "defer_funding", True),
}
CLICKS = [ev.Retry(), ev.PayAgain(), ev.CheckPayment(), ev.Refresh(), ev.Confirm(),
          "what the widget offers", "reload, then what it offers", "two tabs at once"]  # fmt: skip


def offered(snap: Snapshot) -> ev.Event | None:
    """The event of the widget's first enabled primary button: what a user presses next."""
    for action in build_view(snap).actions:
        if action.enabled and action.variant == "primary" and action.type in ev.USER_EVENTS:
            return ev.parse_event({"type": action.type, **{f.name: f.value for f in action.fields}})
    return None


async def press(world: World, click: ev.Event | str) -> None:
    """Press ``click`` twice (a double click), as the user would after the fault."""
    session = world.session
    if click == "reload, then what it offers":  # the host restores the snapshot from storage
        session.snapshot = Snapshot.model_validate_json(session.snapshot.model_dump_json())
    if isinstance(click, str):
        event = offered(session.snapshot)
        if event is None:
            return
        if click == "two tabs at once":  # two pages of one visitor post together
            await asyncio.gather(session.send(event), session.send(event))
            return
        click = event
    await session.send(click)
    await session.send(click)


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("click", CLICKS, ids=lambda c: c if isinstance(c, str) else c.type)
async def test_after_any_fault_any_click_moves_g_at_most_once_per_intent(
    fault: str, click: ev.Event | str
) -> None:
    world = build_world("zero_credits")
    await bought(world)
    if fault == "node down after sending":
        await world.session.send(ev.Confirm(), stop_in=S.payment_pending)  # sent and mined…
        world.chain.set_rpc_down(True)  # …but the node cannot be asked for the receipt
        snap = await send(world, ev.CheckPayment())
        assert snap.state is S.payment_confirming
    else:
        FAULTS[fault](world)
        await send(world, ev.Confirm())
    # the world heals, then the user clicks
    world.chain.set_celo(world.account, 10**18)
    world.chain.clear_knobs()
    world.backend.down = world.backend.defer_funding = False
    await press(world, click)
    intents = sum(t.origin == "host" and t.step.accepted and t.event.type in ("confirm", "pay_again")
                  for t in world.session.history)  # fmt: skip
    assert transfers(world) <= intents
    assert paid_wei(world) <= intents * 1000 * GD
    if fault not in ("reverts", "wallet rejects", "no gas", "wallet never answers"):
        assert paid_wei(world) == 1000 * GD  # it was sent: only ever re-checked
    if fault in ("wallet never answers", "wallet sends, answer lost"):
        assert intents == 1  # no second payment is offered while the first may still be sent
    if isinstance(click, str) and fault in ("late receipt", "node down after sending",
                                            "backend down", "funding fails"):
        # pressing what the widget offers settles it: credited exactly once
        credited = world.backend.ledger.credited(world.account.lower())
        assert world.session.snapshot.credit.credited_usd == credited > 0


async def test_a_wallet_that_never_answers_is_never_offered_a_second_payment() -> None:
    world = build_world("zero_credits")
    world.session._executor.timeout_s = 0.2  # the prompt stays open past the effect's timeout
    await bought(world)
    never = asyncio.Event()

    async def silent_wallet(**_: object) -> str:
        await never.wait()
        raise AssertionError("unreachable")

    world.session.wallet.send_purchase = silent_wallet  # type: ignore[method-assign]
    snap = await send(world, ev.Confirm())
    assert snap.state is S.payment_failed and snap.notice.code == "wallet_timeout"
    assert snap.pending.unanswered and not snap.pending.transfer_safe
    assert "do not pay again" in snap.notice.message
    assert await refused(world, ev.PayAgain())
    assert "pay_again" not in {a.type for a in build_view(snap).actions}


def wallet_fails_with(world: World, code: str) -> None:
    """The wallet returns no hash and says ``code`` (nothing is sent)."""

    async def failing(**_: object) -> str:
        raise ChainError(code)  # type: ignore[arg-type]

    world.session.wallet.send_purchase = failing  # type: ignore[method-assign]


@pytest.mark.parametrize("code", sorted(ev.WALLET_MAY_STILL_SEND - {"wallet_timeout"}))
async def test_a_wallet_failure_that_is_not_a_refusal_is_never_offered_a_second_payment(
    code: str,
) -> None:
    world = build_world("zero_credits")
    await bought(world)
    wallet_fails_with(world, code)
    snap = await send(world, ev.Confirm())
    assert snap.state is S.payment_failed and snap.pending.unanswered
    assert snap.notice.title == "Check your wallet before paying again"
    assert "do not pay again" in snap.notice.message and "Try again" not in snap.notice.message
    assert "pay_again" not in {a.type for a in build_view(snap).actions}
    assert await refused(world, ev.PayAgain())


@pytest.mark.parametrize("code", ["insufficient_gas", "insufficient_gd", "wrong_chain",
                                  "first_deposit_below_minimum", "unsupported_method"])
async def test_a_wallet_that_said_why_it_sent_nothing_offers_to_pay_again(code: str) -> None:
    world = build_world("zero_credits")
    await bought(world)
    wallet_fails_with(world, code)
    snap = await send(world, ev.Confirm())
    assert snap.state is S.payment_failed and snap.pending.transfer_safe
    assert "pay_again" in {a.type for a in build_view(snap).actions if a.enabled}
    assert paid_wei(world) == 0


async def test_a_request_refused_before_it_ran_is_shown_with_the_top_up_prompt() -> None:
    from ai_credits.backends.errors import InsufficientCredit
    from ai_credits.core.quote import ModelPrice, PriceTable
    from stories.runner import BILL_BODY

    world = build_world("zero_credits")
    await bought(world)
    await send(world, ev.Confirm(), ev.ViewUsage())
    # a model priced so that its pre-flight hold is more than the $1.26 of credit left
    world.backend.prices = PriceTable(models={"frontier": ModelPrice(input_per_1k=10**6,
                                                                     output_per_1k=10**6)})
    token = world.session.keys.token.reveal()
    with pytest.raises(InsufficientCredit):
        await world.backend.chat_completion(token, {**BILL_BODY, "model": "frontier",
                                                    "max_tokens": 4096})
    snap = await send(world, ev.Refresh())
    assert snap.state is S.insufficient_ai_credits
    assert snap.usage[0].status == "refused" and snap.credit.available_usd > 0
    view = build_view(snap)
    notice = next(n for n in view.notices if n.id == "gw-notice-credit")
    assert notice.title == "A request was refused" and "Top up" in notice.message
    assert view.usage.rows[0].status_label == "Refused"
    assert "top_up" in {a.type for a in view.actions if a.enabled}


async def test_refresh_reprices_the_quote_when_the_oracle_moves_and_the_credit_matches() -> None:
    world = build_world("zero_credits")
    snap = await send(world, ev.Connect(), ev.EnterAmount(text="20000"))
    before = snap.quote.total_credit_usd
    world.chain.gd_usd_micro_per_token = usd_micro_per_token("0.002")  # the market moves
    snap = await send(world, ev.Refresh())
    assert snap.state is S.quote_ready and snap.amount.text == "20000"
    assert snap.quote.gd_price == "0.002" and snap.quote.total_credit_usd != before
    snap = await send(world, ev.Confirm())
    assert snap.credit.credited_usd == 44_000_000  # 20 000 G$ × $0.002 + 10%
