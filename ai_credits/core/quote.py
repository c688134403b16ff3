"""The quote engine: the Worker's credit arithmetic, to the micro-dollar (WORKER_CONTRACT.md §3–4).

Every amount is an integer: G$ in wei (18 decimals), US$ in micro-USD (6 decimals), flow rates in
G$ wei per second.  Floats appear only where the Worker itself uses an IEEE double — the G$ price —
and are turned into an integer immediately, exactly as JavaScript would.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from ai_credits.core.limits import AMOUNT_TEXT_MAX
from ai_credits.errors import InvalidAmount, QuoteError

__all__ = [
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "GD_DECIMALS",
    "MAX_GD_WEI",
    "MIN_RESERVE_MICRO_USD",
    "SECONDS_PER_MONTH",
    "WEI_PER_GD",
    "AmountErrorCode",
    "CreditQuote",
    "CreditSource",
    "CreditUnit",
    "ModelPrice",
    "Price",
    "PriceTable",
    "VaultMinimums",
    "apply_bonus_cap",
    "credit_with_bonus",
    "estimate_tokens",
    "flow_rate_for_monthly",
    "format_credit",
    "format_gd",
    "format_gd_exact",
    "format_usd",
    "gd_wei_for_usd_micro",
    "gd_wei_to_usd_micro",
    "monthly_stream_usd",
    "parse_gd_amount",
    "request_actual_cost",
    "request_hold",
    "usd_micro_per_token",
]

GD_DECIMALS = 18
WEI_PER_GD: int = 10**GD_DECIMALS
MICRO_PER_USD = 1_000_000
SECONDS_PER_MONTH = 2_592_000
"""A stream month is 30 days; the UI labels it "per 30 days"."""
MAX_GD_WEI: int = 10**12 * WEI_PER_GD
"""Amounts above a trillion G$ are rejected as absurd (far above the token's supply)."""
MIN_RESERVE_MICRO_USD = 1_000
DEFAULT_MAX_OUTPUT_TOKENS = 1_024
BPS_DENOMINATOR = 10_000

Price = float | Decimal | str | int
CreditSource = Literal["deposit", "streamUpdate", "streamRequest", "streamCron"]
CreditUnit = Literal["usd", "credits"]


def usd_micro_per_token(price: Price) -> int:
    """Micro-USD per whole G$, as the Worker computes it: JS ``Math.round(price * 1e6)``.

    The price is first made an IEEE double (as JavaScript holds it), multiplied by ``1e6`` in double
    arithmetic, then rounded half up.  Python's ``round()`` rounds half to even and would differ.
    """
    if isinstance(price, bool):
        raise QuoteError("The G$ price must be a number.")
    try:
        as_double = float(price)
    except (TypeError, ValueError) as exc:
        raise QuoteError("The G$ price must be a number.") from exc
    if not math.isfinite(as_double) or as_double <= 0:
        raise QuoteError("The G$ price must be a positive number.")
    scaled = as_double * 1e6
    if not math.isfinite(scaled):
        raise QuoteError("The G$ price is out of range.")
    floor = math.floor(scaled)
    # scaled - floor is exact for doubles below 2**52, so this is Math.round's tie-up rule exactly.
    return floor + 1 if scaled - floor >= 0.5 else floor


def _require_wei(gd_wei: int, name: str = "gd_wei") -> None:
    if isinstance(gd_wei, bool) or not isinstance(gd_wei, int):
        raise QuoteError(f"{name} must be an integer amount of wei.")
    if gd_wei < 0:
        raise QuoteError(f"{name} must not be negative.")


def gd_wei_to_usd_micro(gd_wei: int, price: Price) -> int:
    """The US$ value (micro-USD, rounded down) of ``gd_wei`` at ``price`` cUSD per G$."""
    _require_wei(gd_wei)
    return gd_wei * usd_micro_per_token(price) // WEI_PER_GD


def gd_wei_for_usd_micro(usd_micro: int, price: Price) -> int:
    """The smallest G$ amount (wei) whose value is at least ``usd_micro`` — for minimum hints."""
    _require_wei(usd_micro, "usd_micro")
    per_token = usd_micro_per_token(price)
    if per_token == 0:  # a price under 0.0000005 cUSD: no amount of G$ is worth anything
        raise QuoteError("The G$ price is too small to quote.")
    return -(-usd_micro * WEI_PER_GD // per_token)


def apply_bonus_cap(bonus_usd: int, *, cap_usd: int | None, used_usd: int) -> int:
    """The bonus left after a monthly per-root cap: ``min(bonus, max(cap - used, 0))``."""
    if cap_usd is None:
        return bonus_usd
    return min(bonus_usd, max(cap_usd - used_usd, 0))


@dataclass(frozen=True, slots=True)
class CreditQuote:
    """The credit a G$ amount buys: principal, bonus and their total, in micro-USD."""

    gd_wei: int
    principal_usd: int
    bonus_usd: int
    total_credit_usd: int
    bonus_bps: int
    usd_micro_per_token: int
    verified: bool
    source: str


def credit_with_bonus(
    gd_wei: int,
    *,
    source: CreditSource | str,
    verified: bool,
    gd_price: Price,
    regular_bonus_bps: int = 1_000,
    streaming_bonus_bps: int = 2_000,
    bonus_cap_usd: int | None = None,
    bonus_used_usd: int = 0,
) -> CreditQuote:
    """The Worker's credit for a deposit or stream credit (WORKER_CONTRACT.md §4).

    ``source`` starting with ``stream`` earns ``streaming_bonus_bps``; anything else
    ``regular_bonus_bps``.  Unverified wallets (no GoodID root) earn no bonus.  A monthly bonus cap
    per root account may be given with what that root already used this month.
    """
    _require_wei(gd_wei)
    per_token = usd_micro_per_token(gd_price)
    principal = gd_wei * per_token // WEI_PER_GD
    bps = streaming_bonus_bps if source.startswith("stream") else regular_bonus_bps
    bonus = principal * bps // BPS_DENOMINATOR if verified else 0
    bonus = apply_bonus_cap(bonus, cap_usd=bonus_cap_usd, used_usd=bonus_used_usd)
    return CreditQuote(
        gd_wei=gd_wei,
        principal_usd=principal,
        bonus_usd=bonus,
        total_credit_usd=principal + bonus,
        bonus_bps=bps if verified else 0,
        usd_micro_per_token=per_token,
        verified=verified,
        source=source,
    )


def monthly_stream_usd(flow_rate: int, price: Price) -> int:
    """The US$ value (micro-USD) of 30 days of a stream of ``flow_rate`` wei per second."""
    _require_wei(flow_rate, "flow_rate")
    return gd_wei_to_usd_micro(flow_rate * SECONDS_PER_MONTH, price)


def flow_rate_for_monthly(monthly_gd_wei: int) -> int:
    """The flow rate (wei per second, rounded down) that streams ``monthly_gd_wei`` per 30 days."""
    _require_wei(monthly_gd_wei, "monthly_gd_wei")
    return monthly_gd_wei // SECONDS_PER_MONTH


@dataclass(frozen=True, slots=True)
class VaultMinimums:
    """The vault's and the Worker's minimums (defaults of PRODUCT.md §5)."""

    first_deposit_usd: int = MICRO_PER_USD
    monthly_stream_usd: int = MICRO_PER_USD
    stream_credit_min_wei: int = 4_000 * WEI_PER_GD

    def first_deposit_ok(self, gd_wei: int, price: Price) -> bool:
        """Whether a first deposit of ``gd_wei`` is worth at least the minimum."""
        return gd_wei_to_usd_micro(gd_wei, price) >= self.first_deposit_usd

    def stream_rate_ok(self, flow_rate: int, price: Price) -> bool:
        """Whether a stream of ``flow_rate`` is worth at least the monthly minimum."""
        return monthly_stream_usd(flow_rate, price) >= self.monthly_stream_usd

    def stream_credit_due(self, accrued_wei: int) -> bool:
        """Whether enough G$ has accrued for the backend to issue stream credit."""
        return accrued_wei >= self.stream_credit_min_wei


# --- AI request holds (WORKER_CONTRACT.md §3) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """Per-model price in micro-USD per 1000 tokens."""

    input_per_1k: int = 500
    output_per_1k: int = 1_500


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Prices per model id, with the Worker's global defaults for any other model."""

    default: ModelPrice = field(default_factory=ModelPrice)
    models: Mapping[str, ModelPrice] = field(default_factory=dict)
    min_reserve_usd: int = MIN_RESERVE_MICRO_USD
    default_max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS

    def for_model(self, model: str | None) -> ModelPrice:
        """The price of ``model`` (the default when unknown or ``None``)."""
        if model is None:
            return self.default
        return self.models.get(model, self.default)


def _js_length(text: str) -> int:
    """``String.prototype.length``: UTF-16 code units, so astral characters count twice."""
    return len(text.encode("utf-16-le")) // 2


def estimate_tokens(messages: Sequence[Mapping[str, object]]) -> int:
    """The Worker's token estimate: ``max(1, ceil(Σ(len(role) + len(content) + 8) / 4))``."""
    total = 0
    for message in messages:
        role = message.get("role", "")
        content = message.get("content", "")
        total += _js_length(str(role)) + _js_length(str(content)) + 8
    return max(1, -(-total // 4))


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def request_hold(
    messages: Sequence[Mapping[str, object]],
    *,
    max_tokens: int | None = None,
    model: str | None = None,
    prices: PriceTable | None = None,
) -> int:
    """The micro-USD hold taken before an AI request (its maximum cost)."""
    table = prices or PriceTable()
    price = table.for_model(model)
    out_tokens = table.default_max_output_tokens if max_tokens is None else max_tokens
    if out_tokens < 0:
        raise QuoteError("max_tokens must not be negative.")
    in_tokens = estimate_tokens(messages)
    cost = _ceil_div(in_tokens * price.input_per_1k, 1000) + _ceil_div(
        out_tokens * price.output_per_1k, 1000
    )
    return max(table.min_reserve_usd, cost)


def request_actual_cost(
    prompt_tokens: int,
    completion_tokens: int,
    *,
    model: str | None = None,
    prices: PriceTable | None = None,
) -> int:
    """The micro-USD captured after a billable response (``MIN_RESERVE`` when that comes to 0)."""
    if prompt_tokens < 0 or completion_tokens < 0:
        raise QuoteError("Token counts must not be negative.")
    table = prices or PriceTable()
    price = table.for_model(model)
    cost = _ceil_div(prompt_tokens * price.input_per_1k, 1000) + _ceil_div(
        completion_tokens * price.output_per_1k, 1000
    )
    return cost or table.min_reserve_usd


# --- Display ------------------------------------------------------------------------------------


def _group(digits: str) -> str:
    return f"{int(digits):,}"


def format_usd(micro_usd: int) -> str:
    """US$ for display: ``$1,234.56``; sub-dollar amounts that are not whole cents keep their
    significant digits (``$0.0035``) so a small hold is never shown as ``$0.00``.  Rounds down."""
    sign = "-" if micro_usd < 0 else ""
    value = abs(micro_usd)
    dollars, micro = divmod(value, MICRO_PER_USD)
    if micro % 10_000 == 0 or value >= MICRO_PER_USD:
        cents = micro // 10_000
        return f"{sign}${dollars:,}.{cents:02d}"
    fraction = f"{micro:06d}".rstrip("0")
    return f"{sign}${dollars:,}.{fraction}"


def format_credit(
    micro_usd: int, *, unit: CreditUnit = "usd", credits_per_usd: int = 10_000
) -> str:
    """Credit in the configured unit: US$ (default) or whole credits at ``credits_per_usd``."""
    if unit == "usd":
        return format_usd(micro_usd)
    credits = micro_usd * credits_per_usd // MICRO_PER_USD
    return f"{credits:,} credits"


def format_gd(gd_wei: int, *, decimals: int = 2, compact: bool = False) -> str:
    """G$ for display, without the symbol: ``12,345.67``; rounds down.

    Amounts under one G$ keep up to 6 significant decimals so they never read as ``0.00``;
    ``compact`` gives ``1.2M`` / ``3.4K`` for big numbers.
    """
    sign = "-" if gd_wei < 0 else ""
    value = Decimal(abs(gd_wei)) / WEI_PER_GD
    if compact and value >= 1_000:
        for size, suffix in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "K")):
            if value >= size:
                short = (value / size).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
                text = f"{short:f}".removesuffix(".0")
                return f"{sign}{text}{suffix}"
    if 0 < value < 1:
        text = f"{value.quantize(Decimal('0.000001'), rounding=ROUND_DOWN):f}".rstrip("0")
        return sign + (text if not text.endswith(".") else text + "0")
    shown = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    whole, _, frac = f"{shown:f}".partition(".")
    return f"{sign}{_group(whole)}" + (f".{frac}" if frac else "")


def format_gd_exact(gd_wei: int) -> str:
    """G$ with every significant decimal and no separators, so ``parse_gd_amount`` reads it back."""
    _require_wei(gd_wei)
    whole, frac = divmod(gd_wei, WEI_PER_GD)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:018d}".rstrip("0")


# --- Parsing user input --------------------------------------------------------------------------

AmountErrorCode = Literal[
    "empty",
    "not_a_number",
    "negative",
    "zero",
    "exponent",
    "too_many_decimals",
    "thousands_separator",
    "non_ascii_digits",
    "too_large",
]

_AMOUNT = re.compile(r"^(?P<whole>[0-9]*)(?:\.(?P<frac>[0-9]*))?$")
_PLAIN = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]*))?", re.ASCII)
_SEPARATED = re.compile(r"^[0-9]{1,3}([,' _\u00a0\u202f][0-9]{3})+(\.[0-9]*)?$")
_EXPONENT = re.compile(r"^[+-]?[0-9]*\.?[0-9]*[eE][+-]?[0-9]+$")
_NOT_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}

