"""Every story of the catalogue in every mode matches its screenshot baseline and passes axe.

Baselines: ``tests/visual/__snapshots__/test_visual/*.png`` (browser: ``chromium-version.txt``) and
``*.json`` (non-blocking axe findings). Update with ``pytest tests/visual --snapshot-update``.
"""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from catalogue.visual.a11y import A11yResult
from catalogue.visual.capture import Shot


def test_screenshot_matches_baseline(
    visual_shot: Shot, visual_screenshots: dict[Shot, bytes], png_snapshot: SnapshotAssertion
) -> None:
    assert visual_screenshots[visual_shot] == png_snapshot


def test_accessibility(
    a11y_case: tuple[str, str],
    visual_a11y: dict[tuple[str, str], A11yResult],
    a11y_snapshot: SnapshotAssertion,
) -> None:
    result = visual_a11y[a11y_case]
    assert not result.blocking, result.describe_blocking()
    assert result.non_blocking_summary() == a11y_snapshot
