"""The widget's state machine: a declarative table run by ``transitions``.

``TABLE`` lists every transition as data — trigger, source, destination, guards and actions — the
way an XState config does.  ``step(snapshot, event)`` runs one event through it and returns the next
snapshot plus the effects for a runtime to execute.  Guards are named predicates in ``GUARDS``;
actions are named pure functions in ``_Run``.  Nothing here performs I/O or reads a clock.

The machine is flat at run time (``has_credits`` and its children are expanded into source lists):
``transitions``' hierarchical machine costs ~5× per event, and one event must stay well under
50 µs.  The hierarchy is kept in the table (``@has_credits``) and drawn in the diagram.

``transitions`` builds the machine from the table (sources, destinations, conditions with their
targets, callbacks, in order) and answers ``may``; ``step`` runs the transitions that machine
built, resolved once into plain functions, because ``transitions``' own trigger costs as much as
the rest of a step (see "the compiled dispatch" below).  ``step_with_transitions`` runs an event
through ``transitions`` itself, and a test holds both equal on every transition of the table.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from transitions import Machine, MachineError

from ai_credits.core import effects as fx
from ai_credits.core import events as ev
from ai_credits.core.models import (
    AmountInput,
    ApiKey,
    BackendFeatures,
    CachedBalance,
    Notice,
    PendingAction,
    Quote,
    StreamInfo,
    WalletInfo,
    WidgetConfig,
    trusted_model,
)
from ai_credits.core.quote import format_gd, format_gd_exact
from ai_credits.core.rules import byok_form, default_request_id, evaluate_amount, is_low_balance
from ai_credits.core.snapshot import ByokSetup, Snapshot
from ai_credits.core.states import GROUPS, KEY_HOLDING_STATES, State

__all__ = [
    "GUARDS",
    "TABLE",
    "AvailableEvent",
    "Rejection",
    "Row",
    "Step",
    "available_events",
    "expand_source",
    "may",
    "offered_user_events",
    "step",
    "step_with_transitions",
]

S = State
Dest = State | None
"""``None``: an internal transition — the state stays, the actions still run."""


@dataclass(frozen=True)
class Row:
    """One transition. ``source`` is a state, a list of states, ``"@group"`` or ``"*"``;
    guards prefixed with ``!`` must be false."""

    trigger: str
    source: State | str | tuple[State | str, ...]
    dest: Dest
    guards: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    label: str = field(default="", compare=False)


def expand_source(source: State | str | tuple[State | str, ...]) -> list[State]:
    """The concrete states a row's ``source`` names, in enum order."""
    items = source if isinstance(source, tuple) else (source,)
    chosen: set[State] = set()
    for item in items:
        if isinstance(item, State):
            chosen.add(item)
        elif item == "*":
            chosen.update(State)
        elif item.startswith("@"):
            chosen.update(GROUPS[item[1:]])
        else:
            chosen.add(State(item))
    return [s for s in State if s in chosen]


# --- guards --------------------------------------------------------------------------------------

GuardFn = Callable[["_Run"], bool]


@dataclass(frozen=True)
class Guard:
    """A named condition and, for the user, why an action is unavailable when it is false."""

    test: GuardFn
    reason: str


def _current_wallet(run: _Run) -> WalletInfo | None:
    """The wallet as the event reads it fresh (``account_loaded``), else as last known."""
    loaded = run.event.__dict__.get("wallet")
    return loaded if isinstance(loaded, WalletInfo) else run.snap.wallet


def _wallet_balance(run: _Run) -> int:
    wallet = _current_wallet(run)
    return wallet.g_balance_wei or 0 if wallet else 0


def _this_wallets_purchase(run: _Run) -> PendingAction | None:
    """The pending purchase, if it was made by the wallet connected now."""
    pending = run.snap.pending
    if pending is None or pending.kind != "purchase":
        return None
    wallet = _current_wallet(run)
    mine = pending.account is None or (wallet is not None and wallet.account == pending.account)
    return pending if mine else None


def _in_flight(run: _Run) -> bool:
    """A purchase of *this* wallet has a transaction that may still move G$."""
    pending = _this_wallets_purchase(run)
    return pending is not None and pending.in_flight


def _awaiting_late_hash(run: _Run) -> bool:
    """A purchase of *this* wallet whose wallet never said what it did: a hash may still come."""
    pending = _this_wallets_purchase(run)
    return pending is not None and pending.unanswered and pending.tx_hash is None


def _priced(config: WidgetConfig, event: ev.AccountLoaded) -> WidgetConfig:
    """``config`` at the price the account load read (unchanged when it read none)."""
    if event.gd_price is None or (
        event.gd_price == config.gd_price and event.price_source == config.gd_price_source
    ):
        return config
    return config.model_copy(update={"gd_price": event.gd_price,
                                     "gd_price_source": event.price_source})  # fmt: skip


def _features(run: _Run) -> BackendFeatures:
    loaded = run.event.__dict__.get("features")
    if isinstance(loaded, BackendFeatures):
        return loaded
    return run.snap.features or _ALL_FEATURES


_ALL_FEATURES = BackendFeatures()
_AMOUNT_EVENTS = (ev.EnterAmount, ev.UseMax, ev.ChooseMode)
"""Events that re-read the amount field (a tuple: ``isinstance`` with ``A | B`` builds a union
on every call)."""


