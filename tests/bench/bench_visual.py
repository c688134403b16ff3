"""Visual benchmarks: the suite's per-shot path warm, and the whole visual suite.

``screenshot_ms_p50``: what the suite does per shot, warm, one page — show the frame the suite's
way (swapped into a page of its mode) + CDP capture + tolerant compare with its baseline — for
every story × mode in turn; the baselines are captured first (untimed) by navigating to each
frame, so the same pass also counts ``swap_vs_navigation_differing_shots`` (pixels, must be 0).

``visual_suite_s`` runs ``tests/visual/test_visual.py`` (screenshots + axe) on a copy in a
temporary directory, so committed baselines are never touched: baselines are recorded first
(untimed), then the checking run is timed, with ``visual_suite_pages`` pages per process (one per
core unless ``$VISUAL_CONCURRENCY`` says otherwise). ``visual_ms_per_shot`` is the wall time of
a screenshots-only run (``-k test_screenshot_matches_baseline``: what the Playwright Test anchor
does) over its shots, pytest start-up included. It measures a fresh build of the real catalogue unless
``VISUAL_BENCH_CATALOGUE`` names another catalogue directory.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from catalogue.build import build_catalogue
from catalogue.visual.capture import Harness, default_concurrency
from catalogue.visual.compare import compare_images
from catalogue.visual.index import load_story_ids, shots_for
from catalogue.visual.syrupy_png import SUITE_THRESHOLD
from catalogue.visual.verify import same_pixels

ROOT = Path(__file__).resolve().parents[2]
WARM_UP = 4


async def _per_shot(catalogue: Path) -> dict[str, float]:
    shots = sorted(
        shots_for(load_story_ids(catalogue)), key=lambda s: (s.viewport, s.theme, s.story_id)
    )
    async with Harness(concurrency=1, method="navigate") as navigating:
        baselines = await navigating.capture(catalogue, shots)
    samples = []
    differing = 0
    async with Harness(concurrency=1, method="swap") as harness:
        for shot in shots[:WARM_UP]:
            await harness.screenshot(catalogue, shot, 0)
        for shot in shots:
            start = time.perf_counter()
            png = await harness.screenshot(catalogue, shot, 0)
            result = compare_images(baselines[shot], png, threshold=SUITE_THRESHOLD)
            samples.append(time.perf_counter() - start)
            assert result.passed, shot.key
            differing += not same_pixels(baselines[shot], png)
    return {
        "screenshot_ms_p50": round(statistics.median(samples) * 1000, 1),
        "swap_vs_navigation_differing_shots": differing,
    }


def _suite(catalogue: Path, work: Path) -> dict[str, float]:
    suite = work / "suite"
    suite.mkdir()
    shutil.copy(ROOT / "tests" / "visual" / "test_visual.py", suite / "test_visual.py")
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "catalogue.visual.pytest_plugin",
        "-p", "no:cacheprovider", f"--catalogue-dir={catalogue}",
        f"--visual-report-dir={work / 'report'}", str(suite),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([*cmd, "--snapshot-update"], cwd=work, env=env, check=True, capture_output=True)
    walls = []
    for selection in ([], ["-k", "test_screenshot_matches_baseline"]):
        start = time.perf_counter()
        subprocess.run([*cmd, *selection], cwd=work, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    shots = len(shots_for(load_story_ids(catalogue)))
    return {
        "visual_suite_s": round(walls[0], 2),
        "visual_suite_pages": default_concurrency(),
        # screenshots only, like the Playwright Test anchor (the suite also runs axe)
        "visual_ms_per_shot": round(walls[1] / shots * 1000, 1),
    }


def run() -> dict[str, float]:
    """``screenshot_ms_p50`` (target <= 100), ``visual_ms_per_shot``, ``visual_suite_s``."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        given = os.environ.get("VISUAL_BENCH_CATALOGUE")
        catalogue = Path(given) if given else work / "catalogue"
        if not given:
            build_catalogue(catalogue)
        return {**asyncio.run(_per_shot(catalogue)), **_suite(catalogue, work)}


if __name__ == "__main__":
    print(run())
