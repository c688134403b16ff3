"""Run every benchmark module (``tests/bench/bench_*.py``), write ``build/bench.json`` and print it.

Each module exposes ``run() -> dict[str, float]``; keys are flat and global. The table beside
them adds the npm anchors of ``build/anchors.json`` (``nox -s anchors``) when that file exists.
"""

from __future__ import annotations

import datetime
import importlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


ANCHORS: dict[str, tuple[str, str]] = {
    # figure: (anchor figure, what the anchor is)
    "step_us_p50": ("anchor_step_raw_machine_us_p50",
                    "the same TABLE as a bare transitions Machine, no-op guards"),
    "render_template_us_p50": ("anchor_render_template_stock_jinja_us_p50",
                               "the same templates and view, Jinja's stock code generator"),
    "catalogue_build_process_cpu_s": ("anchor_storybook_build_cpu_s",
                                      "Storybook 10 `storybook build`, same frames: user+sys"),
    "catalogue_build_process_wall_s": ("anchor_storybook_build_wall_s",
                                       "Storybook 10 `storybook build`, same frames: wall"),
    "catalogue_build_process_rss_mib": ("anchor_storybook_build_rss_mib",
                                        "Storybook 10 `storybook build`: largest process"),
    "visual_ms_per_shot": ("anchor_playwright_test_ms_per_shot",
                           "Playwright Test toHaveScreenshot, same frames: run wall / shots"),
}  # fmt: skip
"""Each figure and the anchor it is compared with."""

ANCHORS_JSON = ROOT / "build" / "anchors.json"
NPM_ANCHORS = ("anchor_storybook_", "anchor_playwright_test_")
"""Anchors measured by ``nox -s anchors`` (``tests/bench/anchors``) into :data:`ANCHORS_JSON`."""


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def load_anchors(path: Path = ANCHORS_JSON) -> tuple[dict[str, float], str]:
    """The npm anchors' figures and a line saying where, when and on what they were measured."""
    if not path.is_file():
        return {}, f"anchors: not run — nox -s anchors ({path.relative_to(ROOT)} missing)"
    data = json.loads(path.read_text())
    about, figures = data["about"], data["figures"]
    measured = datetime.datetime.fromisoformat(about["measured_at"])
    hours = (datetime.datetime.now(datetime.UTC) - measured).total_seconds() / 3600
    since = _git("rev-list", "--count", f"{about['commit']}..HEAD") or "?"
    note = (f"anchors: {path.relative_to(ROOT)}, measured {about['measured_at']} ({hours:.1f} h ago)"
            f" at {about['commit']}{' (dirty)' if about['dirty'] == 'yes' else ''}, {since} commits"
            f" before HEAD; {figures.get('anchor_frames', '?')} frames; Storybook"
            f" {about['storybook']} + Vite {about['vite']}, @playwright/test"
            f" {about['playwright_test']} × {figures.get('anchor_playwright_test_workers', '?')}"
            " worker(s)")  # fmt: skip
    ours, theirs = (figures.get(f"anchor_storybook{k}_build_cpu_s") for k in ("_ours", ""))
    if ours and theirs:
        note += (f"\nanchors: builds measured alternately in that run: ours {ours:g} s CPU,"
                 f" Storybook {theirs:g} s ({theirs / ours:.1f}× ours)")  # fmt: skip
    return figures, note


def table(figures: dict[str, float], note: str = "") -> str:
    """Every figure beside its anchor (and ours / anchor) where one exists."""
    lines = [note] if note else []
    lines.append(f"{'figure':<34} {'ours':>10} {'anchor':>10} {'ratio':>7}  anchor is")
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
        if anchor is None and key.startswith(NPM_ANCHORS):
            what += " — nox -s anchors"
        lines.append(f"{name:<34} {value:>10g} {shown:>10} {ratio:>7}  {what}")
    frames, anchor_frames = figures.get("catalogue_build_frames"), figures.get("anchor_frames")
    if frames and anchor_frames and frames != anchor_frames:
        lines.append(f"note: the anchors were measured on {anchor_frames:g} frames, the catalogue"
                     f" now has {frames:g}: rerun nox -s anchors")  # fmt: skip
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
    anchors, note = load_anchors()
    print(table({**figures, **anchors}, note))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