GUARDS: dict[str, Guard] = {
    "chain_supported": Guard(
        lambda r: r.event_chain_id() in r.snap.config.supported_chain_ids,
        "Switch your wallet to Celo.",
    ),
    "is_stream_mode": Guard(lambda r: r.next_mode == "stream", "Choose the monthly stream."),
    "streaming_allowed": Guard(
        lambda r: r.snap.config.allow_streaming, "Streaming is not offered here."
    ),
    "amount_ok": Guard(
        lambda r: r.amount.error_code is None and r.quote is not None,
        "Enter a valid amount of G$.",
    ),
    "amount_exceeds_balance": Guard(
        lambda r: r.next_mode == "one_time"
        and r.amount.wei is not None
        and r.amount.wei > _wallet_balance(r),
        "The amount is more than your G$ balance.",
    ),
    "quote_purchasable": Guard(
        lambda r: r.snap.quote is not None
        and r.snap.quote.mode == "one_time"
        and r.snap.quote.gd_wei <= _wallet_balance(r),
        "Enter an amount within your G$ balance first.",
    ),
    "stream_quote_ready": Guard(
        lambda r: r.snap.quote is not None and r.snap.quote.mode == "stream",
        "Enter a monthly G$ amount first.",
    ),
    "has_balance": Guard(lambda r: _wallet_balance(r) > 0, "Your wallet has no G$."),
    "stream_running": Guard(
        lambda r: r.loaded_stream is not None and r.loaded_stream.flow_rate > 0,
        "No stream is running.",
    ),
    "out_of_credit": Guard(
        lambda r: r.loaded_credit is not None
        and r.loaded_credit.credited_usd > 0
        and r.loaded_credit.available_usd == 0,
        "You still have credit.",
    ),
    "has_credit": Guard(
        lambda r: r.loaded_credit is not None and r.loaded_credit.credited_usd > 0,
        "No credits yet.",
    ),
    "low_balance": Guard(
        lambda r: r.loaded_credit is not None
        and is_low_balance(r.loaded_credit, r.snap.config),
        "Your balance is not low.",
    ),
    "usage_rows": Guard(lambda r: bool(r.usage_rows), "No requests yet."),
    "last_request_refused": Guard(
        lambda r: bool(r.usage_rows) and r.usage_rows[0].status == "refused",
        "Your last request was not refused.",
    ),
    "needs_key": Guard(lambda r: r.snap.api_key is None, "You already have an API key."),
    "has_key_id": Guard(
        lambda r: r.snap.api_key is not None and r.snap.api_key.key_id is not None,
        "There is no key of this session to replace.",
    ),
    "key_listed": Guard(
        lambda r: r.snap.keys is not None and any(
            k.key_id == r.event_attr("key_id") and k.status == "active" for k in r.snap.keys),
        "That key is not one of your active keys.",
    ),
    "revoke_asked": Guard(lambda r: r.snap.revoking is not None, "No key is being revoked."),
    "has_key_token": Guard(
        lambda r: r.snap.api_key is not None and r.snap.api_key.token is not None,
        "The key is shown only once, right after it is issued.",
    ),
    "recorded_funded": Guard(lambda r: r.event_attr("status") == "funded", "Not funded yet."),
    "backend_not_supported": Guard(
        lambda r: r.event_attr("kind") == "not_supported", "The backend supports it."
    ),
    "backend_soft_failure": Guard(
        lambda r: r.event_attr("kind") in ("not_supported", "unauthorised"),
        "The backend is down.",
    ),
    "pending_purchase": Guard(
        lambda r: r.snap.pending is not None and r.snap.pending.kind == "purchase",
        "No purchase is under way.",
    ),
    "pending_stream_start": Guard(
        lambda r: r.pending_kind() == "stream_start", "Another wallet action is under way."
    ),
    "pending_stream_resume": Guard(
        lambda r: r.pending_kind() == "stream_resume", "Another wallet action is under way."
    ),
    "pending_stream_pause": Guard(
        lambda r: r.pending_kind() == "stream_pause", "Another wallet action is under way."
    ),
    "pending_stream_stop": Guard(
        lambda r: r.pending_kind() == "stream_stop", "Another wallet action is under way."
    ),
    "payment_in_flight": Guard(_in_flight, "No payment is waiting to be checked."),
    "awaiting_late_hash": Guard(_awaiting_late_hash,
                                "No payment is waiting for its wallet's answer."),
    "wallet_unanswered": Guard(
        lambda r: r.event_attr("code") in ev.WALLET_MAY_STILL_SEND, "The wallet said it refused."
    ),
    "can_pay_again": Guard(
        lambda r: r.snap.pending is not None
        and r.snap.pending.kind == "purchase"
        and r.snap.pending.transfer_safe
        and r.snap.pending.amount_wei > 0,
        "The last payment may still arrive: check it instead of paying again.",
    ),
    "tx_matches": Guard(
        lambda r: r.snap.pending is not None and r.snap.pending.tx_hash == r.event_attr("tx_hash"),
        "That is not the payment under way.",
    ),
    "has_outstanding_tx": Guard(
        lambda r: any(o.tx_hash for o in r.snap.outstanding), "Nothing is waiting for credit."
    ),
    "snapshot_has_credit": Guard(
        lambda r: r.snap.credit is not None and r.snap.credit.credited_usd > 0, "No credits yet."
    ),
    "keys_offered": Guard(
        lambda r: _features(r).api_keys, "This credits service does not issue API keys yet."
    ),
    "usage_offered": Guard(
        lambda r: _features(r).usage, "This credits service does not report usage yet."
    ),
    "pending_stream_change": Guard(
        lambda r: r.pending_kind() in ("stream_pause", "stream_stop"),
        "Another wallet action is under way.",
    ),
    "byok_allowed": Guard(lambda r: r.snap.config.allow_byok, "This host does not allow it."),
    "has_wallet": Guard(lambda r: r.snap.wallet is not None, "Connect a wallet first."),
    "same_account": Guard(
        lambda r: r.snap.wallet is not None
        and str(r.event_attr("account")).lower() == r.snap.wallet.account.lower(),
        "The wallet switched to another account.",
    ),
}

# --- the table -----------------------------------------------------------------------------------

_MODE_SOURCES: tuple[State | str, ...] = (
    "@amount_entry",
    "@has_credits",
    S.insufficient_ai_credits,
    S.streaming_stopped,
    S.payment_confirmed,
)


def row_with(row: Row, *, actions: tuple[str, ...]) -> Row:
    """``row`` with other actions."""
    return Row(row.trigger, row.source, row.dest, row.guards, actions, row.label)


_REPRICED: tuple[State, ...] = (
    S.connected_empty, S.quote_ready, S.insufficient_g_balance, S.streaming_setup,
)
"""Where Refresh re-reads the price and balance and re-quotes what is typed (stream last)."""
_ONE_TIME_ENTRY: tuple[State | str, ...] = (
    S.connected_empty, S.quote_ready, S.insufficient_g_balance, S.payment_failed,
)
"""The one-time amount form (always in one-time mode: choosing the stream leaves it)."""


def _one_time_outcomes(trigger: str, source: State | str | tuple[State | str, ...], *,
                       can_exceed: bool = True) -> list[Row]:  # fmt: skip
    # Mutually exclusive guards, the most common outcome first (each row tried costs time).
    rows = [
        Row(trigger, source, S.quote_ready,
            ("!is_stream_mode", "amount_ok", "!amount_exceeds_balance"), ("apply_amount",)),
        Row(trigger, source, S.connected_empty, ("!is_stream_mode", "!amount_ok"),
            ("apply_amount",)),
    ]  # fmt: skip
    if can_exceed:
        rows.append(Row(trigger, source, S.insufficient_g_balance,
                        ("!is_stream_mode", "amount_ok", "amount_exceeds_balance"),
                        ("apply_amount",)))  # fmt: skip
    return rows


def _amount_rows() -> list[Row]:
    rows = [
        Row("choose_mode", _MODE_SOURCES, S.streaming_setup,
            ("is_stream_mode", "streaming_allowed"), ("apply_amount",)),
        *_one_time_outcomes("choose_mode", _MODE_SOURCES),
        # typing keeps the mode: the one-time form stays one-time, the stream form a stream
        *_one_time_outcomes("enter_amount", _ONE_TIME_ENTRY),
        Row("enter_amount", S.streaming_setup, S.streaming_setup, (), ("apply_amount",)),
        Row("use_max", "@amount_entry", None, ("!has_balance",), ("no_balance_notice",)),
        # the whole balance is never more than the balance
        *_one_time_outcomes("use_max", _ONE_TIME_ENTRY, can_exceed=False),
        Row("use_max", S.streaming_setup, S.streaming_setup, ("has_balance",),
            ("apply_amount",)),
        # a fresh price and balance re-price the amount being quoted (the price moves)
        Row("refresh", _REPRICED, None, ("has_wallet",), ("load_account",)),
        *[row_with(r, actions=("apply_account", "apply_amount"))
          for r in _one_time_outcomes("account_loaded", _REPRICED[:-1])],
        Row("account_loaded", S.streaming_setup, S.streaming_setup, (),
            ("apply_account", "apply_amount")),
    ]  # fmt: skip
    return rows


