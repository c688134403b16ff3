"""Run every benchmark module (``tests/bench/bench_*.py``), write ``build/bench.json`` and print it.

Each module exposes ``run() -> dict[str, float]``; keys are flat and global.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent


ANCHORS: dict[str, tuple[str, str]] = {
    # figure: (anchor figure, what the anchor is)
    "step_us_p50": ("anchor_step_raw_machine_us_p50",
                    "the same TABLE as a bare transitions Machine, no-op guards"),
    "render_template_us_p50": ("anchor_render_template_stock_jinja_us_p50",
                               "the same templates and view, Jinja's stock code generator"),
    "catalogue_build_process_cpu_s": ("anchor_storybook_build_cpu_s",
                                      "Storybook 10 `storybook build`, same frames"),
    "screenshot_ms_p50": ("anchor_playwright_test_ms_per_shot",
                          "Playwright Test toHaveScreenshot, same frames"),
}  # fmt: skip
"""Each figure and the anchor it is compared with; an anchor not measured here (the npm projects
of ``tests/bench/anchors/``) is printed as such."""


def table(figures: dict[str, float]) -> str:
    """Every figure beside its anchor (and ours / anchor) where one exists."""
    lines = [f"{'figure':<34} {'ours':>10} {'anchor':>10} {'ratio':>7}  anchor is"]
    for name, value in sorted(figures.items()):
        if name.startswith("anchor_"):
            continue
        if name not in ANCHORS:
            lines.append(f"{name:<34} {value:>10g}")
            continue
        key, what = ANCHORS[name]
        anchor = figures.get(key)
        ratio = f"{value / anchor:.2f}x" if anchor else "—"
        shown = f"{anchor:g}" if anchor is not None else "not run"
        lines.append(f"{name:<34} {value:>10g} {shown:>10} {ratio:>7}  {what}")
    return "\n".join(lines)


def main() -> int:
    figures: dict[str, float] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"tests.bench.{path.stem}")
        print(f"bench: {path.stem} …", file=sys.stderr, flush=True)
        figures.update(module.run())
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dict(sorted(figures.items())), indent=2)
    out.write_text(text + "\n")
    print(text)
    print(table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
