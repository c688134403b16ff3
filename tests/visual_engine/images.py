"""Deterministic test images built with numpy only (no font or renderer involved)."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image

RGBA = npt.NDArray[np.uint8]


def solid(w: int, h: int, rgba: tuple[int, int, int, int] = (255, 255, 255, 255)) -> RGBA:
    return np.tile(np.array(rgba, dtype=np.uint8), (h, w, 1))


def edge(w: int, h: int, at: int, *, grey_column: int | None = None) -> RGBA:
    """Black left of column ``at``, white from it; optionally one grey (AA-like) column."""
    img = solid(w, h)
    img[:, :at, :3] = 0
    if grey_column is not None:
        img[:, grey_column, :3] = 128
    return img


def disc(
    w: int, h: int, cx: float, cy: float, r: float,
    fg: tuple[int, int, int], bg: tuple[int, int, int], alpha: int = 255,
) -> RGBA:  # fmt: skip
    """An anti-aliased disc (coverage from the distance to the edge), like a rasteriser draws."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    cov = np.clip(r - np.hypot(xx - cx, yy - cy) + 0.5, 0, 1)[..., None]
    rgb = np.rint(np.array(bg) * (1 - cov) + np.array(fg) * cov).astype(np.uint8)
    return np.dstack([rgb, np.full((h, w), alpha, np.uint8)])


def noisy(seed: int, w: int, h: int, amp: int) -> tuple[RGBA, RGBA]:
    """A disc scene and a copy with uniform noise of +-``amp`` on every channel."""
    rng = np.random.default_rng(seed)
    base = disc(w, h, w / 2, h / 2, min(w, h) / 3, (26, 133, 255), (19, 21, 28))
    noise = rng.integers(-amp, amp + 1, base.shape)
    out = np.clip(base.astype(int) + noise, 0, 255).astype(np.uint8)
    out[..., 3] = 255
    return base, out


def png(img: RGBA) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img, "RGBA").save(buf, format="PNG")
    return buf.getvalue()
