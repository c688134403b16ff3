"""Visual benchmarks: one warm capture+compare, and the whole visual suite.

``visual_suite_s`` runs ``tests/visual/test_visual.py`` (screenshots + axe) on a copy in a temporary
directory, so committed baselines are never touched: baselines are recorded first (untimed), then
the checking run is timed. It measures a fresh build of the real catalogue (every story × mode)
unless ``VISUAL_BENCH_CATALOGUE`` names another catalogue directory.
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
from catalogue.visual.capture import Harness, Shot
from catalogue.visual.compare import compare_images
from catalogue.visual.index import load_story_ids, shots_for
from catalogue.visual.syrupy_png import SUITE_THRESHOLD

ROOT = Path(__file__).resolve().parents[2]
REPEAT = 20


async def _screenshot_ms(catalogue: Path, shot: Shot) -> float:
    async with Harness(concurrency=1) as harness:
        baseline = await harness.screenshot(catalogue, shot, 0)
        await harness.screenshot(catalogue, shot, 0)  # warm-up
        samples = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            png = await harness.screenshot(catalogue, shot, 0)
            result = compare_images(baseline, png, threshold=SUITE_THRESHOLD)
            samples.append(time.perf_counter() - start)
            assert result.passed
    return round(statistics.median(samples) * 1000, 1)


def _suite_s(catalogue: Path, work: Path) -> float:
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
    start = time.perf_counter()
    subprocess.run(cmd, cwd=work, env=env, check=True, capture_output=True)
    return round(time.perf_counter() - start, 2)


def run() -> dict[str, float]:
    """``screenshot_ms_p50`` (target <= 150) and ``visual_suite_s`` (target <= 60)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        given = os.environ.get("VISUAL_BENCH_CATALOGUE")
        catalogue = Path(given) if given else work / "catalogue"
        if not given:
            build_catalogue(catalogue)
        shot = shots_for(load_story_ids(catalogue))[-1]
        return {
            "screenshot_ms_p50": asyncio.run(_screenshot_ms(catalogue, shot)),
            "visual_suite_s": _suite_s(catalogue, work),
        }


if __name__ == "__main__":
    print(run())
