"""Pure functions the machine's guards and actions are made of: amount evaluation, quotes,
low-balance rule, default ids.  No I/O, no clock."""

from __future__ import annotations

from datetime import datetime

from ai_credits.core.models import (
    AmountInput,
    CreditSummary,
    Mode,
    Quote,
    SecretToken,
    WidgetConfig,
    trusted_model,
)
from ai_credits.core.quote import (
    SECONDS_PER_MONTH,
    credit_with_bonus,
    flow_rate_for_monthly,
    format_gd,
    format_usd,
    gd_wei_for_usd_micro,
    parse_gd_amount,
)
from ai_credits.core.snapshot import ByokSetup, Snapshot
from ai_credits.errors import InvalidAmount, QuoteError

__all__ = ["byok_form", "default_request_id", "evaluate_amount", "is_low_balance"]


def _quote(snapshot: Snapshot, wei: int, mode: Mode, at: datetime | None) -> Quote:
    cfg = snapshot.config
    verified = bool(snapshot.wallet and snapshot.wallet.verified)
    flow_rate = flow_rate_for_monthly(wei) if mode == "stream" else 0
    basis = flow_rate * SECONDS_PER_MONTH if mode == "stream" else wei
    credit = credit_with_bonus(
        basis,
        source="streamUpdate" if mode == "stream" else "deposit",
        verified=verified,
        gd_price=cfg.gd_price,
        regular_bonus_bps=cfg.regular_bonus_bps,
        streaming_bonus_bps=cfg.streaming_bonus_bps,
    )
    # The machine's own arithmetic on validated inputs (parsed wei, validated config and event):
    # every field is valid by construction, so the quote is not validated again (hot path).
    return trusted_model(Quote, {
        "mode": mode,
        "gd_wei": basis,
        "flow_rate": flow_rate,
        "principal_usd": credit.principal_usd,
        "bonus_usd": credit.bonus_usd,
        "total_credit_usd": credit.total_credit_usd,
        "bonus_bps": credit.bonus_bps,
        "verified": verified,
        "gd_price": cfg.gd_price,
        "usd_micro_per_token": credit.usd_micro_per_token,
        "made_at": at,
        "estimate": cfg.gd_price_source != "oracle",
    }, set(_QUOTE_FIELDS))


_QUOTE_FIELDS = frozenset(Quote.model_fields)


def _parsed(text: str, wei: int) -> AmountInput:
    """The amount field holding a parsed amount (text as typed, already within its limit)."""
    return trusted_model(AmountInput, {"text": text, "wei": wei, "error_code": None,
                                       "error_message": None}, {"text", "wei"})  # fmt: skip


def evaluate_amount(
    snapshot: Snapshot, text: str, mode: Mode, at: datetime | None, *, pristine: bool = False
) -> tuple[AmountInput, Quote | None]:
    """What the amount field means in ``mode``: the amount and its quote, or the inline error.

    ``pristine`` leaves an empty field without an error (switching mode before typing anything).
    The text is always kept exactly as typed.
    """
    if pristine and not text.strip():
        return AmountInput(text=text), None
    try:
        wei = parse_gd_amount(text)
    except InvalidAmount as exc:
        return AmountInput(text=text, error_code=exc.code, error_message=exc.message), None
    try:
        return _evaluate_wei(snapshot, text, wei, mode, at)
    except QuoteError:  # a price the config validators refuse; kept as an inline error anyway
        return AmountInput(text=text, wei=wei, error_code="no_price",
                           error_message=NO_PRICE_MESSAGE), None  # fmt: skip


NO_PRICE_MESSAGE = "Prices are unavailable right now. Try again in a moment."


def _evaluate_wei(
    snapshot: Snapshot, text: str, wei: int, mode: Mode, at: datetime | None
) -> tuple[AmountInput, Quote | None]:
    quote = _quote(snapshot, wei, mode, at)
    cfg = snapshot.config
    if mode == "stream":
        if quote.principal_usd < cfg.min_monthly_stream_usd:
            minimum = gd_wei_for_usd_micro(cfg.min_monthly_stream_usd, cfg.gd_price)
            return AmountInput(
                text=text,
                wei=wei,
                error_code="below_minimum",
                error_message=(
                    f"A stream must be worth at least {format_usd(cfg.min_monthly_stream_usd)} "
                    f"per 30 days (about {format_gd(minimum)} G$)."
                ),
            ), None
        return _parsed(text, wei), quote
    first_done = bool(snapshot.wallet and snapshot.wallet.first_deposit_done)
    if not first_done and quote.principal_usd < cfg.min_first_deposit_usd:
        minimum = gd_wei_for_usd_micro(cfg.min_first_deposit_usd, cfg.gd_price)
        return AmountInput(
            text=text,
            wei=wei,
            error_code="below_minimum",
            error_message=(
                "Your first purchase must be worth at least "
                f"{format_usd(cfg.min_first_deposit_usd)} (about {format_gd(minimum)} G$)."
            ),
        ), None
    return _parsed(text, wei), quote


def is_low_balance(credit: CreditSummary, config: WidgetConfig) -> bool:
    """Below the absolute floor, or below the configured share of the last top-up."""
    available = credit.available_usd
    if available < config.low_balance_floor_usd:
        return True
    return (
        credit.last_top_up_usd > 0
        and available * 10_000 < credit.last_top_up_usd * config.low_balance_share_bps
    )


def default_request_id(snapshot: Snapshot) -> str:
    """A deterministic id for a wallet action when the host gave none: account tail + sequence."""
    tail = snapshot.wallet.account[-6:].lower() if snapshot.wallet else "anon"
    return f"req-{tail}-{snapshot.seq}"


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _base_url_error(url: str) -> str | None:
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("@")[-1]
    hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    if not sep or scheme.lower() not in ("https", "http") or not hostname or " " in url:
        return "Enter the provider's base URL, like https://api.openai.com/v1."
    if scheme.lower() == "http" and hostname.lower() not in _LOCAL_HOSTS:
        return "Use https:// (plain http only for a provider on this machine)."
    return None


def byok_form(base_url: str | None, model: str | None, key: SecretToken | None) -> ByokSetup:
    """The bring-your-own-key form as submitted: values kept as typed, and an inline message per
    missing or invalid field.  The key is kept masked (a :class:`SecretToken`)."""
    url = (base_url or "").strip()
    name = (model or "").strip()
    errors: dict[str, str] = {}
    if not url:
        errors["base_url"] = "Enter the provider's base URL, like https://api.openai.com/v1."
    elif (problem := _base_url_error(url)) is not None:
        errors["base_url"] = problem
    if not name:
        errors["model"] = "Enter the model id your provider uses, like gpt-4o-mini."
    elif any(c.isspace() for c in name):
        errors["model"] = "A model id has no spaces."
    if key is None:
        errors["key"] = "Enter your provider API key."
    return ByokSetup(base_url=url, model=name, key=key, errors=errors)
