"""The component catalogue: stories resolved through the real machine, built into a static
Storybook-like site (``build_catalogue``), and a live host (``catalogue.live``).

``catalogue.visual`` (screenshots and accessibility checks) lives alongside; names here are
imported lazily so importing ``catalogue.visual`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "BuildError",
    "BuildResult",
    "Coverage",
    "Transition",
    "all_transitions",
    "build_catalogue",
    "compute_coverage",
    "index_entries",
]

_HOME = {
    "BuildError": "catalogue.build",
    "BuildResult": "catalogue.build",
    "build_catalogue": "catalogue.build",
    "index_entries": "catalogue.build",
    "Coverage": "catalogue.coverage",
    "Transition": "catalogue.coverage",
    "all_transitions": "catalogue.coverage",
    "compute_coverage": "catalogue.coverage",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'catalogue' has no attribute {name!r}")
