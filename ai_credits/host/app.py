"""The embeddable host: an ASGI app serving the widget with a browser wallet, for any number of
workers.

Every request loads the visitor from the :class:`~ai_credits.host.store.SessionStore`, steps the
machine and runs effects through the runtime's executor, and saves with compare-and-set; a request
that lost the race to another (a second tab, a second worker) is run again on what is stored now,
where the machine refuses what no longer applies.  Wallet prompts go to the page: the response
carries the pending EIP-1193 request on the widget root (``data-wallet-request``), ``widget.js``
runs it with ``window.ethereum`` and posts the answer to ``/wallet``.  A transaction request is
handed out once, to the one response that created it: one intent, one transfer.

Routes (under the prefix the host mounts it at): ``GET /`` the page, ``POST /event`` a user event
(JSON from ``widget.js`` or a plain form post), ``POST /wallet`` the wallet's answer or a wallet
event (``chainChanged`` / ``accountsChanged``), ``/static`` the widget's CSS, fonts and script.
Every ``POST`` passes :mod:`ai_credits.host.guard` (same origin, per-session token, body cap).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any, cast

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ai_credits.backends.protocol import CreditsBackend
from ai_credits.backends.wire import AuthNonce
from ai_credits.backends.worker import WorkerBackend
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.injected import NodeReads, ReadSide, WalletRequest
from ai_credits.chain.reader import ChainReader
from ai_credits.core import effects as fx
from ai_credits.core import events as ev
from ai_credits.core.machine import Rejection, step
from ai_credits.core.models import WidgetConfig
from ai_credits.core.snapshot import Snapshot, initial_snapshot
from ai_credits.host import guard
from ai_credits.host.bridge import Answer, BridgedWallet, NoncePinned, Suspended
from ai_credits.host.record import PendingWallet, Sealer, VisitorRecord, dump_record, load_record
from ai_credits.host.store import MemoryStore, SessionStore, open_store
from ai_credits.runtime.executor import EffectExecutor, KeyRing
from ai_credits.runtime.session import MAX_STEPS, UNEXPECTED_RESULT
from ai_credits.views import render_page, render_widget
from ai_credits.views.theme import static_dir

__all__ = ["COOKIE", "HostConfig", "create_app", "from_env"]

log = logging.getLogger("ai_credits.host")

COOKIE = "ai_credits_visitor"
SAVE_ATTEMPTS = 8
_ROOT_OPEN = re.compile(r'<section class="gw-root\b[^>]*')


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class HostConfig:
    """Everything the host needs; :func:`create_app` builds one from its arguments."""

    backend: CreditsBackend
    chain: ChainConfig
    reads: ReadSide
    store: SessionStore
    sealer: Sealer
    prefix: str = ""
    widget: WidgetConfig | None = None
    clock: Callable[[], datetime] = _utc_now
    wallet_timeout_s: float = 300.0
    effect_timeout_s: float = 60.0
    worker_header: bool = False
    title: str = "AI Credits"


class _Turn:
    """One request's work on one loaded visitor: step events, run effects, suspend on the wallet."""

    def __init__(self, host: HostConfig, record: VisitorRecord) -> None:
        self.host = host
        self.record = record
        keys = KeyRing(token=host.sealer.open(record.sealed), prefix=record.key_prefix)
        snapshot = record.snapshot
        if record.key_shown and keys.token is not None and snapshot.api_key is not None:
            snapshot = snapshot.model_copy(
                update={"api_key": snapshot.api_key.model_copy(update={"token": keys.token})})
        self.snapshot: Snapshot = snapshot
        self.keys = keys
        self.pending: PendingWallet | None = record.wallet
        self.rejection: Rejection | None = None
        self.requests = record.requests
        self.late_send = record.late_send

    # -- effects ---------------------------------------------------------------------------
    async def _run_effect(
        self, effect: fx.Effect, answer: Answer | None = None, nonce: dict[str, Any] | None = None
    ) -> ev.Event | PendingWallet | None:
        host = self.host
        request_id = answer.request_id if answer else f"w{self.requests + 1}"
        wallet = BridgedWallet(host.chain, host.reads, request_id=request_id, answer=answer)
        backend = NoncePinned(host.backend, AuthNonce.model_validate(nonce) if nonce else None)
        executor = EffectExecutor(cast(CreditsBackend, backend), wallet, host.clock, self.keys,
                                  timeout_s=host.effect_timeout_s)  # fmt: skip
        try:
            return await executor.execute(effect)
        except Suspended as suspended:
            self.requests += 1
            pinned = backend.nonce.model_dump(mode="json", by_alias=True) if backend.nonce else None
            return PendingWallet(request=suspended.request, effect=effect, nonce=pinned,
                                 asked_at=host.clock())  # fmt: skip
        except Exception as exc:  # the visitor gets a state, never a traceback
            log.error("effect %s raised %s; reported as an outage", effect.type,
                      type(exc).__name__)  # fmt: skip
            return ev.BackendFailed(at=host.clock(), message=UNEXPECTED_RESULT)

    async def _drive(self, queue: list[ev.Event], effects: list[fx.Effect]) -> None:
        """Run ``effects`` then step ``queue`` (feeding results back) until quiet or suspended."""
        steps = 0
        while True:
            while effects:
                effect = effects.pop(0)
                follow = await self._run_effect(effect)
                if isinstance(follow, PendingWallet):
                    self.pending = follow.model_copy(update={"rest": tuple(effects)})
                    if queue:
                        log.warning("dropped %d result event(s) behind a wallet request",
                                    len(queue))  # fmt: skip
                    return
                if follow is not None:
                    queue.append(follow)
            if not queue or steps >= MAX_STEPS:
                return
            event = queue.pop(0)
            steps += 1
            result = step(self.snapshot, event)
            if not result.accepted:
                self.rejection = self.rejection or result.rejection
                continue
            self.snapshot = result.snapshot
            effects = list(result.effects)

    async def send(self, event: ev.Event) -> None:
        """A user (or wallet) event from the page."""
        await self._drive([event], [])

    async def resume(self, answer: Answer) -> None:
        """The page's wallet answered the pending request."""
        pending = self.pending
        if pending is None or pending.request.request_id != answer.request_id:
            await self._late_send(answer)
            return
        if pending.request.kind != answer.kind:
            raise guard.Refused(400, f"Bad request: {answer.request_id} is a "
                                f"{pending.request.kind} request.")  # fmt: skip
        self.pending = None
        follow = await self._run_effect(pending.effect, answer, pending.nonce)
        if isinstance(follow, PendingWallet):  # cannot happen: the answer matches the kind
            self.pending = follow
            return
        rest = list(pending.rest)
        await self._drive([follow] if follow is not None else [], rest)

    async def _late_send(self, answer: Answer) -> None:
        """A hash for the transaction request that failed unanswered: the machine re-checks it
        as that intent's payment (it never builds another).  If the user has started another
        purchase since, the hash is still recorded with the backend (recording reads the chain
        and never moves G$), so the G$ it moved is credited.  Anything else is refused."""
        if (answer.request_id != self.late_send or answer.kind != "send_transaction"
                or answer.outcome != "ok" or answer.tx_hash is None):  # fmt: skip
            raise guard.Refused(409, "This wallet request is no longer open.")
        self.late_send = None
        result = step(self.snapshot, ev.PaymentSubmitted(tx_hash=answer.tx_hash,
                                                         at=self.host.clock()))  # fmt: skip
        # While a newer prompt is open the machine awaits *its* hash: never give it this one.
        if result.accepted and self.pending is None:
            self.snapshot = result.snapshot
            await self._drive([], list(result.effects))
            return
        wallet = self.snapshot.wallet
        if wallet is not None:
            recorded = await self._run_effect(fx.RecordPayment(tx_hash=answer.tx_hash,
                                                               account=wallet.account))  # fmt: skip
            log.info("a late transaction hash of an earlier intent was recorded: %s",
                     getattr(recorded, "type", None))  # fmt: skip

    async def fail_pending(self, code: str) -> None:
        """The pending request can no longer be answered (timeout, account or chain changed)."""
        if self.pending is not None:
            request = self.pending.request
            if request.kind == "send_transaction":
                self.late_send = request.request_id
            await self.resume(Answer(request_id=request.request_id, kind=request.kind,
                                     outcome="error", error={"code": code}))  # fmt: skip

    async def expire(self) -> None:
        """A handed-out request the page never answered fails after ``wallet_timeout_s``."""
        pending = self.pending
        if pending is not None and pending.handed:
            age = (self.host.clock() - pending.asked_at).total_seconds()
            if age > self.host.wallet_timeout_s:
                await self.fail_pending("timeout")

    # -- out -------------------------------------------------------------------------------
    def hand_out(self) -> WalletRequest | None:
        """The request this response gives the page: a transaction only to the first response."""
        pending = self.pending
        if pending is None:
            return None
        if pending.handed and pending.request.kind == "send_transaction":
            return None
        if not pending.handed:
            self.pending = pending.model_copy(update={"handed": True})
        return pending.request

    def record_out(self) -> VisitorRecord:
        return self.record.model_copy(update={
            "snapshot": self.snapshot,
            "wallet": self.pending,
            "key_prefix": self.keys.prefix,
            "sealed": self.host.sealer.seal(self.keys.token),
            "key_shown": self.snapshot.api_key is not None
            and self.snapshot.api_key.token is not None,
            "requests": self.requests,
            "late_send": self.late_send,
        })  # fmt: skip


