"""Fault injection over real sockets: each failure of the far side becomes a typed error."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable

import httpx
import pytest

from ai_credits.backends.errors import (
    AlreadyRecorded,
    BackendError,
    BackendRejected,
    BackendUnavailable,
    InsufficientCredit,
    NotFound,
    NotSupported,
    Unauthorised,
)
from ai_credits.backends.worker import WorkerBackend

from .conftest import A

Reply = Callable[[bytes], Awaitable[bytes | None]]
PROFILE = {
    "account": A,
    "profile": {
        "account": A,
        "rootAccount": A,
        "createdAt": "2026-07-23T12:00:00.000Z",
        "updatedAt": "2026-07-23T12:00:00.000Z",
        "totalGdDepositedWei": "0",
        "totalPrincipalUsd": "0",
        "totalBonusUsd": "0",
        "totalGDStreamedWei": "0",
        "totalOutstandingFundingUsd": "0",
        "streamFlowRateWeiPerSecond": "0",
    },
}


def http_response(status: int, body: bytes, *, content_type: str = "application/json") -> bytes:
    head = (
        f"HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class RawServer:
    """A loopback TCP server answering every request with ``reply(request_head)``."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            self.requests.append(head)
            answer = await self.reply(head)
            if answer is not None:
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()


def canned(status: int, body: bytes, **kw: str) -> Reply:
    async def reply(head: bytes) -> bytes:
        return http_response(status, body, **kw)

    return reply


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


async def test_connection_refused(closed_port: int) -> None:
    async with WorkerBackend(f"http://127.0.0.1:{closed_port}", retries=0) as backend:
        with pytest.raises(BackendUnavailable) as info:
            await backend.health()
    assert info.value.detail == "connection failed"


async def test_server_that_never_answers_times_out() -> None:
    async def silent(head: bytes) -> None:
        await asyncio.sleep(5)

    async with RawServer(silent) as url:
        timeout = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
        async with WorkerBackend(url, timeout=timeout, retries=0) as backend:
            with pytest.raises(BackendUnavailable) as info:
                await backend.profile(A)
    assert "timed out" in (info.value.detail or "")


BIG = b'{"a":"' + b"x" * (1 << 20) + b'"}'


class Chunked:
    """A 200 whose oversize body comes chunked, without a content-length."""

    async def __call__(self, head: bytes) -> bytes:
        chunk = b"x" * 65536
        out = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        for _ in range(20):
            out += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        return out + b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (canned(500, b'{"error":"boom"}'), 500),
        (canned(503, b"<html>Service Unavailable</html>", content_type="text/html"), None),
        (canned(200, b"{not json"), 200),
        (canned(200, b""), None),
        (canned(200, BIG), 200),
        (Chunked(), 200),
        (canned(200, json.dumps({"ok": True}).encode()), None),  # wrong shape
        (  # wrong types: numbers where digit strings are due
            canned(
                200,
                json.dumps(
                    {**PROFILE, "profile": {**PROFILE["profile"], "totalPrincipalUsd": 5}}
                ).encode(),
            ),
            None,
        ),
        (canned(200, json.dumps({**PROFILE, "account": "0x12"}).encode()), None),
        (canned(200, b"[]"), None),
    ],
    ids=[
        "500",
        "503-html",
        "malformed-json",
        "empty",
        "over-1MiB",
        "over-1MiB-chunked",
        "wrong-shape",
        "wrong-types",
        "bad-address",
        "array",
    ],
)
async def test_bad_answers_are_backend_unavailable(reply: Reply, status: int | None) -> None:
    async with RawServer(reply) as url, WorkerBackend(url, retries=0) as backend:
        with pytest.raises(BackendUnavailable) as info:
            await backend.profile(A)
    if status is not None:
        assert info.value.status == status


async def test_valid_answer_from_raw_server_parses() -> None:
    async with (
        RawServer(canned(200, json.dumps(PROFILE).encode())) as url,
        WorkerBackend(url) as backend,
    ):
        assert (await backend.profile(A)).account == A


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (
            400,
            {"error": {"formErrors": ["x"], "fieldErrors": {"limit": ["too big"]}}},
            BackendRejected,
        ),
        (401, {"error": "invalid api key"}, Unauthorised),
        (402, {"error": "insufficient credit balance"}, InsufficientCredit),
        (404, {"error": "not found"}, NotSupported),
        (404, {"error": "request not found"}, NotFound),
        (500, {"error": "cannot fund credit with status funded"}, AlreadyRecorded),
    ],
)
async def test_status_mapping(status: int, body: dict[str, object], error: type[Exception]) -> None:
    async with (
        RawServer(canned(status, json.dumps(body).encode())) as url,
        WorkerBackend(url, retries=0) as backend,
    ):
        with pytest.raises(error):
            if error is AlreadyRecorded:
                await backend.record_payment("0x" + "1" * 64)
            else:
                await backend.request("gd_live_" + "0" * 64, "req_1")


async def test_404_on_a_live_route_is_unavailable_not_unsupported() -> None:
    async with (
        RawServer(canned(404, b'{"error":"not found"}')) as url,
        WorkerBackend(url, retries=0) as backend,
    ):
        with pytest.raises(BackendUnavailable):
            await backend.profile(A)


