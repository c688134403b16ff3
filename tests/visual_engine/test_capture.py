"""Capturing frames is deterministic, and real visual changes are caught."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

import catalogue.visual.capture as capture_module
from catalogue.visual.capture import Harness, Shot, capture, frame_path
from catalogue.visual.compare import compare_images
from catalogue.visual.index import load_story_ids, shots_for
from catalogue.visual.syrupy_png import SUITE_THRESHOLD
from catalogue.visual.verify import compare_methods, same_pixels

from .conftest import Captures
from .fake_catalogue import STORIES


def test_index_gives_every_story_in_four_modes(fake_catalogue_dir: Path) -> None:
    shots = shots_for(load_story_ids(fake_catalogue_dir))
    assert len(shots) == len(STORIES) * 4
    assert all(frame_path(fake_catalogue_dir, s).is_file() for s in shots)


def test_capturing_twice_gives_zero_differences(captures: Captures) -> None:
    """Also proves masking: each load writes a new random number into the masked element."""
    assert captures.first.keys() == captures.second.keys()
    for shot, png in captures.first.items():
        result = compare_images(png, captures.second[shot], threshold=0, include_aa=True)
        assert result.diff_pixels == 0, shot.key


def test_screenshot_is_the_widget_root_at_css_size(captures: Captures) -> None:
    widths = {s.viewport: Image.open(io.BytesIO(png)).size[0] for s, png in captures.first.items()}
    assert widths == {"mobile": 344, "desktop": 380}


@pytest.mark.parametrize("variant", ["recoloured", "repadded"])
def test_token_or_spacing_change_fails_the_comparison(captures: Captures, variant: str) -> None:
    changed: dict[Shot, bytes] = getattr(captures, variant)
    assert changed
    for shot, png in changed.items():
        result = compare_images(captures.first[shot], png, threshold=SUITE_THRESHOLD)
        assert not result.passed, f"{variant} {shot.key} went unnoticed"


def test_playwright_default_threshold_would_miss_the_primary_token_swap(captures: Captures) -> None:
    """Why the suite uses 0.1: at 0.2, #1A85FF -> #00B0FF is 'the same colour'."""
    shot, png = next(iter(captures.recoloured.items()))
    assert compare_images(captures.first[shot], png).passed


def test_recorded_browser_version_is_the_running_chromium(captures: Captures) -> None:
    assert captures.chromium.split(".")[0].isdigit()


def test_missing_frame_is_reported_by_name(fake_catalogue_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="widget--nope--dark-mobile"):
        capture(fake_catalogue_dir, [Shot("widget--nope", "dark", "mobile")])


async def test_frame_that_never_gets_ready_times_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "s--dark-mobile.html").write_text(
        '<div data-testid="AiCreditsWidget-x">never ready</div>'
    )
    monkeypatch.setattr(capture_module, "READY_TIMEOUT_MS", 300)
    async with Harness(concurrency=1) as harness:
        with pytest.raises(TimeoutError, match="data-widget-ready"):
            await harness.screenshot(tmp_path, Shot("s", "dark", "mobile"), 0)


@pytest.fixture(scope="module")
def real_catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from catalogue.build import build_catalogue

    out = tmp_path_factory.mktemp("real-catalogue")
    build_catalogue(out)
    return out


async def test_swapped_frames_have_the_pixels_of_a_navigation_per_frame(
    real_catalogue_dir: Path,
) -> None:
    """Every 5th story of the real catalogue in all four modes (the whole catalogue:
    ``python -m catalogue.visual.verify``, also run by the bench): not one pixel differs."""
    stories = load_story_ids(real_catalogue_dir)[::5]
    shots = shots_for(stories)
    result = await compare_methods(real_catalogue_dir, shots)
    assert result.shots == len(shots)
    assert result.swapped == len(shots) - 4  # one navigation per mode, every other frame swapped
    assert result.differing == []


async def test_frames_without_the_widget_script_are_navigated_to(fake_catalogue_dir: Path) -> None:
    shots = shots_for(load_story_ids(fake_catalogue_dir))
    async with Harness(concurrency=1) as harness:
        await harness.capture(fake_catalogue_dir, shots)
        assert harness.counts == {"swap": 0, "navigate": len(shots)}


async def test_a_swap_into_another_catalogue_navigates(
    real_catalogue_dir: Path, tmp_path: Path
) -> None:
    import shutil

    other = tmp_path / "other"
    shutil.copytree(real_catalogue_dir, other)
    shot = shots_for(load_story_ids(real_catalogue_dir))[0]
    async with Harness(concurrency=1) as harness:
        first = await harness.screenshot(real_catalogue_dir, shot, 0)
        second = await harness.screenshot(other, shot, 0)
        assert harness.counts == {"swap": 0, "navigate": 2}
    assert same_pixels(first, second)