def _decorate(html: str, record: VisitorRecord, request: WalletRequest | None, prefix: str,
              chain_id: int) -> str:  # fmt: skip
    """The widget root with the wallet bridge's attributes, every form with the token."""
    extra = (f' data-wallet-url="{escape(prefix)}/wallet" data-csrf="{escape(record.csrf)}"'
             f' data-chain-id="{chain_id}"')  # fmt: skip
    if request is not None:
        extra += f' data-wallet-request="{escape(request.model_dump_json())}"'
    html = _ROOT_OPEN.sub(lambda m: m.group(0) + extra, html, count=1)
    return guard.with_csrf_fields(html, record.csrf)


def _answer_of(data: Mapping[str, Any]) -> Answer | ev.Event | str:
    """A wallet report: an :class:`Answer`, a wallet event, or why it is malformed."""
    kind = data.get("kind")
    if kind == "chain_changed":
        try:
            return ev.ChainChanged(chain_id=int(str(data.get("chain_id")), 0))
        except (ValueError, ValidationError):
            return "chain_changed needs a chain_id"
    if kind == "accounts_changed":
        accounts = data.get("accounts")
        if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
            return "accounts_changed needs a list of accounts"
        if not accounts:
            return ev.Disconnect()
        try:
            return ev.AccountChanged(account=str(accounts[0]).lower())
        except ValidationError:
            return "accounts_changed has a malformed account"
    error = data.get("error")
    fields = {k: data.get(k) for k in ("request_id", "kind", "account", "tx_hash", "signature")}
    chain = data.get("chain_id")
    try:
        return Answer(**fields, chain_id=int(str(chain), 0) if chain is not None else None,
                      outcome="error" if error is not None else "ok",
                      error=error if isinstance(error, dict) else None)  # fmt: skip
    except (ValueError, ValidationError):
        return "the wallet report is malformed"


