"""A local dev server speaking the Worker's wire contract over a :class:`FixtureBackend`.

``create_app(backend)`` is a Starlette ASGI app: the live routes, the planned routes (404 when the
backend's ``planned_endpoints`` is off, exactly like today's Worker), ``OPTIONS`` → 204 on any path,
``access-control-allow-origin: *`` on every response, ``404 {"error":"not found"}`` for any unknown
path or method, ``400 {"error":{"formErrors","fieldErrors"}}`` for bad input and ``500 {"error"}``
for everything else — including a non-JSON POST body or a missing JSON content type, as the Worker.
Bodies over 1 MiB get ``413`` before they are parsed; JSON is decoded by
:func:`ai_credits.safejson.loads`, so no body nests deep enough to overflow the stack.

``app.state.backend`` may be swapped at run time (tests do).  :func:`serve` runs it on uvicorn;
:func:`start_in_thread` runs it on a background thread (tests, benchmarks, demos).
"""

from __future__ import annotations

import json
import math
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ai_credits import safejson
from ai_credits.backends.errors import (
    AlreadyRecorded,
    BackendRejected,
    BackendUnavailable,
    InsufficientCredit,
    NotFound,
    NotSupported,
    ReceiptNotFound,
    Unauthorised,
)
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.validation import check_record_body, parse_iso, rejected
from ai_credits.core.onchain import ChainEventSource

__all__ = ["BackgroundServer", "create_app", "dev_backend", "serve", "start_in_thread"]

CORS = {"access-control-allow-origin": "*"}
MAX_BODY_BYTES = 1 << 20
"""Request bodies over 1 MiB are refused with 413 before they are parsed."""
_PREFLIGHT = {
    **CORS,
    "access-control-allow-methods": "GET,POST,DELETE,OPTIONS",
    "access-control-allow-headers": "content-type,authorization,x-api-key",
}
Handler = Callable[[Request, FixtureBackend, dict[str, str]], Awaitable[Response]]


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status, headers=CORS, media_type="application/json")


def _error(status: int, error: Any) -> Response:
    return _json({"error": error}, status)


NOT_FOUND_BODY = "not found"