def _routes(
    trigger: str, source: State | str | tuple[State | str, ...], *, connecting: bool = True
) -> list[Row]:
    """Where fresh account data leads: on connecting, a payment still in flight first (it is
    re-checked, never re-paid) and a running stream; then out of credit, the dashboard or the
    buy form."""
    rows: list[Row] = []
    if connecting:
        rows.append(Row(trigger, source, S.payment_pending, ("payment_in_flight",),
                        ("apply_account", "clear_notice", "record_payment")))  # fmt: skip
        rows.append(Row(trigger, source, S.streaming_active, ("stream_running",),
                        ("apply_account",)))  # fmt: skip
    return [
        *rows,
        Row(trigger, source, S.insufficient_ai_credits, ("out_of_credit",), ("apply_account",)),
        Row(trigger, source, S.has_credits, ("has_credit", "usage_offered"),
            ("apply_account", "load_usage")),
        Row(trigger, source, S.has_credits, ("has_credit",), ("apply_account",)),
        Row(trigger, source, S.connected_empty, (), ("apply_account",)),
    ]  # fmt: skip


_USAGE_SOURCES: tuple[State | str, ...] = ("@has_credits", S.insufficient_ai_credits)
_KEY_SOURCES: tuple[State | str, ...] = (S.payment_confirmed, *_USAGE_SOURCES)
"""Where a key holder manages keys: create another, rotate, revoke."""

TABLE: tuple[Row, ...] = (
    # connecting a wallet
    Row("connect", S.disconnected, S.connecting, (), ("connect_wallet",)),
    Row("wallet_connected", S.connecting, None, ("chain_supported",),
        ("apply_wallet", "load_account")),
    Row("wallet_connected", S.connecting, S.unsupported_chain, ("!chain_supported",),
        ("apply_wallet",)),
    Row("wallet_rejected", S.connecting, S.disconnected, (), ("cancelled_notice",)),
    *_routes("account_loaded", S.connecting),
    Row("backend_failed", S.connecting, S.backend_unavailable, (), ("backend_notice",)),
    # the wrong network
    Row("switch_chain", S.unsupported_chain, None, (), ("switch_chain",)),
    Row("wallet_rejected", S.unsupported_chain, None, (), ("cancelled_notice",)),
    Row("chain_changed", S.unsupported_chain, S.connecting, ("chain_supported",),
        ("apply_chain", "load_account")),
    Row("chain_changed", S.unsupported_chain, None, ("!chain_supported",), ("apply_chain",)),
    Row("chain_changed", "@wallet", S.unsupported_chain, ("has_wallet", "!chain_supported"),
        ("apply_chain",)),
    Row("chain_changed", "@wallet", None, ("has_wallet", "chain_supported"), ("apply_chain",)),
    Row("account_changed", ("@wallet", S.unsupported_chain), None,
        ("has_wallet", "same_account")),
    Row("account_changed", ("@wallet", S.unsupported_chain), S.connecting,
        ("has_wallet", "!same_account"), ("switch_account", "load_account")),
    # entering an amount, one-time or stream
    *_amount_rows(),
    # buying once: one intent, at most one transfer
    Row("confirm", S.quote_ready, S.awaiting_signature, ("quote_purchasable", "!payment_in_flight"),
        ("begin_purchase",)),
    Row("payment_submitted", S.awaiting_signature, S.payment_pending, ("pending_purchase",),
        ("apply_tx", "record_payment")),
    Row("wallet_rejected", S.awaiting_signature, S.quote_ready, ("pending_purchase",),
        ("cancelled_notice",)),
    # a stream change that fails goes back to its card, never to the purchase states
    Row("payment_failed", S.awaiting_signature, S.streaming_setup, ("pending_stream_start",),
        ("stream_failed_notice",)),
    Row("payment_failed", S.awaiting_signature, S.streaming_paused, ("pending_stream_resume",),
        ("stream_failed_notice",)),
    Row("payment_failed", S.awaiting_signature, S.streaming_active, ("pending_stream_change",),
        ("stream_failed_notice",)),
    Row("payment_failed", S.awaiting_signature, S.payment_failed,
        ("pending_purchase", "wallet_unanswered"), ("mark_unanswered", "unanswered_notice")),
    Row("payment_failed", S.awaiting_signature, S.payment_failed, ("pending_purchase",),
        ("failure_notice",)),
    # the wallet that never answered sends the hash after all (a host's page reports it late):
    # that intent's transfer happened, so it is re-checked and credited, never paid again
    Row("payment_submitted", (S.payment_failed, S.connected_empty, S.quote_ready,
                              S.insufficient_g_balance), S.payment_pending,
        ("awaiting_late_hash",), ("apply_tx", "clear_notice", "record_payment")),
    # the receipt, then the record: a late receipt is "still confirming", not a failure
    Row("payment_reverted", S.payment_pending, S.payment_failed, ("tx_matches",),
        ("apply_revert", "failure_notice")),
    Row("payment_unconfirmed", S.payment_pending, S.payment_confirming, ("tx_matches",),
        ("unconfirmed_notice",)),
    Row("payment_recorded", S.payment_pending, S.signing_in,
        ("recorded_funded", "needs_key", "keys_offered"), ("apply_recorded", "issue_api_key")),
    Row("payment_recorded", S.payment_pending, S.payment_confirmed, ("recorded_funded",),
        ("apply_recorded",)),
    Row("payment_recorded", S.payment_pending, S.credit_outstanding, (),
        ("apply_outstanding",)),
    Row("check_payment", (S.payment_pending, S.payment_confirming, S.credit_outstanding),
        S.payment_pending, ("payment_in_flight",), ("clear_notice", "record_payment")),
    Row("check_payment", "@owed_banner", S.payment_pending, ("has_outstanding_tx",),
        ("recheck_outstanding",)),
    Row("backend_failed", S.payment_pending, S.backend_unavailable, (), ("backend_notice",)),
    Row("pay_again", S.payment_failed, S.awaiting_signature,
        ("can_pay_again", "!payment_in_flight"), ("pay_again",)),
    Row("view_usage", S.credit_outstanding, S.has_credits,
        ("snapshot_has_credit", "usage_offered"), ("settle_outstanding", "load_usage")),
    Row("view_usage", S.credit_outstanding, S.has_credits, ("snapshot_has_credit",),
        ("settle_outstanding",)),
    Row("view_usage", S.credit_outstanding, S.connected_empty, (), ("settle_outstanding",)),
    # the API key
    Row("api_key_issued", S.signing_in, S.payment_confirmed, (), ("apply_key",)),
    Row("wallet_rejected", S.signing_in, S.payment_confirmed, (), ("signature_cancelled_notice",)),
    Row("cancel_sign_in", S.signing_in, S.payment_confirmed, (), ("signature_cancelled_notice",)),
    Row("backend_failed", S.signing_in, S.payment_confirmed, ("backend_not_supported",),
        ("keys_unsupported", "unsupported_notice")),
    # the payment is credited already: a failed sign-in is about the key only
    Row("backend_failed", S.signing_in, S.payment_confirmed, (), ("key_failed_notice",)),
    Row("create_key", _KEY_SOURCES, S.signing_in, ("keys_offered",), ("issue_api_key",)),
    Row("rotate_key", _KEY_SOURCES, S.signing_in, ("keys_offered", "has_key_id"),
        ("rotate_api_key",)),
    Row("revoke_key", _KEY_SOURCES, None, ("key_listed",), ("ask_revoke",)),
    Row("cancel_revoke", _KEY_SOURCES, None, ("revoke_asked",), ("forget_revoke",)),
    Row("confirm_revoke", _KEY_SOURCES, None, ("revoke_asked",), ("revoke_api_key",)),
    Row("key_revoked", _KEY_SOURCES, None, (), ("apply_revoked",)),
    Row("reveal_key", S.payment_confirmed, None, ("has_key_token",), ("reveal",)),
    Row("hide_key", S.payment_confirmed, None, ("has_key_token",), ("hide",)),
    # balance and usage
    Row("view_usage", (S.payment_confirmed, "@streaming"), S.has_credits,
        ("has_wallet", "usage_offered"), ("drop_token", "load_usage")),
    Row("view_usage", (S.payment_confirmed, "@streaming"), S.has_credits, ("has_wallet",),
        ("drop_token", "load_account")),
    Row("refresh", _USAGE_SOURCES, None, ("usage_offered",), ("load_usage",)),
    Row("refresh", _USAGE_SOURCES, None, (), ("load_account",)),
    *_routes("account_loaded", _USAGE_SOURCES, connecting=False),
    Row("usage_loaded", _USAGE_SOURCES, S.insufficient_ai_credits, ("out_of_credit",),
        ("apply_usage",)),
    Row("usage_loaded", _USAGE_SOURCES, S.insufficient_ai_credits, ("last_request_refused",),
        ("apply_usage",)),
    Row("usage_loaded", _USAGE_SOURCES, S.low_balance, ("low_balance",), ("apply_usage",)),
    Row("usage_loaded", _USAGE_SOURCES, S.usage_active, ("usage_rows",), ("apply_usage",)),
    Row("usage_loaded", _USAGE_SOURCES, S.usage_empty, (), ("apply_usage",)),
    Row("backend_failed", _USAGE_SOURCES, None, ("backend_soft_failure",),
        ("unsupported_notice",)),
    Row("backend_failed", _USAGE_SOURCES, S.backend_unavailable, (), ("backend_notice",)),
    Row("top_up", (*_USAGE_SOURCES, S.payment_confirmed, "@streaming"), S.connected_empty,
        ("has_wallet",), ("start_top_up",)),
    # streaming
    Row("start_stream", S.streaming_setup, S.awaiting_signature, ("stream_quote_ready",),
        ("begin_stream",)),
    Row("stream_updated", S.awaiting_signature, S.streaming_active,
        ("pending_stream_start",), ("apply_stream",)),
    Row("stream_updated", S.awaiting_signature, S.streaming_active,
        ("pending_stream_resume",), ("apply_stream",)),
    Row("stream_updated", S.awaiting_signature, S.streaming_paused,
        ("pending_stream_pause",), ("apply_stream",)),
    Row("stream_updated", S.awaiting_signature, S.streaming_stopped,
        ("pending_stream_stop",), ("apply_stream",)),
    Row("wallet_rejected", S.awaiting_signature, S.streaming_setup, ("pending_stream_start",),
        ("cancelled_notice",)),
    Row("wallet_rejected", S.awaiting_signature, S.streaming_paused, ("pending_stream_resume",),
        ("cancelled_notice",)),
    Row("wallet_rejected", S.awaiting_signature, S.streaming_active, (), ("cancelled_notice",)),
    Row("pause_stream", S.streaming_active, S.awaiting_signature, (), ("begin_pause",)),
    Row("stop_stream", S.streaming_active, S.awaiting_signature, (), ("begin_stop",)),
    Row("resume_stream", S.streaming_paused, S.awaiting_signature, (), ("begin_resume",)),
    Row("stop_stream", S.streaming_paused, S.streaming_stopped, (), ("forget_stream",)),
    Row("refresh", S.streaming_active, None, (), ("load_account",)),
    Row("account_loaded", S.streaming_active, None, ("stream_running",), ("apply_account",)),
    Row("account_loaded", S.streaming_active, S.streaming_stopped, (), ("apply_account",)),
    Row("backend_failed", "@streaming", S.backend_unavailable, (), ("backend_notice",)),
    # the backend is down
    Row("retry", S.backend_unavailable, S.payment_pending, ("has_wallet", "payment_in_flight"),
        ("clear_notice", "record_payment")),
    Row("retry", S.backend_unavailable, S.connecting, ("has_wallet",),
        ("clear_notice", "load_account")),
    # bring your own key
    Row("use_own_key", (S.disconnected, S.connected_empty), S.byok, ("byok_allowed",),
        ("apply_byok",)),
    Row("use_own_key", S.byok, None, (), ("apply_byok",)),
    Row("leave_byok", S.byok, S.connected_empty, ("has_wallet",), ("leave_byok",)),
    Row("leave_byok", S.byok, S.disconnected, (), ("leave_byok",)),
    # signing out
    Row("disconnect", tuple(s for s in State if s not in (S.disconnected, S.byok)),
        S.disconnected, (), ("sign_out",)),
    Row("disconnect", S.byok, S.disconnected, ("has_wallet",), ("sign_out",)),
)  # fmt: skip

