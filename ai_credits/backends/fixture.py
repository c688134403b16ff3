"""``FixtureBackend``: the in-memory, deterministic credits backend (demos, catalogue, tests).

A real ledger (:mod:`ai_credits.backends.ledger`), not canned answers: payments are read from an
injected :class:`~ai_credits.core.onchain.ChainEventSource` and credited by the quote engine; AI
requests hold, capture and release credit; API keys are issued against EIP-191 signatures and stored
only as hashes; streams accrue from the injected clock.  Ids, nonces and tokens come from an
injected ``random.Random`` so runs repeat exactly.

Failure knobs (attributes, may be flipped at any time): ``down``, ``slow`` (seconds awaited per
call), ``fail_next_payment``, ``fail_next_request``, ``defer_funding`` (credits stay ``pending``),
``planned_endpoints`` (``False`` behaves like today's live Worker).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ai_credits.backends.errors import (
    AlreadyRecorded,
    BackendRejected,
    BackendUnavailable,
    NotFound,
    NotSupported,
    ReceiptNotFound,
)
from ai_credits.backends.keys import KeyStore
from ai_credits.backends.ledger import FundingOutcome, Ledger, LedgerConfig, RootLookup
from ai_credits.backends.protocol import CELO_CHAIN_ID, Capabilities
from ai_credits.backends.scenario import load_scenario
from ai_credits.backends.validation import (
    block_tag,
    check_address,
    check_history_query,
    check_label,
    check_limit,
    check_max_tokens,
    check_messages,
    check_tx_hash,
)
from ai_credits.backends.wire import (
    ApiKeyList,
    AuthNonce,
    ChatChoice,
    ChatCompletion,
    ChatCredit,
    ChatMessage,
    ChatUsage,
    ConfigBridge,
    ConfigCelo,
    ConfigEntries,
    ConfigStatus,
    ConfigValues,
    CreditHistoryPage,
    CreditReservation,
    CreditSource,
    FundingStatus,
    FundResult,
    GdCreditEntry,
    Health,
    IssuedApiKey,
    Outstanding,
    PublicApiKey,
    RecordResult,
    StreamCreditsResult,
    StreamMessage,
    UserCreditProfile,
)
from ai_credits.core.onchain import (
    ChainEventSource,
    DepositEvent,
    ReceiptNotFoundError,
    StreamEvent,
    WorkerChainReads,
)
from ai_credits.core.quote import (
    WEI_PER_GD,
    PriceTable,
    estimate_tokens,
    request_actual_cost,
    request_hold,
)

__all__ = ["MIN_STREAM_BONUS_WEI", "STREAM_COOLDOWN", "FixtureBackend"]

MIN_STREAM_BONUS_WEI = 4_000 * WEI_PER_GD
STREAM_COOLDOWN = timedelta(hours=24)
NO_STREAMS = "no active streams found"
"""The Worker's text when the account streams nothing to the vault."""
STREAM_COOLDOWN_TEXT = "stream credits were issued less than 60 seconds ago"
"""The Worker's text (sic: the cooldown is 24 h) within 24 h of the last stream credit or change."""
WORKER_BONUS_CAP = 100 * 10**18
"""``MAX_BONUS_CAP_USD`` of a Worker with no cap configured: "100" parsed with 18 decimals, compared
with micro-USD bonuses, so it never binds."""
SUBGRAPH_URL = "https://subgraph-endpoints.superfluid.dev/celo-mainnet/protocol-v1"
"""The Worker's default ``SUPERFLUID_SUBGRAPH_URL`` (reported; flows are read on chain here)."""
CELO_ADDRESSES = {
    "CELO_VAULT_ADDRESS": "0x4Dd0136b9aabD5823cf0F65d89e8fB882C660885",
    "CELO_GOODID_ADDRESS": "0xC361A6E67822a0EDc17D899227dd9FC50BD62F42",
    "CELO_STATIC_ORACLE_ADDRESS": "0x00851A91a3c4E9a4c1B48df827Bacc1f884bdE28",
    "CELO_CUSD_ADDRESS": "0x765DE816845861e75A25fCA122bb6898B8B1282a",
    "CELO_GD_SUPERTOKEN_ADDRESS": "0x62B8B11039FcfE5aB0C56E502b1C372A3d2a9c7A",
}
"""The production Worker's Celo addresses (CHAIN.md), shown when no node is attached."""
SERVICE = "gooddollar-antseed-integration"
RUNTIME = "cloudflare-worker"
DEFAULT_MODEL = "gooddollar/fixture-echo"


