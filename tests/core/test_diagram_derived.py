"""mermaid() draws one GraphMachine and derives every highlighted variant as text: each derived
drawing must equal what transitions draws with that state as the model's current state."""

from __future__ import annotations

import pytest

from ai_credits.core.states import State
from ai_credits.diagram import _draw, _drawn


@pytest.mark.parametrize("state", list(State))
def test_each_derived_drawing_is_transitions_own(state: State) -> None:
    assert _drawn(state) == _draw(state)