# --- results -----------------------------------------------------------------------------------


class Rejection(BaseModel):
    """Why an event did not change anything."""

    model_config = ConfigDict(frozen=True)

    event_type: str
    state: State
    reason: Literal["not_valid_in_state", "guard_failed"]
    message: str


class Step(BaseModel):
    """The result of one event: the next snapshot and the effects to execute (in order)."""

    model_config = ConfigDict(frozen=True)

    snapshot: Snapshot
    effects: tuple[fx.Effect, ...] = ()
    rejection: Rejection | None = None

    @property
    def accepted(self) -> bool:
        """Whether the event was taken (a rejected event leaves the snapshot untouched)."""
        return self.rejection is None


class AvailableEvent(BaseModel):
    """An event the current state has a transition for, and whether its guards pass now."""

    model_config = ConfigDict(frozen=True)

    type: str
    kind: Literal["user", "system"]
    allowed: bool
    guards: dict[str, bool]
    reason: str | None = None


# --- running the table ---------------------------------------------------------------------------


class _Run:
    """The model ``transitions`` drives for one event: the snapshot in, the changes out."""

    state: str
    snap: Snapshot
    event: Any
    changes: dict[str, Any]
    effects: list[fx.Effect]
    next_mode: Literal["one_time", "stream"]
    amount: AmountInput
    quote: Quote | None
    loaded_credit: Any
    loaded_stream: StreamInfo | None
    usage_rows: Any

    def __init__(self) -> None:
        self.reset(Snapshot(), ev.Refresh())

    def reset(self, snap: Snapshot, event: Any) -> None:
        self.snap = snap
        self.event = event
        self.changes: dict[str, Any] = {}
        self.effects: list[fx.Effect] = []
        self.next_mode = snap.mode
        self.amount: AmountInput = snap.amount
        self.quote: Quote | None = snap.quote
        # Fields read through __dict__: a missing attribute on a pydantic model raises inside
        # pydantic before getattr's default applies, which costs more than the rest of reset.
        fields = event.__dict__
        self.loaded_credit = fields.get("credit")
        stream = fields.get("stream")
        self.loaded_stream: StreamInfo | None = stream if isinstance(stream, StreamInfo) else None
        self.usage_rows = fields.get("rows", ())

    # event helpers used by guards
    def event_attr(self, name: str) -> object:
        return self.event.__dict__.get(name)

    def event_chain_id(self) -> int | None:
        chain_id = self.event.__dict__.get("chain_id")
        return chain_id if isinstance(chain_id, int) else None

    def pending_kind(self) -> str | None:
        return self.snap.pending.kind if self.snap.pending else None

    # once per event, before any guard
    def prepare(self) -> None:
        event = self.event
        if isinstance(event, ev.AccountLoaded) and self.snap.state in _REPRICED:
            config = _priced(self.snap.config, event)
            fresh = self.snap.model_copy(update={"config": config, "wallet": event.wallet})
            self.amount, self.quote = evaluate_amount(fresh, self.snap.amount.text,
                                                      self.next_mode, event.at, pristine=True)
            return
        if isinstance(event, _AMOUNT_EVENTS):
            pristine = False
            if isinstance(event, ev.EnterAmount):
                text = event.text
            elif isinstance(event, ev.UseMax):
                text = format_gd_exact(_wallet_balance(self))
            else:
                self.next_mode = event.mode
                text = self.snap.amount.text
                pristine = True
            self.amount, self.quote = evaluate_amount(
                self.snap, text, self.next_mode, event.at, pristine=pristine
            )

    def set(self, **changes: Any) -> None:
        self.changes.update(changes)

    def emit(self, effect: fx.Effect) -> None:
        self.effects.append(effect)

    def account(self) -> str:
        wallet = self.changes.get("wallet", self.snap.wallet)
        assert wallet is not None  # guarded by the table
        return str(wallet.account)

    def request_id(self) -> str:
        given = self.event.__dict__.get("request_id")
        return given if isinstance(given, str) and given else default_request_id(self.snap)

    # --- actions (named in TABLE) ---
    def connect_wallet(self) -> None:
        self.set(notice=None)
        self.emit(fx.ConnectWallet())

    def apply_wallet(self) -> None:
        event = self.event
        assert isinstance(event, ev.WalletConnected)
        self.set(wallet=WalletInfo(account=event.account.lower(), chain_id=event.chain_id))

    def load_account(self) -> None:
        wallet = self.changes.get("wallet", self.snap.wallet)
        assert wallet is not None
        # What the backend offers is asked once per connection (sign-out forgets it).
        features = self.changes.get("features", self.snap.features)
        self.emit(fx.LoadAccount(account=wallet.account, features=features))

    def load_usage(self) -> None:
        self.emit(fx.LoadUsage(account=self.account()))

    def apply_account(self) -> None:
        event = self.event
        assert isinstance(event, ev.AccountLoaded)
        config = _priced(self.snap.config, event)
        key = self.snap.api_key
        if event.key_prefix and (key is None or key.prefix != event.key_prefix):
            key = ApiKey(prefix=event.key_prefix)
        self.set(
            wallet=event.wallet,
            credit=event.credit,
            config=config,
            api_key=key,
            stream=event.stream,
            notice=None,
            cached=CachedBalance(available_usd=event.credit.available_usd, as_of=event.at),
            outstanding=event.outstanding,
            history=event.history,
        )
        if event.features is not None:
            self.set(features=event.features)

    def apply_chain(self) -> None:
        chain_id = self.event_chain_id()
        if self.snap.wallet and chain_id:
            self.set(wallet=self.snap.wallet.model_copy(update={"chain_id": chain_id}))

    def switch_chain(self) -> None:
        self.emit(fx.SwitchChainEffect(chain_id=self.snap.config.supported_chain_ids[0]))

    def switch_account(self) -> None:
        event = self.event
        assert isinstance(event, ev.AccountChanged) and self.snap.wallet is not None
        self.set(
            wallet=WalletInfo(account=event.account.lower(), chain_id=self.snap.wallet.chain_id),
            credit=None, api_key=None, usage=None, stream=None, quote=None, pending=None,
            cached=None,
            notice=Notice(kind="info", title="Wallet account changed",
                          message="We loaded the new account. Your amount is kept."),
        )  # fmt: skip

    def apply_amount(self) -> None:
        self.set(mode=self.next_mode, amount=self.amount, quote=self.quote, notice=None)

    def no_balance_notice(self) -> None:
        self.set(notice=Notice(kind="warning", title="Your wallet has no G$",
                               message="Add G$ to this wallet to buy AI credits."))  # fmt: skip

    def begin_purchase(self) -> None:
        quote = self.snap.quote
        assert quote is not None
        pending = PendingAction(kind="purchase", request_id=self.request_id(),
                                account=self.account(), amount_wei=quote.gd_wei)  # fmt: skip
        self.set(pending=pending, notice=None)
        self._emit_pending(pending)

    def _emit_pending(self, pending: PendingAction) -> None:
        account = self.account()
        if pending.kind == "purchase":
            self.emit(fx.SubmitPayment(request_id=pending.request_id, payer=account,
                                       buyer=account, amount_wei=pending.amount_wei))  # fmt: skip
            return
        effect_cls: dict[str, type[fx.StartStreamEffect | fx.ResumeStreamEffect
                                   | fx.PauseStreamEffect | fx.StopStreamEffect]] = {
            "stream_start": fx.StartStreamEffect,
            "stream_resume": fx.ResumeStreamEffect,
            "stream_pause": fx.PauseStreamEffect,
            "stream_stop": fx.StopStreamEffect,
        }
        self.emit(effect_cls[pending.kind](request_id=pending.request_id, sender=account,
                                           buyer=account, flow_rate=pending.flow_rate))  # fmt: skip

    def pay_again(self) -> None:
        pending = self.snap.pending
        assert pending is not None and pending.transfer_safe
        again = pending.model_copy(update={"request_id": self.request_id(), "tx_hash": None,
                                           "reverted": False, "account": self.account()})
        self.set(pending=again, notice=None)
        self._emit_pending(again)

    def apply_tx(self) -> None:
        event = self.event
        assert isinstance(event, ev.PaymentSubmitted) and self.snap.pending is not None
        self.set(pending=self.snap.pending.model_copy(update={"tx_hash": event.tx_hash}))

    def record_payment(self) -> None:
        pending = self.changes.get("pending", self.snap.pending)
        assert pending is not None and pending.tx_hash is not None
        self.emit(fx.RecordPayment(tx_hash=pending.tx_hash, account=self.account()))

    def _apply_payment_result(self, event: ev.PaymentRecorded) -> None:
        credit = event.credit or self.snap.credit
        self.set(credit=credit, amount=AmountInput(), quote=None, outstanding=event.outstanding)
        if self.snap.wallet is not None:
            update: dict[str, Any] = {"first_deposit_done": True}
            if event.g_balance_wei is not None:
                update["g_balance_wei"] = event.g_balance_wei
            self.set(wallet=self.snap.wallet.model_copy(update=update))

    def apply_recorded(self) -> None:
        event = self.event
        assert isinstance(event, ev.PaymentRecorded)
        self._apply_payment_result(event)
        # Recorded and funded: the intent is done; nothing is in flight any more.
        self.set(pending=None, notice=None)

    def apply_outstanding(self) -> None:
        event = self.event
        assert isinstance(event, ev.PaymentRecorded)
        self._apply_payment_result(event)
        failed = event.status == "failed"
        self.set(notice=Notice(
            kind="error" if failed else "info",
            title="Your G$ arrived — crediting failed" if failed
            else "Your G$ arrived — crediting is pending",
            message=("The credits service could not fund this payment yet. It stays owed to "
                     "you: Check Again asks it to try again. Do not pay again.") if failed
            else ("The payment is on chain; the credits service is still funding it. "
                  "This can take a minute. Do not pay again."),
            code="funding_failed" if failed else "funding_pending"))  # fmt: skip

    def settle_outstanding(self) -> None:
        # Leaving the outstanding card: the debt stays listed in ``outstanding`` (banner).
        self.set(pending=None, notice=None)

    def recheck_outstanding(self) -> None:
        entry = next(o for o in self.snap.outstanding if o.tx_hash)
        assert entry.tx_hash is not None
        pending = PendingAction(kind="purchase", request_id=self.request_id(),
                                account=self.account(), amount_wei=entry.gd_wei,
                                tx_hash=entry.tx_hash)  # fmt: skip
        self.set(pending=pending, notice=None)
        self.emit(fx.RecordPayment(tx_hash=entry.tx_hash, account=self.account()))

    def mark_unanswered(self) -> None:
        # No answer is not a refusal: the wallet may still send it. Never offer to pay again.
        assert self.snap.pending is not None
        self.set(pending=self.snap.pending.model_copy(update={"unanswered": True}))

    def apply_revert(self) -> None:
        assert self.snap.pending is not None
        self.set(pending=self.snap.pending.model_copy(update={"reverted": True}))

    def unconfirmed_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.PaymentUnconfirmed) and self.snap.pending is not None
        amount = format_gd(self.snap.pending.amount_wei)
        self.set(notice=Notice(kind="warning", title="Still confirming",
                               message=f"Your payment of {amount} G$ was sent and has not "
                               "confirmed yet. Do not pay again: Check Again looks up this "
                               "transaction, it never sends a new one.",
                               code=event.code))  # fmt: skip

    def stream_failed_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.PaymentFailed)
        kind = self.pending_kind()
        title = {"stream_start": "The stream did not start",
                 "stream_resume": "The stream did not resume",
                 "stream_pause": "The stream was not paused",
                 "stream_stop": "The stream was not stopped"}.get(kind or "", "Stream not changed")
        message = event.message
        if event.code == "unknown":
            message = "The transaction did not go through. Your stream is unchanged; try again."
        self.set(notice=Notice(kind="error", title=title, message=message, code=event.code),
                 pending=None)  # fmt: skip

    def key_failed_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.BackendFailed)
        self.set(notice=Notice(kind="warning", title="Your API key was not created",
                               message="Your credits are safe. The credits service could not "
                               "create the key just now: try Create API Key again in a moment.",
                               code=event.kind))  # fmt: skip

    def keys_unsupported(self) -> None:
        features = self.snap.features or _ALL_FEATURES
        self.set(features=features.model_copy(update={"api_keys": False}))

    def unanswered_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.PaymentFailed)
        cause = _UNANSWERED_CAUSES.get(event.code, "Your wallet gave no clear answer.")
        self.set(notice=Notice(
            kind="warning", title="Check your wallet before paying again", code=event.code,
            message=f"{cause} If it sent the payment, it shows in your wallet's activity: "
            "do not pay again until you have checked.",
        ))  # fmt: skip

    def failure_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.PaymentFailed | ev.PaymentReverted)
        self.set(notice=Notice(kind="error", title="Payment failed", message=event.message,
                               code=event.code))  # fmt: skip

    def cancelled_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.WalletRejected)
        cancelled = event.code == "user_rejected"
        title = "Transaction cancelled" if cancelled else "The wallet did not complete the request"
        message = "" if cancelled and event.message == title else event.message
        self.set(notice=Notice(kind="warning", title=title, message=message,
                               code=event.code))  # fmt: skip
        if self.snap.state is S.awaiting_signature:
            self.set(pending=None)

    def signature_cancelled_notice(self) -> None:
        event = self.event
        if isinstance(event, ev.CancelSignIn):
            event = ev.WalletRejected(code="user_rejected")
        assert isinstance(event, ev.WalletRejected)
        cancelled = event.code == "user_rejected"
        self.set(notice=Notice(kind="warning",
                               title="Signature cancelled" if cancelled else "Signature refused",
                               message="Create your API key whenever you are ready."
                               if cancelled else event.message,
                               code=event.code))  # fmt: skip

    def backend_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.BackendFailed)
        sent = _in_flight(self)
        message = (
            "Your payment is on chain and will be credited once the service is back. "
            "Do not pay again."
            if sent
            else "The AI credits service is temporarily unavailable. "
            "Your wallet has not been charged."
        )
        self.set(notice=Notice(kind="error", title="Service unavailable", message=message,
                               code=event.kind))  # fmt: skip

    def unsupported_notice(self) -> None:
        event = self.event
        assert isinstance(event, ev.BackendFailed)
        title = ("Not available on this backend yet" if event.kind == "not_supported"
                 else "Usage needs your API key")  # fmt: skip
        self.set(notice=Notice(kind="info", title=title, message=event.message,
                               code=event.kind))  # fmt: skip

    def clear_notice(self) -> None:
        self.set(notice=None)

    def issue_api_key(self) -> None:
        wallet = self.snap.wallet
        assert wallet is not None
        self.set(revoking=None)
        self.emit(fx.IssueApiKey(account=wallet.account, chain_id=wallet.chain_id))

    def rotate_api_key(self) -> None:
        wallet, key = self.snap.wallet, self.snap.api_key
        assert wallet is not None and key is not None
        self.set(revoking=None, notice=None)
        self.emit(fx.IssueApiKey(account=wallet.account, chain_id=wallet.chain_id,
                                 replaces=key.key_id))  # fmt: skip

    def ask_revoke(self) -> None:
        self.set(revoking=str(self.event_attr("key_id")), notice=None)

    def forget_revoke(self) -> None:
        self.set(revoking=None)

    def revoke_api_key(self) -> None:
        assert self.snap.revoking is not None
        self.emit(fx.RevokeApiKey(key_id=self.snap.revoking))
        self.set(revoking=None)

    def apply_revoked(self) -> None:
        event = self.event
        assert isinstance(event, ev.KeyRevoked)
        self.set(keys=event.keys, revoking=None,
                 notice=Notice(kind="success", title="Key revoked",
                               message="Tools using that key stop working now."))  # fmt: skip
        key = self.snap.api_key
        if key is not None and key.key_id == event.key_id:
            self.set(api_key=None)

    def apply_key(self) -> None:
        event = self.event
        assert isinstance(event, ev.ApiKeyIssued)
        self.set(api_key=ApiKey(key_id=event.key_id, prefix=event.prefix, token=event.token),
                 notice=None, keys=event.keys)  # fmt: skip

    def reveal(self) -> None:
        assert self.snap.api_key is not None
        self.set(api_key=self.snap.api_key.model_copy(update={"revealed": True}))

    def hide(self) -> None:
        assert self.snap.api_key is not None
        self.set(api_key=self.snap.api_key.model_copy(update={"revealed": False}))

    def drop_token(self) -> None:
        key = self.snap.api_key
        if key is not None and key.token is not None:
            self.set(api_key=key.model_copy(update={"token": None, "revealed": False}))
        self.set(notice=None)

    def apply_usage(self) -> None:
        event = self.event
        assert isinstance(event, ev.UsageLoaded)
        if event.keys is not None:
            self.set(keys=event.keys)
        self.set(usage=event.rows, credit=event.credit, notice=None,
                 cached=CachedBalance(available_usd=event.credit.available_usd,
                                      as_of=event.at))  # fmt: skip

    def start_top_up(self) -> None:
        self.set(mode="one_time", amount=AmountInput(), quote=None, notice=None)

    def begin_stream(self) -> None:
        quote = self.snap.quote
        assert quote is not None
        pending = PendingAction(kind="stream_start", request_id=self.request_id(),
                                flow_rate=quote.flow_rate)  # fmt: skip
        self.set(pending=pending, notice=None)
        self._emit_pending(pending)

    def _begin_stream_change(self, kind: Literal["stream_pause", "stream_stop"]) -> None:
        rate = self.snap.stream.flow_rate if self.snap.stream else 0
        pending = PendingAction(kind=kind, request_id=self.request_id(), flow_rate=rate)
        self.set(pending=pending, notice=None)
        self._emit_pending(pending)

    def begin_pause(self) -> None:
        self._begin_stream_change("stream_pause")

    def begin_stop(self) -> None:
        self._begin_stream_change("stream_stop")

    def begin_resume(self) -> None:
        rate = self.snap.stream.paused_flow_rate if self.snap.stream else 0
        pending = PendingAction(kind="stream_resume", request_id=self.request_id(),
                                flow_rate=rate)  # fmt: skip
        self.set(pending=pending, notice=None)
        self._emit_pending(pending)

    def apply_stream(self) -> None:
        event = self.event
        assert isinstance(event, ev.StreamUpdated) and self.snap.pending is not None
        stream = event.stream
        if self.snap.pending.kind == "stream_pause":
            stream = stream.model_copy(update={"paused_flow_rate": self.snap.pending.flow_rate})
        self.set(stream=stream, pending=None, notice=None, amount=AmountInput(), quote=None)
        if event.credit is not None:
            self.set(credit=event.credit)

    def forget_stream(self) -> None:
        if self.snap.stream is not None:
            self.set(stream=self.snap.stream.model_copy(update={"paused_flow_rate": 0}))

    def apply_byok(self) -> None:
        event = self.event
        assert isinstance(event, ev.UseOwnKey)
        before = self.snap.byok or ByokSetup()
        given = (event.base_url, event.model, event.api_key)
        if self.snap.state is not S.byok and given == (None, None, None):
            self.set(byok=before, notice=None)  # open the empty form
            return
        self.set(byok=byok_form(event.base_url, event.model, event.api_key or before.key),
                 notice=None)  # fmt: skip

    def leave_byok(self) -> None:
        self.set(byok=None)

    def sign_out(self) -> None:
        # A payment in flight outlives the session: reconnecting re-checks it (never re-pays).
        pending = self.snap.pending if _in_flight(self) else None
        self.set(wallet=None, mode="one_time", amount=AmountInput(), quote=None, pending=pending,
                 credit=None, api_key=None, usage=None, stream=None, notice=None, cached=None,
                 byok=None, features=None, outstanding=(), history=None, keys=None,
                 revoking=None)  # fmt: skip
        if self.snap.wallet is not None:
            self.emit(fx.DisconnectWallet())


