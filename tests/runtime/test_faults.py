"""Backend faults over real sockets end in the right state through the runtime: no false
success, no lost input (PRODUCT.md §9)."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest

from ai_credits import State
from ai_credits.backends.worker import WorkerBackend
from ai_credits.core import events as ev
from ai_credits.runtime import Session
from fixtures.world import FrozenClock, build_world
from tests.backends.test_faults import BIG, PROFILE, RawServer, http_response

FAST = httpx.Timeout(connect=0.5, read=0.3, write=0.5, pool=0.5)
NOW = "2026-11-21T12:00:00.000Z"


def worker_json(head: bytes, account: str) -> bytes | None:
    """A minimal healthy Worker for the read routes the widget needs before paying."""
    path = head.split(b" ")[1].decode()
    if path.startswith("/config/values"):
        body = {"ok": True, "service": "gooddollar-antseed-integration",
                "runtime": "cloudflare-worker",
                "config": {"GD_CUSD_PRICE": 0.00115, "MAX_BONUS_CAP_USD": "0",
                           "REGULAR_BONUS_BPS": "1000", "STREAMING_BONUS_BPS": "2000",
                           "MIN_STREAM_BONUS_WEI": "4000000000000000000000",
                           "SUPERFLUID_SUBGRAPH_URL": "http://127.0.0.1/subgraph"}}
    elif "/profile" in path:
        profile = json.loads(json.dumps(PROFILE).replace(PROFILE["account"], account.lower()))
        body = profile
    elif "/credit-history" in path:
        body = {"account": account.lower(), "items": [], "total": 0, "limit": 1, "offset": 0,
                "hasMore": False}
    elif "/outstanding" in path:
        body = {"account": account.lower(), "outstandingFundingUsd": "0",
                "failedFundingCredits": []}
    elif path.startswith(("/v1/auth", "/v1/requests", "/v1/chat")):
        # the live Worker has no planned routes: the capability probe finds them missing
        return http_response(404, b'{"error":"not found"}')
    else:
        return None
    return http_response(200, json.dumps(body).encode())


async def silent(head: bytes) -> None:
    await asyncio.sleep(3)


FAULTS = {
    "500": lambda head: http_response(500, b'{"error":"boom"}'),
    "malformed json": lambda head: http_response(200, b'{"account": '),
    "over 1 MiB": lambda head: http_response(200, BIG),
    "wrong types": lambda head: http_response(200, b'{"account": 7, "profile": []}'),
    "html error page": lambda head: http_response(502, b"<html>bad gateway</html>",
                                                  content_type="text/html"),
}


def replying(fault, *, only_post: bool, account: str):
    async def reply(head: bytes) -> bytes | None:
        if only_post and not head.startswith(b"POST /v1/celo/events/record"):
            return worker_json(head, account)
        if fault == "timeout":
            await silent(head)
            return None
        return FAULTS[fault](head)

    return reply


def session_for(world, url: str) -> Session:
    backend = WorkerBackend(url, timeout=FAST, retries=1, backoff=0.01)
    return Session(backend=backend, wallet=world.chain.wallet(world.account), clock=world.clock)


@pytest.mark.parametrize("fault", [*FAULTS, "timeout"])
async def test_fault_at_connect_is_backend_unavailable(fault):
    world = build_world("zero_credits", clock=FrozenClock())
    async with RawServer(replying(fault, only_post=False, account=world.account)) as url:
        session = session_for(world, url)
        result = await session.send(ev.Connect())
    snap = result.snapshot
    assert snap.state is State.backend_unavailable
    assert snap.notice.kind == "error" and "has not been charged" in snap.notice.message
    assert snap.credit is None and snap.api_key is None


async def test_connection_refused_is_backend_unavailable():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    world = build_world("zero_credits")
    session = session_for(world, f"http://127.0.0.1:{port}")
    snap = (await session.send(ev.Connect())).snapshot
    assert snap.state is State.backend_unavailable and snap.credit is None


@pytest.mark.parametrize("fault", [*FAULTS, "timeout"])
async def test_fault_while_recording_a_payment_keeps_amount_and_claims_nothing(fault):
    world = build_world("zero_credits")
    async with RawServer(replying(fault, only_post=True, account=world.account)) as url:
        session = session_for(world, url)
        await session.send(ev.Connect())
        await session.send(ev.EnterAmount(text="20000"))
        assert session.snapshot.state is State.quote_ready
        snap = (await session.send(ev.Confirm())).snapshot
    assert snap.state is State.backend_unavailable
    assert "Do not pay again" in snap.notice.message
    assert snap.amount.text == "20000"
    assert snap.pending is not None and snap.pending.tx_hash is not None
    assert snap.api_key is None and snap.credit.credited_usd == 0
    # the payment did happen on chain exactly once; recording it later is what is left to do
    assert world.chain.total_deposited(world.account) == 20_000 * 10**18
    submitted = [t for t in session.history if t.event.type == "payment_submitted"]
    assert len(submitted) == 1
