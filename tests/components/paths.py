"""Event paths through the REAL machine: one story per widget state (plus a few variants).

Every path starts from :func:`ai_credits.initial_snapshot` and feeds user and system events, with
fixed times, accounts and transaction hashes, to :func:`ai_credits.step`.  :func:`replay` asserts
that every event was accepted, so a story can never show a state the machine cannot reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

from ai_credits import Snapshot, WidgetConfig, initial_snapshot, step
from ai_credits.core import events as ev
from ai_credits.core.models import (
    BackendFeatures,
    CreditEntry,
    CreditSummary,
    KeyInfo,
    StreamInfo,
    UsageRow,
    WalletInfo,
)
from ai_credits.core.states import State

__all__ = [
    "ACCOUNT",
    "AT",
    "HOSTILE",
    "STORIES",
    "TOKEN",
    "TX_HASH",
    "path_for",
    "rendered",
    "replay",
    "snapshot_for",
]

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ACCOUNT = "0x1234567890abcdef1234567890abcdef12345678"
TX_HASH = "0x" + "ab12" * 16
STREAM_TX = "0x" + "cd34" * 16
TOKEN = "gd_live_S3cr3tT0kenValue0123456789abcd"
KEY_PREFIX = "gd_live_S3cr...abcd"
WEI = 10**18
HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '"onmouseover="x',
)


def _t(minutes: int) -> datetime:
    return AT + timedelta(minutes=minutes)


def _wallet(*, balance_gd: int = 50_000, verified: bool = True, chain_id: int = 42220,
            first_deposit_done: bool = False) -> WalletInfo:  # fmt: skip
    return WalletInfo(account=ACCOUNT, chain_id=chain_id, g_balance_wei=balance_gd * WEI,
                      verified=verified, first_deposit_done=first_deposit_done)  # fmt: skip


FUNDED = CreditSummary(credited_usd=2_200_000, last_top_up_usd=2_200_000)


def _connect(*, verified: bool = True, credit: CreditSummary | None = None,
             key_prefix: str | None = None, stream: StreamInfo | None = None,
             balance_gd: int = 50_000, oracle: bool = True,
             features: BackendFeatures | None = None,
             outstanding: tuple[CreditEntry, ...] = (),
             history: tuple[CreditEntry, ...] | None = None) -> list[ev.Event]:  # fmt: skip
    return [
        ev.Connect(at=_t(0)),
        ev.WalletConnected(account=ACCOUNT, chain_id=42220, at=_t(0)),
        ev.AccountLoaded(
            wallet=_wallet(verified=verified, balance_gd=balance_gd,
                           first_deposit_done=credit is not None),
            credit=credit or CreditSummary(), gd_price="0.0001",
            price_source="oracle" if oracle else "backend", key_prefix=key_prefix,
            stream=stream, features=features, outstanding=outstanding, history=history,
            at=_t(1),
        ),
    ]  # fmt: skip


OWED = CreditEntry(tx_hash=TX_HASH, gd_wei=20_000 * WEI, credit_usd=2_200_000, status="failed",
                   created_at=_t(4))  # fmt: skip
LIVE_WORKER = BackendFeatures(api_keys=False, usage=False)
KEYS = (KeyInfo(key_id="key-1", prefix=KEY_PREFIX, label="AI Credits widget", created_at=_t(5)),
        KeyInfo(key_id="key-2", prefix="gd_live_7a7a...7a7a", label="laptop",
                created_at=_t(60), last_used_at=_t(600)))  # fmt: skip


def _buy(text: str = "20000") -> list[ev.Event]:
    return [
        ev.EnterAmount(text=text, at=_t(2)),
        ev.Confirm(request_id="req-story-1", at=_t(3)),
        ev.PaymentSubmitted(tx_hash=TX_HASH, at=_t(3)),
    ]


def _confirmed() -> list[ev.Event]:
    return [
        *_connect(),
        *_buy(),
        ev.PaymentRecorded(status="funded", credit=FUNDED, credited_usd=2_200_000, at=_t(4)),
        ev.ApiKeyIssued(token=TOKEN, key_id="key-1", prefix=KEY_PREFIX, at=_t(5)),
    ]


def usage_rows(model: str = "gpt-4o-mini", *, extra_model: str = "claude-3-5-sonnet") -> tuple[
        UsageRow, ...]:  # fmt: skip
    """Three billed requests over two days: one held, one charged, one released."""
    return (
        UsageRow(request_id="r-3", model=model, status="held", hold_usd=3_500,
                 prompt_tokens=120, created_at=_t(60 * 24 + 30)),
        UsageRow(request_id="r-2", model=extra_model, status="charged", hold_usd=9_000,
                 cost_usd=4_210, prompt_tokens=1_830, completion_tokens=412,
                 created_at=_t(60 * 24 + 10)),
        UsageRow(request_id="r-1", model=model, status="released", hold_usd=2_000,
                 created_at=_t(20)),
        UsageRow(request_id="r-0", model=model, status="charged", hold_usd=4_000,
                 cost_usd=1_250, prompt_tokens=400, completion_tokens=150, created_at=_t(10)),
    )  # fmt: skip


def _has_credits(rows: tuple[UsageRow, ...] = (), credit: CreditSummary = FUNDED) -> list[
        ev.Event]:  # fmt: skip
    return [
        *_connect(credit=FUNDED, key_prefix=KEY_PREFIX),
        ev.UsageLoaded(rows=rows, credit=credit, at=_t(60 * 24 + 40)),
    ]


STREAM_RATE = (60_000 * WEI) // 2_592_000
RUNNING = StreamInfo(flow_rate=STREAM_RATE, started_at=_t(10), as_of=_t(60 * 24 * 3),
                     streamed_wei=STREAM_RATE * 86_400 * 3, accrued_usd=720_000,
                     next_credit_at=_t(60 * 24 * 4))  # fmt: skip
PAUSED = StreamInfo(flow_rate=0, started_at=_t(10), as_of=_t(60 * 24 * 4),
                    streamed_wei=STREAM_RATE * 86_400 * 4, accrued_usd=960_000)  # fmt: skip


def _stream_setup() -> list[ev.Event]:
    return [
        *_connect(),
        ev.ChooseMode(mode="stream", at=_t(2)),
        ev.EnterAmount(text="60000", at=_t(2)),
    ]


def _streaming_active() -> list[ev.Event]:
    return [
        *_stream_setup(),
        ev.StartStream(request_id="req-stream-1", at=_t(3)),
        ev.StreamUpdated(tx_hash=STREAM_TX, stream=RUNNING, at=_t(60 * 24 * 3)),
    ]


def _streaming_paused() -> list[ev.Event]:
    return [
        *_streaming_active(),
        ev.PauseStream(request_id="req-stream-2", at=_t(60 * 24 * 4)),
        ev.StreamUpdated(tx_hash=STREAM_TX, stream=PAUSED, at=_t(60 * 24 * 4)),
    ]


STORIES: dict[str, Callable[[], list[ev.Event]]] = {
    "disconnected": lambda: [],
    "connecting": lambda: [ev.Connect(at=_t(0))],
    "connected_empty": _connect,
    "quote_ready": lambda: [*_connect(), ev.EnterAmount(text="20000", at=_t(2))],
    "quote_ready_unverified": lambda: [
        *_connect(verified=False), ev.EnterAmount(text="20000", at=_t(2))],
    "awaiting_signature": lambda: [*_connect(), *_buy()[:2]],
    "payment_pending": lambda: [*_connect(), *_buy()],
    "signing_in": lambda: _confirmed()[:-1],
    "payment_confirmed": _confirmed,
    "payment_confirmed_revealed": lambda: [*_confirmed(), ev.RevealKey(at=_t(6))],
    "has_credits": lambda: [*_confirmed(), ev.ViewUsage(at=_t(7))],
    "usage_empty": lambda: _has_credits(),
    "usage_active": lambda: _has_credits(usage_rows(), FUNDED.model_copy(
        update={"captured_usd": 5_460, "held_usd": 3_500})),
    "low_balance": lambda: _has_credits(usage_rows(), FUNDED.model_copy(
        update={"captured_usd": 1_900_000})),
    "insufficient_ai_credits": lambda: _has_credits(usage_rows(), FUNDED.model_copy(
        update={"captured_usd": 2_200_000})),
    "insufficient_g_balance": lambda: [*_connect(), ev.EnterAmount(text="75000", at=_t(2))],
    "payment_failed": lambda: [
        *_connect(), *_buy()[:2],
        ev.PaymentFailed(code="insufficient_gas", message="Not enough CELO for gas.", at=_t(4))],
    "payment_failed_reverted": lambda: [
        *_connect(), *_buy(),
        ev.PaymentReverted(tx_hash=TX_HASH, code="insufficient_gd",
                           message="Not enough G$ for this payment.", at=_t(4))],
    "payment_confirming": lambda: [
        *_connect(), *_buy(), ev.PaymentUnconfirmed(tx_hash=TX_HASH, at=_t(5))],
    "credit_outstanding": lambda: [
        *_connect(), *_buy(),
        ev.PaymentRecorded(status="failed", credit=CreditSummary(pending_usd=2_200_000),
                           outstanding=(OWED,), at=_t(4))],
    "connected_empty_owed": lambda: _connect(
        credit=CreditSummary(pending_usd=2_200_000), outstanding=(OWED,)),
    "quote_ready_estimate": lambda: [
        *_connect(oracle=False), ev.EnterAmount(text="20000", at=_t(2))],
    "has_credits_history": lambda: _connect(
        credit=FUNDED, features=LIVE_WORKER,
        history=(OWED.model_copy(update={"status": "funded"}),)),
    "backend_unavailable": lambda: [
        *_has_credits(usage_rows(), FUNDED),
        ev.Refresh(at=_t(60 * 24 + 50)), ev.BackendFailed(at=_t(60 * 24 + 51))],
    "unsupported_chain": lambda: [
        ev.Connect(at=_t(0)), ev.WalletConnected(account=ACCOUNT, chain_id=1, at=_t(0))],
    "streaming_setup": _stream_setup,
    "streaming_active": _streaming_active,
    "streaming_paused": _streaming_paused,
    "streaming_stopped": lambda: [*_streaming_paused(), ev.StopStream(at=_t(60 * 24 * 5))],
    "byok": lambda: [ev.UseOwnKey(at=_t(0)),
                     ev.UseOwnKey(base_url="https://llm.example.dev/v1", model="my-model-large",
                                  api_key="sk-test-0123456789abcdef", at=_t(1))],
    "byok_invalid": lambda: [ev.UseOwnKey(at=_t(0)),
                             ev.UseOwnKey(base_url="http://llm.example.dev/v1", model="my model",
                                          at=_t(1))],
    "usage_active_keys": lambda: [
        *_has_credits(usage_rows(), FUNDED),
        ev.UsageLoaded(rows=usage_rows(), credit=FUNDED, keys=KEYS, at=_t(60 * 24 + 41))],
    "usage_active_revoking": lambda: [
        *_has_credits(usage_rows(), FUNDED),
        ev.UsageLoaded(rows=usage_rows(), credit=FUNDED, keys=KEYS, at=_t(60 * 24 + 41)),
        ev.RevokeKey(key_id="key-2", at=_t(60 * 24 + 42))],
    "payment_confirmed_sign_in_cancelled": lambda: [*_confirmed()[:-1], ev.CancelSignIn(at=_t(5))],
}  # fmt: skip
"""Story name → event path.  Names that are state names produce that state."""

STATE_STORIES: dict[State, str] = {s: s.value for s in State}
"""The canonical story of each state."""


def replay(events: Sequence[ev.Event], config: WidgetConfig | None = None) -> Snapshot:
    """Feed ``events`` to the real machine from the start, asserting each one is accepted."""
    snapshot = initial_snapshot(config)
    for index, event in enumerate(events):
        result = step(snapshot, event)
        assert result.accepted, (
            f"event #{index} {event.type!r} rejected in {snapshot.state.value}: "
            f"{result.rejection}"
        )
        snapshot = result.snapshot
    return snapshot


def path_for(story: str) -> list[ev.Event]:
    """The event path of ``story``."""
    return STORIES[story]()


@cache
def snapshot_for(story: str) -> Snapshot:
    """The snapshot at the end of ``story``'s path (cached; snapshots are immutable)."""
    return replay(path_for(story))


@cache
def rendered(story: str, theme: str = "dark") -> str:
    """The widget HTML of ``story`` in ``theme`` (cached: rendering is deterministic)."""
    from ai_credits.views import render_widget

    return str(render_widget(snapshot_for(story), theme=theme))
