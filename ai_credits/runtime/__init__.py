"""The runtime: executes the core's effects through the backend and wallet adapters.

Hold one :class:`Session` (async) or :class:`SyncSession` per visitor and ``send`` it events.
"""

from ai_credits.runtime.executor import EffectExecutor, KeyRing
from ai_credits.runtime.session import MAX_STEPS, Session, SessionResult, SyncSession, TraceEntry

__all__ = [
    "MAX_STEPS",
    "EffectExecutor",
    "KeyRing",
    "Session",
    "SessionResult",
    "SyncSession",
    "TraceEntry",
]
