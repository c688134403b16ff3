"""Catalogue polish (issue 13, item 8), in Debian Chromium: the gallery opens at its top (frames
take no focus while loading), light-theme sidebar text passes AA, the preview is as big as its
frame, and the live page asks for nothing that is not there (its icon included)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Response, expect


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: str, bg: str) -> float:
    a, b = (_luminance(tuple(float(x) for x in re.findall(r"[\d.]+", c))) for c in (fg, bg))
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def test_gallery_opens_at_the_top(page: Page, site: Path) -> None:
    page.goto((site / "gallery.html").as_uri())
    frames = page.locator("iframe")
    expect(frames.first).to_be_visible()
    # the frames in reach have loaded (the rest are loading="lazy"), error summaries among them
    first = frames.first.element_handle().content_frame()  # type: ignore[union-attr]
    assert first is not None
    first.wait_for_function("document.documentElement.dataset.widgetReady === 'true'")
    page.wait_for_timeout(2000)
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement === document.body")


def test_a_framed_error_story_takes_no_focus_but_does_standalone(page: Page, site: Path) -> None:
    story = "widget-purchase--payment-failed"
    page.goto((site / "story" / f"{story}.html").as_uri())
    page.frame_locator("#cat-frame").locator("[data-autofocus]").wait_for()
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement === document.body")
    page.goto((site / "frames" / f"{story}--dark-desktop.html").as_uri())
    expect(page.locator("[data-autofocus]")).to_be_focused()  # the error summary, on its own


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_sidebar_text_passes_aa(page: Page, site: Path, theme: str) -> None:
    page.goto((site / "story" / "widget-purchase--payment-failed.html").as_uri()
              + f"?theme={theme}&viewport=desktop")  # fmt: skip
    side_bg = page.evaluate("getComputedStyle(document.querySelector('.cat-side')).backgroundColor")
    main_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    checks = {
        ".cat-tree summary": side_bg,
        ".cat-desc": main_bg,
        ".cat-crumb": main_bg,
        ".cat-tree a:not([aria-current])": side_bg,
    }
    for selector, bg in checks.items():
        color = page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).color")
        assert _contrast(color, bg) >= 4.5, (theme, selector, color, bg)


def _frame_content_height(page: Page) -> int:
    frame = page.frame_locator("#cat-frame")
    frame.locator(".gw-root").wait_for()
    return int(frame.locator("main").evaluate(
        "m => Math.ceil(m.getBoundingClientRect().bottom + window.scrollY)"))


def test_the_preview_is_as_big_as_its_frame(page: Page, site: Path) -> None:
    page.goto((site / "story" / "widget-purchase--payment-failed.html").as_uri()
              + "?theme=light&viewport=desktop")  # fmt: skip
    iframe = page.locator("#cat-frame")
    expect(iframe).to_have_attribute("width", "480")
    desktop = _frame_content_height(page)
    expect(iframe).to_have_attribute("height", str(desktop))
    page.get_by_role("button", name=re.compile("Mobile")).click()
    expect(iframe).to_have_attribute("width", "360")
    page.wait_for_timeout(300)
    mobile = _frame_content_height(page)
    expect(iframe).to_have_attribute("height", str(mobile))
    page.get_by_role("button", name=re.compile("Desktop")).click()
    expect(iframe).to_have_attribute("height", str(desktop))  # it shrinks back, too
    page.get_by_role("button", name=re.compile("Mobile")).click()
    box = page.locator(".cat-preview").bounding_box()
    assert box is not None and box["width"] <= 360 + 2 * 16 + 2 + 1  # frame + padding + border


def test_the_live_page_requests_nothing_missing(browser: Browser, server: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    failed: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", check)
    page.goto(f"{server}/live/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon
    got = page.request.get(f"{server}{icon}")
    assert got.status == 200 and got.headers["content-type"].startswith("image/svg+xml")
    page.wait_for_timeout(300)
    context.close()
    assert not failed, failed
