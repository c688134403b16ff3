"""The machine as a Mermaid state diagram, drawn by ``transitions``' own mermaid engine.

The run-time machine is flat for speed; the diagram is drawn from the same ``TABLE`` with
``has_credits`` as a composite state around its children, so readers see the hierarchy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from transitions.extensions.diagrams import HierarchicalGraphMachine

from ai_credits.core.machine import TABLE
from ai_credits.core.states import GROUPS, PARENT, State

__all__ = ["mermaid", "node_id"]


class _DottedState(HierarchicalGraphMachine.state_cls):  # type: ignore[misc,valid-type]
    # State names contain underscores, transitions' default separator.
    separator = "."


class _DiagramMachine(HierarchicalGraphMachine):
    state_cls = _DottedState


def node_id(state: State) -> str:
    """The diagram's id of ``state`` (children of ``has_credits`` are ``has_credits.<name>``)."""
    parent = PARENT.get(state)
    return f"{parent.value}.{state.value}" if parent else state.value


def _states() -> list[Any]:
    out: list[Any] = []
    for state in State:
        if state in PARENT:
            continue
        if state is State.has_credits:
            out.append({"name": state.value, "children": [s.value for s in PARENT]})
        else:
            out.append(state.value)
    return out


def _sources(source: object) -> list[str]:
    items = source if isinstance(source, tuple) else (source,)
    found: list[str] = []
    for item in items:
        if item == "@has_credits":
            found.append(State.has_credits.value)
        elif isinstance(item, State):
            found.append(node_id(item))
        elif isinstance(item, str) and item.startswith("@"):
            found += [node_id(s) for s in State if s in GROUPS[item[1:]] and s not in PARENT]
    return list(dict.fromkeys(found))


def _transitions() -> list[dict[str, Any]]:
    return [
        {
            "trigger": row.trigger,
            "source": _sources(row.source),
            "dest": node_id(row.dest) if row.dest is not None else None,
            "conditions": [g for g in row.guards if not g.startswith("!")],
            "unless": [g[1:] for g in row.guards if g.startswith("!")],
        }
        for row in TABLE
    ]


class _Holder:
    state: str
    get_graph: Callable[[], Any]  # added by transitions


def _draw(initial: State) -> str:
    """transitions' own drawing, with ``initial`` as the model's (styled) current state."""
    holder = _Holder()
    _DiagramMachine(
        model=holder,
        states=_states(),
        transitions=_transitions(),
        initial=node_id(initial),
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        title="AI Credits widget",
    )
    text: str = holder.get_graph().draw(None)
    return text


@functools.cache
def _first_drawing() -> str:
    return _draw(State.disconnected)


@functools.cache
def _drawn(initial: State) -> str:
    """The raw drawing for ``initial``: one GraphMachine for ``disconnected``; every other
    state's drawing differs from it only in which state is styled active and where the start
    arrow points, so it is derived as text (checked against a real drawing for every state)."""
    first = _first_drawing()
    if initial is State.disconnected:
        return first
    start = f"[*] --> {State.disconnected.value}"
    assert first.endswith(start) and first.count(start) == 1
    text = first.replace(f"  Class {State.disconnected.value} s_active\n",
                         f"  Class {State.disconnected.value} s_default\n")  # fmt: skip
    if initial not in PARENT:  # transitions styles top-level states only
        text = text.replace(f"  Class {initial.value} s_default\n",
                            f"  Class {initial.value} s_active\n")  # fmt: skip
    return text[: -len(start)] + f"[*] --> {node_id(initial)}"


@functools.cache
def mermaid(highlight: State | None = None) -> str:
    """Mermaid ``stateDiagram-v2`` source of the machine, guards shown on the edges.

    Deterministic: the same text every call.  No state is styled as current unless ``highlight``
    is given, in which case that state (only) is.
    """
    text = _drawn(highlight or State.disconnected)
    if highlight is None:
        # transitions always styles the model's current state; an unhighlighted diagram has none.
        text = text.replace(" s_active\n", " s_default\n")
    else:
        # The diagram's start arrow must keep pointing at the real initial state.
        text = text.replace(f"[*] --> {node_id(highlight)}\n", "[*] --> disconnected\n")
    if highlight in PARENT:
        # transitions' mermaid engine styles top-level states only; style the child too.
        text = text.rstrip("\n") + f"\n  Class {node_id(highlight)} s_active\n"
    return text
