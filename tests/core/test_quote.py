"""The quote engine reproduces the Worker's arithmetic exactly (WORKER_CONTRACT.md §3–§4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ai_credits.errors import InvalidAmount, QuoteError
from ai_credits.quote import (
    SECONDS_PER_MONTH,
    VaultMinimums,
    credit_with_bonus,
    estimate_tokens,
    flow_rate_for_monthly,
    format_credit,
    format_gd,
    format_gd_exact,
    format_usd,
    gd_wei_for_usd_micro,
    gd_wei_to_usd_micro,
    monthly_stream_usd,
    parse_gd_amount,
    request_actual_cost,
    request_hold,
    usd_micro_per_token,
)

GD = 10**18


@pytest.mark.parametrize(
    ("case", "gd_wei", "source", "verified", "price", "principal", "bonus", "total"),
    [
        ("E1", 10 * GD, "deposit", True, 1.0, 10_000_000, 1_000_000, 11_000_000),
        ("E2", 10_000 * GD, "deposit", True, 0.0001, 1_000_000, 100_000, 1_100_000),
        ("E3", 12_345_678 * 10**15, "deposit", True, 0.001154299954649337,
         14_246_912, 1_424_691, 15_671_603),
        ("E3u", 12_345_678 * 10**15, "deposit", False, 0.001154299954649337,
         14_246_912, 0, 14_246_912),
        ("E4", 2 * 10**15 * SECONDS_PER_MONTH, "streamUpdate", True, 0.00115,
         5_961_600, 1_192_320, 7_153_920),
        ("E5-update", GD, "streamUpdate", True, 1.0, 1_000_000, 200_000, 1_200_000),
        ("E5-request", GD, "streamRequest", True, 1.0, 1_000_000, 200_000, 1_200_000),
        ("E5-cron", GD, "streamCron", True, 1.0, 1_000_000, 200_000, 1_200_000),
    ],
)  # fmt: skip
def test_worked_checks(case, gd_wei, source, verified, price, principal, bonus, total):
    quote = credit_with_bonus(gd_wei, source=source, verified=verified, gd_price=price)
    assert (quote.principal_usd, quote.bonus_usd, quote.total_credit_usd) == (
        principal, bonus, total,
    ), case


def test_e6_monthly_bonus_cap_per_root():
    used = 0
    bonuses = []
    for gd in (1, 10, 1):
        quote = credit_with_bonus(gd * GD, source="deposit", verified=True, gd_price=1.0,
                                  bonus_cap_usd=500_000, bonus_used_usd=used)  # fmt: skip
        bonuses.append(quote.bonus_usd)
        used += quote.bonus_usd
    assert bonuses == [100_000, 400_000, 0]


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (0.0000005, 1),  # the double product is exactly 0.5: JS rounds half up, Python's round() not
        ("0.0000005", 1),
        (Decimal("0.0000005"), 1),
        (0.0000015, 2),
        (0.0000025, 3),  # round-half-even would give 2
        (0.00115, 1150),
        (0.001154299954649337, 1154),
        (1.0, 1_000_000),
        ("0.0001", 100),
        (0.00000049, 0),
    ],
)
def test_usd_per_token_matches_js_math_round(price, expected):
    assert usd_micro_per_token(price) == expected


@pytest.mark.parametrize("price", [0, -1, "nan", float("inf"), "abc", None, True])
def test_bad_prices_are_rejected(price):
    with pytest.raises(QuoteError):
        usd_micro_per_token(price)


def test_stream_month_examples():
    assert monthly_stream_usd(GD // SECONDS_PER_MONTH, 1.0) == 999_999
    # WORKER_CONTRACT.md says "1000 G$ per 30 days ≈ 385 802 469 135 wei/s"; that figure is 1 G$.
    assert flow_rate_for_monthly(GD) == 385_802_469_135
    assert flow_rate_for_monthly(1_000 * GD) == 385_802_469_135_802


@pytest.mark.parametrize(
    ("messages", "max_tokens", "prompt", "completion", "hold", "actual"),
    [
        ([{"role": "user", "content": "hi"}], 1, None, None, 1_000, None),
        ([], None, 2_000, 1_000, None, 2_500),
        ([], None, 10, 20, None, 35),
        ([], None, 0, 0, None, 1_000),
    ],
)
def test_request_costs(messages, max_tokens, prompt, completion, hold, actual):
    if hold is not None:
        assert request_hold(messages, max_tokens=max_tokens) == hold
    if actual is not None:
        assert request_actual_cost(prompt, completion) == actual


def test_token_estimate_counts_utf16_units_like_javascript():
    # "😀" is one code point but two UTF-16 units: (4 + 8 + 8) / 4 → 5; code points would give 4
    assert estimate_tokens([{"role": "user", "content": "😀" * 4}]) == 5
    assert estimate_tokens([{"role": "user", "content": "a" * 4}]) == 4
    assert estimate_tokens([]) == 1


def test_vault_minimums():
    minimums = VaultMinimums()
    assert minimums.first_deposit_ok(10_000 * GD, "0.0001")
    assert not minimums.first_deposit_ok(9_999 * GD, "0.0001")
    assert minimums.stream_credit_due(4_000 * GD) and not minimums.stream_credit_due(3_999 * GD)
    assert gd_wei_for_usd_micro(1_000_000, "0.0001") == 10_000 * GD


@pytest.mark.parametrize(
    ("micro", "text"),
    [(0, "$0.00"), (1_100_000, "$1.10"), (15_671_603, "$15.67"), (3_500, "$0.0035"),
     (1_234_567_890_000, "$1,234,567.89"), (10_000, "$0.01")],
)  # fmt: skip
def test_format_usd(micro, text):
    assert format_usd(micro) == text


def test_format_credit_units():
    assert format_credit(1_100_000) == "$1.10"
    assert format_credit(1_100_000, unit="credits", credits_per_usd=10_000) == "11,000 credits"


@pytest.mark.parametrize(
    ("wei", "kwargs", "text"),
    [(12_345_678 * 10**15, {}, "12,345.67"), (5 * 10**17, {}, "0.5"), (0, {}, "0.00"),
     (2 * 10**24, {"compact": True}, "2M"), (1_250 * GD, {"compact": True}, "1.2K")],
)  # fmt: skip
def test_format_gd(wei, kwargs, text):
    assert format_gd(wei, **kwargs) == text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"), ("   ", "empty"), ("0", "zero"), ("0.000", "zero"), ("-5", "negative"),
        ("NaN", "not_a_number"), ("inf", "not_a_number"), ("-Infinity", "not_a_number"),
        ("1e3", "exponent"), ("2E-5", "exponent"), ("1." + "1" * 19, "too_many_decimals"),
        ("1,000", "thousands_separator"), ("1 000 000", "thousands_separator"),
        ("１２３", "non_ascii_digits"), ("١٢٣", "non_ascii_digits"), ("99999999999999", "too_large"),
        ("1000000000001", "too_large"), ("abc", "not_a_number"), ("1.2.3", "not_a_number"),
        ("0x10", "not_a_number"), ("+5", "not_a_number"), (".", "not_a_number"),
    ],
)  # fmt: skip
def test_bad_amounts_get_a_specific_message(text, code):
    with pytest.raises(InvalidAmount) as info:
        parse_gd_amount(text)
    assert info.value.code == code
    assert info.value.message.endswith(".") and len(info.value.message) < 90


@pytest.mark.parametrize(
    ("text", "wei"),
    [("1000", 1000 * GD), (" 2.5 ", 25 * 10**17), (".5", 5 * 10**17), ("7.", 7 * GD),
     ("0.000000000000000001", 1), ("1000000000000", 10**12 * GD)],
)  # fmt: skip
def test_good_amounts(text, wei):
    assert parse_gd_amount(text) == wei


# --- properties ---------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=10**30)
prices = st.one_of(
    st.floats(min_value=1e-7, max_value=100, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=Decimal("0.0000001"), max_value=100, places=12),
)
sources = st.sampled_from(["deposit", "streamUpdate", "streamRequest", "streamCron"])


@given(amounts, sources, st.booleans(), prices)
def test_bonus_is_at_most_20_percent_and_total_adds_up(gd_wei, source, verified, price):
    quote = credit_with_bonus(gd_wei, source=source, verified=verified, gd_price=price)
    assert quote.total_credit_usd == quote.principal_usd + quote.bonus_usd
    assert 0 <= quote.bonus_usd * 5 <= quote.principal_usd
    assert quote.principal_usd == gd_wei_to_usd_micro(gd_wei, price)
    if not verified:
        assert quote.bonus_usd == 0


@given(amounts, amounts, sources, prices)
def test_credit_is_monotonic_in_amount(a, b, source, price):
    low, high = sorted((a, b))
    q_low = credit_with_bonus(low, source=source, verified=True, gd_price=price)
    q_high = credit_with_bonus(high, source=source, verified=True, gd_price=price)
    assert q_low.total_credit_usd <= q_high.total_credit_usd


@given(st.integers(min_value=0, max_value=2**95 // SECONDS_PER_MONTH))
def test_flow_rate_round_trip(flow_rate):
    assert flow_rate_for_monthly(flow_rate * SECONDS_PER_MONTH) == flow_rate


@given(st.integers(min_value=1, max_value=10**30))
def test_parse_reads_back_exact_formatting(wei):
    assert parse_gd_amount(format_gd_exact(wei)) == wei
