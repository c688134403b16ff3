"""The rendering API: widget root, standalone page, per-component rendering."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from ai_credits.views import build_view, render_component, render_page, render_widget
from ai_credits.views.render import COMPONENTS
from tests.components.html_tree import parse
from tests.components.paths import STORIES, snapshot_for

PARTS = {
    "hero": ("disconnected", "hero"),
    "wallet_chip": ("connected_empty", "wallet"),
    "balance_hero": ("connected_empty", "balance_hero"),
    "mode_switch": ("connected_empty", "mode_switch"),
    "amount_form": ("insufficient_g_balance", "amount_form"),
    "quote_card": ("quote_ready", "quote"),
    "pending_card": ("payment_pending", "pending"),
    "api_key_card": ("payment_confirmed", "api_key"),
    "setup_snippets": ("payment_confirmed", "setup"),
    "balance_card": ("low_balance", "balance"),
    "usage_table": ("usage_active", "usage"),
    "spend_chart": ("usage_active", "chart"),
    "stream_setup": ("streaming_setup", "stream_setup"),
    "stream_status": ("streaming_active", "stream_status"),
    "byok_card": ("byok", "byok"),
}
CARD_PARTS = {"info_card": ("has_credits_history", "info_cards")}


def test_every_component_has_a_sample() -> None:
    assert set(COMPONENTS) - set(PARTS) - set(CARD_PARTS) == {"notice", "cached_label"}


@pytest.mark.parametrize("name", sorted(CARD_PARTS))
def test_render_repeated_component_matches_the_widget(name: str) -> None:
    story, attr = CARD_PARTS[name]
    widget = " ".join(str(render_widget(snapshot_for(story))).split())
    parts = getattr(build_view(snapshot_for(story)), attr)
    assert parts
    for part in parts:
        html = " ".join(str(render_component(name, part)).split())
        assert html in widget


@pytest.mark.parametrize("name", sorted(PARTS))
def test_render_component_matches_the_widget(name: str) -> None:
    story, attr = PARTS[name]
    part = getattr(build_view(snapshot_for(story)), attr)
    html = render_component(name, part)
    assert isinstance(html, Markup) and html.strip()
    widget = " ".join(str(render_widget(snapshot_for(story))).split())
    assert " ".join(str(html).split()) in widget


def test_render_component_notice_and_cached_label() -> None:
    v = build_view(snapshot_for("backend_unavailable"))
    assert "Service unavailable" in render_component("notice", v.notices[0])
    assert v.balance is not None and v.balance.cached is not None
    assert "cached · as of" in render_component("cached_label", v.balance.cached)


def test_unknown_component() -> None:
    with pytest.raises(ValueError, match="unknown component"):
        render_component("nope", build_view(snapshot_for("disconnected")).header)


def test_post_url_and_frozen() -> None:
    html = str(render_widget(snapshot_for("streaming_active"), post_url="/w/event", frozen=True))
    root = parse(html).children[0]
    assert root.attrs["data-post-url"] == "/w/event" and "data-frozen" in root.attrs
    forms = parse(html).find_all("form")
    assert forms and all(f.attrs.get("action") == "/w/event" for f in forms)


@pytest.mark.parametrize("story", ["disconnected", "usage_active", "streaming_active"])
def test_render_page_is_standalone(story: str) -> None:
    page = render_page(snapshot_for(story), theme="light", viewport_width=360)
    assert page.startswith("<!doctype html>")
    doc = parse(page)
    assert doc.find_all("html")[0].attrs["data-theme"] == "light"
    assert doc.find_all("style") and doc.find_all("script")
    assert not doc.find_all("link") and "http://" not in page.split("<body")[0]
    assert "max-width: 360px" in page
    assert f'data-state="{snapshot_for(story).state.value}"' in page


def test_render_page_can_link_assets() -> None:
    page = render_page(snapshot_for("disconnected"), inline_assets=False, static_url="/s")
    hrefs = [n.attrs["href"] for n in parse(page).find_all("link")]
    assert "/s/css/widget.css" in hrefs
    assert len(page) < 60_000


def test_render_is_deterministic() -> None:
    for story in STORIES:
        a = render_widget(snapshot_for(story))
        assert a == render_widget(snapshot_for(story))
