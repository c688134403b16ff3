"""The Jinja environment shared by hosts, the catalogue and tests.

Templates live in ``ai_credits/components``; import the primitives with
``{% import "primitives.jinja" as ui %}`` and the page/root wrappers from ``layout.jinja``.

Autoescaped output is compiled to :func:`escape_output` rather than ``markupsafe.escape``: the
same text, without allocating a ``Markup`` object for every ``{{ value }}`` only to join it into
the page (that allocation was half the cost of rendering the widget).
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
    nodes,
    select_autoescape,
)
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup, escape

from ai_credits.views import theme

try:  # MarkupSafe's own escaper (C), which returns plain text rather than Markup
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # pragma: no cover - no compiled speedups
    from markupsafe._native import _escape_inner as _escape_text

__all__ = ["choice", "create_environment", "default_environment", "escape_output", "html_id"]

_NOT_ID = re.compile(r"[^a-z0-9_-]+")


def html_id(value: object) -> str:
    """A safe, deterministic HTML id from any value (``"API key"`` → ``"api-key"``)."""
    if type(value) is str:
        return _text_id(value)
    return _slug_id(str(value))


def _slug_id(text: str) -> str:
    slug = _NOT_ID.sub("-", text.lower()).strip("-")
    return slug if slug and slug[0].isalpha() else f"gw-{slug or 'id'}"


_text_id = functools.lru_cache(maxsize=4096)(_slug_id)
"""Ids of text (a dozen per render, the same ones render after render), made once each."""


def choice(value: object, allowed: Iterable[str], what: str) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise fail loudly (a template bug)."""
    options = tuple(allowed)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{what} must be one of {options}, got {value!r}")
    return value


def escape_output(value: object) -> str:
    """``str(markupsafe.escape(value))``, faster: what an autoescaped ``{{ value }}`` writes.

    Plain ``str`` goes through MarkupSafe's escaper without the ``Markup`` wrapper, ``Markup``
    (already safe) and ``int`` are written as they are; anything else takes ``markupsafe.escape``.
    """
    if type(value) is str:
        return _escape_text(value)
    if type(value) is Markup:
        return value
    if type(value) is int:
        return str(value)
    return escape(value)


class _CodeGenerator(CodeGenerator):
    """Compiles autoescaped output to ``environment.gw_escape(value)`` (:func:`escape_output`).

    The hook is the one Jinja's own ``NativeCodeGenerator`` overrides; output that is not
    autoescaped, or whose escaping is decided at run time, compiles as usual.
    """

    def _output_child_pre(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.gw_escape(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Environment(Environment):
    """The package's environment class: autoescaped output through :func:`escape_output`."""

    code_generator_class = _CodeGenerator
    gw_escape = staticmethod(escape_output)


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
    env = _Environment(
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
