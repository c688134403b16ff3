"""The snapshot: everything the widget is, at one moment, as one frozen, serialisable value."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ai_credits.core.models import (
    AmountInput,
    ApiKey,
    CachedBalance,
    CreditSummary,
    Mode,
    Notice,
    PendingAction,
    Quote,
    StreamInfo,
    UsageRow,
    WalletInfo,
    WidgetConfig,
)
from ai_credits.core.states import State

__all__ = ["SCHEMA_VERSION", "ByokSetup", "Snapshot", "initial_snapshot"]

SCHEMA_VERSION = 1


class ByokSetup(BaseModel):
    """Bring-your-own-key: the provider values the setup snippets show instead of ours."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str
    model: str


class Snapshot(BaseModel):
    """The widget at one moment. Frozen; ``model_dump_json`` / ``model_validate_json`` round-trip it
    exactly.  Hold one per visitor and pass it to :func:`ai_credits.step` with each event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    state: State = State.disconnected
    seq: int = Field(default=0, ge=0, description="Accepted events so far; seeds default ids.")
    config: WidgetConfig = Field(default_factory=WidgetConfig)
    wallet: WalletInfo | None = None
    mode: Mode = "one_time"
    amount: AmountInput = Field(default_factory=AmountInput)
    quote: Quote | None = None
    pending: PendingAction | None = None
    credit: CreditSummary | None = None
    api_key: ApiKey | None = None
    usage: tuple[UsageRow, ...] | None = Field(default=None, description="None until loaded.")
    stream: StreamInfo | None = None
    notice: Notice | None = None
    cached: CachedBalance | None = None
    byok: ByokSetup | None = None
    updated_at: datetime | None = None


def initial_snapshot(config: WidgetConfig | None = None) -> Snapshot:
    """The widget before anything happened: ``disconnected``, with ``config``."""
    return Snapshot(config=config or WidgetConfig())
