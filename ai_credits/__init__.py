"""ai_credits — UI state, quotes and components for the GoodDollar AI Credits widget.

A host keeps one :class:`Snapshot` per visitor, feeds events to :func:`step` and executes the
returned effects (or lets :class:`ai_credits.runtime.Session` do it), then renders the snapshot.
"""

from ai_credits.core.effects import Effect, parse_effect
from ai_credits.core.events import Event, parse_event
from ai_credits.core.machine import (
    AvailableEvent,
    Rejection,
    Step,
    available_events,
    may,
    step,
)
from ai_credits.core.models import SecretToken, WidgetConfig
from ai_credits.core.snapshot import SCHEMA_VERSION, Snapshot, initial_snapshot
from ai_credits.core.states import State
from ai_credits.errors import AiCreditsError, InvalidAmount, QuoteError, ValidationError
from ai_credits.views import WidgetView, build_view, render_widget, view_json_schema

__all__ = [
    "SCHEMA_VERSION",
    "AiCreditsError",
    "AvailableEvent",
    "Effect",
    "Event",
    "InvalidAmount",
    "QuoteError",
    "Rejection",
    "SecretToken",
    "Snapshot",
    "State",
    "Step",
    "ValidationError",
    "WidgetConfig",
    "WidgetView",
    "available_events",
    "build_view",
    "initial_snapshot",
    "may",
    "parse_effect",
    "parse_event",
    "render_widget",
    "step",
    "view_json_schema",
]
