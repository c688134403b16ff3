"""The pytest plugin + syrupy extension, run as a user runs them (pytest inside pytest)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from catalogue.visual.syrupy_png import VERSION_FILE

from .fake_catalogue import STORIES, make_fake_catalogue

REAL_SUITE = Path(__file__).parents[1] / "visual" / "test_visual.py"
SCREENSHOTS_ONLY = """
def test_screenshot_matches_baseline(visual_shot, visual_screenshots, png_snapshot):
    assert visual_screenshots[visual_shot] == png_snapshot
"""
ONE_STORY = STORIES[2:]  # low balance: also has a moderate (snapshotted) axe finding
SHOT_KEYS = {
    f"widget--low-balance--{t}-{v}" for t in ("dark", "light") for v in ("mobile", "desktop")
}


@pytest.fixture(autouse=True)
def not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runs below are their own sessions even when this test runs in an xdist worker:
    syrupy tells a worker by these variables, and a worker leaves unused-snapshot checks to its
    controller."""
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def catalogues(tmp_path: Path) -> dict[str, Path]:
    return {
        "original": make_fake_catalogue(tmp_path / "original", stories=ONE_STORY),
        "recoloured": make_fake_catalogue(
            tmp_path / "recoloured", stories=ONE_STORY, primary="#00B0FF"
        ),
    }


def run(pytester: pytest.Pytester, catalogue: Path, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p", "catalogue.visual.pytest_plugin", "-p", "syrupy",
        "-p", "no:cacheprovider", "-p", "no:asyncio",
        f"--catalogue-dir={catalogue}", f"--visual-report-dir={pytester.path / 'report'}",
        *args,
    )  # fmt: skip


def baselines(pytester: pytest.Pytester) -> Path:
    return pytester.path / "__snapshots__" / "test_visual"


def test_snapshot_update_writes_baselines_then_the_suite_passes(
    pytester: pytest.Pytester, catalogues: dict[str, Path]
) -> None:
    pytester.makepyfile(test_visual=REAL_SUITE.read_text())
    first = run(pytester, catalogues["original"], "--snapshot-update")
    first.assert_outcomes(passed=6)
    stored = baselines(pytester)
    pngs = {p.stem.split("[")[1].rstrip("]") for p in stored.glob("*.png")}
    assert pngs == SHOT_KEYS
    a11y = json.loads((stored / "test_accessibility[widget--low-balance--dark].json").read_text())
    assert a11y == {"heading-order": 1}
    assert (pytester.path / VERSION_FILE).read_text().strip().split(".")[0].isdigit()
    tab = json.loads(
        (catalogues["original"] / "a11y" / "widget--low-balance--light.json").read_text()
    )
    assert tab["blocking"] == 0 and tab["violations"][0]["id"] == "heading-order"

    second = run(pytester, catalogues["original"])
    second.assert_outcomes(passed=6)
    assert second.ret == 0, "nothing may be reported unused after an update"


def recorded_with_a_stray_baseline(pytester: pytest.Pytester, catalogue: Path) -> Path:
    """Baselines recorded for one story, plus one of a story the catalogue does not have."""
    pytester.makepyfile(test_visual=SCREENSHOTS_ONLY)
    run(pytester, catalogue, "--snapshot-update").assert_outcomes(passed=4)
    stray = baselines(pytester) / "test_screenshot_matches_baseline[widget--gone--dark-mobile].png"
    stray.write_bytes(next(baselines(pytester).glob("*.png")).read_bytes())
    return stray


def test_unused_baseline_fails_the_run(
    pytester: pytest.Pytester, catalogues: dict[str, Path]
) -> None:
    recorded_with_a_stray_baseline(pytester, catalogues["original"])

    result = run(pytester, catalogues["original"])
    result.assert_outcomes(passed=4)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*1 snapshot unused*"])
    assert run(pytester, catalogues["original"], "--snapshot-warn-unused").ret == 0


