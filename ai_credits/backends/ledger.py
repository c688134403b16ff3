"""The fixture backend's credit ledger: credits (principal + bonus) and request holds.

In memory and synchronous; no clock or randomness of its own (instants and ids are passed in).
Credit amounts come from the quote engine (:func:`ai_credits.core.quote.credit_with_bonus`).

Invariants kept for every account::

    credited = Σ total of funded entries = totalPrincipalUsd + totalBonusUsd
    0 ≤ captured + held ≤ credited,  available = credited − captured − held ≥ 0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ai_credits.backends.errors import AlreadyRecorded, InsufficientCredit, NotFound
from ai_credits.backends.wire import (
    BridgeResult,
    CreditReservation,
    CreditSource,
    FundResult,
    UserCreditProfile,
)
from ai_credits.core.quote import Price, credit_with_bonus

__all__ = ["FundingOutcome", "Ledger", "LedgerConfig", "RootLookup"]

FundingOutcome = Literal["funded", "failed", "pending"]
RootLookup = Mapping[str, str] | Callable[[str], str | None]
"""GoodID roots: a mapping account → root, or a callable returning the root or ``None``."""

FUNDING_ERROR = "bridge funding failed (fixture)"


@dataclass(slots=True)
class LedgerConfig:
    """Prices and bonus rules of the ledger (the Worker's defaults)."""

    gd_price: Price = "0.0001"
    regular_bonus_bps: int = 1_000
    streaming_bonus_bps: int = 2_000
    bonus_cap_usd: int | None = None
    """Monthly bonus cap per GoodID root and UTC month, micro-USD; ``None`` = no cap."""


@dataclass(slots=True)
class _Account:
    account: str
    created_at: datetime
    updated_at: datetime
    gd_deposited_wei: int = 0
    principal_usd: int = 0
    bonus_usd: int = 0
    gd_streamed_wei: int = 0
    outstanding_usd: int = 0
    flow_rate: int = 0
    last_stream_credit_at: datetime | None = None
    captured_usd: int = 0
    held_usd: int = 0
    entry_ids: list[str] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Hold:
    request_id: str
    account: str
    max_cost_usd: int
    status: Literal["reserved", "settled", "released", "refused"]
    created_at: datetime
    updated_at: datetime
    actual_cost_usd: int | None = None
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def to_wire(self) -> CreditReservation:
        return CreditReservation(
            request_id=self.request_id,
            account=self.account,
            max_cost_usd=self.max_cost_usd,
            status=self.status,
            actual_cost_usd=self.actual_cost_usd,
            created_at=self.created_at,
            updated_at=self.updated_at,
            model=self.model,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
        )


class Ledger:
    """Credits and holds of every account."""

    def __init__(self, config: LedgerConfig | None = None, roots: RootLookup | None = None) -> None:
        self.config = config or LedgerConfig()
        self._roots: RootLookup = roots if roots is not None else {}
        self._root_reads: dict[str, str | None] = {}
        self._accounts: dict[str, _Account] = {}
        self._entries: dict[str, FundResult] = {}
        self._bonus_used: dict[tuple[str, str], int] = {}
        self._holds: dict[str, _Hold] = {}

    # --- accounts -------------------------------------------------------------------------------

    def root_of(self, account: str) -> str | None:
        """The wallet's GoodID root (lower-cased), or ``None`` when unverified."""
        account = account.lower()
        if account in self._root_reads:
            root = self._root_reads[account]
            return root.lower() if root else None
        root = self._roots(account) if callable(self._roots) else self._roots.get(account)
        return root.lower() if root else None

    def set_root(self, account: str, root: str | None) -> None:
        """Record ``account``'s GoodID root as just read from the chain (``None``: unverified);
        it takes precedence over the configured lookup, as the Worker reads GoodID per credit."""
        self._root_reads[account.lower()] = root.lower() if root else None

    def _account(self, account: str, now: datetime) -> _Account:
        state = self._accounts.get(account)
        if state is None:
            state = _Account(account=account, created_at=now, updated_at=now)
            self._accounts[account] = state
        return state

    def known(self, account: str) -> bool:
        """Whether the ledger has seen ``account``."""
        return account in self._accounts

    def profile(self, account: str, now: datetime) -> UserCreditProfile:
        """The wallet's profile; an unknown wallet gets an all-zero one stamped ``now``."""
        state = self._accounts.get(account) or _Account(account, now, now)
        return UserCreditProfile(
            account=account,
            root_account=self.root_of(account) or account,
            created_at=state.created_at,
            updated_at=state.updated_at,
            total_gd_deposited_wei=state.gd_deposited_wei,
            total_principal_usd=state.principal_usd,
            total_bonus_usd=state.bonus_usd,
            total_gd_streamed_wei=state.gd_streamed_wei,
            total_outstanding_funding_usd=state.outstanding_usd,
            stream_flow_rate_wei_per_second=state.flow_rate,
            last_stream_credit_at=state.last_stream_credit_at,
        )

    def set_flow_rate(self, account: str, flow_rate: int, now: datetime) -> None:
        """Remember the wallet's current stream flow rate."""
        state = self._account(account, now)
        state.flow_rate = flow_rate
        state.updated_at = now

    def mark_stream_credit(self, account: str, now: datetime) -> None:
        """Record that the wallet got its daily stream credit at ``now``."""
        state = self._account(account, now)
        state.last_stream_credit_at = now
        state.updated_at = now

    def last_stream_credit_at(self, account: str) -> datetime | None:
        """When the wallet last got a daily stream credit."""
        state = self._accounts.get(account)
        return state.last_stream_credit_at if state else None

    # --- credits --------------------------------------------------------------------------------

    def entry(self, entry_id: str) -> FundResult | None:
        """A credit entry by id."""
        return self._entries.get(entry_id)

    def entries(self, account: str) -> list[FundResult]:
        """The wallet's entries, newest first (ties by id, descending)."""
        state = self._accounts.get(account)
        if state is None:
            return []
        items = [self._entries[i] for i in state.entry_ids]
        items.sort(key=lambda e: e.id, reverse=True)
        items.sort(key=lambda e: e.created_at, reverse=True)
        return items

    def credit(
        self,
        *,
        entry_id: str,
        account: str,
        gd_wei: int,
        source: CreditSource,
        now: datetime,
        buyer: str | None = None,
        tx_hash: str | None = None,
        log_index: int | None = None,
        outcome: FundingOutcome = "funded",
        gd_price: Price | None = None,
    ) -> FundResult:
        """Create the credit ``entry_id`` and fund it; an existing id raises ``AlreadyRecorded``.

        ``gd_price`` is the price read at recording time (the Worker's oracle read); the
        configured price is the fallback.
        """
        existing = self._entries.get(entry_id)
        if existing is not None:
            raise AlreadyRecorded(existing.funding_status)
        root = self.root_of(account)
        month = now.strftime("%Y-%m")
        cap_key = (root or account, month)
        quote = credit_with_bonus(
            gd_wei,
            source=source,
            verified=root is not None,
            gd_price=self.config.gd_price if gd_price is None else gd_price,
            regular_bonus_bps=self.config.regular_bonus_bps,
            streaming_bonus_bps=self.config.streaming_bonus_bps,
            bonus_cap_usd=self.config.bonus_cap_usd,
            bonus_used_usd=self._bonus_used.get(cap_key, 0),
        )
        self._bonus_used[cap_key] = self._bonus_used.get(cap_key, 0) + quote.bonus_usd
        state = self._account(account, now)
        state.updated_at = now
        # As the Worker's KV store: every credit counts as deposited G$, a stream one as streamed.
        state.gd_deposited_wei += gd_wei
        if source.startswith("stream"):
            state.gd_streamed_wei += gd_wei
        entry = FundResult(
            id=entry_id,
            account=account,
            root_account=root or account,
            source=source,
            gd_amount_wei=gd_wei,
            principal_usd=quote.principal_usd,
            bonus_usd=quote.bonus_usd,
            total_credit_usd=quote.total_credit_usd,
            tx_hash=tx_hash,
            log_index=log_index,
            funding_status="pending",
            created_at=now,
            stream_update_month=month,
            buyer_address=buyer,
            bridge=BridgeResult(enabled=False, buyer=buyer, amount_usd=quote.total_credit_usd),
        )
        state.entry_ids.append(entry_id)
        state.outstanding_usd += entry.total_credit_usd
        self._entries[entry_id] = entry
        if outcome == "pending":
            return entry
        return self.settle_funding(entry_id, succeed=outcome == "funded")

    def refund(self, entry_id: str, outcome: FundingOutcome) -> FundResult:
        """Fund an existing ``pending`` or ``failed`` entry again, as the Worker does when a tx is
        recorded twice; a ``funded`` entry raises ``AlreadyRecorded`` (never credited twice)."""
        entry = self._entries[entry_id]
        if entry.funding_status == "funded":
            raise AlreadyRecorded("funded")
        if outcome == "pending":
            return entry
        if entry.funding_status == "failed":
            entry = entry.model_copy(update={"funding_status": "pending", "funding_error": None})
            self._entries[entry_id] = entry
        return self.settle_funding(entry_id, succeed=outcome == "funded")

    def settle_funding(self, entry_id: str, *, succeed: bool) -> FundResult:
        """Move a pending entry to ``funded`` (credit counts) or ``failed`` (stays outstanding)."""
        entry = self._entries[entry_id]
        if entry.funding_status != "pending":
            raise AlreadyRecorded(entry.funding_status)
        state = self._accounts[entry.account]
        if succeed:
            state.outstanding_usd -= entry.total_credit_usd
            state.principal_usd += entry.principal_usd
            state.bonus_usd += entry.bonus_usd
            if entry.source.startswith("stream"):  # the Worker stamps every funded stream credit
                state.last_stream_credit_at = entry.created_at
            done = entry.model_copy(update={"funding_status": "funded"})
        else:
            bridge = entry.bridge.model_copy(update={"error": FUNDING_ERROR})
            done = entry.model_copy(
                update={
                    "funding_status": "failed",
                    "funding_error": FUNDING_ERROR,
                    "deposit_id": entry.id,
                    "bridge": bridge,
                }
            )
        self._entries[entry_id] = done
        return done

    def credited(self, account: str) -> int:
        """Funded principal + bonus (micro-USD)."""
        state = self._accounts.get(account)
        return state.principal_usd + state.bonus_usd if state else 0

    def captured(self, account: str) -> int:
        """Micro-USD charged for settled requests."""
        state = self._accounts.get(account)
        return state.captured_usd if state else 0

    def held(self, account: str) -> int:
        """Micro-USD held by requests in flight."""
        state = self._accounts.get(account)
        return state.held_usd if state else 0

    def available(self, account: str) -> int:
        """``credited − captured − held``."""
        state = self._accounts.get(account)
        if state is None:
            return 0
        return state.principal_usd + state.bonus_usd - state.captured_usd - state.held_usd

    # --- holds ----------------------------------------------------------------------------------

    def hold(
        self,
        account: str,
        max_cost_usd: int,
        *,
        request_id: str,
        now: datetime,
        model: str | None = None,
    ) -> _Hold:
        """Reserve ``max_cost_usd``; refuse with ``InsufficientCredit`` above what is available."""
        if max_cost_usd < 0:
            raise ValueError("a hold must not be negative")
        available = self.available(account)
        state = self._account(account, now)
        if max_cost_usd > available:
            # Kept in the usage list (holding nothing) so the widget can show the refusal.
            refused = _Hold(request_id, account, max_cost_usd, "refused", now, now, model=model)
            self._holds[request_id] = refused
            state.request_ids.append(request_id)
            raise InsufficientCredit(required_usd=max_cost_usd, available_usd=available)
        state.held_usd += max_cost_usd
        row = _Hold(request_id, account, max_cost_usd, "reserved", now, now, model=model)
        self._holds[request_id] = row
        state.request_ids.append(request_id)
        return row

    def _reserved(self, request_id: str) -> _Hold:
        row = self._holds.get(request_id)
        if row is None:
            raise NotFound("That request is unknown.", detail="request not found")
        if row.status != "reserved":
            raise AlreadyRecorded(row.status)
        return row

    def capture(
        self,
        request_id: str,
        actual_cost_usd: int,
        *,
        now: datetime,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
    ) -> _Hold:
        """Charge the actual cost (at most the hold) and return the rest."""
        row = self._reserved(request_id)
        row.prompt_tokens, row.completion_tokens = prompt_tokens, completion_tokens
        charged = min(max(actual_cost_usd, 0), row.max_cost_usd)
        state = self._accounts[row.account]
        state.held_usd -= row.max_cost_usd
        state.captured_usd += charged
        row.status = "settled"
        row.actual_cost_usd = charged
        row.updated_at = now
        return row

    def release(self, request_id: str, *, now: datetime) -> _Hold:
        """Return the whole hold (the request failed)."""
        row = self._reserved(request_id)
        self._accounts[row.account].held_usd -= row.max_cost_usd
        row.status = "released"
        row.updated_at = now
        return row

    def reservation(self, request_id: str) -> CreditReservation | None:
        """One usage row."""
        row = self._holds.get(request_id)
        return row.to_wire() if row else None

    def owner_of(self, request_id: str) -> str | None:
        """The account that made the request."""
        row = self._holds.get(request_id)
        return row.account if row else None

    def reservations(self, account: str, limit: int | None = None) -> list[CreditReservation]:
        """The wallet's usage rows, newest first."""
        state = self._accounts.get(account)
        if state is None:
            return []
        ids = state.request_ids[::-1] if limit is None else state.request_ids[: -limit - 1 : -1]
        return [self._holds[i].to_wire() for i in ids]
