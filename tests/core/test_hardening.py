"""Issue 11 in the core: hostile prices (2), overlong amount text (4), the key in python-mode dumps
(5), and snapshots whose state disagrees with their context (9) — each refused or handled where
it enters, never a crash later."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ai_credits import State, render_widget, step
from ai_credits.core import events as ev
from ai_credits.core.limits import AMOUNT_TEXT_MAX, MAX_GD_PRICE, MIN_GD_PRICE
from ai_credits.core.machine import step_with_transitions
from ai_credits.core.models import CreditSummary, SecretToken, WalletInfo, WidgetConfig
from ai_credits.core.quote import gd_wei_for_usd_micro, parse_gd_amount, usd_micro_per_token
from ai_credits.core.snapshot import WALLET_OPTIONAL_STATES, Snapshot, initial_snapshot
from ai_credits.errors import InvalidAmount, QuoteError

ACCOUNT = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20
TX = "0x" + "12" * 32
TOKEN = "gd_live_" + "0f" * 32
AT = "2026-11-21T12:00:00Z"
GD = 10**18


def connected(**config: Any) -> Snapshot:
    wallet = WalletInfo(account=ACCOUNT, chain_id=42220, g_balance_wei=10**6 * GD, verified=True)
    return Snapshot(state=State.connected_empty, wallet=wallet, credit=CreditSummary(),
                    config=WidgetConfig(**config))  # fmt: skip


# --- 2. hostile prices -------------------------------------------------------------------------

HOSTILE_PRICES = ["abc", "1e-12", "0.000000000001", "1.7e308", "0", "-1", "nan", "inf",
                  "Infinity", "0x10", "1,5", " 1", "", "1" * 41, "0.0000001"]  # fmt: skip


@pytest.mark.parametrize("price", HOSTILE_PRICES)
def test_a_hostile_gd_price_is_refused_on_the_event(price: str) -> None:
    wallet = {"account": ACCOUNT, "chain_id": 42220}
    with pytest.raises(ValidationError, match="gd_price"):
        ev.parse_event({"type": "account_loaded", "wallet": wallet, "credit": {},
                        "gd_price": price})  # fmt: skip


@pytest.mark.parametrize("price", HOSTILE_PRICES)
def test_a_hostile_gd_price_is_refused_in_the_config(price: str) -> None:
    with pytest.raises(ValidationError, match="gd_price"):
        WidgetConfig(gd_price=price)


@pytest.mark.parametrize(
    ("given_price", "kept"),
    [("0.00115", "0.00115"), ("1e-05", "0.00001"), ("1E+2", "100"), ("0.001154299954649337",
     "0.001154299954649337"), (str(MIN_GD_PRICE), "0.000001"), (str(MAX_GD_PRICE), "1000000")],
)  # fmt: skip
def test_plausible_prices_pass_as_plain_decimal_text(given_price: str, kept: str) -> None:
    loaded = ev.AccountLoaded(wallet=WalletInfo(account=ACCOUNT, chain_id=42220),
                              credit=CreditSummary(), gd_price=given_price)  # fmt: skip
    assert loaded.gd_price == kept
    assert float(kept) == float(given_price)  # the same IEEE double the Worker rounds


@pytest.mark.parametrize("price", [str(MIN_GD_PRICE), "0.0001", "1", str(MAX_GD_PRICE)])
@pytest.mark.parametrize("text", ["1", "1000", "9999999999999", "0.000000000000000001"])
@pytest.mark.parametrize("mode", ["one_time", "stream"])
def test_any_accepted_price_quotes_and_renders(price: str, text: str, mode: str) -> None:
    snap = connected(gd_price=price)
    snap = step(snap, ev.ChooseMode(mode=mode)).snapshot  # type: ignore[arg-type]
    result = step(snap, ev.EnterAmount(text=text))
    assert result.accepted
    assert "AiCreditsWidget" in str(render_widget(result.snapshot))


def test_quote_functions_raise_their_own_error_not_arithmetic_ones() -> None:
    with pytest.raises(QuoteError):
        usd_micro_per_token(1.7e308)
    with pytest.raises(QuoteError):
        gd_wei_for_usd_micro(1_000_000, 1e-12)
    assert usd_micro_per_token(float(MIN_GD_PRICE)) == 1


# --- 4. overlong amount text -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9" * 500, "1" * (AMOUNT_TEXT_MAX + 1), "0." + "0" * 5000,
                                  " " * 300 + "5", "x" * 10_000])  # fmt: skip
def test_overlong_amount_text_is_an_inline_error_not_a_refused_event(text: str) -> None:
    event = ev.parse_event({"type": "enter_amount", "text": text})
    assert isinstance(event, ev.EnterAmount)
    assert len(event.text) == AMOUNT_TEXT_MAX + 1 and event.text.endswith("…")
    result = step(connected(), event)
    assert result.accepted
    amount = result.snapshot.amount
    assert amount.error_code == "too_large"
    assert amount.error_message == "That amount is too large."
    assert amount.text == event.text  # kept (clipped) so the field shows what was typed
    assert "That amount is too large." in str(render_widget(result.snapshot))
    assert Snapshot.model_validate_json(result.snapshot.model_dump_json()) == result.snapshot


def test_500_digits_through_the_parser_and_the_event_json() -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_gd_amount("9" * 500)
    assert info.value.code == "too_large"
    event = ev.parse_event(json.dumps({"type": "enter_amount", "text": "9" * 500}))
    assert step(connected(), event).snapshot.amount.error_code == "too_large"


def test_amount_text_at_the_limit_is_parsed_as_typed() -> None:
    text = "1" + " " * (AMOUNT_TEXT_MAX - 1)
    event = ev.EnterAmount(text=text)
    assert event.text == text
    assert step(connected(), event).snapshot.amount.wei == GD


# --- 5. the key in python-mode dumps ---------------------------------------------------------


def confirmed_with_key() -> tuple[Snapshot, Any]:
    snap = connected().model_copy(update={"state": State.signing_in})
    issued = ev.ApiKeyIssued(token=SecretToken(TOKEN), key_id="key_1",
                             prefix="gd_live_0f0f...0f0f")  # fmt: skip
    result = step(snap, issued)
    assert result.snapshot.state is State.payment_confirmed
    assert result.snapshot.api_key is not None and result.snapshot.api_key.token is not None
    return result.snapshot, result


def strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_python_mode_dumps_keep_the_secret_object() -> None:
    snap, result = confirmed_with_key()
    issued = ev.ApiKeyIssued(token=SecretToken(TOKEN), key_id="k", prefix="p")
    for dumped in (snap.model_dump(), result.model_dump(), issued.model_dump()):
        assert not any("gd_live_0f0f0f" in s for s in strings(dumped))
        assert TOKEN not in repr(dumped)
    assert isinstance(snap.model_dump()["api_key"]["token"], SecretToken)
    assert isinstance(issued.model_dump()["token"], SecretToken)


def test_json_mode_round_trips_the_full_token_as_documented() -> None:
    snap, result = confirmed_with_key()
    assert snap.model_dump(mode="json")["api_key"]["token"] == TOKEN
    assert json.loads(snap.model_dump_json())["api_key"]["token"] == TOKEN
    assert Snapshot.model_validate_json(snap.model_dump_json()) == snap
    assert Snapshot.model_validate(snap.model_dump()) == snap
    assert json.loads(result.model_dump_json())["snapshot"]["api_key"]["token"] == TOKEN


# --- 9. snapshots whose state disagrees with their context -----------------------------------


@pytest.mark.parametrize("state", sorted(set(State) - WALLET_OPTIONAL_STATES))
def test_a_state_that_acts_on_the_wallet_needs_one(state: State) -> None:
    with pytest.raises(ValidationError, match=f"state '{state.value}' needs a connected wallet"):
        Snapshot.model_validate({"state": state.value})
    with pytest.raises(ValidationError, match="needs a connected wallet"):
        Snapshot.model_validate_json(json.dumps({"state": state.value, "credit": {}}))


def test_the_issue_example_is_refused_with_a_clear_error() -> None:
    stored = json.dumps({"state": "has_credits", "credit": {"credited_usd": 5_000_000}})
    with pytest.raises(ValidationError) as info:
        Snapshot.model_validate_json(stored)
    assert "inconsistent snapshot" in str(info.value)


@pytest.mark.parametrize("state", sorted(WALLET_OPTIONAL_STATES))
def test_states_without_a_wallet_still_load(state: State) -> None:
    assert Snapshot.model_validate({"state": state.value}).state is state


def probe_events() -> list[ev.Event]:
    """One of every user event, and system events with the payloads effects produce."""
    wallet = WalletInfo(account=ACCOUNT, chain_id=42220, g_balance_wei=5 * GD, verified=True)
    users = [cls() for cls in ev.USER_EVENTS.values()]
    users += [ev.EnterAmount(text="20000"), ev.ChooseMode(mode="stream"), ev.Confirm()]
    credit = CreditSummary(credited_usd=5_000_000, held_usd=1_000)
    systems: list[ev.Event] = [
        ev.WalletConnected(account=ACCOUNT, chain_id=42220),
        ev.WalletConnected(account=ACCOUNT, chain_id=1),
        ev.WalletRejected(), ev.ChainChanged(chain_id=42220), ev.ChainChanged(chain_id=1),
        ev.AccountChanged(account=OTHER), ev.AccountChanged(account=ACCOUNT),
        ev.AccountLoaded(wallet=wallet, credit=credit, gd_price="0.0001"),
        ev.AccountLoaded(wallet=wallet, credit=CreditSummary()),
        ev.UsageLoaded(credit=credit), ev.PaymentSubmitted(tx_hash=TX),
        ev.PaymentRecorded(status="funded", credit=credit, credited_usd=1),
        ev.PaymentRecorded(status="pending"), ev.PaymentRecorded(status="failed"),
        ev.PaymentFailed(), ev.PaymentReverted(tx_hash=TX), ev.PaymentUnconfirmed(tx_hash=TX),
        ev.ApiKeyIssued(token=SecretToken(TOKEN), key_id="k", prefix="gd_live_0f0f...0f0f"),
        ev.BackendFailed(), ev.BackendFailed(kind="not_supported"),
        ev.BackendFailed(kind="unauthorised"),
    ]  # fmt: skip
    return [*users, *systems]


PROBES = probe_events()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=12,
)  # fmt: skip
ints = st.integers(min_value=0, max_value=10**30)
maybe_tx = st.none() | st.just(TX)
snapshot_parts = st.fixed_dictionaries(
    {"state": st.sampled_from([s.value for s in State])},
    optional={
        "wallet": st.none() | st.fixed_dictionaries(
            {"account": st.sampled_from([ACCOUNT, OTHER]), "chain_id": st.sampled_from([42220, 1])},
            optional={"g_balance_wei": st.none() | ints, "verified": st.none() | st.booleans(),
                      "first_deposit_done": st.booleans()}),
        "mode": st.sampled_from(["one_time", "stream"]),
        "amount": st.fixed_dictionaries({}, optional={
            "text": st.sampled_from(["", "20000", "abc", "0.5"]), "wei": st.none() | ints,
            "error_code": st.none() | st.just("too_large")}),
        "quote": st.none() | st.fixed_dictionaries({
            "mode": st.sampled_from(["one_time", "stream"]), "gd_wei": ints, "flow_rate": ints,
            "principal_usd": ints, "bonus_usd": ints, "total_credit_usd": ints,
            "bonus_bps": st.integers(0, 10_000), "verified": st.booleans(),
            "gd_price": st.just("0.0001"), "usd_micro_per_token": st.integers(0, 10**6)}),
        "pending": st.none() | st.fixed_dictionaries(
            {"kind": st.sampled_from(["purchase", "stream_start", "stream_resume", "stream_pause",
                                      "stream_stop"]), "request_id": st.just("req-1")},
            optional={"tx_hash": maybe_tx, "reverted": st.booleans(), "amount_wei": ints,
                      "flow_rate": ints, "account": st.none() | st.just(ACCOUNT)}),
        "credit": st.none() | st.fixed_dictionaries({}, optional={
            "credited_usd": ints, "captured_usd": ints, "held_usd": ints, "pending_usd": ints,
            "last_top_up_usd": ints}),
        "api_key": st.none() | st.fixed_dictionaries(
            {"prefix": st.just("gd_live_0f0f...0f0f")},
            optional={"token": st.none() | st.just(TOKEN), "revealed": st.booleans(),
                      "key_id": st.none() | st.just("k")}),
        "usage": st.none() | st.just([]) | st.just([{
            "request_id": "r", "model": "m", "status": "charged", "hold_usd": 1000,
            "cost_usd": 35, "created_at": AT}]),
        "stream": st.none() | st.fixed_dictionaries({"flow_rate": ints}, optional={
            "paused_flow_rate": ints, "streamed_wei": ints, "accrued_usd": ints,
            "started_at": st.none() | st.just(AT), "as_of": st.none() | st.just(AT)}),
        "notice": st.none() | st.just({"kind": "error", "title": "t", "message": "m"}),
        "cached": st.none() | st.fixed_dictionaries({"available_usd": ints}),
        "byok": st.none() | st.just({"base_url": "http://x/v1", "model": "m"}),
        "outstanding": st.lists(st.fixed_dictionaries({}, optional={
            "tx_hash": maybe_tx, "gd_wei": ints, "credit_usd": ints,
            "status": st.sampled_from(["pending", "failed", "funded"])}), max_size=2),
        "history": st.none() | st.just([]),
        "features": st.none() | st.fixed_dictionaries({"api_keys": st.booleans(),
                                                       "usage": st.booleans()}),
        "updated_at": st.none() | st.just(AT),
    },
)  # fmt: skip


def load(stored: str) -> Snapshot | None:
    try:
        return Snapshot.model_validate_json(stored)
    except ValidationError:
        return None  # refused up front, with pydantic's error: the other allowed outcome


def every_event_steps(snap: Snapshot) -> None:
    assert "AiCreditsWidget" in str(render_widget(snap))
    for event in PROBES:
        result = step(snap, event)  # any exception but ValidationError-on-load fails the test
        assert result == step_with_transitions(snap, event), event.type  # the two engines agree
        if result.accepted:
            again = result.snapshot
            assert Snapshot.model_validate_json(again.model_dump_json()) == again, event.type


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshot_parts)
def test_snapshots_loaded_from_json_are_refused_or_step_without_error(
    parts: dict[str, Any],
) -> None:
    snap = load(json.dumps(parts))
    if snap is not None:
        every_event_steps(snap)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["state", "wallet", "credit", "mode", "amount", "quote",
                                        "pending", "api_key", "usage", "seq", "x"]),
                       json_values, max_size=6))  # fmt: skip
def test_arbitrary_json_is_refused_or_steps_without_error(data: dict[str, Any]) -> None:
    snap = load(json.dumps(data))
    if snap is not None:
        every_event_steps(snap)


def test_the_initial_snapshot_and_every_probe_still_work() -> None:
    every_event_steps(initial_snapshot())
