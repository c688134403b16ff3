"""``build_view(snapshot)``: from the machine's snapshot to the :class:`WidgetView` templates see.

Pure and deterministic: no clock (times come from the snapshot), no I/O, integers until the last
step where :mod:`ai_credits.core.quote` formats them.  The API key token enters the view only in
``payment_confirmed`` with the key revealed.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from ai_credits.core import events as ev
from ai_credits.core.machine import may
from ai_credits.core.models import (
    ApiKey,
    CreditEntry,
    CreditSummary,
    UsageRow,
    WidgetConfig,
    trusted_model,
)
from ai_credits.core.quote import (
    SECONDS_PER_MONTH,
    VaultMinimums,
    credit_with_bonus,
    flow_rate_for_monthly,
    format_credit,
    format_gd,
)
from ai_credits.core.rules import is_low_balance
from ai_credits.core.snapshot import Snapshot
from ai_credits.core.states import GROUPS, State
from ai_credits.views.actions import ActionPool, build_actions
from ai_credits.views.models import (
    Action,
    AmountForm,
    ApiKeyCard,
    Badge,
    BalanceCard,
    BalanceHero,
    ByokCard,
    CachedLabel,
    ChartBar,
    Counter,
    FormField,
    Header,
    Hero,
    HiddenField,
    InfoCard,
    InfoLine,
    KeyRowView,
    ModeOption,
    ModeSwitch,
    NoticeView,
    PendingCard,
    Preset,
    QuoteCard,
    SetupSnippets,
    SpendChart,
    StepView,
    StreamSetupCard,
    StreamStatusCard,
    UsageRowView,
    UsageTable,
    WalletChip,
    WidgetView,
)
from ai_credits.views.snippets import setup_snippets

__all__ = ["CHAIN_NAMES", "build_view", "chain_label", "short_hex"]

S = State
WEI = 10**18
HEADLINE = "Use G$ to power your AI coding tools."
TAGLINE = "Buy AI credits with G$ for Claude Code, Codex, chat & other AI tools."
SETTLEMENT_NOTE = "You pay with G$; the backend handles AntSeed settlement underneath."
VERIFY_HINT = "Verify with GoodID to get the bonus"
ESTIMATE_NOTE = ("An estimate at the service's reference price: your credit is priced on chain "
                 "when the payment is recorded.")
KEYS_ELSEWHERE = ("This credits service does not issue API keys yet. Your credit is kept for "
                  "this wallet: API keys come from the AI Credits gateway, and you create one "
                  "here with a wallet signature once it is offered.")

CHAIN_NAMES: dict[int, str] = {
    1: "Ethereum",
    10: "Optimism",
    122: "Fuse",
    137: "Polygon",
    42161: "Arbitrum",
    42220: "Celo",
    44787: "Celo Alfajores",
}
"""Display names (CHAIN.md).  The settlement chain is deliberately absent: the widget never names
it (PRODUCT.md §8), so a wallet there reads "Unsupported network"."""

_AMOUNT_STATES = GROUPS["amount_entry"]
_USAGE_STATES = GROUPS["has_credits"] | {S.insufficient_ai_credits}
_KEY_STATES = _USAGE_STATES | {S.payment_confirmed} | GROUPS["streaming"] - {S.streaming_setup}
_STREAM_STATUS = {S.streaming_active, S.streaming_paused, S.streaming_stopped}
_SET_UP_STATES = _USAGE_STATES | _STREAM_STATUS
_BALANCE_STATES = _USAGE_STATES | {S.payment_confirmed} | _STREAM_STATUS
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STEP_LABELS = ("Connect wallet", "Buy credits with G$", "Copy API setup", "Track usage")
_STEP_WORDS = {
    "pending": "Pending",
    "ready": "Ready",
    "in_progress": "In progress",
    "completed": "Completed",
    "needs_attention": "Needs attention",
}


# --- small formatters ---------------------------------------------------------------------------


def short_hex(value: str) -> str:
    """``0x1234…abcd``."""
    return f"{value[:6]}…{value[-4:]}" if len(value) > 12 else value


def chain_label(chain_id: int) -> str:
    """The chain's display name, or "Unsupported network"."""
    return CHAIN_NAMES.get(chain_id, "Unsupported network")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is UTC:  # the common case, and astimezone is not free
        return moment
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day_month(moment: date) -> str:
    """``21 Nov``: ``strftime("%d %b").lstrip("0")`` without its cost, in English whatever the
    process locale."""
    return f"{moment.day} {_MONTHS[moment.month - 1]}"


def _when(moment: datetime) -> str:
    """``21 Nov 2026, 12:51 UTC``."""
    moment = _utc(moment)
    return f"{_day_month(moment)} {moment.year}, {moment.hour:02d}:{moment.minute:02d} UTC"


def _pct(bps: int) -> str:
    return f"+{bps // 100}%" if bps % 100 == 0 else f"+{bps / 100:.2f}%".replace(".00", "")


def _gd(wei: int) -> str:
    return f"{format_gd(wei)} G$"


