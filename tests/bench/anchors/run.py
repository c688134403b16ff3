"""Measure the anchors on the frames our catalogue renders; write ``build/anchors.json``.

``python -m tests.bench.anchors.run`` (what ``nox -s anchors`` runs after ``npm ci``):

1. builds our catalogue into ``build/anchors/catalogue`` and generates the anchors' inputs from it
   (:mod:`tests.bench.anchors.frames`);
2. Storybook: ``storybook build`` of those frames, measured whole-process exactly like our own
   ``python -m catalogue build`` (:func:`~tests.bench.bench_catalogue_process.whole_process`),
   after one untimed warm-up, alternating with our build so both see the same machine; medians;
3. Playwright Test: baselines recorded first (``--update-snapshots``, untimed), then the checking
   run timed whole: wall / shots.

``--only storybook`` or ``--only playwright-test`` re-measures one anchor and keeps the other's
figures from an existing ``build/anchors.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from catalogue.visual.index import build_catalogue
from tests.bench.bench_catalogue_process import (
    ProcessUsage,
    catalogue_build_cmd,
    median_usage,
    whole_process,
)

from .frames import write_frames_json, write_stories

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUT = ROOT / "build" / "anchors"
RESULT = ROOT / "build" / "anchors.json"
STORYBOOK = HERE / "storybook"
PLAYWRIGHT_TEST = HERE / "playwright-test"
RUNS = 3


def _installed(project: Path, binary: str) -> Path:
    path = project / "node_modules" / ".bin" / binary
    if not path.exists():
        raise SystemExit(f"{path} missing: `npm ci` in {project} (nox -s anchors does)")
    return path


def _version(project: Path, package: str) -> str:
    lock = json.loads((project / "package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{package}"]["version"])


def measure_storybook(stories: Path, out: Path) -> dict[str, float]:
    """``storybook build`` of ``stories``, alternating with our catalogue build; medians."""
    cmd = [str(_installed(STORYBOOK, "storybook")), "build", "--quiet",
           "--output-dir", str(out / "storybook-static")]  # fmt: skip
    env = {**os.environ, "AI_CREDITS_ANCHOR_STORIES": str(stories),
           "STORYBOOK_DISABLE_TELEMETRY": "1"}  # fmt: skip
    ours_cmd = catalogue_build_cmd(out / "ours")
    whole_process(cmd, cwd=STORYBOOK, env=env)  # warm-up: OS caches, Vite's dependency cache
    whole_process(ours_cmd, cwd=ROOT)
    storybook: list[ProcessUsage] = []
    ours: list[ProcessUsage] = []
    for run in range(RUNS):
        print(f"anchors: storybook build, run {run + 1}/{RUNS} …", file=sys.stderr, flush=True)
        storybook.append(whole_process(cmd, cwd=STORYBOOK, env=env))
        ours.append(whole_process(ours_cmd, cwd=ROOT))
    anchor, same_time = median_usage(storybook), median_usage(ours)
    return {
        "anchor_storybook_build_cpu_s": anchor.cpu_s,
        "anchor_storybook_build_wall_s": anchor.wall_s,
        "anchor_storybook_build_rss_mib": anchor.rss_mib,
        # ours, measured between the Storybook runs: the ratio least disturbed by a busy machine
        "anchor_storybook_ours_build_cpu_s": same_time.cpu_s,
        "anchor_storybook_ours_build_wall_s": same_time.wall_s,
    }


def measure_playwright_test(out: Path, shots: int, workers: int) -> dict[str, float]:
    """Playwright Test ``toHaveScreenshot`` of every frame: record baselines, then time a check."""
    cmd = [str(_installed(PLAYWRIGHT_TEST, "playwright")), "test", f"--workers={workers}"]
    env = {**os.environ, "AI_CREDITS_ANCHOR_OUT": str(out)}
    print(f"anchors: playwright test, recording {shots} baselines …", file=sys.stderr, flush=True)
    whole_process([*cmd, "--update-snapshots"], cwd=PLAYWRIGHT_TEST, env=env)
    print("anchors: playwright test, timed checking run …", file=sys.stderr, flush=True)
    check = whole_process(cmd, cwd=PLAYWRIGHT_TEST, env=env)
    return {
        "anchor_playwright_test_ms_per_shot": round(check.wall_s * 1000 / shots, 1),
        "anchor_playwright_test_wall_s": check.wall_s,
        "anchor_playwright_test_cpu_s": check.cpu_s,
        "anchor_playwright_test_workers": workers,
    }


def _about() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True)
    return {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "dirty": "yes" if git("status", "--porcelain", "--untracked-files=no").strip() else "no",
        "storybook": _version(STORYBOOK, "storybook"),
        "vite": _version(STORYBOOK, "vite"),
        "playwright_test": _version(PLAYWRIGHT_TEST, "@playwright/test"),
        "chromium": chromium.stdout.strip(),
        "cores": str(os.cpu_count()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("storybook", "playwright-test"))
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help="Playwright Test workers (default: its own, half the cores)")  # fmt: skip
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    catalogue = OUT / "catalogue"
    print(f"anchors: building the catalogue into {catalogue} …", file=sys.stderr, flush=True)
    build_catalogue(catalogue)
    shots = write_frames_json(catalogue, OUT / "frames.json")
    write_stories(catalogue, OUT / "stories")
    previous = json.loads(RESULT.read_text()) if args.only and RESULT.exists() else {}
    figures: dict[str, float] = {**previous.get("figures", {}), "anchor_frames": shots}
    about = _about()
    # when each anchor was measured: --only keeps the other's figures, and says how old they are
    measured = {**previous.get("about", {}).get("measured", {})}
    if args.only != "playwright-test":
        figures.update(measure_storybook(OUT / "stories", OUT))
        measured["storybook"] = about["measured_at"]
    if args.only != "storybook":
        figures.update(measure_playwright_test(OUT, shots, args.workers))
        measured["playwright-test"] = about["measured_at"]
    about["measured_at"] = min(measured.values())  # the oldest figure's age is the file's
    result = {"about": {**about, "measured": measured}, "figures": dict(sorted(figures.items()))}
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