AMOUNT_MESSAGES: dict[str, str] = {
    "empty": "Enter an amount of G$.",
    "not_a_number": "Enter the amount as a number, like 1000 or 2.5.",
    "negative": "The amount must be more than zero.",
    "zero": "The amount must be more than zero.",
    "exponent": "Write the amount in full, without an exponent (1000, not 1e3).",
    "too_many_decimals": "G$ has at most 18 decimal places.",
    "thousands_separator": "Leave out thousands separators (1000, not 1,000).",
    "non_ascii_digits": "Use the digits 0–9.",
    "too_large": "That amount is too large.",
}


def _amount_error(code: AmountErrorCode) -> InvalidAmount:
    return InvalidAmount(AMOUNT_MESSAGES[code], code=code)


def parse_gd_amount(text: str) -> int:
    """Parse a user-typed G$ amount strictly into wei.

    Accepts plain decimal notation with at most 18 decimals (``1000``, ``2.5``, ``.5``, ``7.``),
    surrounding whitespace ignored.  Everything else raises :class:`InvalidAmount` whose ``code``
    says what is wrong and whose ``message`` is the sentence shown under the field.  Text longer
    than :data:`~ai_credits.core.limits.AMOUNT_TEXT_MAX` characters is ``too_large``.
    """
    if len(text) > AMOUNT_TEXT_MAX:
        raise _amount_error("too_large")
    stripped = text.strip()
    if not stripped:
        raise _amount_error("empty")
    plain = _PLAIN.fullmatch(stripped)
    if plain is not None:  # the common case: ASCII digits with an optional fraction
        return _to_wei(plain.group("whole") or "0", plain.group("frac") or "")
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in stripped) or any(
        unicodedata.category(ch) == "Nd" and not ch.isascii() for ch in stripped
    ):
        raise _amount_error("non_ascii_digits")
    lowered = stripped.lower()
    if lowered in _NOT_FINITE:
        raise _amount_error("not_a_number")
    if stripped.startswith("-"):
        body = stripped[1:].strip()
        if _AMOUNT.match(body) and any(c.isdigit() for c in body):
            raise _amount_error("negative")
    if _EXPONENT.match(stripped):
        raise _amount_error("exponent")
    if _SEPARATED.match(stripped):
        raise _amount_error("thousands_separator")
    match = _AMOUNT.match(stripped)
    if match is None or not any(c.isdigit() for c in stripped):
        raise _amount_error("not_a_number")
    return _to_wei(match.group("whole") or "0", match.group("frac") or "")


def _to_wei(whole: str, frac: str) -> int:
    if len(frac) > GD_DECIMALS:
        raise _amount_error("too_many_decimals")
    if len(whole.lstrip("0")) > 13:
        raise _amount_error("too_large")
    wei = int(whole) * WEI_PER_GD + int(frac.ljust(GD_DECIMALS, "0") or "0")
    if wei == 0:
        raise _amount_error("zero")
    if wei > MAX_GD_WEI:
        raise _amount_error("too_large")
    return wei
