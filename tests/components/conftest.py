"""Fixtures of the component tests: stories replayed through the real machine, rendered."""

from __future__ import annotations

from functools import cache

from ai_credits.views import render_widget
from tests.components.paths import snapshot_for


@cache
def rendered(story: str, theme: str = "dark") -> str:
    """The widget HTML of ``story`` in ``theme`` (cached: rendering is deterministic)."""
    return str(render_widget(snapshot_for(story), theme=theme))
