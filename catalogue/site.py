"""The catalogue's own Jinja environment (shell, frames, gallery, docs, coverage pages)."""

from __future__ import annotations

import functools
import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["environment", "render_template"]


def _pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@functools.cache
def environment() -> Environment:
    """Autoescaping, strict environment over ``catalogue/templates``."""
    env = Environment(
        loader=PackageLoader("catalogue", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pretty_json"] = _pretty_json
    return env


def render_template(name: str, **context: Any) -> str:
    """Render ``catalogue/templates/<name>``."""
    return environment().get_template(name).render(**context)
