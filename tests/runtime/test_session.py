"""The runtime drives the real machine against the fixture world; failures end in their states
with the entered amount kept and nothing claimed."""

from __future__ import annotations

import asyncio

from ai_credits import State
from ai_credits.core import events as ev
from ai_credits.quote import credit_with_bonus
from ai_credits.runtime import SyncSession
from fixtures.world import build_world

BUY = [ev.Connect(), ev.EnterAmount(text="20000"), ev.Confirm()]


async def send_all(world, *events, stop_in=None):
    result = None
    for event in events:
        result = await world.session.send(event, stop_in=stop_in)
        assert result.accepted, result.trace[0].step.rejection
    return world.session.snapshot


def states(result):
    return [t.step.snapshot.state for t in result.trace]


async def test_one_time_purchase_happy_path_credits_exactly_the_quote():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    quote = world.session.snapshot.quote
    result = await world.session.send(ev.Confirm())
    assert states(result) == [State.awaiting_signature, State.payment_pending, State.signing_in,
                              State.payment_confirmed]
    snap = world.session.snapshot
    expected = credit_with_bonus(20_000 * 10**18, source="deposit", verified=True,
                                 gd_price=world.session.snapshot.config.gd_price)
    assert quote.total_credit_usd == expected.total_credit_usd
    assert snap.credit.credited_usd == expected.total_credit_usd
    assert snap.api_key.token is not None and snap.api_key.token.reveal().startswith("gd_live_")
    assert world.chain.total_deposited(world.account) == 20_000 * 10**18


async def test_a_billed_request_appears_as_usage():
    world = build_world("zero_credits")
    await send_all(world, *BUY, ev.ViewUsage())
    assert world.session.snapshot.state is State.usage_empty
    token = world.session.keys.token.reveal()
    await world.backend.chat_completion(token, {"model": "gpt-4o-mini", "max_tokens": 64,
                                                "messages": [{"role": "user", "content": "hi"}]})
    snap = await send_all(world, ev.Refresh())
    assert snap.state is State.usage_active
    assert [r.status for r in snap.usage] == ["charged"]
    assert snap.credit.captured_usd == snap.usage[0].cost_usd > 0


async def test_wallet_rejection_returns_to_the_quote_with_the_amount_kept():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    world.chain.reject_next(4001)
    snap = await send_all(world, ev.Confirm())
    assert snap.state is State.quote_ready
    assert snap.amount.text == "20000" and snap.notice.title == "Transaction cancelled"
    assert world.chain.total_deposited(world.account) == 0


async def test_not_enough_gas_is_a_sentence_and_pay_again_pays_once():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    world.chain.set_celo(world.account, 0)
    snap = await send_all(world, ev.Confirm())
    assert snap.state is State.payment_failed
    assert snap.notice.message == "Not enough CELO for gas"
    assert snap.amount.text == "20000" and snap.credit is not None
    assert snap.pending.tx_hash is None  # nothing was sent: paying again is safe
    world.chain.set_celo(world.account, 10**18)
    snap = await send_all(world, ev.PayAgain())
    assert snap.state is State.payment_confirmed
    assert world.chain.total_deposited(world.account) == 20_000 * 10**18


async def test_backend_down_at_connect_then_back():
    world = build_world("verified")
    world.backend.down = True
    snap = await send_all(world, ev.Connect())
    assert snap.state is State.backend_unavailable
    assert "has not been charged" in snap.notice.message
    world.backend.down = False
    snap = await send_all(world, ev.Retry())
    assert snap.state in (State.usage_empty, State.usage_active, State.has_credits,
                          State.low_balance, State.connected_empty)


async def test_backend_down_after_payment_never_claims_success_and_credits_once_later():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    world.backend.down = True
    snap = await send_all(world, ev.Confirm())
    assert snap.state is State.backend_unavailable
    assert "Do not pay again" in snap.notice.message
    assert snap.api_key is None and snap.credit.credited_usd == 0
    world.backend.down = False
    snap = await send_all(world, ev.Retry())
    assert snap.state is State.payment_confirmed
    snap = await send_all(world, ev.ViewUsage(), ev.Refresh())
    profile = await world.backend.profile(world.account)
    assert profile.total_principal_usd == 20_000 * 1_150  # 20 000 G$ at $0.00115, once


