"""Screenshot capture harness: Debian Chromium driven by Playwright over ``file://`` frames.

One browser, a pool of pages (one per worker and mode), and a work queue. Pages are reused across
frames, which is what makes a warm capture cheap. :class:`Harness` is also the page pool for the
accessibility run (:mod:`catalogue.visual.a11y`).

Two ways to show a frame in a page, with the same pixels (``python -m catalogue.visual.verify``
captures every frame both ways and fails on any differing pixel):

* ``navigate``: ``page.goto`` the frame file (parses the 190 kB stylesheet and its inline fonts
  every time);
* ``swap`` (default): when the page already shows a frame of the same catalogue with the same
  ``<head>`` and scripts, put the new frame's ``<html>``/``<body>`` attributes and body in place and
  replay the widget script's boot (``AiCreditsWidget.init`` per root); anything else navigates.

Shots are taken with CDP ``Page.captureScreenshot`` clipped to the widget root: Playwright's
``page.screenshot`` does the same call after its own waits, which the frame's ready marker makes
redundant (measured pixel-identical on every frame).
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Page,
    Playwright,
    async_playwright,
)

__all__ = [
    "CAPTURE_METHODS",
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "FREEZE_CSS",
    "PREPARE_JS",
    "ROOT_SELECTOR",
    "THEMES",
    "VIEWPORTS",
    "Harness",
    "Shot",
    "capture",
    "frame_path",
]

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--font-render-hinting=none",
    "--disable-lcd-text",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
    # Re-raster whole tiles, never just their invalidated part: with partial raster the AA of an
    # edge depends on which tiles an earlier frame had drawn, so two fresh navigations to the same
    # frame differed in ~12 px on 38 of 128 mobile shots (0 with this flag), and a content swap
    # inherited the previous frame's tiles.
    "--disable-partial-raster",
)
THEMES = ("dark", "light")
#: Viewport widths in CSS px. The height is generous so that a widget fits without a full-page
#: capture (which resizes the viewport and costs ~30 ms); taller widgets still fall back to one.
VIEWPORTS = {"mobile": 360, "desktop": 480}
VIEWPORT_HEIGHT = 1600
ROOT_SELECTOR = '[data-testid^="AiCreditsWidget-"]'
FREEZE_ATTRIBUTE = "data-visual-freeze"
FREEZE_CSS = """
*, *::before, *::after {
  animation: none !important; transition: none !important;
  caret-color: transparent !important; scroll-behavior: auto !important;
}
[data-visual-mask] {
  background: #FF00FF !important; color: transparent !important; border-color: #FF00FF !important;
}
[data-visual-mask] * { visibility: hidden !important; }
"""
# Both scripts below end alike: fonts loaded, animations cancelled, the root's page rect (or null).
_SETTLE_AND_MEASURE_JS = """\
  await document.fonts.ready;
  for (const a of document.getAnimations()) a.cancel();
  const el = document.querySelector(rootSelector);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};
}"""
# Runs in the frame: freeze, wait for load + ready marker + fonts, return the root's page rect.
PREPARE_JS = (
    """async ([css, rootSelector]) => {
  const style = document.createElement('style');
  style.setAttribute('data-visual-freeze', '');
  style.textContent = css;
  document.head.appendChild(style);
  if (document.readyState !== 'complete') {
    await new Promise(r => window.addEventListener('load', r, {once: true}));
  }
  const root = document.documentElement;
  if (root.dataset.widgetReady !== 'true') {
    await new Promise(resolve => new MutationObserver((_, obs) => {
      if (root.dataset.widgetReady === 'true') { obs.disconnect(); resolve(); }
    }).observe(root, {attributes: true, attributeFilter: ['data-widget-ready']}));
  }
"""
    + _SETTLE_AND_MEASURE_JS
)
# Runs in a page already showing a frame of the same catalogue: swap ``html`` in when its <head>
# and scripts equal the page's (else return why not, and the caller navigates). What a navigation
# would do is replayed: attributes of <html>/<body>, focus reset, scroll to the top, the widget
# script's boot (init per root: data-js, counters, autofocus), a frame, fonts, animations
# cancelled. The frame's inline script is not re-run: it only reports the height to an embedding
# page. The freeze <style> stays from the first navigation.
SWAP_JS = (
    """async ([html, rootSelector]) => {
  const next = new DOMParser().parseFromString(html, 'text/html');
  const head = d => [...d.head.children]
    .filter(e => e.tagName !== 'TITLE' && !e.hasAttribute('data-visual-freeze'))
    .map(e => e.outerHTML).join('\\n');
  const scripts = d => [...d.querySelectorAll('body script')].map(e => e.outerHTML).join('\\n');
  if (head(next) !== head(document)) return 'head differs';
  // the page's own scripts, read before the first swap removed them from the body
  window.visualFrameScripts ??= scripts(document);
  if (scripts(next) !== window.visualFrameScripts) return 'scripts differ';
  if (typeof window.AiCreditsWidget?.init !== 'function') return 'no widget script';
  const root = document.documentElement, body = document.body;
  if (document.activeElement && document.activeElement !== body) document.activeElement.blur();
  for (const [from, to] of [[next.documentElement, root], [next.body, body]]) {
    for (const a of [...to.attributes]) to.removeAttribute(a.name);
    for (const a of from.attributes) to.setAttribute(a.name, a.value);
  }
  document.title = next.title;
  body.replaceChildren(...[...next.body.childNodes].filter(n => n.nodeName !== 'SCRIPT'));
  window.scrollTo(0, 0);
  const framed = window.self !== window.top;
  for (const r of document.querySelectorAll('.gw-root')) window.AiCreditsWidget.init(r, framed);
  await new Promise(r => requestAnimationFrame(r));
"""
    + _SETTLE_AND_MEASURE_JS
)
READY_TIMEOUT_MS = 10_000
CAPTURE_METHODS = ("swap", "navigate")
ENV_CONCURRENCY = "VISUAL_CONCURRENCY"


def default_concurrency() -> int:
    """Pages captured in parallel: ``$VISUAL_CONCURRENCY``, else one per core."""
    given = os.environ.get(ENV_CONCURRENCY)
    return max(1, int(given)) if given else max(1, os.cpu_count() or 1)


DEFAULT_CONCURRENCY = default_concurrency()

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None]


@dataclass(frozen=True, order=True)
class Shot:
    """One story in one mode."""

    story_id: str
    theme: str
    viewport: str

    @property
    def key(self) -> str:
        """``<id>--<theme>-<viewport>``: the frame's file stem and the snapshot's id."""
        return f"{self.story_id}--{self.theme}-{self.viewport}"


def frame_path(catalogue_dir: Path, shot: Shot) -> Path:
    """Where the catalogue puts the standalone frame for ``shot``."""
    return Path(catalogue_dir) / "frames" / f"{shot.key}.html"


def print_progress(label: str) -> Progress:
    """A progress callback printing ``label N/M`` on one updating stderr line."""

    def report(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{label} {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


class Harness:
    """An open browser with a page pool. Use as ``async with Harness() as h: …``."""

    def __init__(
        self,
        *,
        concurrency: int | None = None,
        init_scripts: Sequence[str] = (),
        method: str = "swap",
    ) -> None:
        if method not in CAPTURE_METHODS:
            raise ValueError(f"method must be one of {CAPTURE_METHODS}, got {method!r}")
        self.concurrency = max(1, concurrency or default_concurrency())
        self.init_scripts = tuple(init_scripts)
        self.method = method
        #: how the frames were shown: {"swap": n, "navigate": n}
        self.counts = dict.fromkeys(CAPTURE_METHODS, 0)
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._contexts: dict[tuple[str, str], BrowserContext] = {}
        self._pages: dict[tuple[int, str, str], Page] = {}
        self._cdp: dict[Page, CDPSession] = {}
        self._shown: dict[Page, Path] = {}  # the frames directory a page last showed

    async def __aenter__(self) -> Harness:
        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(
            executable_path=CHROMIUM_PATH, args=list(CHROMIUM_ARGS)
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        if self._browser is not None:
            await self._browser.close()
        if self._pw is not None:
            await self._pw.stop()

    @property
    def browser_version(self) -> str:
        """The running Chromium's version, e.g. ``156.0.8078.79``."""
        assert self._browser is not None, "Harness not started"
        return self._browser.version

    async def page(self, worker: int, theme: str, viewport: str) -> Page:
        """The reusable page of ``worker`` for a mode (created on first use)."""
        key = (worker, theme, viewport)
        if key not in self._pages:
            ctx_key = (theme, viewport)
            if ctx_key not in self._contexts:
                assert self._browser is not None, "Harness not started"
                self._contexts[ctx_key] = await self._browser.new_context(
                    viewport={"width": VIEWPORTS[viewport], "height": VIEWPORT_HEIGHT},
                    device_scale_factor=1,
                    timezone_id="UTC",
                    locale="en-US",
                    reduced_motion="reduce",
                    color_scheme="dark" if theme == "dark" else "light",
                )
                for script in self.init_scripts:
                    await self._contexts[ctx_key].add_init_script(script=script)
            self._pages[key] = await self._contexts[ctx_key].new_page()
        return self._pages[key]

    async def open_frame(self, catalogue_dir: Path, shot: Shot, worker: int) -> Page:
        """Load ``shot``'s frame in the worker's page; wait for load, ready marker and fonts."""
        page, _ = await self._prepare(catalogue_dir, shot, worker)
        return page

    async def _prepare(
        self, catalogue_dir: Path, shot: Shot, worker: int, *, swap: bool = False
    ) -> tuple[Page, dict[str, float]]:
        page = await self.page(worker, shot.theme, shot.viewport)
        path = frame_path(catalogue_dir, shot).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no frame for {shot.key}: {path}")
        rect: object = None
        try:
            if swap and self._shown.get(page) == path.parent:
                rect = await asyncio.wait_for(
                    page.evaluate(SWAP_JS, [path.read_text(), ROOT_SELECTOR]),
                    READY_TIMEOUT_MS / 1000,
                )
            if isinstance(rect, dict):
                self.counts["swap"] += 1
            else:  # first frame in this page, another catalogue, or SWAP_JS said why not
                self._shown.pop(page, None)
                await page.goto(path.as_uri(), wait_until="domcontentloaded")
                rect = await asyncio.wait_for(
                    page.evaluate(PREPARE_JS, [FREEZE_CSS, ROOT_SELECTOR]), READY_TIMEOUT_MS / 1000
                )
                self._shown[page] = path.parent
                self.counts["navigate"] += 1
        except TimeoutError:
            raise TimeoutError(f"{shot.key}: frame never set data-widget-ready") from None
        if not isinstance(rect, dict):
            raise LookupError(f"{shot.key}: no element matches {ROOT_SELECTOR}")
        return page, rect

    async def run(
        self,
        items: Sequence[T],
        job: Callable[[T, int], Awaitable[R]],
        progress: Progress | None = None,
    ) -> list[R]:
        """Run ``job(item, worker)`` over ``items`` on ``concurrency`` workers, keeping order."""
        results: list[R | None] = [None] * len(items)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in range(len(items)):
            queue.put_nowait(index)
        done = 0

        async def worker(number: int) -> None:
            nonlocal done
            while not queue.empty():
                index = queue.get_nowait()
                results[index] = await job(items[index], number)
                done += 1
                if progress is not None:
                    progress(done, len(items))

        await asyncio.gather(*(worker(n) for n in range(self.concurrency)))
        return [r for r in results if r is not None]

    async def screenshot(self, catalogue_dir: Path, shot: Shot, worker: int) -> bytes:
        """PNG of the widget root of ``shot``; ``[data-visual-mask]`` elements painted magenta.

        The root's rectangle is measured in the frame and captured with CDP
        ``Page.captureScreenshot`` (the call ``page.screenshot(clip=…)`` ends in, without its
        stability waits); a root below the viewport's bottom is captured beyond the viewport, as
        Playwright's ``full_page`` does in Chromium, without resizing the viewport.
        """
        page, rect = await self._prepare(catalogue_dir, shot, worker, swap=self.method == "swap")
        if page not in self._cdp:
            self._cdp[page] = await page.context.new_cdp_session(page)
        clip = {k: rect[k] for k in ("x", "y", "width", "height")}
        shot_png = await asyncio.wait_for(
            self._cdp[page].send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "clip": {**clip, "scale": 1},
                    "captureBeyondViewport": rect["y"] + rect["height"] > VIEWPORT_HEIGHT,
                },
            ),
            READY_TIMEOUT_MS / 1000,
        )
        return base64.b64decode(shot_png["data"])

    async def capture(
        self, catalogue_dir: Path, shots: Iterable[Shot], progress: Progress | None = None
    ) -> dict[Shot, bytes]:
        """Capture every shot (mode-sorted so pages are reused) to PNG bytes."""
        ordered = sorted(set(shots), key=lambda s: (s.viewport, s.theme, s.story_id))

        async def job(shot: Shot, worker: int) -> bytes:
            return await self.screenshot(catalogue_dir, shot, worker)

        pngs = await self.run(ordered, job, progress)
        return dict(zip(ordered, pngs, strict=True))


async def capture_async(
    catalogue_dir: Path,
    shots: Iterable[Shot],
    *,
    concurrency: int | None = None,
    progress: Progress | None = None,
    method: str = "swap",
) -> tuple[dict[Shot, bytes], str]:
    """Launch a browser, capture ``shots``; return the PNGs and the Chromium version."""
    async with Harness(concurrency=concurrency, method=method) as harness:
        pngs = await harness.capture(catalogue_dir, shots, progress)
        return pngs, harness.browser_version


def capture(
    catalogue_dir: Path,
    shots: Iterable[Shot],
    *,
    concurrency: int | None = None,
    progress: Progress | None = None,
    method: str = "swap",
) -> tuple[dict[Shot, bytes], str]:
    """Synchronous :func:`capture_async` (must not be called from a running event loop)."""
    return asyncio.run(
        capture_async(
            catalogue_dir, shots, concurrency=concurrency, progress=progress, method=method
        )
    )
