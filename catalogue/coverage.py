"""Coverage: which states have a story, and which transitions of the machine table the stories'
traces (and any extra traces, e.g. from tests) pass through.

A *transition* is a concrete ``(source state, trigger, destination state)`` triple expanded from
the rows of :data:`ai_credits.core.machine.TABLE`; an internal row (no destination) stays in its
source state.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ai_credits.core.machine import TABLE, expand_source
from ai_credits.core.states import State
from stories.runner import ResolvedStory

__all__ = [
    "Coverage",
    "Transition",
    "all_transitions",
    "compute_coverage",
    "load_test_traces",
    "transitions_of",
]


class Transition(NamedTuple):
    """One edge of the machine: from ``source`` on ``trigger`` to ``dest``."""

    source: State
    trigger: str
    dest: State

    @property
    def label(self) -> str:
        """``quote_ready --confirm--> awaiting_signature``."""
        return f"{self.source.value} --{self.trigger}--> {self.dest.value}"


_RANK = {state: n for n, state in enumerate(State)}


def _order(t: Transition) -> tuple[int, str, int]:
    return (_RANK[t.source], t.trigger, _RANK[t.dest])


@functools.cache
def _table_transitions() -> tuple[Transition, ...]:
    found = {
        Transition(source, row.trigger, row.dest if row.dest is not None else source)
        for row in TABLE
        for source in expand_source(row.source)
    }
    return tuple(sorted(found, key=_order))


def all_transitions() -> list[Transition]:
    """Every concrete transition the table declares, in state order."""
    return list(_table_transitions())


def transitions_of(resolved: ResolvedStory) -> list[Transition]:
    """The transitions a resolved story's trace went through (accepted events only)."""
    return [Transition(t.source, t.event.type, t.dest) for t in resolved.trace if t.accepted]


@dataclass(frozen=True)
class Coverage:
    """States → stories ending there; transitions → stories (or ``"test"``) passing through."""

    states: dict[State, list[str]]
    transitions: dict[Transition, list[str]]
    unknown: list[Transition] = field(default_factory=list)  # seen but not in the table

    @property
    def missing_states(self) -> list[State]:
        """States no story ends in."""
        return [s for s, ids in self.states.items() if not ids]

    @property
    def covered_transitions(self) -> int:
        """How many table transitions were exercised."""
        return sum(1 for ids in self.transitions.values() if ids)

    def summary(self) -> dict[str, int]:
        """Flat figures: states covered/total, transitions covered/total."""
        return {
            "states_covered": sum(1 for ids in self.states.values() if ids),
            "states_total": len(self.states),
            "transitions_covered": self.covered_transitions,
            "transitions_by_stories": sum(
                1 for ids in self.transitions.values() if any(i != "tests" for i in ids)
            ),
            "transitions_total": len(self.transitions),
        }


def load_test_traces(path: Path) -> list[tuple[str, list[Transition]]]:
    """The transitions a test run recorded (``tests/transition_recorder.py``), labelled
    ``"tests"``; nothing when the file is absent or unreadable."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        seen = [Transition(State(s), str(t), State(d)) for s, t, d in rows]
    except (OSError, ValueError, TypeError):
        return []
    return [("tests", seen)]


def compute_coverage(
    resolved: Sequence[ResolvedStory],
    extra: Iterable[tuple[str, Iterable[Transition]]] = (),
) -> Coverage:
    """Coverage of ``resolved`` stories plus ``extra`` ``(label, transitions)`` traces."""
    states: dict[State, list[str]] = {s: [] for s in State}
    table = all_transitions()
    transitions: dict[Transition, list[str]] = {t: [] for t in table}
    unknown: set[Transition] = set()

    def note(label: str, seen: Iterable[Transition]) -> None:
        for t in seen:
            if t not in transitions:
                unknown.add(t)
            elif label not in transitions[t]:
                transitions[t].append(label)

    for item in resolved:
        states[item.story.state].append(item.story.id)
        note(item.story.id, transitions_of(item))
    for label, seen in extra:
        note(label, seen)
    return Coverage(states, transitions, sorted(unknown, key=_order))