def create_app(
    backend_url: str | None = None,
    rpc_url: str | None = None,
    store: SessionStore | str | None = None,
    *,
    prefix: str = "",
    chain: ChainConfig | None = None,
    backend: CreditsBackend | None = None,
    reads: ReadSide | None = None,
    secret: str | bytes | None = None,
    widget: WidgetConfig | None = None,
    wallet_timeout_s: float = 300.0,
    receipt_wait_s: float = 20.0,
    worker_header: bool = False,
    clock: Callable[[], datetime] = _utc_now,
) -> Starlette:
    """The widget with a browser wallet as an ASGI app; mount it at ``prefix`` (default: where
    it is mounted, from the ASGI ``root_path``).

    ``backend_url``: the credits backend (the Worker, or ``ai-credits dev-backend``); or pass a
    ``backend`` object.  ``rpc_url``: the node the host reads balances and receipts from (or
    ``chain``, a full :class:`ChainConfig` naming the contracts; or ``reads``).  ``store``: a
    :class:`SessionStore` or its URL (``memory://`` default, ``redis://…`` to share visitors
    between workers).  ``receipt_wait_s`` caps how long one request waits for a receipt (then
    the widget says "still confirming" and re-checks on "Check Again").  ``secret`` encrypts
    stored API keys: every worker sharing a store needs the same one (required for a shared
    store).  ``worker_header`` adds ``X-AiCredits-Worker`` (the process id) to responses, for
    tests that check which worker answered.
    """
    if backend is None:
        if not backend_url:
            raise ValueError("create_app needs backend_url (or a backend)")
        backend = WorkerBackend(backend_url)
    config = chain or ChainConfig(**({"rpc_url": rpc_url} if rpc_url else {}))
    if chain is not None and rpc_url:
        config = chain.model_copy(update={"rpc_url": rpc_url})
    if config.receipt_timeout_s > receipt_wait_s:
        config = config.model_copy(update={"receipt_timeout_s": receipt_wait_s})
    opened = store if store is not None and not isinstance(store, str) else open_store(store)
    if secret is None and not isinstance(opened, MemoryStore):
        raise ValueError("a shared session store needs a secret (to encrypt stored API keys)")
    reader = ChainReader(config) if reads is None else None
    host = HostConfig(backend=backend, chain=config,
                      reads=reads if reads is not None else NodeReads(cast(ChainReader, reader)),
                      store=opened, sealer=Sealer(secret), prefix=prefix.rstrip("/"),
                      widget=widget, wallet_timeout_s=wallet_timeout_s, clock=clock,
                      worker_header=worker_header)  # fmt: skip
    return _build(host, reader)


