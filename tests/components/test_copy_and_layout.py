"""Issue 13, copy and layout (items 3 and 7): true reasons on disabled buttons, the stream card's
lead action, a runs-out warning near the end only, no bonus figure for unverified wallets, one
out-of-credit warning, the stream quote's settlement note, the chosen monthly amount, the token
split of usage rows and values on the spend chart.  Checked on the catalogue's stories (the real
runtime against the fixture world) and their rendered HTML."""

from __future__ import annotations

import re
from functools import cache

import pytest
from markupsafe import escape

from ai_credits.core.models import WidgetConfig
from ai_credits.views import WidgetView, build_view, render_widget
from ai_credits.views.actions import QUOTE_FIRST
from ai_credits.views.build import SETTLEMENT_NOTE, _bar_value
from stories import STORIES, by_id
from stories.runner import ResolvedStory, resolve

STREAM_CARD_STATES = ("streaming_active", "streaming_paused", "streaming_stopped")


@cache
def resolved(story_id: str) -> ResolvedStory:
    return resolve(by_id(story_id))


def view(story_id: str) -> WidgetView:
    return build_view(resolved(story_id).snapshot)


def html(story_id: str) -> str:
    return str(render_widget(resolved(story_id).snapshot))


ALL = sorted(s.id for s in STORIES)


@pytest.mark.parametrize("story_id", ALL)
def test_no_disabled_button_asks_for_an_amount_the_machine_already_judged(story_id: str) -> None:
    snap = resolved(story_id).snapshot
    for action in view(story_id).actions:
        if action.enabled:
            continue
        assert action.reason != "Enter a valid amount of G$.", action
        if action.type in ("confirm", "start_stream") and snap.amount.error_message:
            assert action.reason == snap.amount.error_message, action


def test_buy_before_a_quote_says_a_quote_is_missing() -> None:
    buy = next(a for a in view("widget-purchase--connected-with-zero-credits").actions
               if a.type == "confirm")  # fmt: skip
    assert not buy.enabled and buy.reason == QUOTE_FIRST
    bad = next(a for a in view("widget-purchase--bad-amount").actions if a.type == "confirm")
    assert bad.reason == "Leave out thousands separators (1000, not 1,000)."


def test_start_stream_with_a_bad_monthly_amount_says_what_is_wrong() -> None:
    start = next(a for a in view("widget-streaming--bad-monthly-amount").actions
                 if a.type == "start_stream")  # fmt: skip
    assert not start.enabled
    assert start.reason == "Leave out thousands separators (1000, not 1,000)."


def test_the_amount_field_asks_for_live_quotes_only_where_it_can_post_them() -> None:
    assert 'data-live-quote="enter_amount"' in html("widget-purchase--connected-with-zero-credits")
    assert 'data-live-quote="enter_amount"' in html("widget-streaming--streaming-setup")
    assert "data-live-quote" not in html("widget-purchase--payment-pending")


@pytest.mark.parametrize("story_id", [s.id for s in STORIES if s.state.value in STREAM_CARD_STATES])
def test_the_stream_card_leads_with_one_primary_and_groups_the_rest(story_id: str) -> None:
    card = view(story_id).stream_status
    assert card is not None
    primaries = [a.label for a in card.actions if a.variant == "primary"]
    assert len(primaries) == 1, [a.label for a in card.actions]
    assert primaries[0] not in ("Pause Stream", "Stop Stream")
    section = html(story_id).split('data-testid="stream-status"', 1)[1].split("</section>", 1)[0]
    assert section.index("gw-button--primary") < section.index("gw-button-group")
    assert "gw-button--secondary gw-button--compact" in section


def test_runs_out_is_a_warning_only_near_the_end() -> None:
    far = view("widget-streaming--streaming-active").stream_status
    assert far is not None and far.runs_out is not None and not far.runs_out_soon
    assert far.runs_out == "At this rate your G$ lasts 250 more days."
    far_html = html("widget-streaming--streaming-active")
    assert 'class="gw-notice gw-notice--warning" id="gw-runs-out"' not in far_html
    near = view("widget-streaming--g-running-out-soon").stream_status
    assert near is not None and near.runs_out_soon
    assert near.runs_out is not None and near.runs_out.startswith("Your G$ runs out in 5 days.")
    assert 'class="gw-notice gw-notice--warning" id="gw-runs-out"' in html(
        "widget-streaming--g-running-out-soon")


