"""Prove the fast capture path equals a fresh navigation per frame, pixel for pixel.

``python -m catalogue.visual.verify [CATALOGUE_DIR]`` captures every story x mode twice in one
browser: once navigating to each frame, once the way the suite does (content swapped into a
page that showed another frame). It prints how many shots differ in any pixel and exits 1 when
one does. Without a directory it builds the real catalogue into a temporary one.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .capture import Harness, Shot
from .compare import decode_png
from .index import build_catalogue, load_story_ids, shots_for

__all__ = ["MethodComparison", "compare_methods", "main", "same_pixels"]


def same_pixels(a: bytes, b: bytes) -> bool:
    """True when two PNGs decode to identical RGBA pixels (bytes may differ)."""
    if a == b:
        return True
    left, right = decode_png(a), decode_png(b)
    return left.shape == right.shape and bool(np.array_equal(left, right))


@dataclass(frozen=True)
class MethodComparison:
    """Shots whose pixels differ between navigation and swap, and how the swap run showed them."""

    shots: int
    differing: list[str]
    swapped: int
    navigated: int


async def compare_methods(
    catalogue_dir: Path, shots: Sequence[Shot], *, concurrency: int = 1
) -> MethodComparison:
    """Capture ``shots`` by navigation and by swap (same browser) and compare every pixel."""
    async with Harness(concurrency=concurrency, method="navigate") as navigating:
        reference = await navigating.capture(catalogue_dir, shots)
    async with Harness(concurrency=concurrency, method="swap") as swapping:
        swapped = await swapping.capture(catalogue_dir, shots)
        counts = dict(swapping.counts)
    differing = [s.key for s in sorted(reference) if not same_pixels(reference[s], swapped[s])]
    return MethodComparison(len(reference), differing, counts["swap"], counts["navigate"])


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m catalogue.visual.verify", description=__doc__)
    parser.add_argument("catalogue", nargs="?", type=Path, help="catalogue build directory")
    parser.add_argument("--concurrency", type=int, default=1, help="pages in parallel [1]")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        catalogue = args.catalogue or Path(tmp) / "catalogue"
        if args.catalogue is None:
            build_catalogue(catalogue)
        shots = shots_for(load_story_ids(catalogue))
        result = asyncio.run(compare_methods(catalogue, shots, concurrency=args.concurrency))
    print(
        f"{len(result.differing)} of {result.shots} shots differ between navigation and swap "
        f"(swap run: {result.swapped} swapped, {result.navigated} navigated)"
    )
    for key in result.differing:
        print(f"  differs: {key}")
    return 1 if result.differing else 0


if __name__ == "__main__":
    sys.exit(main())
