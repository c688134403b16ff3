"""Catalogue figures: a full build (every story × 4 modes, shell, gallery, docs) into a temp dir."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from catalogue.build import build_catalogue


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        first = build_catalogue(Path(tmp) / "cold")  # templates compiled, worlds first built
        cold = time.perf_counter() - start
        times = []
        for n in range(3):
            start = time.perf_counter()
            build_catalogue(Path(tmp) / f"warm{n}")
            times.append(time.perf_counter() - start)
    return {
        "catalogue_build_s": round(sorted(times)[1], 3),
        "catalogue_build_cold_s": round(cold, 3),
        "catalogue_pages": float(first.pages),
        "catalogue_stories": float(first.stories),
    }
