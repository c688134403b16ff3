"""pytest plugin: catalogue-driven parametrisation, batch capture, PNG/a11y snapshots, diff report.

Activate with ``-p catalogue.visual.pytest_plugin`` (``tests/visual/conftest.py`` registers it
when it is not already). Tests ask for:

* ``visual_shot`` — parametrised over ``index.json`` x dark/light x mobile/desktop;
* ``visual_screenshots`` — PNGs by shot: every selected shot is queued for capture at once on
  ``--visual-concurrency`` pages (``$VISUAL_CONCURRENCY``, default one per core) and tests compare
  each as soon as it is there; under ``pytest-xdist`` each worker has its own browser and captures
  a shot when its test asks (a worker cannot know its tests in advance);
* ``png_snapshot`` — the syrupy assertion for the current shot (tolerant PNG baselines);
* ``a11y_case`` / ``visual_a11y`` / ``a11y_snapshot`` — the same for axe-core per story x theme.

Every process writes a fragment of its outcomes into the report directory; the run's
``index.html`` lists every shot (under xdist the controller merges the workers' fragments;
``python -m catalogue.visual.report --merge`` merges ``--shard`` jobs).

The catalogue directory is ``--catalogue-dir``, else ``$VISUAL_CATALOGUE_DIR`` (built first when
it has no ``index.json``), else a fresh build in ``build/visual-catalogue`` made for this run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from syrupy.assertion import SnapshotAssertion

from . import index
from .a11y import (
    A11Y_CONCURRENCY,
    A11Y_VIEWPORT,
    A11yResult,
    axe_harness,
    axe_script_path,
    run_axe,
    write_results,
)
from .background import BrowserLoop, JobQueue
from .capture import CAPTURE_METHODS, THEMES, Harness, Shot, default_concurrency
from .report import VisualReport, merge, read_fragments
from .syrupy_png import (
    A11yJSONExtension,
    CompareOptions,
    ShotContext,
    chromium_note,
    png_assertion,
    read_recorded_version,
    write_recorded_version,
)

ENV_CATALOGUE = "VISUAL_CATALOGUE_DIR"
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class VisualState:
    """Per-session state shared by the fixtures and the reporting hooks."""

    report: VisualReport
    options: CompareOptions = field(default_factory=CompareOptions)
    catalogue_dir: Path | None = None
    running_chromium: str | None = None
    recorded: dict[Path, str | None] = field(default_factory=dict)
    a11y_blocking: list[str] = field(default_factory=list)
    loop: BrowserLoop | None = None
    summary: list[str] = field(default_factory=list)  # DIFF lines of the merged outcomes
    stale: list[str] = field(default_factory=list)  # baselines of stories the catalogue lacks
    warn_stale: bool = False  # --snapshot-warn-unused: report stale baselines, do not fail


STATE = pytest.StashKey[VisualState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("visual", "visual regression and accessibility")
    group.addoption("--catalogue-dir", default=None, help="catalogue build dir (index.json)")
    group.addoption(
        "--visual-report-dir", default=None, help="diff report dir [build/visual-report]"
    )
    group.addoption(
        "--visual-concurrency", type=int, default=None,
        help="pages captured in parallel per process [$VISUAL_CONCURRENCY, else one per core; "
        "1 per xdist worker]",
    )  # fmt: skip
    group.addoption(
        "--visual-capture", choices=CAPTURE_METHODS, default="swap",
        help="show each frame by swapping it into a page of the same mode (default) or by "
        "navigating to it; both give the same pixels (python -m catalogue.visual.verify)",
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
    # asked for by the user, not implied by --shard below: stale baselines then only warn
    warn_stale = bool(getattr(config.option, "warn_unused_snapshots", False))
    shard = config.getoption("shard", default=None)
    if shard:
        parse_shard(shard)
        # Other shards' baselines are not used here: that is expected, not stale.
        config.option.warn_unused_snapshots = True
    report_dir = config.getoption("visual_report_dir", default=None)
    out = Path(report_dir) if report_dir else config.rootpath / "build" / "visual-report"
    config.stash[STATE] = VisualState(report=VisualReport(out), warn_stale=warn_stale)


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


def is_xdist_worker(config: pytest.Config) -> bool:
    """True in a ``pytest-xdist`` worker process."""
    return hasattr(config, "workerinput")


def is_xdist_controller(config: pytest.Config) -> bool:
    """True in the process that distributes tests to xdist workers."""
    return config.pluginmanager.has_plugin("dsession")


class LazyResults(Mapping[K, V]):
    """Results by key, each computed by a :class:`JobQueue` when first asked for (short repr:
    tracebacks must not print megabytes of PNG)."""

    def __init__(self, keys: list[K], queue: JobQueue[K, V], kind: str) -> None:
        self._keys = keys
        self._queue = queue
        self._kind = kind

    def __getitem__(self, key: K) -> V:
        if key not in self._keys:
            raise KeyError(key)
        return self._queue.get(key)

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<{len(self)} {self._kind}>"


def _concurrency(config: pytest.Config, default: int) -> int:
    value = config.getoption("visual_concurrency", default=None)
    if value:
        return int(value)
    return 1 if is_xdist_worker(config) else default


@pytest.fixture(scope="session")
def visual_catalogue_dir(pytestconfig: pytest.Config) -> Path:
    """The catalogue build directory under test."""
    return catalogue_dir(pytestconfig)


@pytest.fixture(scope="session")
def visual_browser_loop(pytestconfig: pytest.Config) -> Iterator[BrowserLoop]:
    """The event loop thread the session's browsers run on (closed at the end of the session)."""
    state = _state(pytestconfig)
    state.loop = BrowserLoop()
    yield state.loop
    state.loop.close()


