"""Rendering figures: one state warm (build_view + template), and every state × both themes."""

from __future__ import annotations

import time

from jinja2 import Environment, StrictUndefined

from ai_credits.views import build_view, render_widget
from ai_credits.views.environment import create_environment
from ai_credits.views.render import render_view
from tests.bench.timing import p50_us
from tests.components.paths import STORIES, snapshot_for


def run() -> dict[str, float]:
    """``render_us_p50`` (usage_active, dark, warm), its view/template split, and the sweep."""
    snapshots = {name: snapshot_for(name) for name in STORIES}
    one = snapshots["usage_active"]
    view = build_view(one)
    figures = {
        "render_us_p50": p50_us(lambda: render_widget(one), repeat=2000, warmup=1000),
        "render_build_view_us_p50": p50_us(lambda: build_view(one), repeat=1000, warmup=100),
        "render_template_us_p50": p50_us(lambda: render_view(view), repeat=1000, warmup=100),
    }
    # anchor: the same templates and view through Jinja's stock code generator and environment
    ours = create_environment()
    stock = Environment(loader=ours.loader, autoescape=True, undefined=StrictUndefined,
                        trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    stock.globals.update(ours.globals)
    stock.filters.update(ours.filters)
    stock.tests.update(ours.tests)
    macro = stock.get_template("widget.jinja").module.render  # type: ignore[attr-defined]
    assert str(macro(view, "", False)) == str(render_view(view))
    figures["anchor_render_template_stock_jinja_us_p50"] = p50_us(
        lambda: macro(view, "", False), repeat=1000, warmup=100)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for snapshot in snapshots.values():
            for theme in ("dark", "light"):
                render_widget(snapshot, theme=theme)
        best = min(best, time.perf_counter() - start)
    figures["render_all_states_ms"] = round(best * 1000, 2)
    figures["render_all_states_count"] = float(len(snapshots) * 2)
    return figures


if __name__ == "__main__":
    print(run())
