"""The comparison engine behaves like pixelmatch as Playwright Test uses it."""

from __future__ import annotations

import hashlib
import io
import statistics
import time

import numpy as np
import pytest
from PIL import Image

from catalogue.visual.compare import Rect, compare_images

from .images import disc, edge, noisy, png, solid


def test_identical_images_have_no_difference() -> None:
    img = disc(40, 30, 20, 15, 9, (26, 133, 255), (19, 21, 28))
    result = compare_images(img, img.copy())
    assert (result.passed, result.diff_pixels, result.ratio) == (True, 0, 0.0)


def test_identical_png_bytes_short_circuit() -> None:
    data = png(solid(30, 20, (1, 2, 3, 255)))
    result = compare_images(data, data)
    assert result.passed and result.total_pixels == 600 and result.diff_image is None


def test_one_changed_pixel_counts_once() -> None:
    a = solid(10, 10, (200, 200, 200, 255))
    b = a.copy()
    b[4, 6] = (20, 40, 200, 255)
    result = compare_images(a, b)
    assert (result.passed, result.diff_pixels, result.aa_pixels) == (False, 1, 0)
    assert "1 pixels (ratio 0.01 of all image pixels) are different" in result.message


@pytest.mark.parametrize(
    ("new_colour", "expected_count"),
    [((103, 100, 100, 255), 0), ((100, 100, 140, 255), 0), ((200, 100, 100, 255), 64)],
    ids=["tiny-red-shift", "blue-shift-below-0.2", "red-shift-above"],
)
def test_colour_change_counts_only_above_threshold(
    new_colour: tuple[int, int, int, int], expected_count: int
) -> None:
    result = compare_images(solid(8, 8, (100, 100, 100, 255)), solid(8, 8, new_colour))
    assert result.diff_pixels == expected_count


def test_threshold_zero_counts_any_change() -> None:
    result = compare_images(
        solid(8, 8, (100, 100, 100, 255)), solid(8, 8, (101, 100, 100, 255)), threshold=0
    )
    assert result.diff_pixels == 64


def test_anti_aliased_edge_is_ignored_by_default_and_counted_with_include_aa() -> None:
    a = edge(10, 6, 5)
    b = edge(10, 6, 5, grey_column=5)  # a grey column between black and white: an AA edge
    default = compare_images(a, b)
    strict = compare_images(a, b, include_aa=True)
    assert (default.diff_pixels, default.aa_pixels, default.passed) == (0, 6, True)
    assert (strict.diff_pixels, strict.aa_pixels, strict.passed) == (6, 0, False)


def test_alpha_is_blended_against_white() -> None:
    transparent_black = solid(4, 4, (0, 0, 0, 0))
    white = solid(4, 4, (255, 255, 255, 255))
    assert compare_images(transparent_black, white).diff_pixels == 0
    half_black = solid(4, 4, (0, 0, 0, 128))
    assert compare_images(half_black, white).diff_pixels == 16


@pytest.mark.parametrize(
    ("changed", "limits", "passed"),
    [
        (1, {"max_diff_pixels": 1}, True),
        (2, {"max_diff_pixels": 1}, False),
        (1, {"max_diff_pixel_ratio": 0.01}, True),
        (2, {"max_diff_pixel_ratio": 0.01}, False),
        (2, {"max_diff_pixels": 5, "max_diff_pixel_ratio": 0.01}, False),  # min of both limits
        (2, {"max_diff_pixels": 1, "max_diff_pixel_ratio": 0.5}, False),
        (1, {}, False),  # no limit given: zero differences allowed (Playwright's default)
    ],
)
def test_pixel_and_ratio_limits(changed: int, limits: dict[str, float], passed: bool) -> None:
    a = solid(10, 10, (200, 200, 200, 255))
    b = a.copy()
    for k in range(changed):
        b[2 + 3 * k, 2] = (0, 0, 0, 255)
    result = compare_images(a, b, **limits)  # type: ignore[arg-type]
    assert (result.diff_pixels, result.passed) == (changed, passed)


def test_masked_regions_are_ignored() -> None:
    a = solid(20, 20, (200, 200, 200, 255))
    b = a.copy()
    b[2:6, 2:6] = (0, 0, 0, 255)  # inside the mask
    b[15, 15] = (0, 0, 0, 255)  # outside it
    masked = compare_images(a, b, masks=[Rect(2, 2, 4, 4)])
    assert masked.diff_pixels == 1
    assert compare_images(a, b, masks=[Rect(2, 2, 4, 4), Rect(15, 15, 1, 1)]).passed
    # CSS px scale with the device pixel ratio: a 2x2 CSS rect covers 4x4 device px
    assert compare_images(a, b, masks=[Rect(1, 1, 2, 2)], device_scale_factor=2).diff_pixels == 1