def _install_guards() -> None:
    """Expose each guard as a ``guard_<name>`` method."""
    for name, guard in GUARDS.items():
        setattr(_Run, f"guard_{name}", lambda self, _test=guard.test: _test(self))


_install_guards()


def _transitions_config() -> list[dict[str, Any]]:
    config: list[dict[str, Any]] = []
    for row in TABLE:
        positive = [g for g in row.guards if not g.startswith("!")]
        negative = [g[1:] for g in row.guards if g.startswith("!")]
        for name in (*positive, *negative):
            if name not in GUARDS:
                raise KeyError(f"unknown guard {name!r} in row {row}")
        for action in row.actions:
            if not callable(getattr(_Run, action, None)):
                raise KeyError(f"unknown action {action!r} in row {row}")
        config.append(
            {
                "trigger": row.trigger,
                "source": [s.value for s in expand_source(row.source)],
                "dest": row.dest.value if row.dest is not None else None,
                "conditions": [f"guard_{g}" for g in positive],
                "unless": [f"guard_{g}" for g in negative],
                "after": list(row.actions),
            }
        )
    return config


class _Runner(threading.local):
    """One model and one machine per thread: ``transitions`` mutates its model while it runs."""

    def __init__(self) -> None:
        self.model = _Run()
        self.machine = Machine(
            model=self.model,
            states=[s.value for s in State],
            transitions=_transitions_config(),
            initial=State.disconnected.value,
            auto_transitions=False,
            prepare_event="prepare",
            model_override=False,
        )


