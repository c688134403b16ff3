"""What each state's view says: amounts, cards, actions from the machine, the published schema."""

from __future__ import annotations

import json

import pytest

from ai_credits import available_events
from ai_credits.core.models import WidgetConfig
from ai_credits.views import WidgetView, build_view, view_json_schema
from ai_credits.views.actions import HIDDEN_WHEN_DISABLED
from ai_credits.views.build import short_hex
from ai_credits.views.schema import SCHEMA_PATH, schema_text
from ai_credits.views.snippets import setup_snippets
from tests.components import paths as p
from tests.components.paths import STORIES, TX_HASH, rendered, snapshot_for


def view(story: str) -> WidgetView:
    return build_view(snapshot_for(story))


@pytest.mark.parametrize("story", sorted(STORIES))
def test_every_offered_user_event_is_a_button(story: str) -> None:
    snapshot = snapshot_for(story)
    offered = {a.type: a for a in available_events(snapshot) if a.kind == "user"}
    actions = {a.type: a for a in view(story).actions}
    for event_type, item in offered.items():
        if not item.allowed and event_type in HIDDEN_WHEN_DISABLED:
            continue  # e.g. "You already have an API key": not worth a disabled button
        assert event_type in actions, event_type
        assert actions[event_type].enabled is item.allowed
    for action in view(story).actions:
        assert action.enabled or action.reason, action


@pytest.mark.parametrize("story", sorted(STORIES))
def test_every_action_is_rendered_once(story: str) -> None:
    html = rendered(story)
    v = view(story)
    for action in v.actions:
        if action.type in ("choose_mode", "reveal_key", "hide_key") and (
                v.mode_switch or v.api_key):  # fmt: skip
            continue  # drawn by the mode switch / the secret control
        assert html.count(f'id="{action.id}"') == 1, action.id


def test_views_round_trip_as_json() -> None:
    for story in STORIES:
        v = view(story)
        assert WidgetView.model_validate_json(v.model_dump_json()) == v


def test_committed_schema_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "run: python -m ai_credits.views.schema"
    )
    schema = view_json_schema()
    assert schema["title"] == "WidgetView"
    assert {"state", "test_id", "header", "steps"} <= set(schema["required"])
    assert "actions" in schema["properties"]
    assert json.loads(SCHEMA_PATH.read_text())["$id"] == schema["$id"]


def test_header_and_steps() -> None:
    v = view("disconnected")
    assert (v.header.title, v.header.chain.label) == ("GoodDollar", "Celo")
    assert [s.label for s in v.steps] == [
        "Connect wallet", "Buy credits with G$", "Copy API setup", "Track usage"]
    assert [s.status_label for s in v.steps] == ["Ready", "Pending", "Pending", "Pending"]
    assert v.hero is not None and v.hero.headline == "Use G$ to power your AI coding tools."
    assert [a.label for a in v.hero.actions] == ["Connect Wallet"]


def test_unsupported_chain() -> None:
    v = view("unsupported_chain")
    assert v.header.chain.label == "Ethereum · unsupported"
    assert v.steps[0].status_label == "Needs attention"
    assert any(a.label == "Switch to Celo" for n in v.notices for a in n.actions)


def test_wallet_chip_and_balance() -> None:
    v = view("connected_empty")
    assert v.wallet is not None and v.wallet.short == "0x1234…5678"
    assert v.wallet.full == p.ACCOUNT
    assert v.balance_hero is not None and v.balance_hero.amount == "50,000.00"


def test_amount_form_keeps_text_and_offers_presets() -> None:
    form = view("insufficient_g_balance").amount_form
    assert form is not None and form.text == "75000"
    assert form.error == "Not enough G$ for this payment. Your balance is 50,000.00 G$."
    assert [x.value for x in form.presets] == ["1000", "5000", "10000"]
    assert form.presets[2].note == "$1.10 · +10%"
    assert form.max_action is not None and form.max_action.label == "Use Max"


def test_quote_verified_and_unverified() -> None:
    q = view("quote_ready").quote
    assert q is not None
    assert [(x.label, x.value, x.emphasis) for x in q.lines] == [
        ("You pay", "20,000.00 G$", False), ("AI credit", "$2.00", False),
        ("GoodID bonus +10%", "+$0.20", True)]
    assert q.total == "$2.20" and q.verify_hint is None
    u = view("quote_ready_unverified").quote
    assert u is not None and u.total == "$2.00"
    assert u.verify_hint is not None and u.verify_hint.startswith(
        "Verify with GoodID to get the bonus")


def test_credit_unit_can_be_credits() -> None:
    cfg = WidgetConfig(credit_unit="credits", credits_per_usd=10_000)
    snapshot = p.replay(p.path_for("quote_ready"), cfg)
    q = build_view(snapshot).quote
    assert q is not None and q.total == "22,000 credits"


