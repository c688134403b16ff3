"""Rendering: a snapshot to the widget's HTML with the package's Jinja components.

The environment (autoescape on, ``StrictUndefined``) is created once per process and compiled
templates are kept; templates see only the :class:`~ai_credits.views.models.WidgetView`.
``widget.jinja`` and the cards are used as template modules, made once: a render is one macro
call (``render(view, post_url, frozen)``), with no per-render ``{% import %}`` or template
context.  Nothing rendered is cached: every call renders its view.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, Template
from markupsafe import Markup
from pydantic import BaseModel

from ai_credits.core.snapshot import Snapshot
from ai_credits.views.build import build_view
from ai_credits.views.environment import default_environment
from ai_credits.views.models import WidgetView

__all__ = [
    "COMPONENTS",
    "render_component",
    "render_page",
    "render_view",
    "render_widget",
]

COMPONENTS: tuple[str, ...] = (
    "hero",
    "notice",
    "wallet_chip",
    "balance_hero",
    "mode_switch",
    "amount_form",
    "quote_card",
    "pending_card",
    "api_key_card",
    "setup_snippets",
    "balance_card",
    "usage_table",
    "spend_chart",
    "stream_setup",
    "stream_status",
    "byok_card",
    "cached_label",
    "info_card",
)
"""Per-card templates under ``components/cards/``; each defines ``render(part, url="")``."""

_PAGE = """\
{% import "layout.jinja" as layout %}
<!doctype html>
<html lang="en" data-theme="{{ theme }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
{% if static_url is none %}
<style>{{ gw_inline_css(theme) }}</style>
{% else %}
{{ layout.assets(static_url) }}
{% endif %}
</head>
<body class="gw-page">
<main class="gw-frame" style="max-width: {{ viewport_width }}px">
{{ widget }}
</main>
{% if static_url is none %}
<script>{{ gw_widget_js() }}</script>
{% endif %}
</body>
</html>
"""


def _env() -> Environment:
    return default_environment()


@functools.cache
def _widget_module() -> Any:
    """``widget.jinja`` as a module (made once, with its card imports); ``render`` is its macro."""
    return _env().get_template("widget.jinja").module


@functools.cache
def _page_template() -> Template:
    return _env().from_string(_PAGE)


@functools.cache
def _component_module(name: str) -> Any:
    return _env().get_template(f"cards/{name}.jinja").module


def render_view(view: WidgetView, *, post_url: str = "", frozen: bool = False) -> Markup:
    """The widget root for an already built view."""
    return Markup(_widget_module().render(view, post_url, frozen))


def render_widget(
    snapshot: Snapshot, *, theme: str = "dark", post_url: str = "", frozen: bool = False
) -> Markup:
    """The widget root (``<section class="gw-root gw-widget" data-testid=…>``) for ``snapshot``.

    ``post_url``: where ``widget.js`` posts events as JSON (forms post there without JS too);
    ``frozen``: the stream counter does not tick (stories, screenshots).
    """
    return render_view(build_view(snapshot, theme=theme), post_url=post_url, frozen=frozen)


def render_page(
    snapshot: Snapshot,
    *,
    theme: str = "dark",
    viewport_width: int = 480,
    inline_assets: bool = True,
    static_url: str = "static",
    post_url: str = "",
    frozen: bool = True,
    title: str = "AI Credits",
) -> str:
    """A standalone HTML document holding the widget.

    ``inline_assets`` puts the CSS (fonts as ``data:`` URLs) and the script in the page so it works
    from ``file://`` with no request; otherwise they are linked under ``static_url``.
    """
    widget = render_widget(snapshot, theme=theme, post_url=post_url, frozen=frozen)
    return _page_template().render(
        title=title,
        theme=theme,
        static_url=None if inline_assets else static_url,
        viewport_width=int(viewport_width),
        widget=widget,
    )


def render_component(name: str, view_part: BaseModel, *, post_url: str = "") -> Markup:
    """One card (``"quote_card"``, ``"usage_table"`` …) from its part of a :class:`WidgetView`."""
    if name not in COMPONENTS:
        raise ValueError(f"unknown component {name!r}; expected one of {COMPONENTS}")
    module = _component_module(name)
    return Markup(module.render(view_part, post_url))
