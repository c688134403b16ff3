"""A visitor's session: the snapshot, the runtime loop and a sync facade for sync hosts."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ai_credits.backends.protocol import CreditsBackend
from ai_credits.chain.models import WalletAdapter
from ai_credits.core import effects as fx
from ai_credits.core import events as ev
from ai_credits.core.machine import Step, step
from ai_credits.core.models import WidgetConfig
from ai_credits.core.snapshot import Snapshot, initial_snapshot
from ai_credits.core.states import State
from ai_credits.runtime.executor import EffectExecutor, KeyRing

__all__ = ["MAX_STEPS", "Session", "SessionResult", "SyncSession", "TraceEntry"]

log = logging.getLogger("ai_credits.runtime")

MAX_STEPS = 32
"""Result events one ``send`` may feed back before it stops: a guard against effect loops."""
_INTERRUPTS = {"cancel_sign_in": "issue_api_key"}
"""User events that may stop the runtime waiting on an effect: closing the sign-in prompt costs
nothing.  (A payment prompt is never interrupted: a wallet may still send it.)"""
HISTORY_LIMIT = 500
UNEXPECTED_RESULT = "Something went wrong on our side. Try again in a moment."
"""The message when an effect fails in a way no adapter mapped (never a traceback)."""
"""Trace entries a session keeps (a long-lived visitor must not grow without bound)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TraceEntry:
    """One event the session ran, who sent it, and what came of it."""

    event: ev.Event
    origin: str  # "host" or the effect type that produced it
    step: Step


@dataclass(frozen=True)
class SessionResult:
    """What one ``send`` did: the snapshot at the end and every step on the way.

    ``waiting`` lists effects not executed because the caller asked to stop in a state (a wallet
    prompt left open, a receipt not yet mined) — the world is still working on them.
    """

    snapshot: Snapshot
    trace: tuple[TraceEntry, ...]
    waiting: tuple[fx.Effect, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the host's event was accepted."""
        return self.trace[0].step.accepted


@dataclass
class Session:
    """One visitor: feed events with :meth:`send`; effects run until the snapshot is quiet.

    The wallet and backend are adapters (see :mod:`ai_credits.chain`, :mod:`ai_credits.backends`);
    ``clock`` supplies event times so stories and tests are deterministic.
    """

    backend: CreditsBackend
    wallet: WalletAdapter
    config: WidgetConfig | None = None
    clock: Callable[[], datetime] = _utc_now
    snapshot: Snapshot = field(init=False)
    keys: KeyRing = field(default_factory=KeyRing)
    history: deque[TraceEntry] = field(default_factory=lambda: deque(maxlen=HISTORY_LIMIT))
    effect_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        self.snapshot = initial_snapshot(self.config)
        self._executor = EffectExecutor(self.backend, self.wallet, self.clock, self.keys,
                                        timeout_s=self.effect_timeout_s)  # fmt: skip
        self._lock = asyncio.Lock()
        self._running: tuple[fx.Effect, asyncio.Future[ev.Event | None]] | None = None
        self._interrupted = False

    async def send(self, event: ev.Event, *, stop_in: State | None = None) -> SessionResult:
        """Step ``event`` and execute the resulting effects, feeding results back, until quiet.

        With ``stop_in``, stop as soon as the widget is in that state and leave the effects it
        asked for unexecuted (``SessionResult.waiting``): how stories show in-flight states such
        as an open wallet prompt.  A rejected host event returns with the snapshot unchanged.
        """
        interrupted = _INTERRUPTS.get(event.type)
        running = self._running
        if interrupted is not None and running is not None and running[0].type == interrupted:
            # The user closed a prompt the runtime is waiting on (a free signature): stop
            # waiting, then let the machine take the user's event.
            self._interrupted = True
            running[1].cancel()
        async with self._lock:
            trace: list[TraceEntry] = []
            queue: list[tuple[ev.Event, str]] = [(event, "host")]
            waiting: list[fx.Effect] = []
            while queue:
                current, origin = queue.pop(0)
                result = step(self.snapshot, current)
                trace.append(TraceEntry(current, origin, result))
                if not result.accepted:
                    log.info("rejected %s in %s", current.type, self.snapshot.state.value)
                    continue
                self.snapshot = result.snapshot
                if len(trace) >= MAX_STEPS:
                    log.warning("stopped after %d steps in %s", MAX_STEPS, self.snapshot.state)
                    break
                if stop_in is not None and self.snapshot.state is stop_in:
                    waiting.extend(result.effects)
                    break
                for effect in result.effects:
                    follow = await self._run_effect(effect)
                    if follow is not None:
                        queue.append((follow, effect.type))
            self.history.extend(trace)
            return SessionResult(self.snapshot, tuple(trace), tuple(waiting))

    async def _run_effect(self, effect: fx.Effect) -> ev.Event | None:
        log.debug("effect %s", effect.type)
        task = asyncio.ensure_future(self._executor.execute(effect))
        self._running = (effect, task)
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._interrupted or (current is not None and current.cancelling()):
                raise
            log.info("effect %s interrupted by the user", effect.type)
            return None  # the interrupting user event follows and moves the machine
        except Exception as exc:  # the host gets a state, never a traceback
            # The adapters map every failure they know to an event, and the wire models refuse
            # what the core would; this is the last line for anything they missed (a result the
            # core refuses, an adapter bug).  Only the type is logged: messages may echo input.
            log.error("effect %s raised %s; reported as an outage", effect.type,
                      type(exc).__name__)  # fmt: skip
            return ev.BackendFailed(at=self.clock(), message=UNEXPECTED_RESULT)
        finally:
            self._running = None
            self._interrupted = False


class SyncSession:
    """The same session for synchronous hosts (Flask, Django views): ``send`` blocks."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._loop = asyncio.new_event_loop()

    @property
    def snapshot(self) -> Snapshot:
        """The current snapshot."""
        return self.session.snapshot

    def send(self, event: ev.Event, *, stop_in: State | None = None) -> SessionResult:
        """Run :meth:`Session.send` to completion."""
        return self._loop.run_until_complete(self.session.send(event, stop_in=stop_in))

    def close(self) -> None:
        """Close the private event loop."""
        self._loop.close()