def _gd_month(gd_wei: int) -> str:
    """G$ per 30 days of a flow rate, to the cent, half up (integers only).  The flow rate is the
    chosen monthly amount // 2,592,000 s, so ``rate x 2,592,000`` is up to 0.000000000003 G$
    short of it: 30,000 G$ a month reads 30,000.00, never 29,999.99."""
    cent = 10**16
    return _gd((gd_wei + cent // 2) // cent * cent)


def _credit(micro: int, cfg: WidgetConfig) -> str:
    return format_credit(micro, unit=cfg.credit_unit, credits_per_usd=cfg.credits_per_usd)


def _monthly_credit(snapshot: Snapshot, flow_rate: int) -> tuple[int, int]:
    """(total, bonus) credit per 30 days of ``flow_rate``."""
    cfg = snapshot.config
    q = credit_with_bonus(flow_rate * SECONDS_PER_MONTH, source="streamUpdate",
                          verified=_verified(snapshot), gd_price=cfg.gd_price,
                          regular_bonus_bps=cfg.regular_bonus_bps,
                          streaming_bonus_bps=cfg.streaming_bonus_bps)  # fmt: skip
    return q.total_credit_usd, q.bonus_usd


def _verified(snapshot: Snapshot) -> bool:
    return bool(snapshot.wallet and snapshot.wallet.verified)


_ViewT = TypeVar("_ViewT", bound=BaseModel)


def _made(cls: type[_ViewT], values: dict[str, Any]) -> _ViewT:
    """A per-item view (a usage row, a chart bar) from every one of its fields, not validated
    again: they are ``str``/``int`` values formatted here from the snapshot's validated data,
    and there are many per view.  tests/components/test_view_model.py re-validates every
    story's view (``WidgetView.model_validate_json``)."""
    if values.keys() != _fields(cls):
        raise TypeError(f"{cls.__name__} needs exactly {sorted(_fields(cls))}")
    return trusted_model(cls, values, set(values))


@functools.cache
def _fields(cls: type[BaseModel]) -> frozenset[str]:
    return frozenset(cls.model_fields)


# --- header, hero, steps ------------------------------------------------------------------------


def _header(snapshot: Snapshot) -> Header:
    cfg = snapshot.config
    wallet = snapshot.wallet
    if wallet is not None and wallet.chain_id not in cfg.supported_chain_ids:
        badge = Badge(label=chain_label(wallet.chain_id), tone="warning")
        if badge.label != "Unsupported network":
            badge = Badge(label=f"{badge.label} · unsupported", tone="warning")
    else:
        chain_id = wallet.chain_id if wallet is not None else cfg.supported_chain_ids[0]
        badge = Badge(label=chain_label(chain_id), tone="info")
    return Header(heading_id="gw-heading", chain=badge)


def _credited(snapshot: Snapshot) -> bool:
    credit = snapshot.credit
    return credit is not None and credit.credited_usd > 0


def _steps(snapshot: Snapshot) -> tuple[StepView, ...]:
    state = snapshot.state
    wallet_ok = snapshot.wallet is not None and state not in (S.unsupported_chain, S.connecting)
    connect = ("needs_attention" if state is S.unsupported_chain
               else "in_progress" if state is S.connecting
               else "completed" if wallet_ok
               else "ready" if state is S.disconnected else "pending")  # fmt: skip
    bought = _credited(snapshot) or state in (S.payment_confirmed, S.signing_in) or (
        snapshot.stream is not None and snapshot.stream.streamed_wei > 0)
    owed_failed = _funding_failed(snapshot.outstanding)
    buy = ("needs_attention" if state in (S.payment_failed, S.insufficient_g_balance,
                                          S.insufficient_ai_credits)
           or (state is S.credit_outstanding and owed_failed)
           else "in_progress" if state in (S.awaiting_signature, S.payment_pending,
                                           S.payment_confirming, S.credit_outstanding)
           else "completed" if bought
           else "ready" if wallet_ok else "pending")  # fmt: skip
    has_key = snapshot.api_key is not None
    setup = ("in_progress" if state is S.signing_in
             else "ready" if state in (S.payment_confirmed, S.byok)
             else "completed" if has_key and state in _SET_UP_STATES
             else "pending")  # fmt: skip
    track = ("needs_attention" if state in (S.low_balance, S.insufficient_ai_credits)
             else "in_progress" if state is S.usage_active
             else "ready" if state in (S.has_credits, S.usage_empty)
             else "pending")  # fmt: skip
    if state is S.backend_unavailable:
        if _credited(snapshot):
            track = "needs_attention"
        else:
            buy = "needs_attention"
    return _step_views(connect, buy, setup, track)


@functools.lru_cache(maxsize=128)
def _step_views(*statuses: str) -> tuple[StepView, ...]:
    """The four steps at these statuses (a pure function of a few words: made once each)."""
    current = next((i for i, st in enumerate(statuses) if st != "completed"), len(statuses) - 1)
    return tuple(
        StepView(label=label, status=st, status_label=_STEP_WORDS[st], current=i == current)
        for i, (label, st) in enumerate(zip(_STEP_LABELS, statuses, strict=True))
    )


def _hero(snapshot: Snapshot, pool: ActionPool) -> Hero | None:
    if snapshot.state not in (S.disconnected, S.connecting, S.unsupported_chain):
        return None
    cfg = snapshot.config
    return Hero(
        headline=HEADLINE,
        tagline=TAGLINE,
        bonus_banner=f"{_pct(cfg.regular_bonus_bps)} on one-time purchases, "
        f"{_pct(cfg.streaming_bonus_bps)} on streams — for GoodID-verified wallets.",
        actions=pool.take("connect"),
    )


# --- notices ------------------------------------------------------------------------------------


def _notices(snapshot: Snapshot, pool: ActionPool) -> tuple[NoticeView, ...]:
    state = snapshot.state
    found: list[NoticeView] = []
    notice = snapshot.notice
    if notice is not None:
        found.append(NoticeView(id="gw-notice", tone=notice.kind, title=notice.title,
                                message=notice.message, focus=notice.kind == "error"))  # fmt: skip
    if state is S.unsupported_chain and snapshot.wallet is not None:
        name = CHAIN_NAMES.get(snapshot.wallet.chain_id)
        where = f"Your wallet is on {name}." if name else "Your wallet is on another network."
        found.append(NoticeView(id="gw-notice-chain", tone="warning", title="Wrong network",
                                message=f"{where} Switch to Celo to buy AI credits with G$."))
    elif state is S.insufficient_ai_credits:
        refused = snapshot.usage[0] if snapshot.usage else None
        credit = snapshot.credit
        if refused is not None and refused.status == "refused" and credit and credit.available_usd:
            cfg = snapshot.config
            found.append(NoticeView(
                id="gw-notice-credit", tone="warning", title="A request was refused",
                message=f"It needed up to {_credit(refused.hold_usd, cfg)} and "
                f"{_credit(credit.available_usd, cfg)} is left. Top up to keep your tools "
                "working. Your API key and setup stay the same."))
        else:
            found.append(NoticeView(
                id="gw-notice-credit", tone="warning", title="You are out of AI credits",
                message="Top up to keep your tools working. Your API key and setup stay the "
                "same."))
    elif state is S.payment_confirmed and (notice is None or notice.kind != "error"):
        with_key = snapshot.api_key is not None
        found.insert(0, NoticeView(
            id="gw-notice-confirmed", tone="success", title="Payment confirmed",
            message="Your AI credits are ready. Copy your API key and setup below." if with_key
            else "Your AI credits are ready."))
    owed = _owed_notice(snapshot, pool)
    if owed is not None:
        found.append(owed)
    if found:
        first = found[0]
        extra = pool.take("retry", "pay_again", "switch_chain")
        if state is S.insufficient_ai_credits:
            extra += pool.take("top_up")
        found[0] = first.model_copy(update={"actions": first.actions + extra})
    return tuple(found)  # fmt: skip


def _owed_total(entries: tuple[CreditEntry, ...]) -> int:
    return sum(e.credit_usd for e in entries)


def _funding_failed(entries: tuple[CreditEntry, ...]) -> bool:
    return any(e.status == "failed" for e in entries)


def _owed_notice(snapshot: Snapshot, pool: ActionPool) -> NoticeView | None:
    """Credit still owed from an earlier payment, on every visit until it is funded."""
    owed = snapshot.outstanding
    if not owed or snapshot.state not in GROUPS["owed_banner"]:
        return None
    failed = _funding_failed(owed)
    tx = next((o.tx_hash for o in owed if o.tx_hash), None)
    where = f" (transaction {short_hex(tx)})" if tx else ""
    state_word = "failed" if failed else "is pending"
    return NoticeView(
        id="gw-notice-owed", tone="warning" if failed else "info",
        title=f"Credit owed to you: {_credit(_owed_total(owed), snapshot.config)}",
        message=f"Your G$ arrived{where} but crediting {state_word}. Check Again asks the "
        "credits service to fund it. Do not pay again.",
        actions=pool.take("check_payment"))  # fmt: skip


# --- wallet, amount, quote ----------------------------------------------------------------------


def _wallet(snapshot: Snapshot, pool: ActionPool) -> WalletChip | None:
    wallet = snapshot.wallet
    if wallet is None:
        return None
    return WalletChip(short=short_hex(wallet.account), full=wallet.account,
                      network=chain_label(wallet.chain_id),
                      actions=pool.take("disconnect"))  # fmt: skip


def _balance_hero(snapshot: Snapshot) -> BalanceHero | None:
    wallet = snapshot.wallet
    if wallet is None or wallet.g_balance_wei is None or snapshot.state not in _AMOUNT_STATES:
        return None
    verified = None
    if wallet.verified is True:
        verified = Badge(label="GoodID verified", tone="success")
    elif wallet.verified is False:
        verified = Badge(label="Not verified", tone="warning")
    return BalanceHero(label="Your G$ balance", amount=format_gd(wallet.g_balance_wei),
                       verified=verified)  # fmt: skip


def _mode_switch(snapshot: Snapshot, pool: ActionPool) -> ModeSwitch | None:
    cfg = snapshot.config
    if snapshot.state not in _AMOUNT_STATES or not cfg.allow_streaming:
        return None
    if pool.take_one("choose_mode") is None:
        return None
    verified = _verified(snapshot)  # an unverified wallet is not promised a bonus it won't get
    return ModeSwitch(
        legend="How do you want to pay?",
        selected=snapshot.mode,
        options=(
            ModeOption(value="one_time", label="One-Time",
                       note=f"{_pct(cfg.regular_bonus_bps)} bonus" if verified else ""),
            ModeOption(value="stream", label="Monthly Stream",
                       note=f"{_pct(cfg.streaming_bonus_bps)} bonus · Beta" if verified
                       else "Beta"),
        ),
    )  # fmt: skip


def _preset(snapshot: Snapshot, gd: int) -> Preset:
    cfg = snapshot.config
    stream = snapshot.mode == "stream"
    basis = flow_rate_for_monthly(gd * WEI) * SECONDS_PER_MONTH if stream else gd * WEI
    q = credit_with_bonus(basis, source="streamUpdate" if stream else "deposit",
                          verified=_verified(snapshot), gd_price=cfg.gd_price,
                          regular_bonus_bps=cfg.regular_bonus_bps,
                          streaming_bonus_bps=cfg.streaming_bonus_bps)  # fmt: skip
    note = f"{_credit(q.total_credit_usd, cfg)}"
    if q.bonus_usd:
        note += f" · {_pct(q.bonus_bps)}"
    return Preset(value=str(gd), label=f"{format_gd(gd * WEI, decimals=0)} G$", note=note)


def _amount_form(snapshot: Snapshot, pool: ActionPool) -> AmountForm | None:
    submit = pool.take_one("enter_amount")
    if snapshot.state not in _AMOUNT_STATES or submit is None:
        return None
    stream = snapshot.mode == "stream"
    wallet = snapshot.wallet
    balance = wallet.g_balance_wei if wallet else None
    error = snapshot.amount.error_message
    if error is None and snapshot.state is S.insufficient_g_balance:
        error = "Not enough G$ for this payment."
        if balance is not None:
            error += f" Your balance is {_gd(balance)}."
    hint = f"Balance: {_gd(balance)}" if balance is not None else "Amount in G$."
    if stream:
        hint = "G$ streamed to the vault every 30 days. " + hint
    extra = () if snapshot.quote is not None else pool.take("confirm", "refresh")
    return AmountForm(
        label="G$ per 30 days" if stream else "Amount of G$",
        text=snapshot.amount.text,
        placeholder="60000" if stream else "20000",
        hint=hint,
        error=error,
        presets=tuple(_preset(snapshot, gd) for gd in snapshot.config.presets_gd),
        submit=submit,
        max_action=pool.take_one("use_max"),
        actions=extra,
    )


def _quote(snapshot: Snapshot, pool: ActionPool) -> QuoteCard | None:
    quote = snapshot.quote
    shown = _AMOUNT_STATES | {S.awaiting_signature}
    if quote is None or quote.mode != "one_time" or snapshot.state not in shown:
        return None
    cfg = snapshot.config
    bonus_label = f"GoodID bonus {_pct(quote.bonus_bps)}" if quote.bonus_usd else "GoodID bonus"
    lines = (
        InfoLine(label="You pay", value=_gd(quote.gd_wei)),
        InfoLine(label="AI credit", value=_credit(quote.principal_usd, cfg)),
        InfoLine(label=bonus_label, value="+" + _credit(quote.bonus_usd, cfg),
                 emphasis=quote.bonus_usd > 0),
    )  # fmt: skip
    hint = None
    if not quote.verified:
        hint = f"{VERIFY_HINT} ({_pct(cfg.regular_bonus_bps)} on one-time purchases)."
    return QuoteCard(title="Your quote", lines=lines,
                     total_label="Estimated total AI credit" if quote.estimate
                     else "Total AI credit",
                     total=_credit(quote.total_credit_usd, cfg), settlement_note=SETTLEMENT_NOTE,
                     verify_hint=hint, price_note=ESTIMATE_NOTE if quote.estimate else None,
                     actions=pool.take("confirm", "refresh"))  # fmt: skip


# --- wallet actions under way -------------------------------------------------------------------

_PENDING_TEXT = {
    "purchase": "Approve the payment of {amount} in your wallet.",
    "stream_start": "Approve the stream of {rate} per 30 days in your wallet.",
    "stream_resume": "Approve resuming the stream at {rate} per 30 days in your wallet.",
    "stream_pause": "Approve pausing the stream in your wallet. Your credits are kept.",
    "stream_stop": "Approve stopping the stream in your wallet. Your credits are kept.",
}


def _pending(snapshot: Snapshot, pool: ActionPool) -> PendingCard | None:
    state = snapshot.state
    pending = snapshot.pending
    tx = pending.tx_hash if pending else None
    if state is S.connecting:
        card = PendingCard(title="Connect your wallet",
                           message="Approve the connection in your wallet…")  # fmt: skip
    elif state is S.signing_in:
        card = PendingCard(title="Create your API key",
                           message="Sign the message in your wallet to create your API key. "
                           "Signing is free: it sends no transaction.")  # fmt: skip
    elif state is S.awaiting_signature and pending is not None:
        text = _PENDING_TEXT[pending.kind].format(
            amount=_gd(pending.amount_wei), rate=_gd_month(pending.flow_rate * SECONDS_PER_MONTH))
        card = PendingCard(title="Confirm in your wallet", message=text)
    elif state is S.payment_pending:
        card = PendingCard(title="Payment pending",
                           message="Waiting for your payment to confirm on Celo… "
                           "This usually takes a few seconds.")  # fmt: skip
    elif state is S.payment_confirming and pending is not None:
        card = PendingCard(title="Payment sent — still confirming",
                           message=f"Your payment of {_gd(pending.amount_wei)} has not confirmed "
                           "on Celo yet. Check Again looks up this transaction; it never sends "
                           "a new payment.")  # fmt: skip
    elif state is S.credit_outstanding:
        card = _owed_card(snapshot)
    else:
        return None
    return card.model_copy(update={
        "tx_short": short_hex(tx) if tx else None, "tx_full": tx,
        "actions": pool.take("check_payment", "cancel_sign_in", "view_usage", "refresh",
                             "confirm") + (
            pool.take("disconnect") if state is S.connecting else ()),
    })  # fmt: skip


def _owed_card(snapshot: Snapshot) -> PendingCard:
    cfg = snapshot.config
    owed = snapshot.outstanding
    pending = snapshot.pending
    failed = _funding_failed(owed)
    lines = [InfoLine(label="You paid", value=_gd(pending.amount_wei))] if pending else []
    if owed:
        lines.append(InfoLine(label="Credit owed to you", value=_credit(_owed_total(owed), cfg),
                              emphasis=True))  # fmt: skip
    lines.append(InfoLine(label="Crediting", value="Failed" if failed else "Pending"))
    return PendingCard(
        title="Your G$ arrived", spinner=not failed, lines=tuple(lines),
        message="The credits service could not fund your credit yet. It stays owed to you; "
        "Check Again asks it to try again." if failed
        else "The credits service is funding your credit. This can take a minute.")


# --- key, setup, balance, usage -----------------------------------------------------------------


def _masked(key: ApiKey) -> str:
    return key.token.masked if key.token is not None else _mask_prefix(key.prefix)


def _mask_prefix(prefix: str) -> str:
    """``gd_live_…abcd`` from the backend's ``tokenPrefix`` (``gd_live_abcd...wxyz``)."""
    head = "gd_live_" if prefix.startswith("gd_live_") else prefix[:3]
    tail = ""
    for mark in ("...", "…"):
        if mark in prefix:
            tail = prefix.rsplit(mark, 1)[1][-4:]
            break
    return f"{head}…{tail}"


def _shown_token(snapshot: Snapshot) -> str | None:
    """The full token, only on the screen right after issue (for Copy, and shown if revealed)."""
    key = snapshot.api_key
    if snapshot.state is S.payment_confirmed and key and key.token is not None:
        return key.token.reveal()
    return None


def _revealed_token(snapshot: Snapshot) -> str | None:
    key = snapshot.api_key
    return _shown_token(snapshot) if key is not None and key.revealed else None


_KEY_STATUS = {"active": "Active", "revoked": "Revoked"}


def _key_rows(snapshot: Snapshot) -> tuple[KeyRowView, ...]:
    current = snapshot.api_key.key_id if snapshot.api_key else None
    rows = []
    for index, k in enumerate(snapshot.keys or ()):
        if k.status != "active":
            continue
        actions: tuple[Action, ...] = ()
        if snapshot.revoking is None and may(snapshot, ev.RevokeKey(key_id=k.key_id)):
            actions = (Action(id=f"gw-action-revoke-key-{index}", type="revoke_key",
                              label="Revoke", enabled=True,
                              fields=(HiddenField(name="key_id", value=k.key_id),)),)
        used = f"last used {_day_month(_utc(k.last_used_at))}" if k.last_used_at else "never used"
        made = f"created {_day_month(_utc(k.created_at))}, " if k.created_at else ""
        rows.append(KeyRowView(key_id=k.key_id, masked=_mask_prefix(k.prefix),
                               label=k.label or "API key", status_label=_KEY_STATUS[k.status],
                               detail=made + used, current=k.key_id == current,
                               actions=actions))  # fmt: skip
    return tuple(rows)


def _revoke_confirm(snapshot: Snapshot, pool: ActionPool) -> NoticeView | None:
    if snapshot.revoking is None:
        return None
    key = next((k for k in snapshot.keys or () if k.key_id == snapshot.revoking), None)
    name = _mask_prefix(key.prefix) if key else "this key"
    return NoticeView(id="gw-notice-revoke", tone="warning", title=f"Revoke {name}?",
                      message="Tools set up with this key stop working at once. This cannot "
                      "be undone.", focus=True,
                      actions=pool.take("confirm_revoke", "cancel_revoke"))  # fmt: skip


def _api_key(snapshot: Snapshot, pool: ActionPool) -> ApiKeyCard | None:
    key = snapshot.api_key
    if snapshot.state not in _KEY_STATES:
        return None
    pool.take("revoke_key")  # offered per key, in the keys panel
    keys = _key_rows(snapshot)
    confirm = _revoke_confirm(snapshot, pool)
    if key is None:
        create = pool.take("create_key")
        if not create or not create[0].enabled:
            return None  # the backend has no keys: _keys_elsewhere explains
        note = ("Sign a message with your wallet to create your API key." if not keys else
                "Your keys are listed below. Create a new key to see its full value once.")
        return ApiKeyCard(title="Your API key", note=note, keys=keys, confirm=confirm,
                          actions=create)  # fmt: skip
    value = _shown_token(snapshot)
    revealed = _revealed_token(snapshot) is not None
    once = value is not None
    note = ("Copy it now: for your safety the full key is shown only this once."
            if once else "The full key was shown once, when it was created.")  # fmt: skip
    reveal = pool.take("hide_key" if revealed else "reveal_key")
    pool.take("reveal_key", "hide_key")
    return ApiKeyCard(title="Your API key", masked=_masked(key), value=value,
                      revealed=revealed, can_reveal=once, note=note, keys=keys, confirm=confirm,
                      actions=reveal + pool.take("rotate_key", "create_key"))  # fmt: skip


KEY_PLACEHOLDER = "gd_live_YOUR_KEY"
"""What the setup shows outside the key screen: the real key is never shown again."""


def _setup(snapshot: Snapshot) -> SetupSnippets | None:
    state = snapshot.state
    cfg = snapshot.config
    copy_key: str | None = None
    if state is S.byok:
        byok = snapshot.byok
        if byok is None or not byok.saved or byok.key is None:
            return None
        base, model, key = byok.base_url, byok.model, byok.key.masked
        copy_key = byok.key.reveal()
        intro = "Paste one of these into your tool: your provider, key and model."
    elif state in _KEY_STATES and snapshot.api_key is not None:
        base, model = cfg.api_base_url, cfg.default_model
        token = _shown_token(snapshot)
        if token is not None:
            copy_key = token
            key = token if snapshot.api_key.revealed else _masked(snapshot.api_key)
            intro = "Paste one of these into your coding tool. Copy puts your full key in it."
        else:
            return _placeholder_setup(base, model)
    else:
        return None
    snippets = setup_snippets(base, model, key)
    if copy_key is not None and copy_key != key:
        snippets = tuple(
            shown.model_copy(update={"copy_code": full.code})
            for shown, full in zip(snippets, setup_snippets(base, model, copy_key), strict=True)
        )
    return SetupSnippets(title="API setup", intro=intro, base_url=base, model=model,
                         snippets=snippets)  # fmt: skip


@functools.lru_cache(maxsize=32)
def _placeholder_setup(base: str, model: str) -> SetupSnippets:
    """The setup with the key placeholder: it holds no secret and depends on the host's base URL
    and model only, so it is made once per pair (a pure function of two strings)."""
    intro = (f"Paste one of these into your coding tool and replace {KEY_PLACEHOLDER} "
             "with your key. Lost it? Create a new key.")  # fmt: skip
    return SetupSnippets(title="API setup", intro=intro, base_url=base, model=model,
                         snippets=setup_snippets(base, model, KEY_PLACEHOLDER))  # fmt: skip


def _cached(snapshot: Snapshot) -> CachedLabel | None:
    cached = snapshot.cached
    if cached is None or cached.as_of is None:
        return None
    return CachedLabel(text=f"cached · as of {_when(cached.as_of)}",
                       as_of=_utc(cached.as_of).isoformat())  # fmt: skip


def _balance(snapshot: Snapshot, pool: ActionPool) -> BalanceCard | None:
    state = snapshot.state
    cfg = snapshot.config
    if state is S.backend_unavailable:
        label = _cached(snapshot)
        if label is None or snapshot.cached is None:
            return None
        return BalanceCard(title="AI credit balance", label="Last known balance",
                           available=_credit(snapshot.cached.available_usd, cfg),
                           cached=label)  # fmt: skip
    credit = snapshot.credit
    if state not in _BALANCE_STATES or credit is None:
        return None
    if state in _STREAM_STATUS and not _credited(snapshot):
        return None
    return _live_balance(snapshot, credit, pool)


def _live_balance(snapshot: Snapshot, credit: CreditSummary, pool: ActionPool) -> BalanceCard:
    cfg = snapshot.config
    available = credit.available_usd
    top_up = credit.last_top_up_usd
    percent = min(100, available * 100 // top_up) if top_up > 0 else None
    low = credit.credited_usd > 0 and is_low_balance(credit, cfg)
    warning = None
    if snapshot.state is S.insufficient_ai_credits:
        pass  # the "You are out of AI credits" notice says it once
    elif available == 0 and credit.credited_usd > 0:
        warning = "No credit left. Top up to keep using your API key."
    elif low:
        warning = "Your credit is running low. Top up to keep your tools working."
    bar_text = None
    if percent is not None:
        bar_text = f"{percent}% of your last top-up ({_credit(top_up, cfg)}) left"
    pending = f"{_credit(credit.pending_usd, cfg)} on its way" if credit.pending_usd else None
    actions = pool.take("top_up", "refresh") if snapshot.state in _USAGE_STATES else ()
    return BalanceCard(title="AI credit balance", label="Available credit",
                       available=_credit(available, cfg), percent_left=percent,
                       bar_text=bar_text, low=low, warning=warning, pending=pending,
                       actions=actions)  # fmt: skip


_STATUS_WORDS = {"held": ("Held", "info"), "charged": ("Charged", "success"),
                 "released": ("Released", "info"), "refused": ("Refused", "error")}  # fmt: skip


def _usage_row(row: UsageRow, cfg: WidgetConfig) -> UsageRowView:
    label, tone = _STATUS_WORDS[row.status]
    if row.status == "held":
        cost, kind = f"≈ {_credit(row.hold_usd, cfg)}", "Estimated"
    elif row.status == "charged":
        cost, kind = _credit(row.cost_usd or 0, cfg), "Captured"
    elif row.status == "refused":
        cost, kind = f"≈ {_credit(row.hold_usd, cfg)}", "Needed, not charged"
    else:
        cost, kind = _credit(0, cfg), "Hold released"
    tokens = row.prompt_tokens + row.completion_tokens
    split = (f"{row.prompt_tokens:,}\u00a0in / {row.completion_tokens:,}\u00a0out" if tokens
             else "—")
    moment = _utc(row.created_at)
    return _made(UsageRowView, {
        "request_id": row.request_id, "model": row.model, "status": row.status,
        "status_label": label, "tone": tone, "cost": cost, "cost_kind": kind,
        "tokens": f"{tokens:,}" if tokens else "—", "tokens_split": split,
        "time": f"{_day_month(moment)}, {moment.hour:02d}:{moment.minute:02d}",
        "time_iso": moment.isoformat()})  # fmt: skip


def _usage(snapshot: Snapshot) -> UsageTable | None:
    if snapshot.state not in _USAGE_STATES:
        return None
    if snapshot.features is not None and not snapshot.features.usage:
        return None  # the credit history card stands in
    rows = snapshot.usage
    empty_title = empty_hint = None
    if rows is None:
        empty_title = "Loading recent requests…"
    elif not rows:
        empty_title = "No requests yet"
        empty_hint = "Paste the setup into a tool and send a request: it shows up here."
    cfg = snapshot.config
    return UsageTable(title="Recent usage", caption="Recent AI requests and what they cost",
                      rows=tuple(_usage_row(r, cfg) for r in rows or ()),
                      empty_title=empty_title, empty_hint=empty_hint)  # fmt: skip


_CHART_W, _CHART_H, _PLOT_H, _MAX_DAYS = 320, 100, 56, 7
_CHART_TOP = 18  # room for the value above the tallest bar


def _row_spend(row: UsageRow) -> int:
    if row.status == "charged":
        return row.cost_usd or 0
    return row.hold_usd if row.status == "held" else 0


def _bar_value(micro: int, cfg: WidgetConfig) -> str:
    """The short value drawn above a bar (none for 0): ``$0.27``, two significant digits under a
    cent (``$0.0020``), ``<$0.0001`` below that, or whole credits (``2,650``).  Integers only:
    rounded half up at the shown precision."""
    if micro <= 0:
        return ""
    if cfg.credit_unit != "usd":
        return _credit(micro, cfg).removesuffix(" credits")
    if micro < 100:
        return "<$0.0001"
    if micro < 10_000:  # two significant digits (9,999 rounds up to a cent)
        unit = 10 ** (len(str(micro)) - 2)
        micro = (micro + unit // 2) // unit * unit
    digits = 2 if micro >= 10_000 else 6 - (len(str(micro)) - 2)
    unit = 10 ** (6 - digits)
    shown = (micro + unit // 2) // unit
    whole, frac = divmod(shown, 10**digits)
    return f"${whole:,}.{frac:0{digits}d}"


def _chart(snapshot: Snapshot) -> SpendChart | None:
    rows = snapshot.usage
    if snapshot.state not in _USAGE_STATES or not rows:
        return None
    per_day: dict[date, int] = {}
    for row in rows:
        day = _utc(row.created_at).date()
        per_day[day] = per_day.get(day, 0) + _row_spend(row)
    last = max(per_day)
    first = max(min(per_day), last - timedelta(days=_MAX_DAYS - 1))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if not any(per_day.values()):
        return None  # nothing was spent (only refusals or released holds): no empty chart
    peak = max(per_day.get(d, 0) for d in days) or 1
    slot = _CHART_W // len(days)
    width = min(32, slot - 8)
    cfg = snapshot.config
    bars = []
    for index, day in enumerate(days):
        value = per_day.get(day, 0)
        height = value * _PLOT_H // peak
        if value and height < 2:
            height = 2
        x = index * slot + (slot - width) // 2
        top = _CHART_TOP + _PLOT_H - height
        bars.append(_made(ChartBar, {
            "x": x, "y": top, "width": width, "height": height, "day": _day_month(day),
            "value": _credit(value, cfg), "label_x": x + width // 2,
            "value_label": _bar_value(value, cfg), "value_y": top - 4}))  # fmt: skip
    summary = "Spend per day: " + "; ".join(f"{b.day} {b.value}" for b in bars) + "."
    return SpendChart(title="Spend per day", summary=summary, width=_CHART_W, height=_CHART_H,
                      baseline_y=_CHART_TOP + _PLOT_H, bars=tuple(bars))  # fmt: skip


def _keys_elsewhere(snapshot: Snapshot) -> InfoCard | None:
    features = snapshot.features
    if features is None or features.api_keys or snapshot.api_key is not None:
        return None
    if snapshot.state not in _KEY_STATES:
        return None
    return InfoCard(key="api-keys", title="Your API key", message=KEYS_ELSEWHERE)


_SOURCE_WORDS = {"deposit": "Deposit", "stream": "Stream"}
_FUNDING_WORDS = {"funded": "Credited", "pending": "Pending", "failed": "Failed"}


def _history(snapshot: Snapshot) -> InfoCard | None:
    features = snapshot.features
    if features is None or features.usage or snapshot.state not in _USAGE_STATES:
        return None
    entries = snapshot.history or ()
    cfg = snapshot.config
    lines = tuple(
        InfoLine(label=(f"{_day_month(_utc(e.created_at))} · " if e.created_at else "")
                 + f"{_SOURCE_WORDS[e.source]} · {_gd(e.gd_wei)}",
                 value=f"{_credit(e.credit_usd, cfg)} · {_FUNDING_WORDS[e.status]}")
        for e in entries
    )  # fmt: skip
    return InfoCard(
        key="credit-history", title="Credit history",
        message="" if lines else "No credits yet.",
        lines=lines,
    )


# --- streams and byok ---------------------------------------------------------------------------


def _first_credit_note() -> str:
    minimum = format_gd(VaultMinimums().stream_credit_min_wei, decimals=0)
    return f"Credit is issued once at least {minimum} G$ have streamed."


def _stream_setup(snapshot: Snapshot, pool: ActionPool) -> StreamSetupCard | None:
    if snapshot.state is not S.streaming_setup:
        return None
    cfg = snapshot.config
    quote = snapshot.quote
    lines: tuple[InfoLine, ...] = ()
    if quote is not None and quote.mode == "stream":
        lines = (
            InfoLine(label="Per 30 days", value=_gd_month(quote.gd_wei)),
            InfoLine(label="Flow rate", value=f"{_gd(quote.flow_rate)}/s"),
            InfoLine(label="AI credit per 30 days", value=_credit(quote.principal_usd, cfg)),
            InfoLine(label=f"Stream bonus {_pct(quote.bonus_bps)}" if quote.bonus_usd
                     else "Stream bonus", value="+" + _credit(quote.bonus_usd, cfg),
                     emphasis=quote.bonus_usd > 0),
            InfoLine(label="Total per 30 days", value=_credit(quote.total_credit_usd, cfg)),
        )  # fmt: skip
    hint = None
    if not _verified(snapshot):
        hint = f"{VERIFY_HINT} ({_pct(cfg.streaming_bonus_bps)} on streams)."
    return StreamSetupCard(
        title="Monthly stream",
        beta=Badge(label="Beta", tone="info"),
        lines=lines,
        bonus_note=f"Streams earn {_pct(cfg.streaming_bonus_bps)} bonus credit for "
        "GoodID-verified wallets. Pause or stop any time.",
        first_credit_note=_first_credit_note(),
        verify_hint=hint,
        settlement_note=SETTLEMENT_NOTE if lines else None,
        actions=pool.take("start_stream", "refresh"),
    )


RUNS_OUT_SOON_DAYS = 7
"""The wallet's G$ running out within this many days is a warning; later, a plain line."""


def _counter_rate(total_per_month: int) -> str:
    rate = (Decimal(total_per_month) / SECONDS_PER_MONTH).quantize(
        Decimal("0.000001"), rounding=ROUND_DOWN)
    return f"{rate:f}"


def _stream_status(snapshot: Snapshot, pool: ActionPool) -> StreamStatusCard | None:
    state = snapshot.state
    stream = snapshot.stream
    if state not in _STREAM_STATUS or stream is None:
        return None
    cfg = snapshot.config
    rate = stream.flow_rate if state is S.streaming_active else stream.paused_flow_rate
    lines: list[InfoLine] = []
    if rate:
        total, _bonus = _monthly_credit(snapshot, rate)
        lines += [
            InfoLine(label="Rate" if state is S.streaming_active else "Paused rate",
                     value=f"{_gd_month(rate * SECONDS_PER_MONTH)} per 30 days"),
            InfoLine(label="Flow rate", value=f"{_gd(rate)}/s"),
            InfoLine(label="AI credit per 30 days", value=_credit(total, cfg), emphasis=True),
        ]  # fmt: skip
    lines.append(InfoLine(label="Streamed so far", value=_gd(stream.streamed_wei)))
    if state is S.streaming_active and stream.next_credit_at is not None:
        lines.append(InfoLine(label="Next credit", value=_when(stream.next_credit_at)))
    counter = None
    if state is S.streaming_active and rate and stream.as_of and cfg.credit_unit == "usd":
        total, _bonus = _monthly_credit(snapshot, rate)
        counter = Counter(text=_credit(stream.accrued_usd, cfg), base_micro=stream.accrued_usd,
                          rate_micro_per_s=_counter_rate(total),
                          as_of=int(_utc(stream.as_of).timestamp()))  # fmt: skip
    runs_out, soon = None, False
    wallet = snapshot.wallet
    if state is S.streaming_active and rate and wallet and wallet.g_balance_wei is not None:
        days = wallet.g_balance_wei // rate // 86_400
        soon = days < RUNS_OUT_SOON_DAYS  # a warning near the end only; a plain line before
        runs_out = ("Your G$ runs out in less than a day." if days < 1
                    else f"Your G$ runs out in {days} day{'s' if days > 1 else ''}." if soon
                    else f"At this rate your G$ lasts {days} more days.")  # fmt: skip
        if soon:
            runs_out += " Add G$ to this wallet to keep the stream running."
    first_note = None
    if stream.streamed_wei < VaultMinimums().stream_credit_min_wei:
        first_note = _first_credit_note()
    status, message = {
        S.streaming_active: (Badge(label="Streaming", tone="success"), None),
        S.streaming_paused: (Badge(label="Paused", tone="warning"),
                             "The stream is paused. Resume it at the same rate, or stop it. "
                             "Your credits are kept."),
        S.streaming_stopped: (Badge(label="Stopped", tone="info"),
                              "The stream has ended and your credits are kept. Restart it, "
                              "or buy once instead."),
    }[state]  # fmt: skip
    return StreamStatusCard(
        title="Your G$ stream", beta=Badge(label="Beta", tone="info"), status=status,
        lines=tuple(lines), accrued_label="Credit accrued",
        accrued=_credit(stream.accrued_usd, cfg), counter=counter, first_credit_note=first_note,
        runs_out=runs_out, runs_out_soon=soon, message=message,
        actions=pool.take("pause_stream", "resume_stream", "stop_stream", "choose_mode",
                          "top_up", "view_usage", "refresh"),
    )  # fmt: skip


def _byok(snapshot: Snapshot, pool: ActionPool) -> ByokCard | None:
    byok = snapshot.byok
    if snapshot.state is not S.byok or byok is None:
        return None
    errors = byok.errors
    saved = byok.saved
    key_hint = (f"Saved: {byok.key.masked}. Leave empty to keep it." if byok.key is not None
                else "It stays in this session, masked; the widget never sends it anywhere.")
    fields = (
        FormField(name="base_url", label="Provider base URL", kind="url", value=byok.base_url,
                  placeholder="https://api.openai.com/v1", error=errors.get("base_url")),
        FormField(name="api_key", label="Provider API key", kind="password",
                  placeholder="sk-…", hint=key_hint, error=errors.get("key")),
        FormField(name="model", label="Model", value=byok.model, placeholder="gpt-4o-mini",
                  error=errors.get("model")),
    )  # fmt: skip
    submit = pool.take_one("use_own_key")
    if submit is not None:
        submit = submit.model_copy(update={"label": "Update Setup" if saved else "Use These"})
    lines: tuple[InfoLine, ...] = ()
    if saved and byok.key is not None:
        lines = (InfoLine(label="Base URL", value=byok.base_url),
                 InfoLine(label="API key", value=byok.key.masked),
                 InfoLine(label="Model", value=byok.model))  # fmt: skip
    return ByokCard(
        title="Bring your own key",
        message="Use your own provider key: no credits are needed. The setup below uses your "
        "provider, key and model." if saved
        else "Already have a provider key? Enter it with its base URL and model to get the setup "
        "for your tools — no credits needed.",
        lines=lines, fields=fields, submit=submit,
        actions=pool.take("leave_byok"),
    )  # fmt: skip


# --- the whole view -----------------------------------------------------------------------------


def build_view(snapshot: Snapshot, *, theme: str = "dark") -> WidgetView:
    """The view of ``snapshot`` in ``theme`` (``"dark"`` or ``"light"``)."""
    if theme not in ("dark", "light"):
        raise ValueError(f"unknown theme {theme!r}; expected 'dark' or 'light'")
    state = snapshot.state.value
    pool = ActionPool(build_actions(snapshot))
    # Order matters: a card takes its actions from the pool before the next one looks.
    notices = _notices(snapshot, pool)
    hero = _hero(snapshot, pool)
    pending = _pending(snapshot, pool)
    mode_switch = _mode_switch(snapshot, pool)
    quote = _quote(snapshot, pool)
    amount_form = _amount_form(snapshot, pool)
    stream_setup = _stream_setup(snapshot, pool)
    stream_status = _stream_status(snapshot, pool)
    api_key = _api_key(snapshot, pool)
    balance = _balance(snapshot, pool)
    byok = _byok(snapshot, pool)
    wallet = _wallet(snapshot, pool)
    return WidgetView(
        state=state,
        test_id="AiCreditsWidget-" + state.replace("_", "-"),
        theme=theme,
        header=_header(snapshot),
        hero=hero,
        steps=_steps(snapshot),
        notices=notices,
        wallet=wallet,
        balance_hero=_balance_hero(snapshot),
        mode_switch=mode_switch,
        amount_form=amount_form,
        quote=quote,
        stream_setup=stream_setup,
        pending=pending,
        stream_status=stream_status,
        byok=byok,
        balance=balance,
        api_key=api_key,
        setup=_setup(snapshot),
        usage=_usage(snapshot),
        chart=_chart(snapshot),
        info_cards=tuple(c for c in (_keys_elsewhere(snapshot), _history(snapshot)) if c),
        more_actions=pool.rest(),
        actions=pool.all,
    )