def _build(host: HostConfig, reader: ChainReader | None) -> Starlette:
    store = host.store

    def base(request: Request) -> str:
        """Where the app is mounted: the configured prefix, else the mount's root path."""
        return host.prefix or str(request.scope.get("root_path", "")).rstrip("/")

    def fresh() -> VisitorRecord:
        return VisitorRecord(snapshot=initial_snapshot(host.widget), csrf=guard.new_token())

    async def transact(
        vid: str, work: Callable[[_Turn], Any] | None, create: bool = False
    ) -> tuple[str, _Turn, WalletRequest | None]:
        """Load, work, save with compare-and-set; run again on a lost race."""
        for _ in range(SAVE_ATTEMPTS):
            stored = await store.load(vid) if vid else None
            if stored is None:
                if not create:
                    raise guard.Refused(403, "Refused: no session. Reload the page and try again.")
                vid, version, record = secrets.token_urlsafe(16), 0, fresh()
            else:
                try:
                    version, record = stored.version, load_record(stored.data)
                except (ValidationError, ValueError):
                    log.error("unreadable visitor record replaced")
                    version, record = stored.version, fresh()
            turn = _Turn(host, record)
            await turn.expire()
            if work is not None:
                await work(turn)
            handout = turn.hand_out()
            out = turn.record_out()
            saved = await store.save(vid, dump_record(out), expected_version=version)
            if saved is not None:
                turn.record = out
                return vid, turn, handout
        raise guard.Refused(409, "This session is busy in another tab. Reload and try again.")

    def finish(request: Request, vid: str, response: Response) -> Response:
        response.set_cookie(COOKIE, vid, httponly=True, samesite="lax", path=base(request) or "/")
        if host.worker_header:
            response.headers["x-aicredits-worker"] = str(os.getpid())
        return response

    def widget_html(prefix: str, turn: _Turn, handout: WalletRequest | None) -> str:
        html = str(render_widget(turn.snapshot, theme=turn.record.theme,
                                 post_url=f"{prefix}/event"))  # fmt: skip
        return _decorate(html, turn.record, handout, prefix, host.chain.chain_id)

    async def page(request: Request) -> Response:
        prefix = base(request)
        theme = request.query_params.get("theme")

        async def set_theme(turn: _Turn) -> None:
            if theme in ("dark", "light"):
                turn.record = turn.record.model_copy(update={"theme": theme})

        vid, turn, handout = await transact(request.cookies.get(COOKIE, ""), set_theme,
                                            create=True)  # fmt: skip
        html = render_page(turn.snapshot, theme=turn.record.theme, inline_assets=False,
                           static_url=f"{prefix}/static", post_url=f"{prefix}/event",
                           frozen=False, title=host.title)  # fmt: skip
        html = _decorate(html, turn.record, handout, prefix, host.chain.chain_id)
        return finish(request, vid, HTMLResponse(html))

    async def guarded(request: Request) -> tuple[str, dict[str, Any], bool]:
        guard.check_same_origin(request)
        vid = request.cookies.get(COOKIE, "")
        stored = await store.load(vid) if vid else None
        if stored is None:
            raise guard.Refused(403, "Refused: no session. Reload the page and try again.")
        data, is_json = await guard.form_or_json(request)
        try:
            csrf = load_record(stored.data).csrf
        except (ValidationError, ValueError):
            raise guard.Refused(403, "Refused: no session. Reload the page.") from None
        guard.check_token(request, data, csrf)
        return vid, data, is_json

    def answer(request: Request, vid: str, turn: _Turn, handout: WalletRequest | None,
               is_json: bool) -> Response:  # fmt: skip
        prefix = base(request)
        if not is_json:
            return finish(request, vid, RedirectResponse(f"{prefix}/", status_code=303))
        return finish(request, vid, HTMLResponse(widget_html(prefix, turn, handout)))

    async def event(request: Request) -> Response:
        try:
            vid, data, is_json = await guarded(request)
            kind = str(data.pop("event", data.pop("type", "")))[:40]
            if kind not in ev.USER_EVENTS:  # the browser may send user events only
                raise guard.Refused(400, f"Bad request: unknown event {kind!r}.")
            try:
                parsed = ev.parse_event({**data, "type": kind, "at": host.clock().isoformat()})
            except ValidationError as exc:
                raise guard.Refused(400, f"Bad request: the event has {exc.error_count()} "
                                    "invalid field(s).") from None  # fmt: skip

            async def work(turn: _Turn) -> None:
                await turn.send(parsed)

            vid, turn, handout = await transact(vid, work)
        except guard.Refused as refused:
            return refused.response()
        return answer(request, vid, turn, handout, is_json)

    async def wallet(request: Request) -> Response:
        try:
            vid, data, is_json = await guarded(request)
            report = _answer_of(data)
            if isinstance(report, str):
                raise guard.Refused(400, f"Bad request: {report}.")

            async def work(turn: _Turn) -> None:
                if isinstance(report, Answer):
                    await turn.resume(report)
                    return
                stamped = report.model_copy(update={"at": host.clock()})
                pending = turn.pending
                if pending is not None:
                    if isinstance(report, ev.ChainChanged):
                        moved = report.chain_id != host.chain.chain_id
                        if moved and pending.request.kind == "send_transaction":
                            await turn.fail_pending("wrong_chain")
                    elif isinstance(report, ev.AccountChanged):
                        who = pending.request.account
                        if who is not None and who.lower() != report.account:
                            await turn.fail_pending("account_switched")
                    elif isinstance(report, ev.Disconnect):
                        await turn.fail_pending("disconnected")
                if isinstance(report, ev.Disconnect) and turn.snapshot.wallet is None:
                    return
                await turn.send(stamped)

            vid, turn, handout = await transact(vid, work)
        except guard.Refused as refused:
            return refused.response()
        return answer(request, vid, turn, handout, is_json)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        with contextlib.suppress(Exception):
            await store.aclose()
        if reader is not None:
            with contextlib.suppress(Exception):
                await reader.aclose()
        closer = getattr(host.backend, "aclose", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()

    return Starlette(routes=[
        Route("/", page),
        Route("/event", event, methods=["POST"]),
        Route("/wallet", wallet, methods=["POST"]),
        Mount("/static", StaticFiles(directory=static_dir())),
    ], lifespan=lifespan)  # fmt: skip


ENV_PREFIX = "AI_CREDITS_"


def from_env() -> Starlette:
    """The app from environment variables, for ``uvicorn --factory`` with several workers.

    ``AI_CREDITS_BACKEND_URL``, ``AI_CREDITS_RPC_URL``, ``AI_CREDITS_STORE`` (``redis://…``),
    ``AI_CREDITS_SECRET``, ``AI_CREDITS_PREFIX``, ``AI_CREDITS_CHAIN`` (a :class:`ChainConfig`
    as JSON: a local node's contract addresses), ``AI_CREDITS_WALLET_TIMEOUT_S``,
    ``AI_CREDITS_RECEIPT_WAIT_S``, ``AI_CREDITS_WORKER_HEADER`` (``1``).
    """
    env = os.environ
    chain_json = env.get(ENV_PREFIX + "CHAIN")
    chain = ChainConfig.model_validate_json(chain_json) if chain_json else None
    return create_app(
        backend_url=env.get(ENV_PREFIX + "BACKEND_URL"),
        rpc_url=env.get(ENV_PREFIX + "RPC_URL") or None,
        store=env.get(ENV_PREFIX + "STORE") or None,
        prefix=env.get(ENV_PREFIX + "PREFIX", ""),
        chain=chain,
        secret=env.get(ENV_PREFIX + "SECRET") or None,
        wallet_timeout_s=float(env.get(ENV_PREFIX + "WALLET_TIMEOUT_S", "300")),
        receipt_wait_s=float(env.get(ENV_PREFIX + "RECEIPT_WAIT_S", "20")),
        worker_header=env.get(ENV_PREFIX + "WORKER_HEADER") == "1",
    )
