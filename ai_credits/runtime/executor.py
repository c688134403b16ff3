"""Executes the core's effects through the backend and wallet adapters.

Every effect becomes exactly one result event.  Failures become events too — a wallet refusal, a
revert, an unreachable backend — mapped to sentences; nothing here raises to the host and nothing
claims success it did not see.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ai_credits.backends.errors import (
    AlreadyRecorded,
    BackendError,
    NotSupported,
    ReceiptNotFound,
    Unauthorised,
)
from ai_credits.backends.protocol import CreditsBackend, account_summary
from ai_credits.backends.wire import (
    CreditReservation,
    FundResult,
    GdCreditEntry,
    PublicApiKey,
    UserCreditProfile,
)
from ai_credits.chain.errors import ChainError
from ai_credits.chain.models import WalletAdapter, WalletReading
from ai_credits.core import effects as fx
from ai_credits.core import events as ev
from ai_credits.core.models import (
    BackendFeatures,
    CreditEntry,
    CreditSummary,
    KeyInfo,
    SecretToken,
    StreamInfo,
    UsageRow,
    WalletInfo,
)
from ai_credits.core.quote import VaultMinimums, credit_with_bonus

__all__ = ["EffectExecutor", "KeyRing"]

Clock = Callable[[], datetime]

_STATUS = {"reserved": "held", "settled": "charged", "released": "released",
           "refused": "refused"}
_UNREACHABLE_CHAIN = "The Celo network cannot be reached right now. Try again in a moment."


@dataclass
class KeyRing:
    """The visitor's API key, kept by the runtime (never in a snapshot after it was shown)."""

    token: SecretToken | None = None
    prefix: str | None = None
    key_id: str | None = None

    def clear(self) -> None:
        """Forget the key (sign out)."""
        self.token = self.prefix = self.key_id = None

    def __repr__(self) -> str:
        return f"KeyRing(prefix={self.prefix!r}, token={'set' if self.token else None})"


