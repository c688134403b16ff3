"""Frames: one standalone HTML document per story × theme × viewport, and the shared assets.

A frame links ``../assets/widget.css`` (tokens of both themes, fonts as ``data:`` URLs, component
CSS) and ``../assets/widget.js`` (which marks ``data-widget-ready="true"`` once fonts are in), so
it works from ``file://`` with no request to any host, and the fonts are written once, not per
frame.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from ai_credits.views import theme
from catalogue.site import render_template

__all__ = ["MODES", "THEMES", "VIEWPORTS", "asset_texts", "frame_file", "frame_html"]

THEMES: tuple[str, ...] = ("dark", "light")
VIEWPORTS: dict[str, int] = {"mobile": 360, "desktop": 480}
"""Frame widths in CSS px (the widget itself is 380 px wide inside the 480 px desktop frame)."""
MODES: tuple[tuple[str, str], ...] = tuple((t, v) for t in THEMES for v in VIEWPORTS)


def frame_file(story_id: str, theme_name: str, viewport: str) -> str:
    """``frames/<id>--<theme>-<viewport>.html``, relative to the catalogue root."""
    return f"frames/{story_id}--{theme_name}-{viewport}.html"


def frame_html(widget: Markup, *, title: str, theme_name: str, viewport: str) -> str:
    """The frame document around an already rendered widget root."""
    return render_template("frame.html.jinja", widget=widget, title=title, theme=theme_name,
                           viewport=viewport, width=VIEWPORTS[viewport], root="../")  # fmt: skip


def asset_texts() -> dict[str, str]:
    """``assets/``: the widget CSS + JS, the shell CSS + JS and the icon, by file name."""
    here = Path(__file__).parent / "static"
    return {
        "widget.css": theme.inline_css("dark"),
        "widget.js": theme.widget_js(),
        "shell.css": (here / "shell.css").read_text(encoding="utf-8"),
        "shell.js": (here / "shell.js").read_text(encoding="utf-8"),
        "favicon.svg": (here / "favicon.svg").read_text(encoding="utf-8"),
    }
