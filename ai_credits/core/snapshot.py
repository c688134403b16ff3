"""The snapshot: everything the widget is, at one moment, as one frozen, serialisable value."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ai_credits.core.models import (
    AmountInput,
    ApiKey,
    BackendFeatures,
    CachedBalance,
    CreditEntry,
    CreditSummary,
    KeyInfo,
    Mode,
    Notice,
    PendingAction,
    Quote,
    SecretToken,
    StreamInfo,
    UsageRow,
    WalletInfo,
    WidgetConfig,
)
from ai_credits.core.states import State

__all__ = [
    "SCHEMA_VERSION",
    "WALLET_OPTIONAL_STATES",
    "ByokSetup",
    "Snapshot",
    "context_problems",
    "initial_snapshot",
]

SCHEMA_VERSION = 1

WALLET_OPTIONAL_STATES = frozenset(
    {State.disconnected, State.connecting, State.byok, State.backend_unavailable}
)
"""The only states a snapshot may be in without a connected wallet; every other state acts on
the wallet's account (loads it, pays from it, signs with it)."""


class ByokSetup(BaseModel):
    """Bring-your-own-key: the developer's provider, key and model, which the setup snippets show
    instead of ours.  The key is a :class:`SecretToken`, masked like ours; ``errors`` holds the
    form's inline messages by field while it is not valid (nothing is saved then)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = ""
    model: str = ""
    key: SecretToken | None = None
    errors: dict[str, str] = Field(default_factory=dict)

    @property
    def saved(self) -> bool:
        """Complete and valid: the snippets can use it."""
        return bool(self.base_url and self.model and self.key is not None and not self.errors)


class Snapshot(BaseModel):
    """The widget at one moment. Frozen; ``model_dump_json`` / ``model_validate_json`` round-trip it
    exactly.  Hold one per visitor and pass it to :func:`ai_credits.step` with each event.

    Building or loading a snapshot (``Snapshot(...)``, ``model_validate``, ``model_validate_json``)
    also checks that its ``state`` agrees with its context — e.g. ``has_credits`` needs a wallet —
    and raises pydantic's ``ValidationError`` saying which part is missing, so a snapshot a host
    loads from storage either is one the machine can step or is refused up front.  (``step``
    derives snapshots the way ``model_copy`` does, without validating again, which skips the
    check: the machine keeps it by construction, and the tests re-validate every snapshot it
    reaches.)
    """

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
    features: BackendFeatures | None = Field(
        default=None, description="What the backend offers; None until asked (assume all)."
    )
    outstanding: tuple[CreditEntry, ...] = Field(
        default=(), description="Credits owed: G$ arrived, crediting pending or failed."
    )
    keys: tuple[KeyInfo, ...] | None = Field(
        default=None, description="The account's API keys (None until listed)."
    )
    revoking: str | None = Field(
        default=None, description="The key id whose revocation awaits the user's confirmation."
    )
    history: tuple[CreditEntry, ...] | None = Field(
        default=None, description="Recent credits, shown where the backend has no usage."
    )
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _state_agrees_with_context(self) -> Self:
        problems = context_problems(self)
        if problems:
            raise ValueError(f"inconsistent snapshot: {'; '.join(problems)}")
        return self


def context_problems(snapshot: Snapshot) -> list[str]:
    """Why ``snapshot``'s state disagrees with its context (empty when it agrees)."""
    problems: list[str] = []
    state = snapshot.state
    if snapshot.wallet is None and state not in WALLET_OPTIONAL_STATES:
        problems.append(f"state '{state.value}' needs a connected wallet but 'wallet' is empty")
    return problems


def initial_snapshot(config: WidgetConfig | None = None) -> Snapshot:
    """The widget before anything happened: ``disconnected``, with ``config``."""
    return Snapshot(config=config or WidgetConfig())
