"""Tolerant screenshot comparison: a vectorised numpy port of pixelmatch as Playwright Test uses it.

Semantics follow pixelmatch 5.x (the version Playwright vendors) and Playwright's ``compareImages``:

* per-pixel perceptual distance in YIQ space; a pixel differs when the squared distance exceeds
  ``35215 * threshold**2`` (``threshold`` defaults to 0.2, Playwright's default);
* semi-transparent pixels are blended against white before measuring;
* a differing pixel is *not counted* when it looks anti-aliased in either image (pixelmatch's
  ``antialiased()``: 3x3 brightness neighbourhood plus the "many siblings" check in both
  images) unless ``include_aa=True``;
* the limit is ``min(max_diff_pixels, width * height * max_diff_pixel_ratio)`` over the limits
  given, 0 when none is; the comparison passes when the count is not above the limit;
* different image sizes never pass;
* masks (rectangles in CSS px, scaled by ``device_scale_factor``) exclude pixels from the count.

The diff image matches pixelmatch's: red for counted differences, yellow for anti-aliased ones, and
the expected image in faded grey elsewhere.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = ["CompareResult", "ImageInput", "Rect", "compare_images", "decode_png", "encode_png"]

U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
U32 = npt.NDArray[np.uint32]
IDX = npt.NDArray[np.intp]
BOOL = npt.NDArray[np.bool_]
ImageInput = bytes | U8 | Image.Image

#: Largest possible YIQ squared distance (pixelmatch's constant).
MAX_YIQ_DELTA = 35215.0
DIFF_COLOUR = (255, 0, 0)
AA_COLOUR = (255, 255, 0)
GREY_ALPHA = 0.1
# 8 neighbours in pixelmatch's visiting order (x outer, y inner): the order decides ties.
_NEIGHBOURS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)]


@dataclass(frozen=True)
class Rect:
    """A rectangle in CSS pixels (``x``, ``y`` of the top-left corner)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class CompareResult:
    """Outcome of :func:`compare_images`."""

    passed: bool
    diff_pixels: int
    aa_pixels: int
    total_pixels: int
    allowed_diff_pixels: float
    expected_size: tuple[int, int]
    actual_size: tuple[int, int]
    message: str
    diff_image: U8 | None = field(default=None, repr=False, compare=False)

    @property
    def ratio(self) -> float:
        """Share of differing pixels (0..1); 1.0 for a size mismatch."""
        if self.size_mismatch or not self.total_pixels:
            return 1.0
        return self.diff_pixels / self.total_pixels

    @property
    def size_mismatch(self) -> bool:
        """True when the two images have different dimensions."""
        return self.expected_size != self.actual_size

    def diff_png(self) -> bytes | None:
        """The diff image encoded as PNG (``None`` for a size mismatch)."""
        return None if self.diff_image is None else encode_png(self.diff_image)


def decode_png(data: ImageInput) -> U8:
    """Return an ``(height, width, 4)`` uint8 RGBA array for PNG bytes, an array or a PIL image."""
    if isinstance(data, np.ndarray):
        arr = data
    else:
        image = data if isinstance(data, Image.Image) else Image.open(io.BytesIO(data))
        arr = np.asarray(image.convert("RGBA"))
    if arr.ndim != 3 or arr.shape[2] != 4 or arr.dtype != np.uint8:
        raise ValueError(f"expected an (h, w, 4) uint8 RGBA array, got {arr.shape} {arr.dtype}")
    return np.ascontiguousarray(arr)


def encode_png(rgba: U8) -> bytes:
    """Encode an RGBA array as PNG (fast zlib level: baselines are small, speed matters)."""
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _rgb2y(r: F64, g: F64, b: F64) -> F64:
    return r * 0.29889531 + g * 0.58662247 + b * 0.11448223


def _blended(rgba: U8) -> tuple[F64, F64, F64]:
    """R, G, B blended with white by alpha (exact for opaque pixels, as in pixelmatch)."""
    f = rgba.astype(np.float64)
    a = f[..., 3] / 255
    return 255 + (f[..., 0] - 255) * a, 255 + (f[..., 1] - 255) * a, 255 + (f[..., 2] - 255) * a


def _luma(rgba: U8) -> F64:
    return _rgb2y(*_blended(rgba))


def _yiq(rgba: U8) -> tuple[F64, F64, F64]:
    """Y, I, Q of pixels (any leading shape) after blending alpha with white."""
    r, g, b = _blended(rgba)
    y = _rgb2y(r, g, b)
    i = r * 0.59597799 - g * 0.27417610 - b * 0.32180189
    q = r * 0.21147017 - g * 0.52261711 + b * 0.31114694
    return y, i, q


