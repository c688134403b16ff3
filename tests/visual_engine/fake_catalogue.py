"""A tiny stand-in for the real catalogue build, using exactly its conventions.

``index.json`` in Storybook v5 format and one standalone frame per story x mode at
``frames/<id>--<theme>-<viewport>.html``. Colours come from ``--gw-*`` CSS variables (tokens), text
uses the generic ``sans-serif`` family (no shipped font), one element is ``data-visual-mask``ed and
shows a random number so masking is exercised, and readiness is signalled after ``fonts.ready``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

THEMES = {"dark": ("#13151C", "#1E1F26", "#FFFFFF"), "light": ("#F8F9FB", "#FFFFFF", "#0D182D")}
VIEWPORT_WIDTH = {"mobile": 360, "desktop": 480}


@dataclass(frozen=True)
class FakeStory:
    id: str
    state: str
    title: str
    name: str
    headline: str
    bars: int
    extra_html: str = ""


STORIES = (
    FakeStory(
        "widget--disconnected", "disconnected", "Widget", "Disconnected", "Connect wallet", 1
    ),
    FakeStory("widget--quote-ready", "quote_ready", "Widget", "Quote ready", "Buy 12 credits", 2),
    # heading-order (a *moderate* axe finding): exercises the snapshotted, non-blocking path
    FakeStory(
        "widget--low-balance",
        "low_balance",
        "Widget",
        "Low balance",
        "Credits low",
        3,
        '<h4 style="margin:0;font-size:14px">Top up soon</h4>',
    ),
)


def frame_html(story: FakeStory, theme: str, viewport: str, *, primary: str, padding: int) -> str:
    bg, surface, text = THEMES[theme]
    width = min(380, VIEWPORT_WIDTH[viewport] - 16)
    bars = "".join(
        f'<div class="bar" style="width:{40 + 30 * i}%"></div>' for i in range(story.bars)
    )
    testid = "AiCreditsWidget-" + story.state.replace("_", "-")
    return f"""<!doctype html>
<html lang="en" data-frozen="true" data-theme="{theme}">
<head><meta charset="utf-8"><title>{story.title} / {story.name}</title>
<style>
:root {{ --gw-bg: {bg}; --gw-surface: {surface}; --gw-text: {text}; --gw-primary: {primary};
  --gw-pad: {padding}px; }}
body {{ margin: 8px; background: var(--gw-bg); font: 16px/24px sans-serif; color: var(--gw-text); }}
.card {{ width: {width}px; box-sizing: border-box; padding: var(--gw-pad); border-radius: 12px;
  background: var(--gw-surface); border: 1px solid #4D4D4D; }}
.bar {{ height: 12px; margin: 8px 0; border-radius: 6px; background: var(--gw-primary); }}
.cta {{ display: block; width: 100%; height: 40px; border: 0; border-radius: 12px;
  background: var(--gw-primary); color: #000; font: 600 14px/20px sans-serif; }}
.pulse {{ animation: pulse 1s infinite; }}
@keyframes pulse {{ from {{ opacity: 1; }} to {{ opacity: .2; }} }}
</style></head>
<body><main>
<section class="card" data-testid="{testid}" data-state="{story.state}">
  <h1 style="font-size:21px;margin:0 0 8px">{story.headline}</h1>
  {story.extra_html}
  {bars}
  <p class="pulse">Balance: <span data-visual-mask style="display:inline-block;width:6ch">0</span> credits</p>
  <button class="cta" type="button">{story.headline}</button>
</section>
</main>
<script>
document.querySelector('[data-visual-mask]').textContent = String(Math.random()).slice(2, 8);
document.fonts.ready.then(() => {{ document.documentElement.dataset.widgetReady = 'true'; }});
</script>
</body></html>
"""


def make_fake_catalogue(
    out: Path,
    *,
    primary: str = "#1A85FF",
    padding: int = 16,
    stories: tuple[FakeStory, ...] = STORIES,
) -> Path:
    """Write a fake catalogue build into ``out`` and return it."""
    frames = out / "frames"
    frames.mkdir(parents=True, exist_ok=True)
    entries = {}
    for story in stories:
        entries[story.id] = {
            "id": story.id,
            "title": story.title,
            "name": story.name,
            "importPath": "./stories/widget.py",
            "type": "story",
            "tags": ["story", f"state:{story.state}"],
        }
        for theme in THEMES:
            for viewport in VIEWPORT_WIDTH:
                html = frame_html(story, theme, viewport, primary=primary, padding=padding)
                (frames / f"{story.id}--{theme}-{viewport}.html").write_text(html)
    (out / "index.json").write_text(json.dumps({"v": 5, "entries": entries}, indent=2))
    return out