def test_a_baseline_of_a_story_the_catalogue_lacks_fails_even_when_paths_are_given(
    pytester: pytest.Pytester, catalogues: dict[str, Path]
) -> None:
    stray = recorded_with_a_stray_baseline(pytester, catalogues["original"])

    # with a path syrupy skips a file no test that ran matches; the plugin does not
    result = run(pytester, catalogues["original"], "test_visual.py", "--shard", "1/1")
    result.assert_outcomes(passed=4)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*STALE test_screenshot_matches_baseline[[]widget--gone*"])
    run(pytester, catalogues["original"], "test_visual.py", "--snapshot-update")
    assert not stray.exists() and len(list(baselines(pytester).glob("*.png"))) == 4
    assert run(pytester, catalogues["original"], "test_visual.py").ret == 0


def test_visual_change_fails_and_writes_the_report(
    pytester: pytest.Pytester, catalogues: dict[str, Path]
) -> None:
    pytester.makepyfile(test_visual=SCREENSHOTS_ONLY)
    run(pytester, catalogues["original"], "--snapshot-update").assert_outcomes(passed=4)

    result = run(pytester, catalogues["recoloured"])
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(
        [
            "*visual regression*",
            "DIFF widget--low-balance--dark-desktop: * pixels (ratio *) are different*",
            f"report: {pytester.path / 'report' / 'index.html'}",
        ]
    )
    report = pytester.path / "report"
    for key in SHOT_KEYS:
        for kind in ("expected", "actual", "diff"):
            assert (report / f"{key}-{kind}.png").stat().st_size > 0
    index = (report / "index.html").read_text()
    assert 'src="widget--low-balance--light-mobile-diff.png"' in index
    assert "4 visual difference(s)" in index


def test_chromium_version_mismatch_is_named_in_the_failure_and_report(
    pytester: pytest.Pytester, catalogues: dict[str, Path]
) -> None:
    pytester.makepyfile(test_visual=SCREENSHOTS_ONLY)
    run(pytester, catalogues["original"], "--snapshot-update").assert_outcomes(passed=4)
    (pytester.path / VERSION_FILE).write_text("1.0.0.0\n")

    result = run(pytester, catalogues["recoloured"])
    result.assert_outcomes(failed=4)
    message = (
        "Chromium version mismatch: baselines were recorded with Chromium 1.0.0.0, this run uses"
    )
    result.stdout.fnmatch_lines([f"E  * {message}*", f"{message}*"])
    assert message in (pytester.path / "report" / "index.html").read_text()


def test_shards_split_the_stories_and_together_run_them_all(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    catalogue = make_fake_catalogue(tmp_path / "all")
    pytester.makepyfile(test_visual=SCREENSHOTS_ONLY)
    run(pytester, catalogue, "--snapshot-update").assert_outcomes(passed=4 * len(STORIES))
    seen: list[str] = []
    for shard in ("1/2", "2/2"):
        result = run(pytester, catalogue, f"--shard={shard}", "-v")
        passed = [line.split(" PASSED")[0] for line in result.outlines if " PASSED" in line]
        result.assert_outcomes(passed=len(passed))
        assert result.ret == 0  # the other shard's baselines are not "unused" here
        seen += passed
    assert len(seen) == 4 * len(STORIES) and len(set(seen)) == len(seen)
    bad = run(pytester, catalogue, "--shard=3/2")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


def run_in_subprocess(pytester: pytest.Pytester, catalogue: Path, *args: str) -> pytest.RunResult:
    """As :func:`run`, in a child process (xdist starts its workers from there)."""
    return pytester.runpytest_subprocess(
        "-p", "catalogue.visual.pytest_plugin", "-p", "no:cacheprovider", "-p", "no:asyncio",
        f"--catalogue-dir={catalogue}", f"--visual-report-dir={pytester.path / 'report'}",
        *args,
    )  # fmt: skip


def report_title(report_dir: Path) -> str:
    return (report_dir / "index.html").read_text().split("<title>")[1].split("</title>")[0]


def test_xdist_workers_update_check_and_report_as_one_run(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    catalogue = make_fake_catalogue(tmp_path / "all", stories=ONE_STORY)
    recoloured = make_fake_catalogue(tmp_path / "recoloured", stories=ONE_STORY, primary="#00B0FF")
    shots = 4
    pytester.makepyfile(test_visual=SCREENSHOTS_ONLY)
    update = run_in_subprocess(pytester, catalogue, "-n", "2", "--snapshot-update")
    update.assert_outcomes(passed=shots)
    assert len(list(baselines(pytester).glob("*.png"))) == shots
    assert (pytester.path / VERSION_FILE).is_file()

    check = run_in_subprocess(pytester, catalogue, "-n", "2")
    check.assert_outcomes(passed=shots)
    assert check.ret == 0  # no worker's baselines reported unused by another
    report = pytester.path / "report"
    assert sorted(p.name for p in (report / "fragments").iterdir()) == ["gw0.json", "gw1.json"]
    assert report_title(report) == f"Visual report: 0 visual difference(s) in {shots} shot(s)"

    changed = run_in_subprocess(pytester, recoloured, "-n", "2")
    changed.assert_outcomes(failed=shots)
    changed.stdout.fnmatch_lines(["DIFF widget--low-balance--dark-desktop: *", "report: *"])
    assert report_title(report) == (
        f"Visual report: {shots} visual difference(s) in {shots} shot(s)"
    )
    assert len(list(report.glob("*-diff.png"))) == shots


def test_shard_reports_merge_into_one(pytester: pytest.Pytester, tmp_path: Path) -> None:
    two = STORIES[:2]
    catalogue = make_fake_catalogue(tmp_path / "all", stories=two)
    recoloured = make_fake_catalogue(tmp_path / "recoloured", stories=two, primary="#00B0FF")
    pytester.makepyfile(test_visual=SCREENSHOTS_ONLY)
    run(pytester, catalogue, "--snapshot-update").assert_outcomes(passed=4 * len(two))
    dirs = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / f"shard-{shard[0]}"
        run(pytester, recoloured, f"--shard={shard}", f"--visual-report-dir={out}")
        dirs.append(str(out))
    merged = tmp_path / "merged"
    result = pytester.run(
        sys.executable, "-m", "catalogue.visual.report", "--merge", *dirs, "--out", str(merged)
    )
    assert result.ret == 1  # there are differences
    shots = 4 * len(two)
    assert report_title(merged) == f"Visual report: {shots} visual difference(s) in {shots} shot(s)"
    assert len(list(merged.glob("*-actual.png"))) == shots