def _delta(a: U8, b: U8) -> F64:
    """pixelmatch's squared YIQ distance (unsigned: only its magnitude is compared)."""
    y1, i1, q1 = _yiq(a)
    y2, i2, q2 = _yiq(b)
    dy, di, dq = y1 - y2, i1 - i2, q1 - q2
    return 0.5053 * dy * dy + 0.299 * di * di + 0.1957 * dq * dq


def _edge(ys: IDX, xs: IDX, h: int, w: int) -> IDX:
    edge: IDX = ((xs == 0) | (xs == w - 1) | (ys == 0) | (ys == h - 1)).astype(np.intp)
    return edge


def _neighbour(ys: IDX, xs: IDX, dx: int, dy: int, h: int, w: int) -> tuple[IDX, IDX, BOOL]:
    """Clipped neighbour coordinates and whether the neighbour lies inside the image."""
    ny, nx = ys + dy, xs + dx
    valid = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
    return np.clip(ny, 0, h - 1), np.clip(nx, 0, w - 1), valid


def _many_siblings(u32: U32, ys: IDX, xs: IDX, h: int, w: int) -> BOOL:
    """pixelmatch ``hasManySiblings``: 3+ identical neighbours (the image edge counts as one)."""
    centre = u32[ys, xs]
    count = _edge(ys, xs, h, w)
    for dx, dy in _NEIGHBOURS:
        ny, nx, valid = _neighbour(ys, xs, dx, dy, h, w)
        count = count + (valid & (u32[ny, nx] == centre))
    return count > 2


def _antialiased(img: U8, own: U32, other: U32, ys: IDX, xs: IDX, h: int, w: int) -> BOOL:
    """pixelmatch ``antialiased(img, x, y, …, img2)`` for many pixels at once."""
    if ys.size == 0:
        return np.zeros(0, dtype=bool)
    centre = _luma(img[ys, xs])
    # delta = brightness(centre) - brightness(neighbour); NaN outside the image is never 0/<0/>0.
    deltas = np.empty((ys.size, len(_NEIGHBOURS)))
    for n, (dx, dy) in enumerate(_NEIGHBOURS):
        ny, nx, valid = _neighbour(ys, xs, dx, dy, h, w)
        deltas[:, n] = np.where(valid, centre - _luma(img[ny, nx]), np.nan)
    zeroes = _edge(ys, xs, h, w) + np.count_nonzero(deltas == 0, axis=1)
    neg = np.where(deltas < 0, deltas, 0.0)
    pos = np.where(deltas > 0, deltas, 0.0)
    min_k = np.argmin(neg, axis=1)  # first occurrence wins, like pixelmatch's strict '<'
    max_k = np.argmax(pos, axis=1)
    rows = np.arange(ys.size)
    candidate = (zeroes <= 2) & (neg[rows, min_k] < 0) & (pos[rows, max_k] > 0)
    offsets = np.array(_NEIGHBOURS, dtype=np.intp)  # (dx, dy)
    result = np.zeros(ys.size, dtype=bool)
    for k in (min_k, max_k):
        sel = candidate & ~result
        if not sel.any():
            continue
        sx = xs[sel] + offsets[k[sel], 0]
        sy = ys[sel] + offsets[k[sel], 1]
        hit = _many_siblings(own, sy, sx, h, w) & _many_siblings(other, sy, sx, h, w)
        idx = np.flatnonzero(sel)
        result[idx[hit]] = True
    return result


def _mask_array(masks: Sequence[Rect], h: int, w: int, scale: float) -> npt.NDArray[np.bool_]:
    mask = np.zeros((h, w), dtype=bool)
    for rect in masks:
        x0 = max(0, math.floor(rect.x * scale))
        y0 = max(0, math.floor(rect.y * scale))
        x1 = min(w, math.ceil((rect.x + rect.width) * scale))
        y1 = min(h, math.ceil((rect.y + rect.height) * scale))
        if x1 > x0 and y1 > y0:
            mask[y0:y1, x0:x1] = True
    return mask


_LUMA_R = np.arange(256, dtype=np.float64) * 0.29889531
_LUMA_G = np.arange(256, dtype=np.float64) * 0.58662247
_LUMA_B = np.arange(256, dtype=np.float64) * 0.11448223
_GREY_FACTOR = GREY_ALPHA * np.arange(256, dtype=np.float64) / 255


def _grey(rgba: U8) -> U8:
    """pixelmatch ``drawGrayPixel`` for the whole image (values truncate like a Uint8Array).

    Table lookups give bit-identical products to pixelmatch's float arithmetic, faster.
    """
    luma = _LUMA_R[rgba[..., 0]] + _LUMA_G[rgba[..., 1]] + _LUMA_B[rgba[..., 2]]
    val = (255 + (luma - 255) * _GREY_FACTOR[rgba[..., 3]]).astype(np.uint8)
    out = np.empty_like(rgba)
    out[..., 0] = out[..., 1] = out[..., 2] = val
    out[..., 3] = 255
    return out


