"""Issue 11 at the backend boundaries: deep JSON never crashes a host (1), the wire refuses what
the core would (3), and the dev server caps request bodies (8)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel

from ai_credits.backends.devserver import BackgroundServer, create_app, start_in_thread
from ai_credits.backends.errors import BackendUnavailable
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.wire import (
    ChatCredit,
    ConfigValues,
    CreditReservation,
    PublicApiKey,
    parse_wire,
)
from ai_credits.backends.worker import WorkerBackend
from ai_credits.core import limits
from ai_credits.core.events import AccountLoaded, ApiKeyIssued
from ai_credits.core.models import ApiKey, UsageRow
from ai_credits.safejson import MAX_DEPTH, UnsafeJSON, loads

from .conftest import A
from .test_faults import RawServer, canned

ROOT = Path(__file__).resolve().parents[2]
DEEP = b"[" * 100_000 + b"]" * 100_000
TOKEN = "gd_live_" + "ab" * 32


# --- 1. deep JSON ------------------------------------------------------------------------------


def run_isolated(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter (a segfault there must not take pytest down)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_importing_the_chain_stack_leaves_a_safe_recursion_limit() -> None:
    done = run_isolated("""
        import sys
        before = sys.getrecursionlimit()
        import ai_credits.runtime, ai_credits.chain, ai_credits.backends.keys, eth_account, py_ecc
        print(before, sys.getrecursionlimit())
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = map(int, done.stdout.split())
    assert after == before <= 10_000


def test_deep_json_from_the_backend_is_a_state_and_the_process_lives() -> None:
    done = run_isolated("""
        import asyncio, json
        from ai_credits.backends.errors import BackendUnavailable
        from ai_credits.backends.worker import WorkerBackend
        from ai_credits.core import events as ev
        from ai_credits.runtime import Session
        from fixtures.world import build_world
        from tests.backends.test_faults import RawServer, canned

        DEEP = b"[" * 100_000 + b"]" * 100_000

        async def main():
            world = build_world("zero_credits")
            async with RawServer(canned(200, DEEP)) as url:
                async with WorkerBackend(url, retries=0) as backend:
                    try:
                        await backend.profile(world.account)
                    except BackendUnavailable as exc:
                        print("error:", exc.detail)
                    session = Session(backend=backend, wallet=world.chain.wallet(world.account),
                                      clock=world.clock)
                    snap = (await session.send(ev.Connect())).snapshot
                    print("state:", snap.state.value, "|", snap.notice.message)

        asyncio.run(main())
    """)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert f"error: JSON nested deeper than {MAX_DEPTH} levels" in done.stdout
    assert "state: backend_unavailable | The AI credits service is temporarily unavailable" in (
        done.stdout)  # fmt: skip


def test_deep_json_posted_to_the_dev_server_is_the_workers_error_and_the_process_lives() -> None:
    done = run_isolated("""
        import asyncio, httpx
        from datetime import UTC, datetime
        from ai_credits.backends.devserver import create_app
        from ai_credits.backends.fixture import FixtureBackend

        async def main():
            app = create_app(FixtureBackend(clock=lambda: datetime.now(UTC)))
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://dev") as client:
                for path in ("/v1/celo/events/record", "/v1/auth/nonce", "/v1/credits/quote"):
                    r = await client.post(path, content=b"[" * 100_000 + b"]" * 100_000,
                                          headers={"content-type": "application/json"})
                    print(r.status_code, r.json())

        asyncio.run(main())
    """)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert all(line == "500 {'error': 'request body is not valid JSON'}" for line in lines)


def test_safe_loads_refuses_what_json_should_not_decode() -> None:
    assert loads(b'{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    assert loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    assert loads(b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH) is not None
    assert loads(b'{"p": 0.001154299954649337}')["p"] == 0.001154299954649337
    assert loads(b'{"n": 123456789012345678901234567890}')["n"] == 123456789012345678901234567890
    for bad, why in [
        (DEEP, "nested deeper"),
        (b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2), "nested deeper"),
        (b'{"a":' * (MAX_DEPTH + 2) + b"1" + b"}" * (MAX_DEPTH + 2), "nested deeper"),
        (b'{"a": ', "malformed"),
        (b'{"a": NaN}', "malformed"),
        (b'{"a": Infinity}', "malformed"),
        (b'{"a": "\xff"}', "UTF-8"),
    ]:
        with pytest.raises(UnsafeJSON, match=why):
            loads(bad)


@pytest.mark.parametrize("body", [DEEP, b'{"account": "\xff\xfe"}'], ids=["deep", "bad-utf8"])
async def test_deep_or_undecodable_answers_are_backend_unavailable(body: bytes) -> None:
    async with RawServer(canned(200, body)) as url, WorkerBackend(url, retries=0) as backend:
        with pytest.raises(BackendUnavailable):
            await backend.profile(A)


# --- 3. one source of limits -----------------------------------------------------------------


def max_length(model: type[BaseModel], name: str) -> int | None:
    for meta in model.model_fields[name].metadata:
        if hasattr(meta, "max_length") and meta.max_length is not None:
            return int(meta.max_length)
    return None