_RUNNER = _Runner()


def _reject(snapshot: Snapshot, event_type: str, reason: Literal[
        "not_valid_in_state", "guard_failed"]) -> Step:  # fmt: skip
    message = (
        f"'{event_type}' is not valid in state '{snapshot.state.value}'."
        if reason == "not_valid_in_state"
        else f"'{event_type}' is not allowed in state '{snapshot.state.value}' right now."
    )
    # Built without validation (as ``model_copy`` builds copies): the snapshot is the caller's,
    # already valid, and validating it inside a Step would re-run its context check every time.
    rejection = trusted_model(Rejection, {"event_type": event_type, "state": snapshot.state,
                                          "reason": reason, "message": message},
                              {"event_type", "state", "reason", "message"})
    return trusted_model(Step, {"snapshot": snapshot, "effects": (), "rejection": rejection},
                         {"snapshot", "rejection"})  # fmt: skip


# --- the compiled dispatch -----------------------------------------------------------------------
#
# ``transitions`` spends ~6.5 µs of interpreter work on every trigger (an EventData, a partial, the
# queue check, ~12 logging calls, callback names resolved by getattr, state exit/enter hooks) —
# as much as the rest of a step together.  ``step`` therefore runs the *same* transitions the
# ``transitions`` machine built from TABLE — its per-state lists in its order, its conditions with
# their targets, its ``after`` callbacks — resolved once into plain functions.  ``may`` still asks
# ``transitions``; ``step_with_transitions`` runs an event through the machine itself, and a test
# holds the two engines equal on every transition of the table (tests/core/test_every_transition).