@dataclass
class EffectExecutor:
    """Turns one effect into one event using a backend and a wallet."""

    backend: CreditsBackend
    wallet: WalletAdapter
    clock: Clock
    keys: KeyRing = field(default_factory=KeyRing)
    key_label: str = "AI Credits widget"
    timeout_s: float = 60.0
    history_limit: int = 5

    async def execute(self, effect: fx.Effect) -> ev.Event | None:
        """The result event of ``effect`` (``None`` for effects with no result)."""
        handler = getattr(self, f"_do_{effect.type}")
        try:
            result: ev.Event | None = await asyncio.wait_for(handler(effect), self.timeout_s)
        except TimeoutError:
            return self._timeout(effect)
        return result

    def _timeout(self, effect: fx.Effect) -> ev.Event:
        if isinstance(effect, fx.RecordPayment):
            # The transaction exists: it is still confirming, never a reason to pay again.
            return ev.PaymentUnconfirmed(tx_hash=effect.tx_hash, code="timeout", at=self.clock())
        if isinstance(effect, fx.SubmitPayment):
            return ev.PaymentFailed(code="wallet_timeout", at=self.clock(),
                                    message="Your wallet did not answer in time. If it sent the "
                                    "payment, it shows in your wallet's activity: do not pay "
                                    "again until you have checked.")  # fmt: skip
        return ev.BackendFailed(at=self.clock(), message="The request took too long. Try again.")

    # --- wallet ---------------------------------------------------------------------------------
    async def _do_connect_wallet(self, _: fx.ConnectWallet) -> ev.Event:
        try:
            connection = await self.wallet.connect()
        except ChainError as exc:
            return ev.WalletRejected(code=exc.code, message=exc.message, at=self.clock())
        return ev.WalletConnected(account=connection.account, chain_id=connection.chain_id,
                                  at=self.clock())  # fmt: skip

    async def _do_disconnect_wallet(self, _: fx.DisconnectWallet) -> None:
        self.keys.clear()

    async def _do_switch_chain(self, effect: fx.SwitchChainEffect) -> ev.Event:
        try:
            await self.wallet.switch_chain(effect.chain_id)
        except ChainError as exc:
            return ev.WalletRejected(code=exc.code, message=exc.message, at=self.clock())
        return ev.ChainChanged(chain_id=effect.chain_id, at=self.clock())

    # --- reading --------------------------------------------------------------------------------
    async def _credit(self, account: str, rows: list[CreditReservation]) -> CreditSummary:
        return (await self._credit_and_profile(account, rows))[0]

    async def _credit_and_profile(
        self, account: str, rows: list[CreditReservation]
    ) -> tuple[CreditSummary, UserCreditProfile]:
        profile = await self.backend.profile(account)
        summary = account_summary(profile, rows)
        history = await self.backend.credit_history(account, limit=1, funding_status="funded")
        last = history.items[0].total_credit_usd if history.items else 0
        return CreditSummary(
            credited_usd=summary.credited,
            captured_usd=summary.captured,
            held_usd=summary.held,
            pending_usd=summary.pending,
            last_top_up_usd=last,
        ), profile

    async def _usage_rows(self) -> list[CreditReservation]:
        if self.keys.token is None:
            return []
        return await self.backend.usage(self.keys.token.reveal(), limit=20)

    async def _backend_features(self, known: BackendFeatures | None) -> BackendFeatures:
        """What the backend offers: as the snapshot knows it for this connection, else asked
        (the probe changes nothing)."""
        if known is not None:
            return known
        caps = await self.backend.capabilities()
        return BackendFeatures(api_keys=caps.auth and caps.api_keys, usage=caps.usage)

    async def _outstanding(self, account: str) -> tuple[CreditEntry, ...]:
        owed = await self.backend.outstanding(account)
        return tuple(_credit_entry(e) for e in owed.failed_funding_credits
                     if e.funding_status != "funded")  # fmt: skip

    async def _do_load_account(self, effect: fx.LoadAccount) -> ev.Event:
        now = self.clock()
        try:
            reading = await self.wallet.read(effect.account)
        except ChainError as exc:
            return ev.BackendFailed(message=_UNREACHABLE_CHAIN if exc.code == "rpc_unavailable"
                                    else exc.message, at=now)  # fmt: skip
        try:
            if reading.flow_rate > 0:
                # Credit what the running stream accrued (the backend credits at most daily,
                # once 4000 G$ have accrued): the balance then includes it.
                with contextlib.suppress(BackendError):
                    await self.backend.stream_credits(effect.account)
            features = await self._backend_features(effect.features)
            config = await self.backend.config_values()
            try:
                rows = await self._usage_rows() if features.usage else []
            except (NotSupported, Unauthorised):
                rows = []
            credit, profile = await self._credit_and_profile(effect.account, rows)
            outstanding = await self._outstanding(effect.account)
            history = None
            if not features.usage:
                page = await self.backend.credit_history(effect.account,
                                                         limit=self.history_limit)  # fmt: skip
                history = tuple(_credit_entry(e) for e in page.items)
        except BackendError as exc:
            return ev.BackendFailed(kind=_kind(exc), message=exc.message, at=now)
        # Quote at the price the backend credits with: the oracle it reads when it records a
        # deposit.  Its configured price is only its fallback — an estimate.
        oracle = reading.gd_price
        price = oracle if oracle is not None else _price_text(config.config.gd_cusd_price)
        stream = _stream_info(reading, profile, price, now) if reading.flow_rate > 0 else None
        return ev.AccountLoaded(
            wallet=WalletInfo(
                account=reading.account.lower(),
                chain_id=reading.chain_id,
                g_balance_wei=reading.g_balance_wei,
                verified=reading.verified,
                first_deposit_done=reading.total_deposited_wei > 0,
            ),
            credit=credit,
            gd_price=price,
            price_source="oracle" if oracle is not None else "backend",
            key_prefix=self.keys.prefix,
            stream=stream,
            features=features,
            outstanding=outstanding,
            history=history,
            at=now,
        )

    async def _do_load_usage(self, effect: fx.LoadUsage) -> ev.Event:
        now = self.clock()
        if self.keys.token is None:
            return ev.BackendFailed(kind="unauthorised", at=now,
                                    message="Usage appears here for the key created in this "
                                    "session. Create a new key to see it.")  # fmt: skip
        try:
            rows = await self._usage_rows()
            credit = await self._credit(effect.account, rows)
            keys = await self._key_list()
        except BackendError as exc:
            return ev.BackendFailed(kind=_kind(exc), message=exc.message, at=now)
        return ev.UsageLoaded(rows=tuple(_usage_row(r) for r in rows), credit=credit, keys=keys,
                              at=now)  # fmt: skip

    async def _key_list(self) -> tuple[KeyInfo, ...] | None:
        """The account's keys, listed with the session's key (``None`` without one)."""
        if self.keys.token is None:
            return None
        listed = await self.backend.list_api_keys(self.keys.token.reveal())
        return tuple(_key_info(k) for k in listed.api_keys)

    async def _do_revoke_api_key(self, effect: fx.RevokeApiKey) -> ev.Event:
        now = self.clock()
        if self.keys.token is None:
            return ev.BackendFailed(kind="unauthorised", at=now,
                                    message="Create a new key first: keys are managed with a "
                                    "key of this session.")  # fmt: skip
        try:
            await self.backend.revoke_api_key(self.keys.token.reveal(), effect.key_id)
            if effect.key_id == self.keys.key_id:
                self.keys.clear()  # the session's own key: it no longer works
                keys: tuple[KeyInfo, ...] = ()
            else:
                keys = await self._key_list() or ()
        except BackendError as exc:
            return ev.BackendFailed(kind=_kind(exc), message=exc.message, at=now)
        return ev.KeyRevoked(key_id=effect.key_id, keys=keys, at=self.clock())

    # --- paying ---------------------------------------------------------------------------------
    async def _do_submit_payment(self, effect: fx.SubmitPayment) -> ev.Event:
        try:
            tx_hash = await self.wallet.send_purchase(payer=effect.payer, buyer=effect.buyer,
                                                      amount_wei=effect.amount_wei)  # fmt: skip
        except ChainError as exc:
            return _wallet_failure(exc, self.clock())
        return ev.PaymentSubmitted(tx_hash=tx_hash, at=self.clock())

    async def _do_record_payment(self, effect: fx.RecordPayment) -> ev.Event:
        """Re-check one transaction: its receipt, then the backend's record.  Never sends one."""
        try:
            await self.wallet.wait_for_receipt(effect.tx_hash)
        except ChainError as exc:
            if exc.reverted:
                return ev.PaymentReverted(tx_hash=effect.tx_hash, code=exc.code,
                                          message=exc.message, at=self.clock())  # fmt: skip
            # Late, or the node cannot be reached: the tx may still move G$.
            return ev.PaymentUnconfirmed(tx_hash=effect.tx_hash, code=exc.code, at=self.clock())
        try:
            balance: int | None = (await self.wallet.read(effect.account)).g_balance_wei
        except ChainError:
            balance = None  # the receipt is in; a stale balance is re-read on the next load
        # A transaction whose receipt the backend cannot find vault events in (not indexed yet,
        # or another chain) has funded nothing: it stays pending, never reads as success.
        already = "pending"
        try:
            try:
                recorded = await self.backend.record_payment(effect.tx_hash)
                results: list[FundResult] = list(recorded.events)
            except AlreadyRecorded as exc:
                # Recorded and funded before (never credited twice): report that status.
                results = []
                already = exc.funding_status
            credit = await self._credit(effect.account, await self._usage_rows_soft())
            outstanding = await self._outstanding(effect.account)
        except ReceiptNotFound:
            return ev.PaymentUnconfirmed(tx_hash=effect.tx_hash, code="receipt_not_found",
                                         at=self.clock())  # fmt: skip
        except BackendError as exc:
            return ev.BackendFailed(kind=_kind(exc), message=exc.message, at=self.clock())
        statuses: set[str] = {r.funding_status for r in results} or {already}
        status = "failed" if "failed" in statuses else "pending" if "pending" in statuses else (
            "funded")  # fmt: skip
        added = sum(r.total_credit_usd for r in results if r.funding_status == "funded")
        return ev.PaymentRecorded(status=status, credit=credit, credited_usd=added,
                                  g_balance_wei=balance, outstanding=outstanding,
                                  at=self.clock())  # fmt: skip

    async def _usage_rows_soft(self) -> list[CreditReservation]:
        try:
            return await self._usage_rows()
        except (NotSupported, Unauthorised):
            return []

    async def _do_issue_api_key(self, effect: fx.IssueApiKey) -> ev.Event:
        try:
            nonce = await self.backend.auth_nonce(effect.account, effect.chain_id)
            try:
                signature = await self.wallet.sign_message(effect.account, nonce.message)
            except ChainError as exc:
                return ev.WalletRejected(code=exc.code, message=exc.message, at=self.clock())
            issued = await self.backend.create_api_key(effect.account, nonce.nonce, signature,
                                                       label=self.key_label)  # fmt: skip
        except NotSupported:
            return ev.BackendFailed(kind="not_supported", at=self.clock(),
                                    message="API keys are not available on this backend yet.")
        except Unauthorised:  # the signature was refused or the nonce expired at the prompt
            return ev.WalletRejected(code="unauthorised", at=self.clock(),
                                     message="Your signature could not be verified. "
                                     "Create your API key again.")  # fmt: skip
        except BackendError as exc:
            return ev.BackendFailed(kind=_kind(exc), message=exc.message, at=self.clock())
        token = SecretToken(issued.token.get_secret_value())
        self.keys.token, self.keys.prefix = token, issued.api_key.token_prefix
        self.keys.key_id = issued.api_key.id
        keys: tuple[KeyInfo, ...] | None = None
        try:
            if effect.replaces is not None and effect.replaces != issued.api_key.id:
                # Rotation: the new key exists, so the old one can go (with the new key's auth).
                await self.backend.revoke_api_key(token.reveal(), effect.replaces)
            keys = await self._key_list()
        except BackendError:
            keys = None  # the new key is what matters; the list reloads with usage
        return ev.ApiKeyIssued(token=token, key_id=issued.api_key.id,
                               prefix=issued.api_key.token_prefix, keys=keys,
                               at=self.clock())  # fmt: skip

    # --- streams --------------------------------------------------------------------------------
    async def _stream(self, effect: fx.StartStreamEffect | fx.ResumeStreamEffect
                      | fx.PauseStreamEffect | fx.StopStreamEffect) -> ev.Event:  # fmt: skip
        creates = isinstance(effect, fx.StartStreamEffect | fx.ResumeStreamEffect)
        try:
            tx_hash = await self.wallet.send_stream(
                "create" if creates else "delete", sender=effect.sender, buyer=effect.buyer,
                flow_rate=effect.flow_rate if creates else 0,
            )
            await self.wallet.wait_for_receipt(tx_hash)
        except ChainError as exc:
            return _wallet_failure(exc, self.clock())
        # The chain is the truth for the stream; the backend credits what was streamed since
        # the last change when it records the update, and the card shows that credit at once.
        credit: CreditSummary | None = None
        streamed = 0
        with contextlib.suppress(BackendError):
            await self.backend.record_payment(tx_hash)
        with contextlib.suppress(BackendError):
            credit, profile = await self._credit_and_profile(effect.sender,
                                                             await self._usage_rows_soft())
            streamed = profile.total_gd_streamed_wei
        now = self.clock()
        rate = effect.flow_rate if creates else 0
        return ev.StreamUpdated(tx_hash=tx_hash, at=now, credit=credit,
                                stream=StreamInfo(flow_rate=rate, started_at=now if creates
                                                  else None, as_of=now,
                                                  streamed_wei=streamed))  # fmt: skip

    _do_start_stream = _stream
    _do_resume_stream = _stream
    _do_pause_stream = _stream
    _do_stop_stream = _stream


