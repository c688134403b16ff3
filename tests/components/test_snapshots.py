"""Every story × both themes, as normalised HTML (syrupy).  Update with ``--snapshot-update``."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.components.html_tree import normalise
from tests.components.paths import STORIES, rendered


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("story", sorted(STORIES))
def test_rendered_html(story: str, theme: str, snapshot: SnapshotAssertion) -> None:
    assert normalise(rendered(story, theme)) == snapshot


def test_normalise_keeps_text_and_drops_indentation() -> None:
    assert normalise("<p>\n   a  b\n</p>\n\n  <p>c</p>") == "<p>\na  b\n</p>\n<p>c</p>"