async def test_funding_failure_is_outstanding_credit_not_a_failed_payment():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    world.backend.fail_next_payment = True
    snap = await send_all(world, ev.Confirm())
    assert snap.state is State.credit_outstanding and snap.notice.code == "funding_failed"
    assert [o.status for o in snap.outstanding] == ["failed"]


async def test_backend_without_planned_endpoints_confirms_without_inventing_a_key():
    world = build_world("zero_credits")
    world.backend.planned_endpoints = False
    snap = await send_all(world, *BUY)
    assert snap.state is State.payment_confirmed
    assert snap.api_key is None and snap.features.api_keys is False
    # asked once, up front: no sign-in is attempted on a backend without keys
    assert "issue_api_key" not in {e.type for t in world.session.history for e in t.step.effects}


async def test_signature_cancel_for_the_key_and_create_it_later():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    result = await world.session.send(ev.Confirm(), stop_in=State.signing_in)
    assert result.snapshot.state is State.signing_in and result.waiting[0].type == "issue_api_key"
    # the wallet answers the open signature prompt with a refusal
    snap = (await world.session.send(ev.WalletRejected())).snapshot
    assert snap.state is State.payment_confirmed and snap.notice.title == "Signature cancelled"
    snap = await send_all(world, ev.CreateKey())
    assert snap.api_key is not None and snap.api_key.token is not None


async def test_double_confirm_while_the_wallet_prompt_is_open_is_rejected():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    first = await world.session.send(ev.Confirm(), stop_in=State.awaiting_signature)
    assert [e.type for e in first.waiting] == ["submit_payment"]
    second = await world.session.send(ev.Confirm())
    assert not second.accepted and second.trace[0].step.effects == ()
    assert world.chain.total_deposited(world.account) == 0


async def test_unsupported_chain_then_switch():
    world = build_world("zero_credits")
    world.chain.set_chain_id(137)
    snap = await send_all(world, ev.Connect())
    assert snap.state is State.unsupported_chain
    snap = await send_all(world, ev.SwitchChain())
    assert snap.state is State.connected_empty and snap.wallet.chain_id == 42220


async def test_stream_start_pause_resume_stop():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.ChooseMode(mode="stream"), ev.EnterAmount(text="30000"))
    rate = world.session.snapshot.quote.flow_rate
    seen = []
    for event in (ev.StartStream(), ev.PauseStream(), ev.ResumeStream(), ev.StopStream()):
        snap = await send_all(world, event)
        seen.append((snap.state, world.chain.flow_rate(world.account)))
    assert seen == [(State.streaming_active, rate), (State.streaming_paused, 0),
                    (State.streaming_active, rate), (State.streaming_stopped, 0)]


def test_sync_facade():
    world = build_world("zero_credits")
    sync = SyncSession(world.session)
    try:
        assert sync.send(ev.Connect()).snapshot.state is State.connected_empty
        assert not sync.send(ev.Confirm()).accepted
    finally:
        sync.close()


async def test_a_payment_the_backend_finds_no_vault_event_for_is_not_a_success():
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    world.backend.chain = None  # the backend cannot see this chain's events
    snap = await send_all(world, ev.Confirm())
    assert snap.state is State.credit_outstanding
    assert snap.notice.title == "Your G$ arrived — crediting is pending"
    assert snap.api_key is None and snap.credit.credited_usd == 0


async def test_cancel_while_signing_in_closes_the_prompt_and_keeps_the_payment() -> None:
    world = build_world("zero_credits")
    await send_all(world, ev.Connect(), ev.EnterAmount(text="20000"))
    prompt_open = asyncio.Event()
    never = asyncio.Event()

    async def hanging_signature(account: str, message: str) -> str:
        prompt_open.set()
        await never.wait()  # the user looks at the prompt and does nothing
        raise AssertionError("unreachable")

    world.session.wallet.sign_message = hanging_signature  # type: ignore[method-assign]
    buying = asyncio.create_task(world.session.send(ev.Confirm()))
    await asyncio.wait_for(prompt_open.wait(), 5)
    assert world.session.snapshot.state is State.signing_in
    cancelled = await asyncio.wait_for(world.session.send(ev.CancelSignIn()), 5)
    await asyncio.wait_for(buying, 5)
    snap = cancelled.snapshot
    assert cancelled.accepted and snap.state is State.payment_confirmed
    assert snap.notice.title == "Signature cancelled" and snap.api_key is None
    assert snap.credit.credited_usd > 0
    assert world.chain.total_deposited(world.account) == 20_000 * 10**18
