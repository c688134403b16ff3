"""The :class:`CreditsBackend` port the runtime talks to, and the pure :func:`account_summary`.

Two implementations ship: :class:`~ai_credits.backends.fixture.FixtureBackend` (in memory) and
:class:`~ai_credits.backends.worker.WorkerBackend` (HTTP to the Cloudflare Worker).  Methods of the
*planned* endpoints (auth, API keys, usage, requests, chat) raise
:class:`~ai_credits.backends.errors.NotSupported` on a backend that lacks them; :meth:`capabilities`
says which exist without side effects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from ai_credits.backends.wire import (
    ApiKeyList,
    AuthNonce,
    ChatCompletion,
    ConfigValues,
    CreditHistoryPage,
    CreditReservation,
    CreditSource,
    FundingStatus,
    Health,
    IssuedApiKey,
    Outstanding,
    PublicApiKey,
    RecordResult,
    StreamCreditsResult,
    UserCreditProfile,
)

__all__ = ["AccountSummary", "Capabilities", "CreditsBackend", "account_summary"]

CELO_CHAIN_ID = 42220


class Capabilities(BaseModel):
    """Which planned endpoint groups a backend offers (the live ones always exist)."""

    model_config = ConfigDict(frozen=True)

    auth: bool
    api_keys: bool
    usage: bool
    requests: bool
    chat: bool

    @classmethod
    def all(cls, value: bool) -> Capabilities:
        """Every planned group set to ``value``."""
        return cls(auth=value, api_keys=value, usage=value, requests=value, chat=value)


@runtime_checkable
class CreditsBackend(Protocol):
    """What the runtime needs from a credits backend (WORKER_CONTRACT.md §2–§3).

    Amounts are ints (micro-USD or wei).  Errors are :mod:`ai_credits.backends.errors` types.
    """

    async def health(self) -> Health:
        """``GET /health``."""
        ...

    async def config_values(self) -> ConfigValues:
        """``GET /config/values``: price, bonus rates and minimums."""
        ...

    async def capabilities(self) -> Capabilities:
        """Which planned endpoint groups exist (probed without side effects, then cached)."""
        ...

    async def profile(self, account: str) -> UserCreditProfile:
        """The wallet's credit totals (all zero for an unknown wallet)."""
        ...

    async def credit_history(
        self,
        account: str,
        *,
        limit: int = 20,
        offset: int = 0,
        source: CreditSource | None = None,
        funding_status: FundingStatus | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
    ) -> CreditHistoryPage:
        """Credit entries, newest first; a bad query raises ``BackendRejected``."""
        ...

    async def outstanding(self, account: str) -> Outstanding:
        """Credits still pending or failed, and their sum."""
        ...

    async def record_payment(self, tx_hash: str) -> RecordResult:
        """Ask the backend to credit the vault events of ``tx_hash`` (``AlreadyRecorded`` twice;
        ``ReceiptNotFound`` while the backend's node has no receipt: still confirming)."""
        ...

    async def record_account_events(
        self, account: str, from_block: int | str, to_block: int | str = "latest"
    ) -> RecordResult:
        """Ask the backend to scan ``account``'s vault events in a block range.

        Blocks travel as strings (``"latest"``, ``"0x…"`` or decimal text); an int is sent as
        ``0x…`` hex.  ``RecordResult.from_block`` / ``to_block`` echo the strings.
        """
        ...

    async def stream_credits(self, account: str) -> StreamCreditsResult:
        """Credit what the wallet's stream accrued (at most daily, at least 4000 G$)."""
        ...

    async def auth_nonce(self, account: str, chain_id: int = CELO_CHAIN_ID) -> AuthNonce:
        """A single-use sign-in message for creating an API key."""
        ...

    async def create_api_key(
        self, account: str, nonce: str, signature: str, label: str | None = None
    ) -> IssuedApiKey:
        """Exchange a signed nonce for a new API key (the token is shown only here)."""
        ...

    async def list_api_keys(self, token: str) -> ApiKeyList:
        """The keys of the token's wallet."""
        ...

    async def revoke_api_key(self, token: str, key_id: str) -> PublicApiKey:
        """Revoke one of the token's wallet's keys."""
        ...

    async def quote_request(
        self, messages: Sequence[Mapping[str, Any]], max_tokens: int | None = None
    ) -> int:
        """The hold (micro-USD) an AI request would take."""
        ...

    async def request(self, token: str, request_id: str) -> CreditReservation:
        """One usage row (``NotFound`` when unknown)."""
        ...

    async def usage(self, token: str, *, limit: int = 20) -> list[CreditReservation]:
        """Usage rows, newest first (``GET /v1/requests?limit=``, our extension)."""
        ...

    async def chat_completion(self, token: str, body: Mapping[str, Any]) -> ChatCompletion:
        """An OpenAI-style completion paid from credit: hold → capture, or release on failure."""
        ...


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """A wallet's credit at a glance, in micro-USD.

    ``available = credited − captured − held``; ``pending`` is credit bought but not yet funded.
    """

    credited: int
    captured: int
    held: int
    available: int
    pending: int


def account_summary(
    profile: UserCreditProfile, reservations: Iterable[CreditReservation] = ()
) -> AccountSummary:
    """Summarise ``profile`` and the given usage rows (pure; counts only the rows passed in)."""
    credited = profile.total_principal_usd + profile.total_bonus_usd
    captured = 0
    held = 0
    for row in reservations:
        if row.status == "settled":
            captured += row.actual_cost_usd or 0
        elif row.status == "reserved":
            held += row.max_cost_usd
    return AccountSummary(
        credited=credited,
        captured=captured,
        held=held,
        available=credited - captured - held,
        pending=profile.total_outstanding_funding_usd,
    )
