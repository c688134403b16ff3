"""Fixtures: fake catalogues (original and deliberately changed copies) captured in one browser."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalogue.visual.capture import Harness, Shot
from catalogue.visual.index import load_story_ids, shots_for

from .fake_catalogue import make_fake_catalogue


@dataclass(frozen=True)
class Captures:
    """Screenshots of the fake catalogue (twice) and of two changed copies."""

    first: dict[Shot, bytes]
    second: dict[Shot, bytes]
    recoloured: dict[Shot, bytes]
    repadded: dict[Shot, bytes]
    chromium: str


@pytest.fixture(scope="session")
def fake_catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_fake_catalogue(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(scope="session")
def captures(tmp_path_factory: pytest.TempPathFactory, fake_catalogue_dir: Path) -> Captures:
    recoloured = make_fake_catalogue(tmp_path_factory.mktemp("recoloured"), primary="#00B0FF")
    repadded = make_fake_catalogue(tmp_path_factory.mktemp("repadded"), padding=20)
    shots = shots_for(load_story_ids(fake_catalogue_dir))
    # changed copies: one shot per story is enough to prove the change is caught
    some = [s for s in shots if (s.theme, s.viewport) in {("dark", "desktop"), ("light", "mobile")}]

    async def run() -> Captures:
        async with Harness() as harness:
            return Captures(
                first=await harness.capture(fake_catalogue_dir, shots),
                second=await harness.capture(fake_catalogue_dir, shots),
                recoloured=await harness.capture(recoloured, some),
                repadded=await harness.capture(repadded, some),
                chromium=harness.browser_version,
            )

    return asyncio.run(run())


def pytest_configure(config: pytest.Config) -> None:
    """The plugin tests run pytest in pytest (``pytester``); enable it for this directory."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