def test_the_mode_switch_promises_a_bonus_only_to_verified_wallets() -> None:
    unverified = view("widget-purchase--quote-ready-unverified-no-bonus").mode_switch
    assert unverified is not None
    assert not any("%" in o.note or "bonus" in o.note.lower() for o in unverified.options)
    verified = view("widget-purchase--quote-ready-one-time-verified").mode_switch
    assert verified is not None
    assert [o.note for o in verified.options] == ["+10% bonus", "+20% bonus · Beta"]


def test_out_of_ai_credits_is_said_once() -> None:
    v = view("widget-credits--insufficient-ai-credits")
    assert v.balance is not None and v.balance.warning is None
    text = re.sub(r"<[^>]+>", " ", html("widget-credits--insufficient-ai-credits"))
    assert text.count("out of AI credits") == 1
    assert "No credit left" not in text


def test_the_stream_quote_has_the_settlement_note() -> None:
    card = view("widget-streaming--quote-ready-stream").stream_setup
    assert card is not None and card.settlement_note == SETTLEMENT_NOTE
    assert SETTLEMENT_NOTE in html("widget-streaming--quote-ready-stream")
    empty = view("widget-streaming--streaming-setup").stream_setup
    assert empty is not None and empty.settlement_note is None  # no quote, nothing to settle


@pytest.mark.parametrize("story_id", [s.id for s in STORIES if s.id.startswith("widget-streaming")])
def test_a_30000_g_month_reads_30000(story_id: str) -> None:
    assert "29,999.99" not in html(story_id)


@pytest.mark.parametrize("story_id", [
    "widget-streaming--quote-ready-stream", "widget-streaming--streaming-active",
    "widget-streaming--streaming-paused", "widget-streaming--stream-start-cancelled",
])  # fmt: skip
def test_the_chosen_monthly_amount_is_shown(story_id: str) -> None:
    assert by_id(story_id).args.monthly_amount == "30000"
    assert "30,000.00 G$" in html(story_id)


def test_usage_rows_show_prompt_and_completion_tokens() -> None:
    snap = resolved("widget-credits--has-credits-with-recent-usage-rows").snapshot
    table = view("widget-credits--has-credits-with-recent-usage-rows").usage
    assert table is not None and snap.usage
    for row, shown in zip(snap.usage, table.rows, strict=True):
        if row.prompt_tokens + row.completion_tokens:
            assert shown.tokens_split == (
                f"{row.prompt_tokens:,}\u00a0in / {row.completion_tokens:,}\u00a0out")
        else:
            assert shown.tokens_split == "—"
    assert "in / " in html("widget-credits--has-credits-with-recent-usage-rows")


def test_spend_chart_bars_carry_their_values() -> None:
    chart = view("widget-credits--has-credits-with-recent-usage-rows").chart
    assert chart is not None
    page = html("widget-credits--has-credits-with-recent-usage-rows")
    for bar in chart.bars:
        if bar.value_label:
            assert f">{escape(bar.value_label)}</text>" in page
            assert bar.value_y < bar.y  # above its bar, inside the drawing
            assert bar.value_y > 8
    assert any(b.value_label for b in chart.bars)


@pytest.mark.parametrize(("micro", "text"), [
    (0, ""), (35, "<$0.0001"), (100, "$0.00010"), (999, "$0.0010"), (1_250, "$0.0013"),
    (2_036, "$0.0020"), (9_999, "$0.01"), (265_000, "$0.27"), (12_345_678, "$12.35"),
])  # fmt: skip
def test_bar_values_are_short_and_rounded_half_up(micro: int, text: str) -> None:
    assert _bar_value(micro, WidgetConfig()) == text


def test_bar_values_in_credits() -> None:
    assert _bar_value(265_000, WidgetConfig(credit_unit="credits")) == "2,650"
