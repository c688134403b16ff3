"""Resolving a story: build its fixture world, replay its path through the real runtime ``Session``
(FixtureBackend, MemoryChain, frozen clock) and check that it ends in its declared state.

The result is the final snapshot and the full trace — every event (the user's, the wallet's and
the results of effects), the state before and after, and the effects each step asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ai_credits.core import events as ev
from ai_credits.core.effects import Effect
from ai_credits.core.models import WidgetConfig
from ai_credits.core.snapshot import Snapshot
from ai_credits.core.states import State
from fixtures.wallets import ACCOUNTS
from fixtures.world import World, build_world
from stories.model import Knob, Story

__all__ = [
    "BILL_BODY",
    "ResolvedStory",
    "StoryError",
    "TraceItem",
    "apply_knob",
    "resolve",
    "resolve_all",
    "resolve_async",
]

REFUSED_MODEL = "frontier-large"
"""The model ``backend.bill_refused`` asks for: priced far above the stories' credit."""
BILL_BODY: dict[str, Any] = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "Write a haiku about G$."}],
    "max_tokens": 64,
}
"""The chat request ``backend.bill_requests`` (and the live page's dev panel) bills."""


class StoryError(Exception):
    """A story whose path is invalid: an event was refused, or it ended in the wrong state."""

    def __init__(self, story: Story, message: str) -> None:
        super().__init__(f"story {story.id!r} ({story.path_label}): {message}")
        self.story = story


@dataclass(frozen=True)
class TraceItem:
    """One event the machine saw while the story ran."""

    step: int  # index in the story's path
    origin: str  # "user", "wallet" (a knob's notification) or the effect type that produced it
    event: ev.Event
    source: State
    dest: State
    accepted: bool
    effects: tuple[Effect, ...]
    rejection: str | None = None


@dataclass(frozen=True)
class ResolvedStory:
    """A story after its path ran: the final snapshot, the trace and effects left waiting."""

    story: Story
    snapshot: Snapshot
    trace: tuple[TraceItem, ...]
    waiting: tuple[Effect, ...] = ()


async def _send(
    world: World, event: ev.Event, origin: str, index: int, *, stop_in: State | None = None
) -> tuple[list[TraceItem], tuple[Effect, ...]]:
    state = world.session.snapshot.state
    result = await world.session.send(event, stop_in=stop_in)
    items: list[TraceItem] = []
    for entry in result.trace:
        accepted = entry.step.accepted
        dest = entry.step.snapshot.state if accepted else state
        who = origin if entry.origin == "host" else entry.origin
        rejection = entry.step.rejection.message if entry.step.rejection else None
        items.append(TraceItem(index, who, entry.event, state, dest, accepted,
                               entry.step.effects, rejection))  # fmt: skip
        state = dest
    return items, result.waiting


async def apply_knob(world: World, knob: Knob, value: object) -> ev.Event | None:
    """Turn one knob of ``world``; returns the wallet notification it causes, if any."""
    chain, backend = world.chain, world.backend
    part, name = knob.target.split(".", 1)
    # A wallet tells a connected page when its chain or account changes (EIP-1193 events).
    connected = world.session.snapshot.wallet is not None
    if knob.target == "chain.set_chain_id":
        chain.set_chain_id(int(str(value)))
        return ev.ChainChanged(chain_id=int(str(value)), at=world.clock()) if connected else None
    if knob.target == "chain.switch_account":
        address = ACCOUNTS[str(value)].address
        chain.switch_account(address)
        return ev.AccountChanged(account=address, at=world.clock()) if connected else None
    if knob.target == "chain.set_balance":
        chain.set_balance(world.account, int(str(value)))
    elif knob.target in ("chain.timeout_next",):
        chain.timeout_next()
    elif knob.target in ("chain.reject_next", "chain.revert_next", "chain.set_rpc_down"):
        getattr(chain, name)(value)
    elif knob.target == "backend.bill_requests":
        token = world.session.keys.token
        if token is None:
            raise ValueError("backend.bill_requests needs an API key issued in the session")
        for _ in range(int(str(value))):
            await backend.chat_completion(token.reveal(), BILL_BODY)
    elif knob.target == "backend.bill_refused":
        token = world.session.keys.token
        if token is None:
            raise ValueError("backend.bill_refused needs an API key issued in the session")
        from ai_credits.backends.errors import InsufficientCredit  # only this knob needs it
        from ai_credits.core.quote import ModelPrice, PriceTable

        # a model priced so its pre-flight hold is more than any story's credit
        backend.prices = PriceTable(models={REFUSED_MODEL: ModelPrice(10**8, 10**8)})
        with contextlib.suppress(InsufficientCredit):
            await backend.chat_completion(token.reveal(), {**BILL_BODY, "model": REFUSED_MODEL,
                                                           "max_tokens": 4096})
    elif knob.target == "clock.advance_days":
        world.clock.advance(int(str(value)) * 86_400)
    elif part == "backend":
        setattr(backend, name, bool(value))
    return None