def test_different_sizes_fail_with_a_clear_message() -> None:
    result = compare_images(solid(10, 20), solid(12, 20), max_diff_pixel_ratio=1)
    assert not result.passed and result.size_mismatch
    assert result.message == "Expected an image 10px by 20px, received 12px by 20px."


def test_diff_image_marks_differences_red_aa_yellow_and_fades_the_rest() -> None:
    a = edge(10, 6, 5)
    b = edge(10, 6, 5, grey_column=5)
    b[0, 0] = (255, 0, 255, 255)
    result = compare_images(a, b, diff_image=True)
    out = result.diff_image
    assert out is not None
    assert tuple(out[0, 0]) == (255, 0, 0, 255)
    assert tuple(out[3, 5]) == (255, 255, 0, 255)
    assert tuple(out[3, 8]) == (255, 255, 255, 255)  # white stays white
    assert tuple(out[3, 1]) == (229, 229, 229, 255)  # black faded to 10 %
    diff_png = result.diff_png()
    assert diff_png is not None
    assert Image.open(io.BytesIO(diff_png)).size == (10, 6)


# Reference counts from pixelmatch 5.3.0 (node) on the same numpy-generated images.
_A = (64, 48, 30.0, 24.0, 14.0)
_PIXELMATCH_CASES = {
    "disc-subpixel-shift": (
        disc(*_A, (255, 255, 255), (19, 21, 28)),
        disc(64, 48, 30.6, 24.0, 14.0, (255, 255, 255), (19, 21, 28)),
        {(0.05, False): 0, (0.05, True): 102, (0.1, True): 92, (0.2, False): 0, (0.2, True): 68},
    ),
    "disc-recolour": (
        disc(*_A, (26, 133, 255), (19, 21, 28)),
        disc(*_A, (0, 176, 255), (19, 21, 28)),
        {(0.05, False): 560, (0.05, True): 624, (0.1, True): 592, (0.2, False): 0},
    ),
    "disc-semi-transparent-moved": (
        disc(*_A, (26, 133, 255), (19, 21, 28), 128),
        disc(64, 48, 31.0, 25.0, 14.0, (26, 133, 255), (19, 21, 28), 128),
        {(0.05, False): 10, (0.05, True): 122, (0.1, True): 82, (0.2, True): 30},
    ),
    "noise": (*noisy(7, 64, 48, 20), {(0.05, False): 808, (0.1, False): 0, (0.1, True): 0}),
}


@pytest.mark.parametrize("case", sorted(_PIXELMATCH_CASES))
def test_counts_match_reference_pixelmatch(case: str) -> None:
    a, b, expected = _PIXELMATCH_CASES[case]
    got = {
        (t, aa): compare_images(a, b, threshold=t, include_aa=aa).diff_pixels
        for (t, aa) in expected
    }
    assert got == expected


def test_diff_image_is_byte_identical_to_reference_pixelmatch() -> None:
    a, b, _ = _PIXELMATCH_CASES["disc-semi-transparent-moved"]
    out = compare_images(a, b, threshold=0.05, diff_image=True).diff_image
    assert out is not None
    expected = "3de58c23fd968e96dbaf26db0066b9b1296fd4fc88ebdae3c226cd84552ef4c2"
    assert hashlib.sha256(out.tobytes()).hexdigest() == expected


def test_comparing_two_480x1200_pngs_takes_well_under_50ms() -> None:
    """The verdict, PNG decoding included; the diff picture is only drawn for failures."""
    a = png(disc(480, 1200, 240, 600, 200, (26, 133, 255), (19, 21, 28)))
    changed = disc(480, 1200, 240, 600, 200, (26, 133, 255), (19, 21, 28))
    changed[100:140, 50:400] = (255, 176, 32, 255)
    b = png(changed)
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        result = compare_images(a, b, diff_image=False)
        samples.append(time.perf_counter() - start)
    assert result.diff_pixels == 40 * 350
    assert statistics.median(samples) < 0.050


def test_invalid_threshold_is_rejected() -> None:
    with pytest.raises(ValueError, match="threshold"):
        compare_images(solid(2, 2), solid(2, 2), threshold=1.5)
    assert np.array_equal(solid(1, 1)[0, 0], [255, 255, 255, 255])
