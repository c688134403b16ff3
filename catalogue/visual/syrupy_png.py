"""A syrupy extension storing PNG baselines and matching them with the tolerant comparison.

One ``.png`` per snapshot under ``__snapshots__/<test module>/`` (syrupy's single-file layout), so
``--snapshot-update`` writes baselines and unused baselines fail the run as with any syrupy
snapshot. ``chromium-version.txt`` beside the ``__snapshots__`` directory records the browser that
drew them (not inside it: syrupy treats every file there as a snapshot collection and would report
it unused); when it differs from the running browser, failures say so first.

Per-assertion settings live in :class:`ShotContext`, attached with :func:`png_assertion` (syrupy
builds extensions with no arguments, so the context is set on the instance afterwards).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

if TYPE_CHECKING:
    from syrupy.location import PyTestLocation

from .compare import CompareResult, Rect, compare_images
from .report import Failure, VisualReport

__all__ = [
    "SUITE_THRESHOLD",
    "VERSION_FILE",
    "A11yJSONExtension",
    "CompareOptions",
    "QuickLocationMatch",
    "ShotContext",
    "TolerantPNGExtension",
    "chromium_note",
    "png_assertion",
    "read_recorded_version",
    "write_recorded_version",
]

VERSION_FILE = "chromium-version.txt"


#: The suite's colour threshold. Stricter than Playwright's 0.2, which lets the primary token's
#: dark -> light swap (#1A85FF -> #00B0FF) pass unnoticed; captures are deterministic (one pinned
#: browser, no GPU), and anti-aliasing is still tolerated by pixelmatch's AA detection.
SUITE_THRESHOLD = 0.1


@dataclass(frozen=True)
class CompareOptions:
    """Tolerances passed to :func:`catalogue.visual.compare.compare_images`."""

    threshold: float = SUITE_THRESHOLD
    include_aa: bool = False
    max_diff_pixels: int | None = None
    max_diff_pixel_ratio: float | None = None
    masks: tuple[Rect, ...] = ()


@dataclass
class ShotContext:
    """What one screenshot assertion needs beyond the bytes."""

    label: str
    options: CompareOptions = field(default_factory=CompareOptions)
    running_chromium: str | None = None
    recorded_chromium: str | None = None
    report: VisualReport | None = None

    @property
    def version_note(self) -> str:
        """Non-empty when the baselines were drawn by another Chromium."""
        return chromium_note(self.recorded_chromium, self.running_chromium)


def chromium_note(recorded: str | None, running: str | None) -> str:
    """Explain a browser version mismatch (empty string when versions agree or are unknown)."""
    if not recorded or not running or recorded == running:
        return ""
    return (
        f"Chromium version mismatch: baselines were recorded with Chromium {recorded}, "
        f"this run uses {running}; differences may come from the browser rather than the "
        "change. Re-record with --snapshot-update once the new rendering is checked."
    )


def read_recorded_version(version_dir: Path) -> str | None:
    """The Chromium version recorded in ``version_dir`` (the test module's directory), if any."""
    path = Path(version_dir) / VERSION_FILE
    if not path.is_file():
        return None
    return path.read_text().strip() or None


def write_recorded_version(version_dir: Path, version: str) -> None:
    """Record the Chromium version that drew the baselines (in the test module's directory)."""
    Path(version_dir).mkdir(parents=True, exist_ok=True)
    (Path(version_dir) / VERSION_FILE).write_text(version + "\n")


_NOT_IN_FILENAMES = frozenset('\\/?*:|"<>')


class QuickLocationMatch(SingleFileSnapshotExtension):
    """A string test before syrupy's own when it asks whether a snapshot file belongs to a test.

    At the end of a run syrupy asks that for every (snapshot file, test that ran) pair — 390
    baselines × 260 shots here — and each answer resolves paths and sanitises the name character
    by character: 4 s of a 21 s screenshots-only run.  For a parametrised test whose id syrupy
    stores unchanged (printable, no character it strips, far from the 255-character cut), the
    file can only be ``<id>.<ext>`` (or syrupy's ``<id>.…`` / ``<id>[…`` forms), so any other
    name is answered "no" at once; everything else gets syrupy's full check.
    """

    @classmethod
    def matches_test_location(
        cls, *, test_location: PyTestLocation, snapshot_location: str
    ) -> bool:
        name = test_location.snapshot_name_parametrized
        if (test_location.is_item_parametrized and len(name) < 200 and name.isprintable()
                and _NOT_IN_FILENAMES.isdisjoint(name)):  # fmt: skip
            stem = os.path.splitext(os.path.basename(snapshot_location))[0]
            if not (stem == name or stem.startswith((f"{name}.", f"{name}["))
                    or stem == _module_stem(str(test_location.filepath))):  # fmt: skip
                return False
        return super().matches_test_location(
            test_location=test_location, snapshot_location=snapshot_location
        )


@functools.lru_cache(maxsize=256)
def _module_stem(filepath: str) -> str:
    """``PyTestLocation.basename`` (a ``Path`` parse per call), once per test module."""
    return Path(filepath).stem


class A11yJSONExtension(QuickLocationMatch, JSONSnapshotExtension):
    """syrupy's JSON single-file snapshots, with :class:`QuickLocationMatch`."""


class TolerantPNGExtension(QuickLocationMatch, SingleFileSnapshotExtension):
    """PNG single-file snapshots compared with pixelmatch semantics instead of byte equality."""

    file_extension = "png"
    _write_mode = WriteMode.BINARY

    def __init__(self) -> None:
        self.context = ShotContext(label="")
        self._last: CompareResult | None = None

    def _compare(self, actual: bytes, expected: bytes) -> CompareResult:
        o = self.context.options
        return compare_images(
            expected, actual, threshold=o.threshold, include_aa=o.include_aa,
            max_diff_pixels=o.max_diff_pixels, max_diff_pixel_ratio=o.max_diff_pixel_ratio,
            masks=o.masks,
        )  # fmt: skip

    def matches(self, *, serialized_data: Any, snapshot_data: Any) -> bool:
        """Tolerant match; a failure is added to the visual report with expected/actual/diff."""
        actual, expected = bytes(serialized_data), bytes(snapshot_data)
        result = self._last = self._compare(actual, expected)
        if result.passed and self.context.report is not None:
            self.context.report.add_pass(self.context.label or "screenshot")
        if not result.passed and self.context.report is not None:
            note = self.context.version_note
            if note:
                self.context.report.add_note(note)
            self.context.report.add(
                Failure(
                    label=self.context.label or "screenshot",
                    message=result.message,
                    actual_png=actual,
                    expected_png=expected,
                    diff_png=result.diff_png(),
                    note="Chromium version differs from the baselines'" if note else "",
                )
            )
        return result.passed

    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        """A short explanation instead of syrupy's text diff of PNG bytes."""
        note = self.context.version_note
        if note:
            yield note
        if not snapshot_data:
            yield f"{self.context.label}: no baseline; run pytest with --snapshot-update"
            return
        result = self._last or self._compare(bytes(serialized_data), bytes(snapshot_data))
        yield f"{self.context.label}: {result.message}"
        if self.context.report is not None:
            yield f"diff report: {self.context.report.out_dir / 'index.html'}"


def png_assertion(snapshot: SnapshotAssertion, context: ShotContext) -> SnapshotAssertion:
    """``snapshot`` switched to :class:`TolerantPNGExtension` configured with ``context``."""
    assertion = snapshot.use_extension(TolerantPNGExtension)
    extension = assertion.extension
    assert isinstance(extension, TolerantPNGExtension)
    extension.context = context
    return assertion
