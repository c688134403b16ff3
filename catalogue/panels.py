"""What the shell shows about one resolved story: context, event path, template call, neighbours.

Everything is plain data (dicts, lists, strings) for the templates; nothing here renders HTML.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ai_credits.core.snapshot import Snapshot
from ai_credits.core.states import State
from catalogue.coverage import all_transitions
from stories.runner import ResolvedStory

__all__ = ["Neighbour", "context_json", "neighbours", "template_call", "trace_rows"]


def context_json(snapshot: Snapshot) -> str:
    """The snapshot as pretty JSON, with any API key token masked (never print a key)."""
    data = snapshot.model_dump(mode="json")
    key = snapshot.api_key
    if key is not None and key.token is not None:
        data["api_key"]["token"] = f"{key.token.masked} (masked in the catalogue)"
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def _payload(event: Any) -> str:
    data = event.model_dump(mode="json", exclude={"type", "at"})
    if "token" in data:
        data["token"] = "gd_live_… (masked)"
    return json.dumps(data, sort_keys=True, ensure_ascii=False) if data else ""


def trace_rows(resolved: ResolvedStory) -> list[dict[str, Any]]:
    """One row per event of the trace: step, origin, event, payload, states, effects."""
    return [
        {
            "n": n,
            "step": item.step + 1,
            "origin": item.origin,
            "event": item.event.type,
            "payload": _payload(item.event),
            "source": item.source.value,
            "dest": item.dest.value,
            "effects": [e.type for e in item.effects],
            "accepted": item.accepted,
            "rejection": item.rejection or "",
        }
        for n, item in enumerate(resolved.trace, 1)
    ] + [
        {"n": "…", "step": "", "origin": "waiting", "event": "", "payload": "", "source": "",
         "dest": resolved.snapshot.state.value, "effects": [e.type for e in resolved.waiting],
         "accepted": True, "rejection": ""}
        for _ in ([1] if resolved.waiting else [])
    ]  # fmt: skip


def template_call(story_id: str, theme: str) -> str:
    """How a host renders this story's snapshot itself (Python, then Jinja)."""
    return (
        "from ai_credits.views import render_widget\n"
        "from stories import by_id\n"
        "from stories.runner import resolve\n\n"
        f'snapshot = resolve(by_id("{story_id}")).snapshot\n'
        f'html = render_widget(snapshot, theme="{theme}", frozen=True)\n\n'
        "# in a Jinja template, with render_widget exposed as a global:\n"
        f'# {{{{ render_widget(snapshot, theme="{theme}") }}}}\n'
    )


@dataclass(frozen=True)
class Neighbour:
    """A state next to the story's state in the machine, the triggers between, and a story."""

    state: str
    triggers: tuple[str, ...]
    story_id: str | None


def neighbours(state: State, first_story: Mapping[State, str]) -> dict[str, Sequence[Neighbour]]:
    """Predecessor and successor states of ``state`` (from the table), each with a story id."""
    into: dict[State, list[str]] = {}
    out: dict[State, list[str]] = {}
    table = all_transitions()
    for t in table:
        if t.dest is state and t.source is not state:
            into.setdefault(t.source, []).append(t.trigger)
        if t.source is state and t.dest is not state:
            out.setdefault(t.dest, []).append(t.trigger)

    def side(found: dict[State, list[str]]) -> list[Neighbour]:
        return [
            Neighbour(s.value, tuple(sorted(set(found[s]))), first_story.get(s))
            for s in State
            if s in found
        ]

    loops = sorted({t.trigger for t in table if t.source is t.dest is state})
    return {"before": side(into), "after": side(out),
            "self": [Neighbour(state.value, tuple(loops), first_story.get(state))]}  # fmt: skip