def _open(
    loop: BrowserLoop, harness: Harness, job: Callable[[K, int], Awaitable[V]], keys: list[K],
    prefetch: bool,
) -> tuple[JobQueue[K, V], Callable[[], None]]:  # fmt: skip
    """Start ``harness`` on ``loop``; a queue running ``job`` on its pages, and how to close."""
    loop.run(harness.__aenter__())
    queue = JobQueue(loop, job, harness.concurrency)
    if prefetch:
        queue.prefetch(keys)

    def close() -> None:
        queue.stop()
        loop.run(harness.__aexit__(None, None, None))

    return queue, close


@pytest.fixture(scope="session")
def visual_screenshots(
    request: pytest.FixtureRequest, visual_catalogue_dir: Path, visual_browser_loop: BrowserLoop
) -> Iterator[Mapping[Shot, bytes]]:
    """PNGs of every selected story x mode, captured in one browser per process."""
    config = request.config
    state = _state(config)
    shots = [s for s in _selected(request.session, "visual_shot") if isinstance(s, Shot)]
    # mode by mode: each page keeps showing frames of its own mode, which is what a swap needs
    shots.sort(key=lambda s: (s.viewport, s.theme, s.story_id))
    harness = Harness(
        concurrency=_concurrency(config, default_concurrency()),
        method=config.getoption("visual_capture", default="swap"),
    )

    async def job(shot: Shot, worker: int) -> bytes:
        return await harness.screenshot(visual_catalogue_dir, shot, worker)

    queue, close = _open(visual_browser_loop, harness, job, shots, not is_xdist_worker(config))
    state.running_chromium = harness.browser_version
    yield LazyResults(shots, queue, "screenshots")
    close()


@pytest.fixture(scope="session")
def visual_a11y(
    request: pytest.FixtureRequest, visual_catalogue_dir: Path, visual_browser_loop: BrowserLoop
) -> Iterator[Mapping[tuple[str, str], A11yResult]]:
    """axe-core results for every selected story x theme (also written to ``<catalogue>/a11y``).

    axe runs in a second browser, alongside the screenshots: screenshots are compositor-bound,
    axe is JavaScript-bound in its renderers, so the two overlap well.
    """
    config = request.config
    state = _state(config)
    cases = [c for c in _selected(request.session, "a11y_case") if isinstance(c, tuple)]
    axe = axe_script_path()
    harness = axe_harness(axe, concurrency=_concurrency(config, A11Y_CONCURRENCY))

    async def job(case: tuple[str, str], worker: int) -> A11yResult:
        shot = Shot(case[0], case[1], A11Y_VIEWPORT)
        result = await run_axe(harness, visual_catalogue_dir, shot, worker, axe_path=axe)
        write_results(visual_catalogue_dir, {case: result})
        if result.blocking:
            state.a11y_blocking.append(result.describe_blocking())
        return result

    queue, close = _open(visual_browser_loop, harness, job, cases, not is_xdist_worker(config))
    yield LazyResults(cases, queue, "axe results")
    close()