@dataclass(frozen=True, slots=True)
class _Route:
    """One ``transitions`` transition, resolved: its conditions as ``(guard, expected)`` pairs,
    its destination (``None``: internal) and its ``after`` actions."""

    checks: tuple[tuple[GuardFn, bool], ...]
    dest: State | None
    actions: tuple[Callable[[_Run], None], ...]


def _named(callback: object) -> str:
    """The name a table callback was given to ``transitions`` as (all of ours are names)."""
    if not isinstance(callback, str):
        raise TypeError(f"expected a callback name, got {callback!r}")
    return callback


def _compile(machine: Machine) -> dict[State, dict[str, tuple[_Route, ...]]]:
    """Every (state, trigger) of ``machine`` and the transitions it tries there, in its order."""
    routes: dict[State, dict[str, tuple[_Route, ...]]] = {s: {} for s in State}
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            routes[State(source)][trigger] = tuple(
                _Route(
                    checks=tuple((GUARDS[_named(c.func).removeprefix("guard_")].test, c.target)
                                 for c in t.conditions),
                    dest=State(t.dest) if t.dest is not None else None,
                    actions=tuple(getattr(_Run, _named(name)) for name in t.after),
                )
                for t in transitions
            )  # fmt: skip
    return routes


_ROUTES = _compile(_RUNNER.machine)