def _kind(exc: BackendError) -> ev.BackendFailureKind:
    if isinstance(exc, NotSupported):
        return "not_supported"
    if isinstance(exc, Unauthorised):
        return "unauthorised"
    return "unavailable"


def _wallet_failure(exc: ChainError, at: datetime) -> ev.Event:
    if exc.code == "user_rejected":
        return ev.WalletRejected(code=exc.code, message=exc.message, at=at)
    return ev.PaymentFailed(code=exc.code, message=exc.message, at=at)


def _stream_info(
    reading: WalletReading, profile: UserCreditProfile, price: str, now: datetime
) -> StreamInfo:
    """The running stream as of ``now``: streamed so far, credit accrued since the last stream
    credit, and when the next credit can be issued (daily, once 4000 G$ have accrued)."""
    rate = reading.flow_rate
    since = datetime.fromtimestamp(reading.flow_since, UTC) if reading.flow_since else None
    last_credit = profile.last_stream_credit_at
    marks = [t for t in (since, last_credit) if t is not None]
    credited_until = max(marks) if marks else now
    uncredited = rate * max(int((now - credited_until).total_seconds()), 0)
    accrued = credit_with_bonus(uncredited, source="streamCron", verified=reading.verified,
                                gd_price=price).total_credit_usd  # fmt: skip
    minimum = VaultMinimums().stream_credit_min_wei
    due_by_amount = credited_until + timedelta(seconds=-(-minimum // rate))
    due_by_day = (last_credit or credited_until) + timedelta(days=1)
    return StreamInfo(
        flow_rate=rate,
        started_at=since,
        as_of=now,
        streamed_wei=rate * max(int((now - since).total_seconds()), 0) if since else 0,
        accrued_usd=accrued,
        next_credit_at=max(due_by_amount, due_by_day, now),
    )


def _credit_entry(entry: GdCreditEntry) -> CreditEntry:
    return CreditEntry(
        tx_hash=entry.tx_hash,
        source="deposit" if entry.source == "deposit" else "stream",
        gd_wei=entry.gd_amount_wei,
        credit_usd=entry.total_credit_usd,
        status=entry.funding_status,
        created_at=entry.created_at,
    )


def _key_info(key: PublicApiKey) -> KeyInfo:
    return KeyInfo(key_id=key.id, prefix=key.token_prefix, label=key.label, status=key.status,
                   created_at=key.created_at, last_used_at=key.last_used_at)  # fmt: skip


def _price_text(price: object) -> str:
    return repr(price) if isinstance(price, float) else str(price)


def _usage_row(row: CreditReservation) -> UsageRow:
    return UsageRow(
        request_id=row.request_id,
        model=row.model or "—",
        status=_STATUS.get(row.status, "held"),
        hold_usd=row.max_cost_usd,
        cost_usd=row.actual_cost_usd,
        prompt_tokens=row.prompt_tokens or 0,
        completion_tokens=row.completion_tokens or 0,
        created_at=row.created_at,
    )