def _limit(total: int, max_diff_pixels: int | None, max_diff_pixel_ratio: float | None) -> float:
    limits: list[float] = []
    if max_diff_pixels is not None:
        limits.append(max_diff_pixels)
    if max_diff_pixel_ratio is not None:
        limits.append(total * max_diff_pixel_ratio)
    return min(limits) if limits else 0


def compare_images(
    expected: ImageInput,
    actual: ImageInput,
    *,
    threshold: float = 0.2,
    include_aa: bool = False,
    max_diff_pixels: int | None = None,
    max_diff_pixel_ratio: float | None = None,
    masks: Sequence[Rect] = (),
    device_scale_factor: float = 1.0,
    diff_image: bool | None = None,
) -> CompareResult:
    """Compare two images the way Playwright Test's ``toHaveScreenshot`` does.

    ``expected``/``actual`` are PNG bytes, RGBA uint8 arrays or PIL images. The diff picture is
    built when ``diff_image`` is true, or (default ``None``) only when the comparison fails.
    Identical PNG bytes short-circuit without decoding.
    """
    if not 0 <= threshold <= 1:
        raise ValueError("threshold must be within 0..1")
    if max_diff_pixel_ratio is not None and not 0 <= max_diff_pixel_ratio <= 1:
        raise ValueError("max_diff_pixel_ratio must be within 0..1")
    if isinstance(expected, bytes) and expected == actual and not diff_image:
        w, h = Image.open(io.BytesIO(expected)).size
        return CompareResult(
            passed=True, diff_pixels=0, aa_pixels=0, total_pixels=w * h,
            allowed_diff_pixels=_limit(w * h, max_diff_pixels, max_diff_pixel_ratio),
            expected_size=(w, h), actual_size=(w, h), message="",
        )  # fmt: skip
    img1, img2 = decode_png(expected), decode_png(actual)
    (h, w), (h2, w2) = img1.shape[:2], img2.shape[:2]
    total = w * h
    allowed = _limit(total, max_diff_pixels, max_diff_pixel_ratio)
    if (h, w) != (h2, w2):
        return CompareResult(
            passed=False, diff_pixels=total, aa_pixels=0, total_pixels=total,
            allowed_diff_pixels=allowed, expected_size=(w, h), actual_size=(w2, h2),
            message=f"Expected an image {w}px by {h}px, received {w2}px by {h2}px.",
        )  # fmt: skip

    differs = img1.view(np.uint32)[..., 0] != img2.view(np.uint32)[..., 0]
    if masks:
        differs &= ~_mask_array(masks, h, w, device_scale_factor)
    max_delta = MAX_YIQ_DELTA * threshold * threshold
    if np.count_nonzero(differs) > total // 8:  # many changes: whole planes beat gathers
        over_map = differs & (_delta(img1, img2) > max_delta)
        ys, xs = np.nonzero(over_map)
    else:
        ys, xs = np.nonzero(differs)
        over = _delta(img1[ys, xs], img2[ys, xs]) > max_delta
        ys, xs = ys[over], xs[over]
    if include_aa or ys.size == 0:
        aa = np.zeros(ys.size, dtype=bool)
    else:
        aa = _aa_pixels(img1, img2, ys, xs, h, w)
    diff_count = int(ys.size - np.count_nonzero(aa))
    aa_count = int(np.count_nonzero(aa))

    passed = diff_count <= allowed
    out: U8 | None = None
    if diff_image or (diff_image is None and not passed):
        out = _grey(img1)
        out[ys[aa], xs[aa], :3] = AA_COLOUR
        out[ys[~aa], xs[~aa], :3] = DIFF_COLOUR

    message = ""
    if not passed:
        ratio = math.ceil(diff_count / total * 100) / 100
        message = (
            f"{diff_count} pixels (ratio {ratio:.2f} of all image pixels) are different"
            f" (allowed {allowed:g})."
        )
    return CompareResult(
        passed=passed, diff_pixels=diff_count, aa_pixels=aa_count, total_pixels=total,
        allowed_diff_pixels=allowed, expected_size=(w, h), actual_size=(w, h),
        message=message, diff_image=out,
    )  # fmt: skip


def _aa_pixels(img1: U8, img2: U8, ys: IDX, xs: IDX, h: int, w: int) -> BOOL:
    """AA verdict for over-threshold pixels: anti-aliased in img1 (vs img2) or img2 (vs img1)."""
    u1, u2 = img1.view(np.uint32)[..., 0], img2.view(np.uint32)[..., 0]
    aa = _antialiased(img1, u1, u2, ys, xs, h, w)
    rest = ~aa
    if rest.any():
        aa[rest] = _antialiased(img2, u2, u1, ys[rest], xs[rest], h, w)
    return aa