@pytest.mark.parametrize("story", ["payment_failed", "payment_failed_reverted"])
def test_payment_failed_keeps_amount_and_offers_to_pay_again_by_name(story: str) -> None:
    v = view(story)
    assert v.amount_form is not None and v.amount_form.text == "20000"
    (notice,) = v.notices
    assert notice.tone == "error" and notice.focus
    assert [a.label for a in notice.actions] == ["Pay 20,000.00 G$ Again"]


@pytest.mark.parametrize("story", ["payment_confirming", "credit_outstanding"])
def test_a_sent_payment_offers_check_again_and_never_a_new_payment(story: str) -> None:
    v = view(story)
    types = {a.type for a in v.actions if a.enabled}
    assert "check_payment" in types
    assert not types & {"confirm", "pay_again", "retry", "enter_amount", "start_stream"}
    assert v.pending is not None and v.pending.tx_full == TX_HASH
    assert v.pending.actions[0].label == "Check Again"


def test_credit_owed_is_shown_on_a_later_visit_with_its_transaction() -> None:
    v = view("connected_empty_owed")
    owed = next(n for n in v.notices if n.id == "gw-notice-owed")
    assert owed.title == "Credit owed to you: $2.20"
    assert short_hex(TX_HASH) in owed.message and "Do not pay again" in owed.message
    assert [a.label for a in owed.actions] == ["Check Again"]


def test_a_fallback_price_quote_is_labelled_an_estimate() -> None:
    exact, estimate = view("quote_ready").quote, view("quote_ready_estimate").quote
    assert exact is not None and estimate is not None
    assert (exact.total_label, exact.price_note) == ("Total AI credit", None)
    assert estimate.total_label == "Estimated total AI credit" and estimate.price_note


def test_a_backend_without_keys_or_usage_shows_credit_history_and_where_keys_come_from() -> None:
    v = view("has_credits_history")
    cards = {c.key: c for c in v.info_cards}
    assert "does not issue API keys yet" in cards["api-keys"].message
    assert [line.value for line in cards["credit-history"].lines] == ["$2.20 · Credited"]
    assert v.usage is None and v.api_key is None
    assert "create_key" not in {a.type for a in v.actions}


def test_backend_unavailable_shows_only_the_labelled_cached_balance() -> None:
    v = view("backend_unavailable")
    assert v.balance is not None and v.balance.cached is not None
    assert v.balance.cached.text == "cached · as of 22 Nov 2026, 12:40 UTC"
    assert v.balance.available == "$2.20"
    html = rendered("backend_unavailable")
    assert "cached · as of" in html
    for claim in ("Payment confirmed", "succeeded", "Credits added"):
        assert claim not in html
    assert "Your wallet has not been charged." in html
    assert v.usage is None and v.api_key is None


def test_payment_confirmed_key_and_setup() -> None:
    v = view("payment_confirmed")
    assert v.api_key is not None and v.api_key.masked == "gd_live_…abcd"
    assert v.api_key.value == p.TOKEN and not v.api_key.revealed and v.api_key.can_reveal
    assert v.setup is not None
    assert "OPENAI_API_KEY=gd_live_…abcd" in v.setup.snippets[0].code
    assert all(p.TOKEN in (s.copy_code or "") for s in v.setup.snippets)
    revealed = view("payment_confirmed_revealed")
    assert revealed.setup is not None
    assert f"OPENAI_API_KEY={p.TOKEN}" in revealed.setup.snippets[0].code


def test_usage_rows_and_chart() -> None:
    v = view("usage_active")
    assert v.usage is not None
    rows = [(r.model, r.status_label, r.cost, r.tokens, r.time) for r in v.usage.rows]
    assert rows == [
        ("gpt-4o-mini", "Held", "≈ $0.0035", "120", "22 Nov, 12:30"),
        ("claude-3-5-sonnet", "Charged", "$0.00421", "2,242", "22 Nov, 12:10"),
        ("gpt-4o-mini", "Released", "$0.00", "—", "21 Nov, 12:20"),
        ("gpt-4o-mini", "Charged", "$0.00125", "550", "21 Nov, 12:10"),
    ]
    assert v.chart is not None
    assert [(b.day, b.value) for b in v.chart.bars] == [("21 Nov", "$0.00125"),
                                                        ("22 Nov", "$0.00771")]
    tallest = max(b.height for b in v.chart.bars)
    assert tallest == 56 and v.chart.bars[0].height == 56 * 1_250 // 7_710


def test_usage_empty_and_low_balance() -> None:
    empty = view("usage_empty").usage
    assert empty is not None and empty.empty_title == "No requests yet"
    low = view("low_balance").balance
    assert low is not None and low.low and low.percent_left == 13
    assert low.warning is not None and "running low" in low.warning
    assert view("usage_active").balance is not None
    assert not view("usage_active").balance.low  # type: ignore[union-attr]