@pytest.mark.parametrize(
    ("call", "expected_requests"),
    [("profile", 3), ("health", 3), ("record", 1), ("stream", 1), ("revoke", 1), ("chat", 1)],
)
async def test_only_gets_are_retried(call: str, expected_requests: int) -> None:
    server = RawServer(canned(503, b'{"error":"busy"}'))
    async with server as url, WorkerBackend(url, retries=2, backoff=0.001) as backend:
        token = "gd_live_" + "0" * 64
        calls = {
            "profile": lambda: backend.profile(A),
            "health": backend.health,
            "record": lambda: backend.record_payment("0x" + "1" * 64),
            "stream": lambda: backend.stream_credits(A),
            "revoke": lambda: backend.revoke_api_key(token, "key_1"),
            "chat": lambda: backend.chat_completion(token, {"messages": []}),
        }
        with pytest.raises(BackendUnavailable):
            await calls[call]()
    assert len(server.requests) == expected_requests


async def test_get_retry_recovers_after_transient_failure() -> None:
    answers = [http_response(502, b"{}"), http_response(200, json.dumps(PROFILE).encode())]

    async def flaky(head: bytes) -> bytes:
        return answers.pop(0)

    server = RawServer(flaky)
    async with server as url, WorkerBackend(url, retries=2, backoff=0.001) as backend:
        assert (await backend.profile(A)).account == A
    assert len(server.requests) == 2


async def test_injected_mock_transport() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json=PROFILE)

    transport = httpx.MockTransport(handler)
    async with WorkerBackend("http://worker.test", transport=transport) as backend:
        assert (await backend.profile(A.upper().replace("0X", "0x"))).account == A
    assert seen == [f"/v1/accounts/{A}/profile"]


async def test_body_cap_is_configurable() -> None:
    async with (
        RawServer(canned(200, json.dumps(PROFILE).encode())) as url,
        WorkerBackend(url, max_body_bytes=100) as backend,
    ):
        with pytest.raises(BackendUnavailable) as info:
            await backend.profile(A)
    assert info.value.detail == "response too large"


@pytest.mark.parametrize("body", [b"{not json", BIG], ids=["malformed", "oversized"])
async def test_bad_bodies_are_not_retried(body: bytes) -> None:
    server = RawServer(canned(200, body))
    async with server as url, WorkerBackend(url, retries=3, backoff=0.001) as backend:
        with pytest.raises(BackendUnavailable):
            await backend.profile(A)
    assert len(server.requests) == 1


async def test_get_is_retried_after_a_dropped_connection() -> None:
    answers: list[bytes | None] = [None, http_response(200, json.dumps(PROFILE).encode())]

    async def drop_then_answer(head: bytes) -> bytes | None:
        return answers.pop(0)  # None: close without a reply

    server = RawServer(drop_then_answer)
    async with server as url, WorkerBackend(url, retries=2, backoff=0.001) as backend:
        assert (await backend.profile(A)).account == A
    assert len(server.requests) == 2


# --- issue 11: every fault kind × every backend call the runtime makes ---------------------------

TOKEN = "gd_live_" + "0" * 64
KIND_ANSWERS = {
    "5xx-html": canned(502, b"<html>Bad gateway</html>", content_type="text/html"),
    "invalid-json": canned(200, b'{"account": '),
    "deep-json": canned(200, b"[" * 100_000 + b"]" * 100_000),
    "huge-json": canned(200, BIG),
    "wrong-types": canned(200, b'{"account": 7, "items": "x", "events": {}, "config": []}'),
    "missing-fields": canned(200, b"{}"),
    "non-utf8": canned(200, b'{"account": "\xff"}'),
    "401": canned(401, b'{"error":"invalid api key"}'),
    "404": canned(404, b'{"error":"not found"}'),
}
RUNTIME_CALLS: dict[str, Callable[[WorkerBackend], Awaitable[object]]] = {
    "config_values": lambda b: b.config_values(),
    "profile": lambda b: b.profile(A),
    "credit_history": lambda b: b.credit_history(A, limit=1),
    "record_payment": lambda b: b.record_payment("0x" + "1" * 64),
    "auth_nonce": lambda b: b.auth_nonce(A),
    "create_api_key": lambda b: b.create_api_key(A, "0" * 32, "0x" + "2" * 130),
    "usage": lambda b: b.usage(TOKEN),
}


@pytest.mark.parametrize("call", list(RUNTIME_CALLS))
@pytest.mark.parametrize("kind", list(KIND_ANSWERS))
async def test_every_fault_is_a_typed_backend_error(kind: str, call: str) -> None:
    async with (
        RawServer(KIND_ANSWERS[kind]) as url,
        WorkerBackend(url, retries=0) as backend,
    ):
        with pytest.raises(BackendError) as info:
            await RUNTIME_CALLS[call](backend)
    if kind == "401":
        assert isinstance(info.value, Unauthorised)
    elif kind == "404" and call in ("auth_nonce", "create_api_key", "usage"):
        assert isinstance(info.value, NotSupported)  # a planned route this backend lacks
    else:
        assert isinstance(info.value, BackendUnavailable)
    assert "<html" not in info.value.message and "{" not in info.value.message
