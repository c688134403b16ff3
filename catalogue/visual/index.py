"""Reading the catalogue build: ``index.json`` (Storybook v5 format) and the story x mode matrix."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .capture import THEMES, VIEWPORTS, Shot

__all__ = ["build_catalogue", "ensure_catalogue", "load_story_ids", "shots_for"]


def load_story_ids(catalogue_dir: Path) -> list[str]:
    """Story ids of ``index.json`` (entries of type ``story``) in index order."""
    path = Path(catalogue_dir) / "index.json"
    data = json.loads(path.read_text())
    if data.get("v") != 5 or not isinstance(data.get("entries"), dict):
        raise ValueError(f"{path}: not a Storybook v5 index (expected {{'v': 5, 'entries': …}})")
    return [e["id"] for e in data["entries"].values() if e.get("type", "story") == "story"]


def shots_for(story_ids: list[str]) -> list[Shot]:
    """Every story in every mode: dark/light x mobile/desktop."""
    return [Shot(s, t, v) for s in story_ids for t in THEMES for v in VIEWPORTS]


def build_catalogue(out: Path) -> None:
    """Build the real catalogue into ``out`` (``python -m catalogue build --out <dir>``)."""
    cmd = [sys.executable, "-m", "catalogue", "build", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"catalogue build failed ({' '.join(cmd[1:])}, exit {done.returncode}):\n"
            f"{done.stderr[-2000:]}"
        )


def ensure_catalogue(
    catalogue_dir: Path, builder: Callable[[Path], None] = build_catalogue
) -> Path:
    """Return ``catalogue_dir``, building it first with ``builder`` when it has no index."""
    catalogue_dir = Path(catalogue_dir)
    if not (catalogue_dir / "index.json").is_file():
        builder(catalogue_dir)
    return catalogue_dir
