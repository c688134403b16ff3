"""pytest plugin: catalogue-driven parametrisation, batch capture, PNG/a11y snapshots, diff report.

Activate with ``-p catalogue.visual.pytest_plugin`` (``tests/visual/conftest.py`` registers it
when it is not already). Tests ask for:

* ``visual_shot`` — parametrised over ``index.json`` x dark/light x mobile/desktop;
* ``visual_screenshots`` — every selected shot captured in one batch (session-scoped);
* ``png_snapshot`` — the syrupy assertion for the current shot (tolerant PNG baselines);
* ``a11y_case`` / ``visual_a11y`` / ``a11y_snapshot`` — the same for axe-core per story x theme.

The catalogue directory is ``--catalogue-dir``, else ``$VISUAL_CATALOGUE_DIR`` (built first when
it has no ``index.json``), else a fresh build in ``build/visual-catalogue`` made for this run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from . import index
from .a11y import (
    A11Y_CONCURRENCY,
    A11yResult,
    axe_harness,
    axe_script_path,
    check_accessibility,
    write_results,
)
from .capture import DEFAULT_CONCURRENCY, THEMES, Harness, Shot
from .report import VisualReport
from .syrupy_png import (
    CompareOptions,
    ShotContext,
    chromium_note,
    png_assertion,
    read_recorded_version,
    write_recorded_version,
)

ENV_CATALOGUE = "VISUAL_CATALOGUE_DIR"
PROGRESS_EVERY = 10


@dataclass
class VisualState:
    """Per-session state shared by the fixtures and the reporting hooks."""

    report: VisualReport
    options: CompareOptions = field(default_factory=CompareOptions)
    catalogue_dir: Path | None = None
    running_chromium: str | None = None
    recorded: dict[Path, str | None] = field(default_factory=dict)
    a11y_blocking: list[str] = field(default_factory=list)
    screenshots: dict[Shot, bytes] | None = None
    a11y: dict[tuple[str, str], A11yResult] | None = None


STATE = pytest.StashKey[VisualState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("visual", "visual regression and accessibility")
    group.addoption("--catalogue-dir", default=None, help="catalogue build dir (index.json)")
    group.addoption(
        "--visual-report-dir", default=None, help="diff report dir [build/visual-report]"
    )
    group.addoption(
        "--visual-concurrency", type=int, default=None,
        help=f"pages captured in parallel [{DEFAULT_CONCURRENCY}]",
    )  # fmt: skip
    group.addoption(
        "--shard", default=None, metavar="I/N",
        help="run only shard I of N (1-based) of the stories, for a CI matrix: a story's shots "
        "and axe runs stay in one shard, the same on every machine",
    )  # fmt: skip


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → ``(2, 4)``; anything else is a usage error."""
    index, sep, count = text.partition("/")
    if not (sep and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise pytest.UsageError(f"--shard wants I/N with 1 <= I <= N, got {text!r}")
    return int(index), int(count)


def in_shard(story_ids: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The stories of ``shard``: round-robin over the sorted ids, so shards stay balanced and
    every machine picks the same ones."""
    if shard is None:
        return story_ids
    index, count = shard
    return [s for k, s in enumerate(sorted(story_ids)) if k % count == index - 1]


def pytest_configure(config: pytest.Config) -> None:
    if STATE in config.stash:
        return
    shard = config.getoption("shard", default=None)
    if shard:
        parse_shard(shard)
        # Other shards' baselines are not used here: that is expected, not stale.
        config.option.warn_unused_snapshots = True
    report_dir = config.getoption("visual_report_dir", default=None)
    out = Path(report_dir) if report_dir else config.rootpath / "build" / "visual-report"
    config.stash[STATE] = VisualState(report=VisualReport(out))


def _state(config: pytest.Config) -> VisualState:
    pytest_configure(config)
    return config.stash[STATE]


def catalogue_dir(config: pytest.Config) -> Path:
    """The catalogue to test (built on first use when missing)."""
    state = _state(config)
    if state.catalogue_dir is None:
        given = config.getoption("catalogue_dir", default=None) or os.environ.get(ENV_CATALOGUE)
        if given:
            state.catalogue_dir = index.ensure_catalogue(Path(given).resolve())
        else:
            # Our own fresh build every run: a stale catalogue must never be screenshotted.
            fresh = (config.rootpath / "build" / "visual-catalogue").resolve()
            shutil.rmtree(fresh, ignore_errors=True)
            state.catalogue_dir = index.ensure_catalogue(fresh)
    return state.catalogue_dir


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    wanted = {"visual_shot", "a11y_case"} & set(metafunc.fixturenames)
    if not wanted:
        return
    shard = metafunc.config.getoption("shard", default=None)
    story_ids = in_shard(index.load_story_ids(catalogue_dir(metafunc.config)),
                         parse_shard(shard) if shard else None)  # fmt: skip
    if "visual_shot" in wanted:
        shots = index.shots_for(story_ids)
        metafunc.parametrize("visual_shot", shots, ids=[s.key for s in shots])
    if "a11y_case" in wanted:
        cases = [(s, t) for s in story_ids for t in THEMES]
        metafunc.parametrize("a11y_case", cases, ids=[f"{s}--{t}" for s, t in cases])


def _selected(session: pytest.Session, name: str) -> list[object]:
    params = []
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and name in callspec.params:
            params.append(callspec.params[name])
    return params


def _progress(config: pytest.Config, label: str) -> Callable[[int, int], None]:
    """``label N/M`` lines on the terminal, past pytest's output capture."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capman = config.pluginmanager.get_plugin("capturemanager")

    def report(done: int, total: int) -> None:
        if reporter is None or not (done % PROGRESS_EVERY == 0 or done == total):
            return
        if capman is None:
            reporter.write_line(f"{label} {done}/{total}")
            return
        with capman.global_and_fixture_disabled():
            reporter.write_line(f"{label} {done}/{total}")

    return report


class Screenshots(dict[Shot, bytes]):
    """Captured PNGs by shot (short repr: tracebacks must not print megabytes of PNG)."""

    def __repr__(self) -> str:
        return f"<{len(self)} screenshots>"


class A11yResults(dict[tuple[str, str], A11yResult]):
    """axe results by (story id, theme), with a short repr."""

    def __repr__(self) -> str:
        return f"<{len(self)} axe results>"


def _concurrency(config: pytest.Config) -> int:
    value = config.getoption("visual_concurrency", default=None)
    return int(value) if value else DEFAULT_CONCURRENCY


@pytest.fixture(scope="session")
def visual_catalogue_dir(pytestconfig: pytest.Config) -> Path:
    """The catalogue build directory under test."""
    return catalogue_dir(pytestconfig)


def _batch(request: pytest.FixtureRequest, catalogue: Path) -> VisualState:
    """Capture every selected shot and axe every selected case, once, in parallel.

    Screenshots (one browser, compositor-bound) and axe (another browser, JavaScript-bound in its
    renderers) overlap well, so the whole batch takes about as long as the longer half.
    """
    config = request.config
    state = _state(config)
    if state.screenshots is not None:
        return state
    state.report.clear_output()
    shots = [s for s in _selected(request.session, "visual_shot") if isinstance(s, Shot)]
    cases = [c for c in _selected(request.session, "a11y_case") if isinstance(c, tuple)]

    async def capture() -> dict[Shot, bytes]:
        if not shots:
            return {}
        async with Harness(concurrency=_concurrency(config)) as harness:
            state.running_chromium = harness.browser_version
            return await harness.capture(catalogue, shots, _progress(config, "visual: captured"))

    async def audit() -> dict[tuple[str, str], A11yResult]:
        if not cases:
            return {}
        axe = axe_script_path()
        given = config.getoption("visual_concurrency", default=None)
        async with axe_harness(axe, concurrency=int(given or A11Y_CONCURRENCY)) as harness:
            return await check_accessibility(
                harness, catalogue, list(dict.fromkeys(c[0] for c in cases)),
                list(dict.fromkeys(c[1] for c in cases)), axe_path=axe,
                progress=_progress(config, "a11y: checked"),
            )  # fmt: skip

    async def both() -> tuple[dict[Shot, bytes], dict[tuple[str, str], A11yResult]]:
        return await asyncio.gather(capture(), audit())

    pngs, results = asyncio.run(both())
    state.screenshots = Screenshots(pngs)
    state.a11y = A11yResults(results)
    if results:
        write_results(catalogue, results)
    state.a11y_blocking = [r.describe_blocking() for r in results.values() if r.blocking]
    return state


@pytest.fixture(scope="session")
def visual_screenshots(
    request: pytest.FixtureRequest, visual_catalogue_dir: Path
) -> dict[Shot, bytes]:
    """PNGs of every selected story x mode, captured in one browser batch."""
    screenshots = _batch(request, visual_catalogue_dir).screenshots
    assert screenshots is not None
    return screenshots


@pytest.fixture(scope="session")
def visual_a11y(
    request: pytest.FixtureRequest, visual_catalogue_dir: Path
) -> dict[tuple[str, str], A11yResult]:
    """axe-core results for every selected story x theme (also written to ``<catalogue>/a11y``)."""
    results = _batch(request, visual_catalogue_dir).a11y
    assert results is not None
    return results


@pytest.fixture
def png_snapshot(
    request: pytest.FixtureRequest,
    snapshot: SnapshotAssertion,
    visual_shot: Shot,
    visual_screenshots: dict[Shot, bytes],
) -> SnapshotAssertion:
    """syrupy assertion comparing the current shot to its PNG baseline, tolerantly."""
    state = _state(request.config)
    # beside __snapshots__, not in it: syrupy claims every file under __snapshots__ as a snapshot
    # collection, so an extra file there would be reported unused and deleted on update
    version_dir = Path(snapshot.test_location.filepath).parent
    if version_dir not in state.recorded:
        state.recorded[version_dir] = read_recorded_version(version_dir)
    updating = bool(request.config.getoption("update_snapshots", default=False))
    context = ShotContext(
        label=visual_shot.key,
        options=state.options,
        running_chromium=state.running_chromium,
        recorded_chromium=state.recorded[version_dir],
        report=None if updating else state.report,
    )
    return png_assertion(snapshot, context)


@pytest.fixture
def a11y_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """syrupy JSON snapshot (one file per story x theme) for the non-blocking axe findings."""
    return snapshot.use_extension(JSONSnapshotExtension)


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    if session.config.getoption("update_snapshots", default=False) and state.running_chromium:
        for version_dir in state.recorded:
            write_recorded_version(version_dir, state.running_chromium)
        return
    for recorded in state.recorded.values():
        note = chromium_note(recorded, state.running_chromium)
        if note:
            state.report.add_note(note)
    state.report.write()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    state = terminalreporter.config.stash.get(STATE, None)
    if state is None:
        return
    report = state.report
    if not (report.failures or report.notes or state.a11y_blocking):
        return
    terminalreporter.section("visual regression", sep="=")
    for note in report.notes:
        terminalreporter.write_line(note, yellow=True)
    for failure in sorted(report.failures, key=lambda f: f.label):
        terminalreporter.write_line(f"DIFF {failure.summary_line()}", red=True)
    if report.failures:
        terminalreporter.write_line(f"report: {report.out_dir / 'index.html'}")
    for text in state.a11y_blocking:
        terminalreporter.write_line(f"A11Y {text.splitlines()[0]}", red=True)