@pytest.mark.parametrize(
    ("wire", "wire_field", "core", "core_field", "limit"),
    [
        (CreditReservation, "request_id", UsageRow, "request_id", limits.REQUEST_ID_MAX),
        (CreditReservation, "model", UsageRow, "model", limits.MODEL_NAME_MAX),
        (PublicApiKey, "token_prefix", ApiKeyIssued, "prefix", limits.KEY_PREFIX_MAX),
        (PublicApiKey, "token_prefix", AccountLoaded, "key_prefix", limits.KEY_PREFIX_MAX),
        (PublicApiKey, "token_prefix", ApiKey, "prefix", limits.KEY_PREFIX_MAX),
        (PublicApiKey, "id", ApiKeyIssued, "key_id", limits.KEY_ID_MAX),
        (ChatCredit, "request_id", UsageRow, "request_id", limits.REQUEST_ID_MAX),
    ],
)
def test_wire_and_core_limits_are_the_same_constant(
    wire: type[BaseModel], wire_field: str, core: type[BaseModel], core_field: str, limit: int
) -> None:
    assert max_length(wire, wire_field) == max_length(core, core_field) == limit


def reservation(**overrides: object) -> dict[str, object]:
    row = {"requestId": "req_1", "account": A, "maxCostUsd": "1000", "status": "settled",
           "actualCostUsd": "35", "createdAt": "2026-07-23T12:00:00.000Z",
           "updatedAt": "2026-07-23T12:00:00.000Z", "model": "gpt-4o-mini",
           "promptTokens": 10, "completionTokens": 20}  # fmt: skip
    return {**row, **overrides}


def api_key(**overrides: object) -> dict[str, object]:
    key = {"id": "key_1", "tokenPrefix": "gd_live_abcd...wxyz", "account": A, "rootAccount": A,
           "status": "active", "createdAt": "2026-07-23T12:00:00.000Z"}  # fmt: skip
    return {**key, **overrides}


@pytest.mark.parametrize(
    ("answer", "path"),
    [
        ({"account": A, "items": [reservation(requestId="r" * 150)]}, "/v1/requests"),
        ({"account": A, "items": [reservation(promptTokens=10**13)]}, "/v1/requests"),
        ({"account": A, "items": [reservation(createdAt="9999-12-31T23:59:59.999Z")]},
         "/v1/requests"),
        ({"account": A, "rootAccount": A, "apiKeys": [api_key(tokenPrefix="p" * 68)]},
         "/v1/auth/api-keys"),
        ({"account": A, "rootAccount": A, "apiKeys": [api_key(id="k" * 150)]},
         "/v1/auth/api-keys"),
    ],
    ids=["request-id-150", "tokens-1e13", "year-9999", "token-prefix-68", "key-id-150"],
)
async def test_what_the_core_would_refuse_is_a_backend_error_at_the_wire(
    answer: dict[str, object], path: str
) -> None:
    async with (
        RawServer(canned(200, json.dumps(answer).encode())) as url,
        WorkerBackend(url, retries=0) as backend,
    ):
        with pytest.raises(BackendUnavailable) as info:
            if path == "/v1/requests":
                await backend.usage(TOKEN)
            else:
                await backend.list_api_keys(TOKEN)
    assert "unexpected response shape" in (info.value.detail or "")


def config_values(price: object) -> dict[str, object]:
    return {"ok": True, "service": "s", "runtime": "r",
            "config": {"GD_CUSD_PRICE": price, "MAX_BONUS_CAP_USD": "0",
                       "REGULAR_BONUS_BPS": "1000", "STREAMING_BONUS_BPS": "2000",
                       "MIN_STREAM_BONUS_WEI": "4000000000000000000000",
                       "SUPERFLUID_SUBGRAPH_URL": "http://127.0.0.1/subgraph"}}  # fmt: skip


@pytest.mark.parametrize("price", [1e-12, 1.7e308, 0, -1, 1e-7, 1e7, "abc", True])
def test_an_implausible_gd_price_is_refused_at_the_wire(price: object) -> None:
    with pytest.raises(BackendUnavailable):
        parse_wire(ConfigValues, config_values(price))


@pytest.mark.parametrize("price", [0.00115, 0.0001, 1e-6, 1.0, 1e6])
def test_plausible_gd_prices_pass_the_wire(price: float) -> None:
    assert parse_wire(ConfigValues, config_values(price)).config.gd_cusd_price == price


# --- 8. dev server body cap ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    backend = FixtureBackend(clock=lambda: datetime.now(UTC), planned_endpoints=True)
    running = start_in_thread(create_app(backend))
    yield running
    running.stop()


@pytest.fixture
async def http(server: BackgroundServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


BIG = b'{"txHash": "' + b"x" * (2 << 20) + b'"}'
JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("path", ["/v1/celo/events/record", "/v1/credits/quote", "/health"])
async def test_a_body_over_1_mib_is_413_before_parsing(http: httpx.AsyncClient, path: str) -> None:
    response = await http.post(path, content=BIG, headers=JSON)
    assert response.status_code == 413
    assert response.json() == {"error": "request body too large"}


async def test_a_streamed_body_over_1_mib_without_a_length_is_413(
    http: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 65_536  # 2.5 MiB of whitespace, which json would happily parse

    response = await http.post("/v1/celo/events/record", content=chunks(), headers=JSON)
    assert response.status_code == 413


async def test_a_body_under_the_cap_is_still_served(http: httpx.AsyncClient) -> None:
    padded = b'{"messages": [{"role": "user", "content": "hi"}]}' + b" " * (1 << 19)
    response = await http.post("/v1/credits/quote", content=padded, headers=JSON)
    assert response.status_code == 200
    assert response.json() == {"maxCostMicroUsd": "1538"}  # ceil(3·500/1000) + 1536