def test_out_of_credit_keeps_key_and_setup() -> None:
    v = view("insufficient_ai_credits")
    assert v.api_key is not None and v.setup is not None
    assert any(a.label == "Top Up" and a.variant == "primary" for a in v.notices[0].actions)


def test_stream_setup_card() -> None:
    s = view("streaming_setup").stream_setup
    assert s is not None and s.beta.label == "Beta"
    values = {x.label: x.value for x in s.lines}
    assert values["Per 30 days"] == "60,000.00 G$"  # chosen, not rounded down
    assert values["Flow rate"] == "0.023148 G$/s"
    assert values["Stream bonus +20%"] == "+$1.19"
    assert s.first_credit_note == "Credit is issued once at least 4,000 G$ have streamed."


def test_stream_status_cards() -> None:
    active = view("streaming_active").stream_status
    assert active is not None and active.status.label == "Streaming"
    assert active.runs_out == "At this rate your G$ lasts 25 more days."
    assert not active.runs_out_soon  # amber only in the last week
    assert active.counter is not None and active.counter.base_micro == 720_000
    assert active.counter.as_of == int(p.RUNNING.as_of.timestamp())  # type: ignore[union-attr]
    assert [a.label for a in active.actions][:2] == ["Pause Stream", "Stop Stream"]
    paused = view("streaming_paused").stream_status
    assert paused is not None and paused.status.label == "Paused" and paused.counter is None
    assert "Resume Stream" in [a.label for a in paused.actions]
    stopped = view("streaming_stopped").stream_status
    assert stopped is not None and "Restart Stream" in [a.label for a in stopped.actions]


def test_byok_uses_its_own_values() -> None:
    v = view("byok")
    assert v.byok is not None and v.setup is not None
    assert v.setup.base_url == "https://llm.example.dev/v1" and v.setup.model == "my-model-large"
    env = v.setup.snippets[0]
    assert "sk-…cdef" in env.code and "sk-test-0123456789abcdef" in (env.copy_code or "")
    assert v.balance is None and v.api_key is None
    assert "disconnect" not in {a.type for a in v.actions}  # no wallet to disconnect


def test_byok_form_shows_each_problem_inline_and_keeps_what_was_typed() -> None:
    v = view("byok_invalid")
    assert v.byok is not None and v.setup is None
    fields = {f.name: f for f in v.byok.fields}
    assert fields["base_url"].value == "http://llm.example.dev/v1"
    assert fields["base_url"].error and fields["model"].error and fields["api_key"].error
    assert fields["api_key"].kind == "password" and fields["api_key"].value == ""


def test_keys_panel_lists_keys_and_asks_before_revoking() -> None:
    v = view("usage_active_keys")
    assert v.api_key is not None
    assert [k.masked for k in v.api_key.keys] == ["gd_live_…abcd", "gd_live_…7a7a"]
    # no key of this session to rotate (it was issued elsewhere): create another, or revoke
    assert [a.label for a in v.api_key.actions] == ["Create Another Key"]
    revoke = v.api_key.keys[1].actions[0]
    assert revoke.type == "revoke_key" and revoke.fields[0].value == "key-2"
    asking = view("usage_active_revoking")
    assert asking.api_key is not None and asking.api_key.confirm is not None
    assert [a.label for a in asking.api_key.confirm.actions] == ["Revoke Key", "Keep Key"]
    setup = asking.setup
    assert setup is not None and "gd_live_YOUR_KEY" in setup.snippets[0].code


def test_setup_snippets_cover_every_tool() -> None:
    snippets = {s.title: s.code for s in setup_snippets("https://api.x/v1", "m-1", "KEY")}
    assert snippets["Environment variables"] == (
        "OPENAI_BASE_URL=https://api.x/v1\nOPENAI_API_KEY=KEY")
    assert "Override OpenAI Base URL: https://api.x/v1" in snippets["Cursor"]
    cont = snippets["Continue (config.yaml)"]
    assert all(k in cont for k in ('provider: openai', 'apiBase: "https://api.x/v1"',
                                   'apiKey: "KEY"', 'model: "m-1"'))
    assert "API Provider: OpenAI Compatible" in snippets["Cline / Roo Code"]
    assert "Model ID: m-1" in snippets["Cline / Roo Code"]
    aider = snippets["Aider"]
    assert "OPENAI_API_BASE=https://api.x/v1" in aider and "--model openai/m-1" in aider
    assert 'OpenAI(base_url="https://api.x/v1", api_key="KEY")' in snippets["OpenAI Python SDK"]
    assert "curl https://api.x/v1/chat/completions" in snippets["curl"]


def test_snippets_quote_strange_values_for_the_shell() -> None:
    env = setup_snippets("https://x/v1; rm -rf ~", "m", "K")[0].code
    assert "OPENAI_BASE_URL='https://x/v1; rm -rf ~'" in env


def test_build_view_rejects_unknown_theme() -> None:
    with pytest.raises(ValueError, match="theme"):
        build_view(snapshot_for("disconnected"), theme="pink")