def _token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-api-key") or None


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object body; anything else is a 500, as the Worker answers it."""
    content_type = request.headers.get("content-type", "")
    if "application/json" not in content_type.lower():
        raise _ServerError("content-type must be application/json")
    raw = bytearray()
    async for chunk in request.stream():  # counted as it arrives: a lying length changes nothing
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise _BodyTooLarge
    try:
        data = safejson.loads(raw)
    except safejson.UnsafeJSON:  # malformed, non-UTF-8 or nested too deep
        raise _ServerError("request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise rejected(None, "Expected object")
    return data


class _ServerError(Exception):
    """Becomes ``500 {"error": message}``."""


class _BodyTooLarge(Exception):
    """Becomes ``413 {"error": "request body too large"}`` (over :data:`MAX_BODY_BYTES`)."""


def _declared_too_large(request: Request) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > MAX_BODY_BYTES


def _query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if re.fullmatch(r"-?[0-9]+", raw.strip()):
        return int(raw)
    try:
        value = float(raw)
    except ValueError:
        raise rejected(name, "Expected number, received nan") from None
    if not math.isfinite(value):
        raise rejected(name, "Expected number, received nan")
    raise rejected(name, "Expected integer, received float")


# --- handlers ------------------------------------------------------------------------------------


async def _health(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    return _json((await b.health()).to_wire())


async def _config_status(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    return _json((await b.config_status()).to_wire())


async def _config_values(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    return _json((await b.config_values()).to_wire())


async def _profile(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    profile = await b.profile(p["a"])
    return _json({"account": profile.account, "profile": profile.to_wire()})


async def _history(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    q = request.query_params
    raw_from, raw_to = q.get("from"), q.get("to")
    page = await b.credit_history(
        p["a"],
        limit=_query_int(request, "limit", 20),
        offset=_query_int(request, "offset", 0),
        source=q.get("source"),  # type: ignore[arg-type]  # validated by the backend
        funding_status=q.get("fundingStatus"),  # type: ignore[arg-type]
        from_=parse_iso(raw_from, "from") if raw_from else None,
        to=parse_iso(raw_to, "to") if raw_to else None,
    )
    return _json(page.to_wire())


async def _outstanding(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    return _json((await b.outstanding(p["a"])).to_wire())


async def _record(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    body = check_record_body(await _body(request))  # the Worker's zod schema: strings only
    to_block = body.get("toBlock", "latest")
    if "txHash" in body:
        result = await b.record_payment(body["txHash"])
    else:
        result = await b.record_account_events(body["account"], body["fromBlock"], to_block)
    # The Worker echoes the request: txHash and block tags as sent, the account lower-cased.
    answer = result.to_wire()
    echo = {
        "txHash": body.get("txHash"),
        "account": body["account"].lower() if "account" in body else None,
        "fromBlock": body.get("fromBlock"),
        "toBlock": to_block,
    }
    ordered = {k: v for k, v in echo.items() if v is not None}
    return _json({**ordered, "events": answer["events"]})


async def _stream_credits(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    return _json((await b.stream_credits(p["a"])).to_wire())


async def _nonce(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    body = await _body(request)
    nonce = await b.auth_nonce(body.get("account"), body.get("chainId", 42220))  # type: ignore[arg-type]
    return _json(nonce.to_wire(), 201)


async def _create_key(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    body = await _body(request)
    nonce, signature = body.get("nonce"), body.get("signature")
    if not isinstance(nonce, str) or not isinstance(signature, str):
        raise BackendRejected(
            field_errors={
                k: ["Required"] for k in ("nonce", "signature") if not isinstance(body.get(k), str)
            }
        )
    issued = await b.create_api_key(body.get("account"), nonce, signature, body.get("label"))  # type: ignore[arg-type]
    return _json(issued.to_wire(), 201)


async def _list_keys(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    return _json((await b.list_api_keys(_token(request) or "")).to_wire())


async def _revoke_key(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    key = await b.revoke_api_key(_token(request) or "", p["id"])
    return _json({"apiKey": key.to_wire()})


async def _quote(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    body = await _body(request)
    hold = await b.quote_request(body.get("messages"), body.get("max_tokens"))  # type: ignore[arg-type]
    return _json({"maxCostMicroUsd": str(hold)})


async def _request(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    return _json((await b.request(_token(request) or "", p["id"])).to_wire())


async def _requests(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    token = _token(request) or ""
    rows = await b.usage(token, limit=_query_int(request, "limit", 20))
    account = b.keys.authenticate(token, now=b.clock()).account
    return _json({"account": account, "items": [r.to_wire() for r in rows]})


async def _chat(request: Request, b: FixtureBackend, p: dict[str, str]) -> Response:
    token = _token(request) or ""
    body = await _body(request)
    return _json((await b.chat_completion(token, body)).to_wire())


_A = r"(?P<a>[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], Handler, bool]] = [
    (m, re.compile(f"^{path}$"), h, planned)
    for m, path, h, planned in [
        ("GET", "/health", _health, False),
        ("GET", "/config/status", _config_status, False),
        ("GET", "/config/values", _config_values, False),
        ("GET", f"/v1/accounts/{_A}/profile", _profile, False),
        ("GET", f"/v1/accounts/{_A}/credit-history", _history, False),
        ("GET", f"/v1/accounts/{_A}/outstanding", _outstanding, False),
        ("POST", "/v1/celo/events/record", _record, False),
        ("POST", f"/v1/accounts/{_A}/stream-credits", _stream_credits, False),
        ("POST", "/v1/auth/nonce", _nonce, True),
        ("POST", "/v1/auth/api-keys", _create_key, True),
        ("GET", "/v1/auth/api-keys", _list_keys, True),
        ("DELETE", r"/v1/auth/api-keys/(?P<id>[^/]+)", _revoke_key, True),
        ("POST", "/v1/credits/quote", _quote, True),
        ("GET", "/v1/requests", _requests, True),
        ("GET", r"/v1/requests/(?P<id>[^/]+)", _request, True),
        ("POST", "/v1/chat/completions", _chat, True),
    ]
]


def _to_response(exc: Exception) -> Response:
    if isinstance(exc, AlreadyRecorded):
        return _error(500, exc.detail)
    if isinstance(exc, ReceiptNotFound):  # the Worker's 500 for a tx its node has not mined
        return _error(500, exc.detail)
    if isinstance(exc, BackendRejected):
        return _error(400, {"formErrors": exc.form_errors, "fieldErrors": exc.field_errors})
    if isinstance(exc, NotSupported):
        return _error(404, NOT_FOUND_BODY)
    if isinstance(exc, Unauthorised):
        return _error(401, exc.detail or "unauthorized")
    if isinstance(exc, NotFound):
        return _error(404, exc.detail or NOT_FOUND_BODY)
    if isinstance(exc, InsufficientCredit):
        return _error(402, "insufficient credit balance")
    if isinstance(exc, BackendUnavailable):
        return _error(exc.status or 503, exc.detail or "service unavailable")
    if isinstance(exc, _ServerError):
        return _error(500, str(exc))
    if isinstance(exc, _BodyTooLarge):
        return _error(413, "request body too large")
    return _error(500, "internal error")


async def _dispatch(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=_PREFLIGHT)
    if _declared_too_large(request):  # refused before anything reads or parses the body
        return _error(413, "request body too large")
    backend: FixtureBackend = request.app.state.backend
    path = request.url.path.rstrip("/") or "/"
    for method, pattern, handler, planned in ROUTES:
        match = pattern.match(path)
        if match is None or method != request.method:
            continue
        if planned and not backend.planned_endpoints:
            break
        try:
            return await handler(request, backend, match.groupdict())
        except Exception as exc:  # every failure becomes the Worker's JSON error shape
            return _to_response(exc)
    return _error(404, NOT_FOUND_BODY)


def create_app(backend: FixtureBackend) -> Starlette:
    """The Worker-compatible ASGI app over ``backend`` (kept in ``app.state.backend``)."""
    methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"]
    app = Starlette(
        routes=[
            Route("/", _dispatch, methods=methods),
            Route("/{p:path}", _dispatch, methods=methods),
        ]
    )
    app.state.backend = backend
    return app


def _utc_now() -> datetime:
    return datetime.now(UTC)


def dev_backend(
    scenario: str | Path | None = None,
    *,
    chain: ChainEventSource | None = None,
    planned: bool = False,
) -> FixtureBackend:
    """The backend ``ai-credits dev-backend`` serves, on the wall clock.

    By default it offers only the Worker's live routes, as production does; ``planned`` adds the
    planned ones (keys, quote, requests, chat) — unless the scenario turns them off.  With a
    ``chain`` that is a real node it credits like the Worker from chain reads.
    """
    if scenario is None:
        backend = FixtureBackend(clock=_utc_now, chain=chain)
    else:
        backend = FixtureBackend.from_scenario(scenario, clock=_utc_now, chain=chain)
    backend.planned_endpoints = planned and backend.planned_endpoints
    return backend


def serve(
    port: int = 8787,
    host: str = "127.0.0.1",
    scenario: str | Path | None = None,
    *,
    chain: ChainEventSource | None = None,
    planned: bool = False,
) -> None:
    """Run the dev server on uvicorn until interrupted (``ai-credits dev-backend``); see
    :func:`dev_backend` for ``planned``."""
    app = create_app(dev_backend(scenario, chain=chain, planned=planned))
    uvicorn.run(app, host=host, port=port, log_level="warning")


@dataclass
class BackgroundServer:
    """A dev server running on a background thread; ``stop()`` shuts it down."""

    app: Starlette
    host: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop serving and join the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_in_thread(
    app: Starlette, *, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0
) -> BackgroundServer:
    """Serve ``app`` on a background thread (``port=0`` picks a free port)."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only then.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual_port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dev server did not start")
        time.sleep(0.01)
    return BackgroundServer(app, host, actual_port, server, thread)