def _finish(snapshot: Snapshot, run: _Run, new_state: State, *, trusted: bool) -> Step:
    """The step's result: the accepted changes on a copy of ``snapshot``, and the effects."""
    changes = run.changes
    changes["state"] = new_state
    changes["seq"] = snapshot.seq + 1
    at = run.event.at
    if at is not None:
        changes["updated_at"] = at
    if new_state not in KEY_HOLDING_STATES:
        key = changes.get("api_key", snapshot.api_key)
        if key is not None and key.token is not None:
            changes["api_key"] = key.model_copy(update={"token": None, "revealed": False})
    if not trusted:  # the reference path: pydantic's own copy and validated Step
        return Step(snapshot=snapshot.model_copy(update=changes), effects=tuple(run.effects))
    values = snapshot.__dict__.copy()
    values.update(changes)
    after = trusted_model(Snapshot, values, snapshot.__pydantic_fields_set__ | changes.keys())
    return trusted_model(Step, {"snapshot": after, "effects": tuple(run.effects),
                                "rejection": None}, {"snapshot", "effects"})  # fmt: skip


_UNANSWERED_CAUSES: dict[str, str] = {
    "wallet_timeout": "Your wallet did not answer in time.",
    "timeout": "Your wallet did not answer in time.",
    "disconnected": "Your wallet disconnected before it answered.",
    "account_switched": "Your wallet's account changed before it answered.",
    "rpc_unavailable": "The connection to the network failed while sending.",
}
"""Why a wallet's answer is missing, by :data:`~ai_credits.core.events.WALLET_MAY_STILL_SEND`
code; the advice after it is the same for all."""


def step(snapshot: Snapshot, event: ev.Event) -> Step:
    """Run ``event`` through the machine from ``snapshot``.

    Returns the next snapshot and the effects to execute.  An event that is not valid in the
    current state, or whose guards all fail, comes back as a :class:`Rejection` with the snapshot
    unchanged and no effects.
    """
    routes = _ROUTES[snapshot.state].get(event.type)
    if routes is None:
        return _reject(snapshot, event.type, "not_valid_in_state")
    run = _Run.__new__(_Run)
    run.reset(snapshot, event)
    run.prepare()
    for route in routes:
        for guard, expected in route.checks:
            if guard(run) != expected:
                break
        else:
            for action in route.actions:
                action(run)
            return _finish(snapshot, run, route.dest or snapshot.state, trusted=True)
    return _reject(snapshot, event.type, "guard_failed")


def step_with_transitions(snapshot: Snapshot, event: ev.Event) -> Step:
    """:func:`step` run by the ``transitions`` machine itself (``model.trigger``), with pydantic's
    ``model_copy``: the reference the compiled dispatch is tested against."""
    model = _RUNNER.model
    model.reset(snapshot, event)
    model.state = snapshot.state.value
    try:
        moved = model.trigger(event.type)  # type: ignore[attr-defined]
    except MachineError:
        return _reject(snapshot, event.type, "not_valid_in_state")
    if not moved:
        return _reject(snapshot, event.type, "guard_failed")
    return _finish(snapshot, model, State(model.state), trusted=False)


def _rows_for(state: State) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for row in TABLE:
        if state in expand_source(row.source):
            found.setdefault(row.trigger, []).append(row)
    return found


_ROWS_BY_STATE: dict[State, dict[str, list[Row]]] = {s: _rows_for(s) for s in State}


def may(snapshot: Snapshot, event: ev.Event) -> bool:
    """Whether ``event``, payload and all, would be accepted now (``transitions``' ``may_*``)."""
    model = _RUNNER.model
    model.reset(snapshot, event)
    model.state = snapshot.state.value
    if event.type not in _ROWS_BY_STATE[snapshot.state]:
        return False
    model.prepare()
    return bool(getattr(model, f"may_{event.type}")())


@dataclass(frozen=True, slots=True)
class _Offer:
    """A trigger a state has rows for, as :func:`available_events` reports it: the default event
    it is asked with, whether that event re-reads the amount (only then is ``prepare`` needed),
    the guards its rows name (each once, in table order) and each row's ``(guard, expected)``."""

    trigger: str
    default: BaseModel
    reads_amount: bool
    guards: tuple[tuple[str, GuardFn], ...]
    rows: tuple[tuple[tuple[str, bool], ...], ...]
    tests: dict[str, GuardFn]


def _offers(state: State) -> tuple[tuple[AvailableEvent, ...], tuple[_Offer, ...]]:
    """The state's system events (always reported allowed, so built once) and its user offers,
    each sorted by type."""
    systems: list[AvailableEvent] = []
    offers: list[_Offer] = []
    for trigger, rows in _ROWS_BY_STATE[state].items():
        cls = ev.USER_EVENTS.get(trigger)
        if cls is None:
            systems.append(AvailableEvent(type=trigger, kind="system", allowed=True, guards={}))
            continue
        default = cls()  # frozen: one default event serves every call
        names = dict.fromkeys(g.lstrip("!") for r in rows for g in r.guards)
        offers.append(_Offer(
            trigger=trigger, default=default,
            reads_amount=isinstance(default, (*_AMOUNT_EVENTS, ev.AccountLoaded)),
            guards=tuple((name, GUARDS[name].test) for name in names),
            tests={name: GUARDS[name].test for name in names},
            rows=tuple(tuple((g.lstrip("!"), not g.startswith("!")) for g in r.guards)
                       for r in rows),
        ))  # fmt: skip
    return (tuple(sorted(systems, key=lambda a: a.type)),
            tuple(sorted(offers, key=lambda o: o.trigger)))  # fmt: skip


_OFFERS = {s: _offers(s) for s in State}


def available_events(snapshot: Snapshot) -> list[AvailableEvent]:
    """Every event the current state has a transition for, with each guard's result now.

    ``allowed`` is what :func:`may` (``transitions``' ``may_<trigger>``) answers for a default
    event of that type, computed straight from the table's guards — a test holds the two equal.
    System events (results of effects) depend on their payload and are reported as allowed.
    Sorted by (kind, type): system events first.
    """
    systems, offers = _OFFERS[snapshot.state]
    result = list(systems)
    run = _Run.__new__(_Run)
    for offer in offers:
        run.reset(snapshot, offer.default)
        if offer.reads_amount:
            run.prepare()
        guards = {name: bool(test(run)) for name, test in offer.guards}
        allowed = any(all(guards[name] is expected for name, expected in row)
                      for row in offer.rows)  # fmt: skip
        reason = None
        if not allowed:
            failing = next((name for row in offer.rows for name, expected in row
                            if guards[name] is not expected), None)  # fmt: skip
            reason = GUARDS[failing].reason if failing else None
        result.append(trusted_model(AvailableEvent, {
            "type": offer.trigger, "kind": "user", "allowed": allowed, "guards": guards,
            "reason": reason}, {"type", "kind", "allowed", "guards", "reason"}))  # fmt: skip
    return result


def offered_user_events(snapshot: Snapshot) -> list[tuple[str, bool, str | None]]:
    """``(type, allowed, reason)`` of every user event the state has rows for, sorted by type:
    what :func:`available_events` reports for them, without each guard's result — the guards
    are asked only until the answer is known (a test holds the two equal).  For buttons."""
    offered: list[tuple[str, bool, str | None]] = []
    run = _Run.__new__(_Run)
    for offer in _OFFERS[snapshot.state][1]:
        run.reset(snapshot, offer.default)
        if offer.reads_amount:
            run.prepare()
        known: dict[str, bool] = {}
        failing: str | None = None
        for row in offer.rows:
            for name, expected in row:
                result = known.get(name)
                if result is None:
                    result = known[name] = bool(offer.tests[name](run))
                if result is not expected:
                    failing = failing or name  # the first row's failing guard: the reason
                    break
            else:
                offered.append((offer.trigger, True, None))
                break
        else:
            offered.append((offer.trigger, False, GUARDS[failing].reason if failing else None))
    return offered
