"""Activate the visual plugin for this directory unless ``-p catalogue.visual.pytest_plugin`` did.

Registering from ``pytest_addoption`` makes its options (``--catalogue-dir`` …) available on the
command line when this conftest is an initial one (``pytest tests/visual``); when it is loaded
later (``pytest`` from the root) the options fall back to their defaults / ``$VISUAL_CATALOGUE_DIR``.
"""

from __future__ import annotations

import pytest

import catalogue.visual.pytest_plugin as visual_plugin


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not pluginmanager.is_registered(visual_plugin):
        pluginmanager.register(visual_plugin, "catalogue.visual.pytest_plugin")
