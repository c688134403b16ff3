"""PRODUCT.md §8 over every rendered story: wording, Title Case CTAs, errors as sentences."""

from __future__ import annotations

import re

import pytest

from ai_credits.views import build_view
from tests.components.html_tree import parse
from tests.components.paths import STORIES, rendered, snapshot_for

FORBIDDEN = [
    re.compile(r"usdc", re.I),
    re.compile(r"payment channel", re.I),
    re.compile(r"\bchannels?\b", re.I),
    re.compile(r"\bBase\b(?!\s+URL)"),  # the settlement chain; "Base URL" is a setting
    re.compile(r"(stack trace|traceback|revert(ed)? with|0x08c379a0)", re.I),
]
SMALL_WORDS = {"to", "of", "and", "with", "or", "a", "an", "the", "in", "on", "for"}


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("story", sorted(STORIES))
def test_no_forbidden_wording(story: str, theme: str) -> None:
    html = rendered(story, theme)
    for pattern in FORBIDDEN:
        assert not pattern.search(html), f"{pattern.pattern!r} in {story}"


def test_forbidden_patterns_catch_the_wording() -> None:
    text = "Settled in USDC over a payment channel on Base."
    assert all(p.search(text) for p in FORBIDDEN[:4])
    assert not FORBIDDEN[3].search("Base URL: https://x")


def _title_case(label: str) -> bool:
    words = [w for w in re.split(r"[\s/]+", label) if w]
    return all(w in SMALL_WORDS or not w[0].isalpha() or w[0].isupper() for w in words)


@pytest.mark.parametrize("story", sorted(STORIES))
def test_ctas_are_title_case(story: str) -> None:
    view = build_view(snapshot_for(story))
    assert view.actions, "every state offers at least one action"
    for action in view.actions:
        assert _title_case(action.label), action.label
    buttons = [b for b in parse(rendered(story)).find_all("button")
               if b.attrs.get("name") == "event"]  # fmt: skip
    for button in buttons:
        assert _title_case(button.text(skip_hidden=True)), button.text()


def test_title_case_check_can_fail() -> None:
    assert not _title_case("Buy AI credits")
    assert _title_case("Switch to Celo")


@pytest.mark.parametrize("story", sorted(STORIES))
def test_notices_are_sentences(story: str) -> None:
    for notice in build_view(snapshot_for(story)).notices:
        assert notice.title[:1].isupper()
        assert not notice.message or notice.message.rstrip()[-1] in ".!?…", notice.message


def test_quote_says_who_settles() -> None:
    assert "You pay with G$; the backend handles AntSeed settlement underneath." in rendered(
        "quote_ready"
    )
