"""Screenshot capture harness: Debian Chromium driven by Playwright over ``file://`` frames.

One browser, a pool of pages (one per worker and viewport), and a work queue. Pages are reused
across frames, which is what makes a warm capture cheap. :class:`Harness` is also the page pool
for the accessibility run (:mod:`catalogue.visual.a11y`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

__all__ = [
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
)
THEMES = ("dark", "light")
#: Viewport widths in CSS px. The height is generous so that a widget fits without a full-page
#: capture (which resizes the viewport and costs ~30 ms); taller widgets still fall back to one.
VIEWPORTS = {"mobile": 360, "desktop": 480}
VIEWPORT_HEIGHT = 1600
ROOT_SELECTOR = '[data-testid^="AiCreditsWidget-"]'
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
# Runs in the frame: freeze, wait for load + ready marker + fonts, return the root's page rect.
PREPARE_JS = """async ([css, rootSelector]) => {
  const style = document.createElement('style');
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
  await document.fonts.ready;
  for (const a of document.getAnimations()) a.cancel();
  const el = document.querySelector(rootSelector);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};
}"""
READY_TIMEOUT_MS = 10_000
DEFAULT_CONCURRENCY = 1  # measured on 2 cores: one page at a time is fastest (see report)

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
        self, *, concurrency: int = DEFAULT_CONCURRENCY, init_scripts: Sequence[str] = ()
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.init_scripts = tuple(init_scripts)
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._contexts: dict[tuple[str, str], BrowserContext] = {}
        self._pages: dict[tuple[int, str, str], Page] = {}

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
        self, catalogue_dir: Path, shot: Shot, worker: int
    ) -> tuple[Page, dict[str, float]]:
        page = await self.page(worker, shot.theme, shot.viewport)
        path = frame_path(catalogue_dir, shot)
        if not path.is_file():
            raise FileNotFoundError(f"no frame for {shot.key}: {path}")
        await page.goto(path.resolve().as_uri(), wait_until="domcontentloaded")
        try:
            rect = await asyncio.wait_for(
                page.evaluate(PREPARE_JS, [FREEZE_CSS, ROOT_SELECTOR]), READY_TIMEOUT_MS / 1000
            )
        except TimeoutError:
            raise TimeoutError(f"{shot.key}: frame never set data-widget-ready") from None
        if rect is None:
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

        The root's rectangle is measured in the frame and clipped from a full-page capture: a
        third of the cost of a locator screenshot, which re-checks stability and scrolls.
        """
        page, rect = await self._prepare(catalogue_dir, shot, worker)
        return await page.screenshot(
            clip={"x": rect["x"], "y": rect["y"], "width": rect["width"], "height": rect["height"]},
            full_page=rect["y"] + rect["height"] > VIEWPORT_HEIGHT,
            animations="disabled",
            caret="hide",
            scale="css",
            timeout=READY_TIMEOUT_MS,
        )

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
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
) -> tuple[dict[Shot, bytes], str]:
    """Launch a browser, capture ``shots``; return the PNGs and the Chromium version."""
    async with Harness(concurrency=concurrency) as harness:
        pngs = await harness.capture(catalogue_dir, shots, progress)
        return pngs, harness.browser_version


def capture(
    catalogue_dir: Path,
    shots: Iterable[Shot],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
) -> tuple[dict[Shot, bytes], str]:
    """Synchronous :func:`capture_async` (must not be called from a running event loop)."""
    return asyncio.run(
        capture_async(catalogue_dir, shots, concurrency=concurrency, progress=progress)
    )
