"""Every story resolved once per test session (the runtime is deterministic)."""

from __future__ import annotations

import pytest

from stories import STORIES
from stories.runner import ResolvedStory, resolve_all


@pytest.fixture(scope="session")
def resolved() -> dict[str, ResolvedStory]:
    return {r.story.id: r for r in resolve_all(STORIES)}
