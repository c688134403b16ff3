"""One catalogue build per test session, into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.build import BuildResult, build_catalogue


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_catalogue(tmp_path_factory.mktemp("catalogue") / "site")


@pytest.fixture(scope="session")
def site(built: BuildResult) -> Path:
    return built.out
