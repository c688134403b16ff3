"""The stories are real: each is a path the machine accepts, and together they cover every state."""

from __future__ import annotations

import pytest

from ai_credits import State
from tests.components.paths import STORIES, path_for, snapshot_for


def test_every_state_has_a_story_named_after_it() -> None:
    assert {s.value for s in State} <= set(STORIES)


@pytest.mark.parametrize("story", sorted(STORIES))
def test_story_path_ends_in_its_state(story: str) -> None:
    expected = next(s for s in State if story == s.value or story.startswith(s.value + "_"))
    assert snapshot_for(story).state is expected


@pytest.mark.parametrize("story", sorted(s for s in STORIES if s != "disconnected"))
def test_paths_use_fixed_times(story: str) -> None:
    assert all(event.at is not None for event in path_for(story))