def _with_args(story: Story, event: ev.Event, world: World) -> ev.Event:
    update: dict[str, object] = {
        field: story.arg(getattr(event, field))
        for field in type(event).model_fields
        if isinstance(getattr(event, field), str)
    }
    if event.at is None:
        update["at"] = world.clock()
    data = {**event.model_dump(), **update}
    return ev.parse_event(data)


def world_for(story: Story) -> World:
    """A fresh fixture world for ``story``."""
    config = WidgetConfig(**story.config) if story.config else None
    return build_world(story.scenario, wallet=story.wallet, config=config)


async def resolve_async(story: Story) -> ResolvedStory:
    """Replay ``story`` through the real runtime; :class:`StoryError` if its path is invalid."""
    world = world_for(story)
    trace: list[TraceItem] = []
    waiting: tuple[Effect, ...] = ()
    try:
        for index, step in enumerate(story.path):
            for knob in step.knobs:
                notice = await apply_knob(world, knob, story.arg(knob.value))
                if notice is not None:
                    items, waiting = await _send(world, notice, "wallet", index)
                    trace += items
                    if not items[0].accepted:
                        raise StoryError(story, f"step {index + 1}: {items[0].rejection}")
            if step.event is None:
                continue
            event = _with_args(story, step.event, world)
            items, waiting = await _send(world, event, "user", index, stop_in=step.stop_in)
            trace += items
            if items[0].accepted == step.rejected:
                why = items[0].rejection or f"{event.type!r} was accepted but declared rejected"
                raise StoryError(story, f"step {index + 1}: {why}")
            if step.stop_in is not None and world.session.snapshot.state is not step.stop_in:
                raise StoryError(story, f"step {index + 1}: never reached {step.stop_in.value!r}")
    except StoryError:
        raise
    except Exception as exc:  # a knob or an event the fixtures refuse
        raise StoryError(story, f"{type(exc).__name__}: {exc}") from exc
    final = world.session.snapshot
    if final.state is not story.state:
        raise StoryError(story, f"ended in {final.state.value!r}, declared {story.state.value!r}")
    return ResolvedStory(story, final, tuple(trace), waiting)


def resolve(story: Story) -> ResolvedStory:
    """:func:`resolve_async` for synchronous callers."""
    return asyncio.run(resolve_async(story))


def resolve_all(
    stories: Iterable[Story], progress: Callable[[int, int, Story], None] | None = None
) -> list[ResolvedStory]:
    """Resolve every story in one event loop, calling ``progress(i, total, story)`` before each."""
    todo = list(stories)

    async def run() -> list[ResolvedStory]:
        out = []
        for number, story in enumerate(todo, 1):
            if progress is not None:
                progress(number, len(todo), story)
            out.append(await resolve_async(story))
        return out

    return asyncio.run(run())
