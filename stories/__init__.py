"""Stories: every catalogued state of the widget as a fixture scenario plus an event path.

``STORIES`` lists them in sidebar order; :func:`stories.runner.resolve` replays one through the
real runtime.  Add a story by appending a :class:`Story` to one of the group modules.
"""

from __future__ import annotations

from stories import connect, credits, keys, purchase, streaming
from stories.model import Knob, Step, Story, StoryArgs, slug

__all__ = ["STORIES", "Knob", "Step", "Story", "StoryArgs", "by_id", "import_path", "slug"]

_GROUPS = (connect, purchase, credits, keys, streaming)

STORIES: tuple[Story, ...] = tuple(story for group in _GROUPS for story in group.STORIES)

_SOURCES: dict[str, str] = {
    story.id: f"./stories/{group.__name__.rsplit('.', 1)[-1]}.py"
    for group in _GROUPS
    for story in group.STORIES
}


def import_path(story: Story) -> str:
    """The module a story is declared in (``./stories/purchase.py``), as in Storybook's index."""
    return _SOURCES.get(story.id, "./stories/__init__.py")


def by_id(story_id: str) -> Story:
    """The story with ``story_id`` (``KeyError`` if there is none)."""
    for story in STORIES:
        if story.id == story_id:
            return story
    raise KeyError(story_id)
