"""The static catalogue in Chromium, from file:// and over HTTP: nothing leaves the machine,
and the shell's filter, toolbar and tabs work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ai_credits.core.states import State
from stories import STORIES

STORY = "widget-purchase--quote-ready-one-time-verified"


def _allowed(url: str, origin: str | None) -> bool:
    if url.startswith(("file://", "data:", "about:")):
        return True
    return origin is not None and (url == origin or url.startswith(origin + "/"))


@pytest.fixture()
def recorded(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, urls
    context.close()
    assert errors == []


@pytest.mark.parametrize("where", ["file", "http"])
@pytest.mark.parametrize("page_path", ["index.html", f"story/{STORY}.html", "gallery.html",
                                       "coverage.html", "docs/index.html", "docs/quote_card.html"])
def test_pages_make_no_request_off_the_machine(recorded: tuple[Page, list[str]], site: Path,
                                               server: str, where: str, page_path: str) -> None:
    page, urls = recorded
    origin = server if where == "http" else None
    url = f"{server}/{page_path}" if origin else (site / page_path).as_uri()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    assert urls and all(_allowed(u, origin) for u in urls), [u for u in urls if not _allowed(u, origin)]


def test_frames_mark_themselves_ready(recorded: tuple[Page, list[str]], site: Path) -> None:
    page, _ = recorded
    for story in STORIES[:: max(1, len(STORIES) // 6)]:
        page.goto((site / "frames" / f"{story.id}--light-mobile.html").as_uri())
        page.wait_for_function("document.documentElement.dataset.widgetReady === 'true'")
        root = page.locator('[data-testid^="AiCreditsWidget-"]')
        expect(root).to_have_attribute("data-state", story.state.value)


def test_search_filters_the_tree(recorded: tuple[Page, list[str]], site: Path) -> None:
    page, _ = recorded
    page.goto((site / "index.html").as_uri())
    leaves = page.locator("[data-leaf]")
    expect(leaves.filter(visible=True)).to_have_count(len(STORIES))
    page.fill("#cat-filter", "streaming paused")
    visible = leaves.filter(visible=True)
    expect(visible).to_have_count(1)
    expect(visible).to_have_text("Streaming paused")
    page.fill("#cat-filter", "state:nothing-like-this")
    expect(page.locator("#cat-no-match")).to_be_visible()
    page.fill("#cat-filter", "")
    expect(leaves.filter(visible=True)).to_have_count(len(STORIES))


def test_toolbar_switches_theme_and_viewport(recorded: tuple[Page, list[str]], site: Path) -> None:
    page, _ = recorded
    page.goto((site / "story" / f"{STORY}.html").as_uri())
    frame = page.locator("#cat-frame")
    expect(frame).to_have_attribute("src", re.compile(rf"{STORY}--dark-desktop\.html$"))
    page.get_by_role("button", name="Light").click()
    page.get_by_role("button", name=re.compile("Mobile")).click()
    expect(frame).to_have_attribute("src", re.compile(rf"{STORY}--light-mobile\.html$"))
    expect(frame).to_have_attribute("width", "360")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    inner = page.frame_locator("#cat-frame").locator('[data-testid="AiCreditsWidget-quote-ready"]')
    expect(inner).to_have_attribute("data-theme", "light")
    # the mode travels with the next story
    page.locator("[data-story-link]", has_text="Payment pending").first.click()
    expect(page.locator("#cat-frame")).to_have_attribute(
        "src", re.compile(r"widget-purchase--payment-pending--light-mobile\.html$"))


def test_tabs_show_content(recorded: tuple[Page, list[str]], site: Path) -> None:
    page, _ = recorded
    page.goto((site / "story" / f"{STORY}.html").as_uri())
    expect(page.get_by_test_id("context-json")).to_contain_text('"state": "quote_ready"')
    page.get_by_role("tab", name="Event path").click()
    expect(page.get_by_role("tabpanel")).to_be_visible()
    expect(page.get_by_test_id("trace")).to_contain_text("enter_amount")
    expect(page.get_by_test_id("context-json")).to_be_hidden()
    page.get_by_role("tab", name="HTML").click()
    expect(page.locator("#panel-html pre:visible")).to_contain_text('<section class="gw-root')
    page.get_by_role("tab", name="Template call").click()
    expect(page.locator("#panel-template pre:visible")).to_contain_text(f'by_id("{STORY}")')
    page.get_by_role("tab", name="Diagram").click()
    expect(page.locator("#panel-diagram")).to_contain_text("stateDiagram-v2")
    neighbours = page.get_by_test_id("neighbours")
    expect(neighbours).to_contain_text("awaiting_signature")
    neighbours.get_by_role("link", name="awaiting_signature").first.click()
    expect(page.locator("#cat-story")).to_have_attribute("data-state", "awaiting_signature")
    page.get_by_role("tab", name="Accessibility").click()
    expect(page.locator("#panel-a11y")).to_contain_text("axe")


def test_gallery_shows_every_state(recorded: tuple[Page, list[str]], site: Path) -> None:
    page, _ = recorded
    page.goto((site / "gallery.html").as_uri())
    cards = page.locator(".cat-card")
    expect(cards).to_have_count(len(State))
    inner = page.frame_locator('.cat-card[data-state="low_balance"] iframe')
    expect(inner.locator('[data-testid="AiCreditsWidget-low-balance"]')).to_be_visible()