class FixtureBackend:
    """An in-memory :class:`~ai_credits.backends.protocol.CreditsBackend`."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        chain: ChainEventSource | None = None,
        rng: random.Random | None = None,
        verified_roots: RootLookup | None = None,
        config: LedgerConfig | None = None,
        prices: PriceTable | None = None,
        planned_endpoints: bool = True,
        down: bool = False,
        slow: float = 0.0,
        min_stream_bonus_wei: int = MIN_STREAM_BONUS_WEI,
    ) -> None:
        self.clock = clock
        self.chain = chain
        self._rng = rng or random.Random(0)
        self.ledger = Ledger(config, verified_roots)
        self.keys = KeyStore()
        self.prices = prices or PriceTable()
        self.min_stream_bonus_wei = min_stream_bonus_wei
        self.planned_endpoints = planned_endpoints
        self.down = down
        self.slow = slow
        self.fail_next_payment = False
        self.fail_next_request = False
        self.defer_funding = False
        self._seeded_flow: dict[str, int] = {}
        self._flow_since: dict[str, datetime] = {}
        self._cron_since_change: dict[str, int] = {}

    def __repr__(self) -> str:
        return (
            f"FixtureBackend(planned_endpoints={self.planned_endpoints}, down={self.down}, "
            f"slow={self.slow})"
        )

    # --- plumbing -------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock()
        return now.replace(microsecond=now.microsecond // 1000 * 1000)

    def _hex(self, bits: int) -> str:
        return f"{self._rng.getrandbits(bits):0{bits // 4}x}"

    async def _gate(self, feature: str | None = None) -> None:
        if self.slow:
            await asyncio.sleep(self.slow)
        if self.down:
            raise BackendUnavailable(detail="fixture backend is down")
        if feature is not None and not self.planned_endpoints:
            raise NotSupported(feature)

    async def _oracle_price(self) -> str | None:
        """The price the chain's oracle quotes now, read at recording time as the Worker does
        (``None``: no chain or no oracle — the configured price applies)."""
        read = getattr(self.chain, "gd_price", None)
        return await read() if read is not None else None

    def _outcome(self) -> FundingOutcome:
        if self.fail_next_payment:
            self.fail_next_payment = False
            return "failed"
        return "pending" if self.defer_funding else "funded"

    # --- seeding (scenarios, demos, tests) ------------------------------------------------------

    def seed_stream(self, account: str, flow_rate: int, *, since: datetime) -> None:
        """Pretend ``account`` has streamed ``flow_rate`` wei/s to the vault since ``since``."""
        account = account.lower()
        self._seeded_flow[account] = flow_rate
        self._flow_since[account] = since
        self.ledger.set_flow_rate(account, flow_rate, since)

    def issue_key_for(self, account: str, label: str | None = None) -> IssuedApiKey:
        """Issue a key without a signature — for demos and tests only; not reachable over HTTP."""
        account = check_address(account)
        return self._new_key(account, label)

    def _new_key(self, account: str, label: str | None) -> IssuedApiKey:
        token = "gd_live_" + self._hex(256)
        return self.keys.add_key(
            token=token,
            key_id="key_" + self._hex(64),
            account=account,
            root_account=self.ledger.root_of(account) or account,
            label=label,
            now=self._now(),
        )

    @classmethod
    def from_scenario(
        cls,
        name_or_path: str | Path,
        *,
        clock: Callable[[], datetime],
        chain: ChainEventSource | None = None,
        rng: random.Random | None = None,
        account: str | None = None,
    ) -> FixtureBackend:
        """A backend in the state a scenario describes; ``account`` renames its primary wallet."""
        scenario = load_scenario(name_or_path)
        rename = {scenario.primary: check_address(account)} if account else {}
        roots = {
            rename.get(a, a): s.verified_root
            for a, s in scenario.accounts.items()
            if s.verified_root
        }
        backend = cls(
            clock=clock,
            chain=chain,
            rng=rng,
            verified_roots=roots,
            config=LedgerConfig(gd_price=scenario.gd_price, bonus_cap_usd=scenario.bonus_cap_usd),
        )
        now = backend._now()
        for raw_address, state in scenario.accounts.items():
            address = rename.get(raw_address, raw_address)
            events: list[tuple[int, int, Any]] = []
            for i, credit in enumerate(state.credits):
                events.append((credit.age_seconds, 0, (i, credit)))
            for j, req in enumerate(state.requests):
                events.append((req.age_seconds, 1, (j, req)))
            events.sort(key=lambda e: (-e[0], e[1]))
            for age, kind, (index, item) in events:
                at = now - timedelta(seconds=age)
                if kind == 0:
                    tx = item.tx_hash or f"0x{index + 1:064x}"
                    source: CreditSource = item.source
                    entry_id = (
                        f"stream:{at:%Y-%m-%d}:{address}"
                        if source == "streamCron"
                        else f"{tx}:{item.log_index}"
                    )
                    backend.ledger.credit(
                        entry_id=entry_id,
                        account=address,
                        gd_wei=item.gd_wei,
                        source=source,
                        now=at,
                        buyer=address,
                        tx_hash=None if source == "streamCron" else tx,
                        log_index=None if source == "streamCron" else item.log_index,
                        outcome=item.funding,
                    )
                else:
                    request_id = "req_" + backend._hex(96)
                    backend.ledger.hold(address, item.max_cost_usd, request_id=request_id, now=at,
                                        model=item.model)  # fmt: skip
                    if item.status == "settled":
                        backend.ledger.capture(
                            request_id,
                            item.actual_cost_usd or 0,
                            now=at,
                            prompt_tokens=item.prompt_tokens,
                            completion_tokens=item.completion_tokens,
                        )
                    elif item.status == "released":
                        backend.ledger.release(request_id, now=at)
            if state.stream is not None:
                since = now - timedelta(seconds=state.stream.age_seconds)
                backend.seed_stream(address, state.stream.flow_rate, since=since)
        knobs = scenario.knobs
        backend.down = knobs.down
        backend.slow = knobs.slow
        backend.fail_next_payment = knobs.fail_next_payment
        backend.fail_next_request = knobs.fail_next_request
        backend.planned_endpoints = knobs.planned_endpoints
        return backend

    # --- live routes ----------------------------------------------------------------------------

    async def health(self) -> Health:
        """``GET /health``."""
        await self._gate()
        return Health(
            ok=True, service=SERVICE, runtime=RUNTIME, kv_enabled=True, bridge_enabled=False
        )

    async def config_status(self) -> ConfigStatus:
        """``GET /config/status``: ``celo`` says what is read from a chain — receipts and vault
        events (``rpcConfigured``, ``vaultConfigured``), and with a real node also GoodID roots and
        the oracle price (``goodIdConfigured``, ``staticOracleConfigured``)."""
        await self._gate()
        reads = self._worker_reads()
        return ConfigStatus(
            ok=True,
            service=SERVICE,
            runtime=RUNTIME,
            bridge=ConfigBridge(  # the Worker's constant answer; its Base bridge is off here
                celo_vault_events=True,
                base_buyer_operator_enabled=False,
                mode="celo-vault-to-base-buyer-operator",
            ),
            celo=ConfigCelo(  # what this backend reads from a chain, as the Worker reports it
                rpc_configured=self.chain is not None,
                vault_configured=self.chain is not None,
                good_id_configured=reads is not None,
                static_oracle_configured=reads is not None
                and "CELO_STATIC_ORACLE_ADDRESS" in reads.addresses(),
            ),
            kv_enabled=True,
        )

    async def config_values(self) -> ConfigValues:
        """``GET /config/values``, keyed as the Worker's: ``GD_CUSD_PRICE`` is the fallback price
        (the oracle is read per credit), ``MAX_BONUS_CAP_USD`` the Worker's never-binding default
        when no cap is set, and the five ``CELO_*_ADDRESS`` keys name the attached node's
        contracts (Celo mainnet's without one)."""
        await self._gate()
        config = self.ledger.config
        reads = self._worker_reads()
        addresses = reads.addresses() if reads is not None else CELO_ADDRESSES
        cap = WORKER_BONUS_CAP if config.bonus_cap_usd is None else config.bonus_cap_usd
        return ConfigValues(
            ok=True,
            service=SERVICE,
            runtime=RUNTIME,
            config=ConfigEntries(
                GD_CUSD_PRICE=float(config.gd_price),
                MAX_BONUS_CAP_USD=str(cap),
                REGULAR_BONUS_BPS=config.regular_bonus_bps,
                STREAMING_BONUS_BPS=config.streaming_bonus_bps,
                MIN_STREAM_BONUS_WEI=self.min_stream_bonus_wei,
                SUPERFLUID_SUBGRAPH_URL=SUBGRAPH_URL,
                **addresses,
            ),
        )

    async def capabilities(self) -> Capabilities:
        """Every planned group exists unless ``planned_endpoints`` is off."""
        await self._gate()
        return Capabilities.all(self.planned_endpoints)

    async def profile(self, account: str) -> UserCreditProfile:
        """The wallet's totals (all zero when unknown)."""
        await self._gate()
        return self.ledger.profile(check_address(account), self._now())

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
        """Entries newest first, filtered and paged as the Worker does."""
        await self._gate()
        account = check_address(account)
        limit, offset = check_history_query(
            limit=limit,
            offset=offset,
            source=source,
            funding_status=funding_status,
            from_=from_,
            to=to,
        )
        items = [
            e
            for e in self.ledger.entries(account)
            if (source is None or e.source == source)
            and (funding_status is None or e.funding_status == funding_status)
            and (from_ is None or e.created_at >= from_)
            and (to is None or e.created_at <= to)
        ]
        page = [_entry(e) for e in items[offset : offset + limit]]
        return CreditHistoryPage(
            account=account,
            items=page,
            total=len(items),
            limit=limit,
            offset=offset,
            has_more=offset + limit < len(items),
        )

    async def outstanding(self, account: str) -> Outstanding:
        """Pending and failed credits."""
        await self._gate()
        account = check_address(account)
        open_items = [
            _entry(e)
            for e in self.ledger.entries(account)
            if e.funding_status in ("pending", "failed")
        ]
        return Outstanding(
            account=account,
            outstanding_funding_usd=sum(e.total_credit_usd for e in open_items),
            failed_funding_credits=open_items,
        )

    async def record_payment(self, tx_hash: str) -> RecordResult:
        """Credit the vault events in ``tx_hash``'s receipt; never twice."""
        await self._gate()
        tx_hash = check_tx_hash(tx_hash)
        deposits: list[DepositEvent] = []
        streams: list[StreamEvent] = []
        reads = self._worker_reads()
        if reads is not None:
            try:
                deposits, streams = await reads.receipt_events(tx_hash)
            except ReceiptNotFoundError:  # the Worker's 500: still confirming, not an outage
                raise ReceiptNotFound(tx_hash) from None
            await self._read_roots(deposits, streams)
        elif self.chain is not None:
            deposits = await self.chain.deposit_events(tx_hash)
            streams = await self.chain.stream_events(tx_hash)
        events = self._apply_events(deposits, streams, await self._oracle_price())
        return RecordResult(tx_hash=tx_hash, to_block="latest", events=events)

    async def record_account_events(
        self, account: str, from_block: int | str, to_block: int | str = "latest"
    ) -> RecordResult:
        """Credit ``account``'s vault events in a block range, as the Worker does.

        Blocks are tags (``"latest"``, ``"0x…"``, decimal text; an int is taken as ``0x…``) and
        are echoed as given.  Needs a chain with ``account_events(account, from_block, to_block)``
        returning ``(deposits, streams)`` — the :class:`ChainEventSource` port has no range
        query, so other chains yield no events.  Like the Worker, an event already funded makes
        the scan fail with ``AlreadyRecorded`` (never credited twice).
        """
        await self._gate()
        account = check_address(account)
        from_tag = block_tag(from_block, "fromBlock")
        to_tag = block_tag(to_block, "toBlock")
        scan = getattr(self.chain, "account_events", None)
        deposits: list[DepositEvent] = []
        streams: list[StreamEvent] = []
        if scan is not None:
            deposits, streams = await scan(account, from_tag, to_tag)
            await self._read_roots(deposits, streams)
        events = self._apply_events(deposits, streams, await self._oracle_price())
        return RecordResult(account=account, from_block=from_tag, to_block=to_tag, events=events)

    def _worker_reads(self) -> WorkerChainReads | None:
        """The chain as the Worker reads Celo (a real node), when it offers those reads."""
        return self.chain if isinstance(self.chain, WorkerChainReads) else None

    async def _read_roots(
        self, deposits: Sequence[DepositEvent], streams: Sequence[StreamEvent]
    ) -> None:
        """Read the GoodID root of every crediting account from the chain, as the Worker does
        per event (``fetchGoodIdRoot``): a verified wallet earns its bonus."""
        reads = self._worker_reads()
        if reads is None:
            return
        accounts = [d.account.lower() for d in deposits] + [u.account.lower() for u in streams]
        for account in dict.fromkeys(accounts):
            self.ledger.set_root(account, await reads.goodid_root(account))

    def _apply_events(
        self,
        deposits: Sequence[DepositEvent],
        streams: Sequence[StreamEvent],
        gd_price: str | None = None,
    ) -> list[FundResult]:
        ids = [_event_id(d) for d in deposits] + [_event_id(u) for u in streams]
        known = [self.ledger.entry(i) for i in ids]
        if any(k is not None for k in known):
            # Recorded before: like the Worker, fund what is not funded yet, never twice.
            if any(k is not None and k.funding_status == "funded" for k in known):
                raise AlreadyRecorded("funded")
            outcome = self._outcome()
            return [self.ledger.refund(k.id, outcome) for k in known if k is not None]
        if not deposits and not streams:
            return []
        now = self._now()
        outcome = self._outcome()
        results: list[FundResult] = []
        for deposit in sorted(deposits, key=lambda d: d.log_index):
            results.append(
                self.ledger.credit(
                    entry_id=_event_id(deposit),
                    account=deposit.account.lower(),
                    gd_wei=deposit.gd_amount_wei,
                    source="deposit",
                    now=now,
                    buyer=deposit.buyer.lower(),
                    tx_hash=deposit.tx_hash.lower(),
                    log_index=deposit.log_index,
                    outcome=outcome,
                    gd_price=gd_price,
                )
            )
        for update in sorted(streams, key=lambda s: s.log_index):
            account = update.account.lower()
            already = self._cron_since_change.pop(account, 0)
            owed = max(update.total_flow_wei - already, 0)
            # the Worker credits every StreamUpdated, even of 0 G$ (it stamps the profile)
            results.append(
                self.ledger.credit(
                    entry_id=_event_id(update),
                    account=account,
                    gd_wei=owed,
                    source="streamUpdate",
                    now=now,
                    buyer=update.buyer.lower(),
                    tx_hash=update.tx_hash.lower(),
                    log_index=update.log_index,
                    outcome=outcome,
                    gd_price=gd_price,
                )
            )
            self._flow_since[account] = now
            self._seeded_flow.pop(account, None)
            self.ledger.set_flow_rate(account, update.flow_rate, now)
        return results

    async def stream_credits(self, account: str) -> StreamCreditsResult:
        """Credit the stream's accrual since the last credit: daily at most, ≥ 4000 G$."""
        await self._gate()
        account = check_address(account)
        now = self._now()
        if account in self._seeded_flow:
            flow = self._seeded_flow[account]
        elif self.chain is not None:
            flow = await self.chain.current_flow_rate(account)
        else:
            flow = 0
        if flow <= 0:
            return StreamCreditsResult(account=account, streams=[], message=NO_STREAMS)
        reads = self._worker_reads()
        if reads is not None:
            self.ledger.set_root(account, await reads.goodid_root(account))
        if self.ledger.profile(account, now).stream_flow_rate_wei_per_second != flow:
            self.ledger.set_flow_rate(account, flow, now)
        # The Worker counts from the last stream credit, else from the stream's last update.
        anchor = self.ledger.last_stream_credit_at(account) or self._flow_since.get(account)
        if anchor is None:  # first sight of a stream we have no start time for: it starts now
            self._flow_since[account] = anchor = now
        elapsed = max(int((now - anchor).total_seconds()), 0)
        if now - anchor < STREAM_COOLDOWN:
            return StreamCreditsResult(account=account, streams=[], message=STREAM_COOLDOWN_TEXT)
        accrued = flow * elapsed
        if accrued <= self.min_stream_bonus_wei:
            note = StreamMessage(
                message=f"stream credit amount {accrued} is below minimum "
                f"{self.min_stream_bonus_wei}"
            )
            return StreamCreditsResult(account=account, elapsed_seconds=elapsed, streams=[note])
        result = self.ledger.credit(
            entry_id=f"stream:{now:%Y-%m-%d}:{account}",
            account=account,
            gd_wei=accrued,
            source="streamRequest",
            now=now,
            buyer=account,
            outcome=self._outcome(),
            gd_price=await self._oracle_price(),
        )
        self._cron_since_change[account] = self._cron_since_change.get(account, 0) + accrued
        return StreamCreditsResult(account=account, elapsed_seconds=elapsed, streams=[result])

    # --- planned routes -------------------------------------------------------------------------

    async def auth_nonce(self, account: str, chain_id: int = CELO_CHAIN_ID) -> AuthNonce:
        """A single-use sign-in message (TTL 600 s)."""
        await self._gate("Signing in for an API key")
        account = check_address(account)
        if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id <= 0:
            raise BackendRejected(field_errors={"chainId": ["Invalid"]}, detail="chainId")
        return self.keys.issue_nonce(account, chain_id, nonce=self._hex(128), now=self._now())

    async def create_api_key(
        self, account: str, nonce: str, signature: str, label: str | None = None
    ) -> IssuedApiKey:
        """Verify the signed nonce and issue a key."""
        await self._gate("Creating API keys")
        account = check_address(account)
        label = check_label(label)
        self.keys.consume_nonce(account, nonce, signature, now=self._now())
        return self._new_key(account, label)

    async def list_api_keys(self, token: str) -> ApiKeyList:
        """The token's wallet's keys."""
        await self._gate("API key management")
        key = self.keys.authenticate(token, now=self._now())
        return ApiKeyList(
            account=key.account,
            root_account=key.root_account,
            api_keys=self.keys.keys_of(key.account),
        )

    async def revoke_api_key(self, token: str, key_id: str) -> PublicApiKey:
        """Revoke a key of the token's wallet."""
        await self._gate("API key management")
        now = self._now()
        key = self.keys.authenticate(token, now=now)
        return self.keys.revoke(key.account, key_id, now=now)

    async def quote_request(
        self, messages: Sequence[Mapping[str, Any]], max_tokens: int | None = None
    ) -> int:
        """The hold an AI request would take."""
        await self._gate("Request estimates")
        checked = check_messages(messages)
        return request_hold(checked, max_tokens=check_max_tokens(max_tokens), prices=self.prices)

    async def request(self, token: str, request_id: str) -> CreditReservation:
        """One of the token's wallet's usage rows."""
        await self._gate("Request details")
        key = self.keys.authenticate(token, now=self._now())
        row = self.ledger.reservation(request_id)
        if row is None or row.account != key.account:
            raise NotFound("That request is unknown.", detail="request not found")
        return row

    async def usage(self, token: str, *, limit: int = 20) -> list[CreditReservation]:
        """The token's wallet's usage rows, newest first."""
        await self._gate("Usage history")
        key = self.keys.authenticate(token, now=self._now())
        return self.ledger.reservations(key.account, check_limit(limit))

    async def chat_completion(self, token: str, body: Mapping[str, Any]) -> ChatCompletion:
        """A deterministic echo completion, paid by hold → capture (release on failure)."""
        await self._gate("AI requests")
        now = self._now()
        key = self.keys.authenticate(token, now=now)
        if not isinstance(body, Mapping):
            raise BackendRejected(form_errors=["Expected an object"], detail="body")
        messages = check_messages(body.get("messages"))
        max_tokens = check_max_tokens(body.get("max_tokens"))
        model = body.get("model")
        model = model if isinstance(model, str) and model else DEFAULT_MODEL
        if body.get("stream"):
            raise BackendRejected(field_errors={"stream": ["Streaming is not supported"]})
        hold = request_hold(messages, max_tokens=max_tokens, model=model, prices=self.prices)
        request_id = "req_" + self._hex(96)
        self.ledger.hold(key.account, hold, request_id=request_id, now=now, model=model)
        if self.fail_next_request:
            self.fail_next_request = False
            self.ledger.release(request_id, now=now)
            raise BackendUnavailable(
                "The AI request failed. Your credit was not charged.",
                detail="upstream AI provider failed",
                status=502,
            )
        text, finish, completion_tokens = _echo(messages, max_tokens, self.prices)
        prompt_tokens = estimate_tokens(messages)
        actual = request_actual_cost(
            prompt_tokens, completion_tokens, model=model, prices=self.prices
        )
        row = self.ledger.capture(request_id, actual, now=now, prompt_tokens=prompt_tokens,
                                  completion_tokens=completion_tokens)  # fmt: skip
        charged = row.actual_cost_usd or 0
        return ChatCompletion(
            id=f"chatcmpl-{request_id}",
            created=int(now.timestamp()),
            model=model,
            choices=[
                ChatChoice(
                    index=0,
                    message=ChatMessage(role="assistant", content=text),
                    finish_reason=finish,
                )
            ],
            usage=ChatUsage(
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                total_tokens=prompt_tokens + completion_tokens,
            ),
            credit=ChatCredit(
                request_id=request_id,
                reserved_micro_usd=hold,
                settled_micro_usd=charged,
                released_micro_usd=hold - charged,
            ),
        )


def _event_id(event: DepositEvent | StreamEvent) -> str:
    return f"{event.tx_hash.lower()}:{event.log_index}"


def _entry(result: FundResult) -> GdCreditEntry:
    """A ``FundResult`` narrowed to its ``GdCreditEntry`` fields (history rows carry no bridge)."""
    data = result.model_dump(exclude={"bridge", "deposit_id"})
    return GdCreditEntry.model_validate(data)


def _echo(
    messages: Sequence[Mapping[str, Any]], max_tokens: int | None, prices: PriceTable
) -> tuple[str, str, int]:
    last = next((m for m in reversed(messages) if m.get("role") == "user"), messages[-1])
    text = f"(fixture) You said: {str(last.get('content', ''))[:400]}"
    limit = prices.default_max_output_tokens if max_tokens is None else max_tokens
    tokens = estimate_tokens([{"role": "", "content": text}])
    if tokens <= limit:
        return text, "stop", tokens
    return text[: max(limit * 4 - 8, 0)], "length", limit