@pytest.fixture
def png_snapshot(
    request: pytest.FixtureRequest,
    snapshot: SnapshotAssertion,
    visual_shot: Shot,
    visual_screenshots: Mapping[Shot, bytes],
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
    return snapshot.use_extension(A11yJSONExtension)


def pytest_sessionstart(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is not None and not is_xdist_worker(session.config):
        state.report.clear_output()  # workers share the controller's report directory


_BASELINE = re.compile(
    r"^test_(?:screenshot_matches_baseline|accessibility)\[(?P<id>.+)\]\.(?:png|json)$"
)


def stale_baselines(snapshot_dir: Path, story_ids: list[str]) -> list[Path]:
    """Baselines in ``snapshot_dir`` whose story × mode the catalogue does not have.

    syrupy reports an unused single-file snapshot only when pytest was given no path (with
    paths, a file no test that ran matches is skipped), so ``pytest tests/visual``, ``nox -s
    visual`` and every ``--shard`` run would keep a removed story's baselines forever.  This
    check knows every shot of the whole catalogue, whatever the selection or the shard.
    """
    if not snapshot_dir.is_dir():
        return []
    known = {s.key for s in index.shots_for(story_ids)}
    known |= {f"{s}--{t}" for s in story_ids for t in THEMES}
    return sorted(p for p in snapshot_dir.iterdir()
                  if (m := _BASELINE.match(p.name)) and m["id"] not in known)  # fmt: skip


def _check_stale(session: pytest.Session, state: VisualState, updating: bool) -> None:
    if state.catalogue_dir is None or is_xdist_worker(session.config):
        return
    dirs = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and {"visual_shot", "a11y_case"} & set(callspec.params):
            dirs.add(item.path.parent / "__snapshots__" / item.path.stem)
    story_ids = index.load_story_ids(state.catalogue_dir)
    for snapshot_dir in sorted(dirs):
        for path in stale_baselines(snapshot_dir, story_ids):
            if updating:
                path.unlink()
                state.stale.append(f"deleted {path.name} (no such story in the catalogue)")
            else:
                state.stale.append(f"STALE {path.name}: no such story in the catalogue; "
                                   "pytest --snapshot-update deletes it")  # fmt: skip
    if state.stale and not updating and not state.warn_stale:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(STATE, None)
    if state is None:
        return
    _check_stale(session, state, bool(config.getoption("update_snapshots", default=False)))
    if config.getoption("update_snapshots", default=False):
        if state.running_chromium:
            for version_dir in state.recorded:
                write_recorded_version(version_dir, state.running_chromium)
        return
    for recorded in state.recorded.values():
        note = chromium_note(recorded, state.running_chromium)
        if note:
            state.report.add_note(note)
    if is_xdist_worker(config):
        state.report.write_fragment(str(config.workerinput["workerid"]))  # type: ignore[attr-defined]
        return
    if is_xdist_controller(config):
        merge([state.report.out_dir], state.report.out_dir)
    else:
        state.report.write("main")
    notes, outcomes = read_fragments([state.report.out_dir])
    for note in notes:
        state.report.add_note(note)
    state.summary = [
        f"DIFF {o.label}: {o.message}" + (f" [{o.note}]" if o.note else "")
        for o, _ in sorted(outcomes.values(), key=lambda v: v[0].label)
        if not o.passed
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    state = terminalreporter.config.stash.get(STATE, None)
    if state is None:
        return
    report = state.report
    if not (state.summary or report.notes or state.a11y_blocking or state.stale):
        return
    terminalreporter.section("visual regression", sep="=")
    for line in state.stale:
        terminalreporter.write_line(line, red=line.startswith("STALE"))
    for note in report.notes:
        terminalreporter.write_line(note, yellow=True)
    for line in state.summary:
        terminalreporter.write_line(line, red=True)
    if state.summary:
        terminalreporter.write_line(f"report: {report.out_dir / 'index.html'}")
    for text in state.a11y_blocking:
        terminalreporter.write_line(f"A11Y {text.splitlines()[0]}", red=True)
