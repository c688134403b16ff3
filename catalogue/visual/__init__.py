"""Visual regression and accessibility checks for the catalogue.

Modules: :mod:`.compare` (pixelmatch-compatible comparison), :mod:`.capture` (Chromium harness),
:mod:`.a11y` (axe-core), :mod:`.report` (HTML report, fragments and their merge), :mod:`.syrupy_png`
(syrupy extension), :mod:`.index` (reading ``index.json``), :mod:`.pytest_plugin` (the pytest
wiring), :mod:`.verify` (swap vs navigation, pixel for pixel).

Names here are imported on first use, so ``python -m catalogue.visual.report --merge`` (a CI job
with the runtime dependencies only) does not import Playwright, numpy or Pillow.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "A11yResult",
    "CompareOptions",
    "CompareResult",
    "Failure",
    "Harness",
    "Rect",
    "Shot",
    "TolerantPNGExtension",
    "VisualReport",
    "check_accessibility",
    "compare_images",
]

_HOME = {
    "A11yResult": "a11y",
    "check_accessibility": "a11y",
    "Harness": "capture",
    "Shot": "capture",
    "CompareResult": "compare",
    "Rect": "compare",
    "compare_images": "compare",
    "Failure": "report",
    "VisualReport": "report",
    "CompareOptions": "syrupy_png",
    "TolerantPNGExtension": "syrupy_png",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
