"""Visual regression and accessibility checks for the catalogue.

Modules: :mod:`.compare` (pixelmatch-compatible comparison), :mod:`.capture` (Chromium harness),
:mod:`.a11y` (axe-core), :mod:`.report` (HTML diff report), :mod:`.syrupy_png` (syrupy extension),
:mod:`.index` (reading ``index.json``), :mod:`.pytest_plugin` (the pytest wiring).
"""

from __future__ import annotations

from .a11y import A11yResult, check_accessibility
from .capture import Harness, Shot
from .compare import CompareResult, Rect, compare_images
from .report import Failure, VisualReport
from .syrupy_png import CompareOptions, TolerantPNGExtension

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
