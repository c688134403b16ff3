"""No catalogue frame scrolls sideways: every story × theme × viewport, in Debian Chromium."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from catalogue.frames import MODES, VIEWPORTS, frame_file
from stories import STORIES

WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 0.5 && (!worst || r.right > worst.right)) {
      worst = {tag: el.tagName.toLowerCase() + '.' + el.className, right: Math.round(r.right)};
    }
  }
  return worst;
}"""


def test_no_frame_scrolls_sideways(browser: Browser, site: Path) -> None:
    pages = {}
    for viewport, width in VIEWPORTS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        pages[viewport] = context.new_page()
    wide: list[str] = []
    for story in STORIES:
        for theme, viewport in MODES:
            page = pages[viewport]
            page.goto((site / frame_file(story.id, theme, viewport)).as_uri())
            page.wait_for_function("document.documentElement.dataset.widgetReady === 'true'")
            scroll, client = page.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
            if scroll > client:
                wide.append(f"{story.id} {theme}-{viewport}: {scroll} > {client} px, "
                            f"widest {page.evaluate(WIDEST)}")
    for page in pages.values():
        page.context.close()
    assert not wide, "\n".join(wide)
