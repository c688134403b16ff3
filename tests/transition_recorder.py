"""A pytest plugin that records which machine transitions the test suite exercised.

It wraps ``transitions.core.Transition.execute`` for the session (recording only; the call and
its result are untouched) and writes ``build/transition-coverage.json`` at the end, which the
catalogue's coverage page shows next to the stories' own traces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from transitions.core import Transition

from ai_credits.core.states import State

OUTPUT = Path("build") / "transition-coverage.json"
_NAMES = {s.value for s in State}
_seen: set[tuple[str, str, str]] = set()


def _recording(original: Any) -> Any:
    def execute(self: Transition, event_data: Any) -> bool:
        source = event_data.state.name
        done: bool = original(self, event_data)
        if done and source in _NAMES:
            _seen.add((source, event_data.event.name, self.dest or source))
        return done

    return execute


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_KEY] = Transition.execute
    Transition.execute = _recording(Transition.execute)  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    Transition.execute = session.config.stash[_KEY]  # type: ignore[method-assign]
    if not _seen or hasattr(session.config, "workerinput"):
        return
    out = session.config.rootpath / OUTPUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(sorted(_seen), indent=0) + "\n", encoding="utf-8")


_KEY = pytest.StashKey[Any]()
