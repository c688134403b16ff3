"""Accessibility basics of every rendered story."""

from __future__ import annotations

import pytest

from tests.components.html_tree import Node, parse
from tests.components.paths import STORIES, rendered, snapshot_for

PROGRESS_STORIES = ("connecting", "awaiting_signature", "payment_pending", "signing_in")


def _root(story: str, theme: str = "dark") -> Node:
    doc = parse(rendered(story, theme))
    (root,) = doc.find_all("section", **{"data_testid": doc.children[0].attrs["data-testid"]})
    return root


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("story", sorted(STORIES))
def test_root_has_test_id_state_and_theme(story: str, theme: str) -> None:
    doc = parse(rendered(story, theme))
    assert len(doc.children) == 1
    root = doc.children[0]
    state = snapshot_for(story).state.value
    assert root.tag == "section"
    assert "gw-widget" in (root.attrs["class"] or "").split()
    assert root.attrs["data-testid"] == "AiCreditsWidget-" + state.replace("_", "-")
    assert root.attrs["data-state"] == state
    assert root.attrs["data-theme"] == theme


@pytest.mark.parametrize("story", sorted(STORIES))
def test_one_h2_names_the_landmark(story: str) -> None:
    root = _root(story)
    (h2,) = root.find_all("h2")
    assert root.attrs["aria-labelledby"] == h2.attrs["id"]
    assert h2.text() == "GoodDollar"
    assert not root.find_all("h1")


@pytest.mark.parametrize("story", sorted(STORIES))
def test_every_button_has_an_accessible_name(story: str) -> None:
    for button in _root(story).find_all("button"):
        assert button.attrs.get("aria-label") or button.text(skip_hidden=True), button.attrs


@pytest.mark.parametrize("story", sorted(STORIES))
def test_disabled_buttons_say_why(story: str) -> None:
    root = _root(story)
    for button in root.find_all("button"):
        assert "disabled" not in button.attrs, "use aria-disabled so the reason stays reachable"
        if button.attrs.get("aria-disabled") == "true":
            assert button.attrs.get("type") == "button"
            (reason,) = root.find_all(id=button.attrs["aria-describedby"] or "")
            assert reason.text()


@pytest.mark.parametrize("story", ["connected_empty", "payment_pending", "insufficient_g_balance"])
def test_buy_button_is_visibly_disabled_where_a_buy_is_impossible(story: str) -> None:
    root = _root(story)
    (buy,) = [b for b in root.find_all("button") if b.text() == "Buy AI Credits"]
    assert buy.attrs.get("aria-disabled") == "true"


@pytest.mark.parametrize("story", PROGRESS_STORIES)
def test_progress_is_announced_politely(story: str) -> None:
    live = _root(story).find_all(aria_live="polite")
    assert live and all(n.text() for n in live)


def test_payment_pending_shows_tx_reference() -> None:
    root = _root("payment_pending")
    (live,) = root.find_all(aria_live="polite")
    assert "0xab12…ab12" in live.text()


def test_stream_counter_ticks_outside_live_regions() -> None:
    root = _root("streaming_active")
    (counter,) = [n for n in root.iter() if "data-stream-counter" in n.attrs]
    for node in (counter, *counter.ancestors()):
        assert "aria-live" not in node.attrs
        assert node.attrs.get("role") not in ("status", "alert", "log", "timer")
    assert counter.attrs["data-as-of"] and counter.attrs["data-rate-micro-per-s"]


@pytest.mark.parametrize("story", ["payment_failed", "backend_unavailable"])
def test_error_summary_takes_focus(story: str) -> None:
    notices = [n for n in _root(story).iter() if "gw-notice--error" in (n.attrs.get("class") or "")]
    assert notices
    for notice in notices:
        assert notice.attrs.get("tabindex") == "-1"
        assert "data-autofocus" in notice.attrs


@pytest.mark.parametrize("story", sorted(STORIES))
def test_actions_post_without_javascript(story: str) -> None:
    root = _root(story)
    submits = [b for b in root.find_all("button") if b.attrs.get("type") == "submit"]
    assert submits
    for button in submits:
        form = next(a for a in button.ancestors() if a.tag == "form")
        assert form.attrs.get("method") == "post"
        has_event = button.attrs.get("name") == "event" or form.find_all(
            "input", type="hidden", name="event")
        assert has_event, button.text()


@pytest.mark.parametrize("story", sorted(STORIES))
def test_ids_are_unique(story: str) -> None:
    ids = [n.attrs["id"] for n in _root(story).iter() if n.attrs.get("id")]
    assert len(ids) == len(set(ids))
