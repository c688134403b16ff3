"""The Jinja environment shared by hosts, the catalogue and tests.

Templates live in ``ai_credits/components``; import the primitives with
``{% import "primitives.jinja" as ui %}`` and the page/root wrappers from ``layout.jinja``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from ai_credits.views import theme

__all__ = ["choice", "create_environment", "default_environment", "html_id"]

_NOT_ID = re.compile(r"[^a-z0-9_-]+")


def html_id(value: object) -> str:
    """A safe, deterministic HTML id from any value (``"API key"`` → ``"api-key"``)."""
    slug = _NOT_ID.sub("-", str(value).lower()).strip("-")
    return slug if slug and slug[0].isalpha() else f"gw-{slug or 'id'}"


def choice(value: object, allowed: Iterable[str], what: str) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise fail loudly (a template bug)."""
    options = tuple(allowed)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{what} must be one of {options}, got {value!r}")
    return value


def _inline_css(theme_name: str = "dark") -> Markup:
    return Markup(theme.inline_css(theme_name))  # our own static file, not user input


def _widget_js() -> Markup:
    return Markup(theme.widget_js())  # our own static file, not user input


def _stylesheet(static_url: str) -> Markup:
    return Markup(theme.stylesheet(static_url))  # our own static file, not user input


def create_environment(extra_loaders: Sequence[BaseLoader] | None = None) -> Environment:
    """A new environment over the package components; ``extra_loaders`` are searched first.

    Autoescaping is always on and undefined variables raise (``StrictUndefined``).
    """
    loaders = [*(extra_loaders or ()), PackageLoader("ai_credits", "components")]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "jinja", "j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship inside the package: no mtime check (a stat per import) on every render.
        auto_reload=False,
    )
    env.filters["gw_id"] = html_id
    env.globals.update(
        gw_choice=choice,
        gw_inline_css=_inline_css,
        gw_widget_js=_widget_js,
        gw_stylesheet=_stylesheet,
    )
    return env


@functools.cache
def default_environment() -> Environment:
    """The process-wide environment (created once) for hosts that add no loaders."""
    return create_environment()
