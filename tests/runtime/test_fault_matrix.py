"""The fault matrix: every kind of backend fault × every effect the runtime sends to the backend,
over real sockets, through :class:`Session` (issue 11).

A loopback proxy forwards to the dev server over the fixture world until it is *armed*; from the
first request of the effect under test on, it answers with the fault.  Each cell asserts: no
exception out of ``Session.send``, an explicit state with a plain message, no false success (never
more credit than the backend really holds, never a success state after the effect failed), the
typed amount kept, and a payment sent exactly once.  The process staying alive through deep JSON
is the cell not crashing pytest (before issue 11 it segfaulted).

``pytest tests/runtime/test_fault_matrix.py -q -s`` prints the matrix as a markdown table (also
written to ``build/fault_matrix.md``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from ai_credits import State
from ai_credits.backends.devserver import create_app
from ai_credits.backends.worker import WorkerBackend
from ai_credits.core import events as ev
from ai_credits.runtime import Session
from fixtures.world import World, build_world
from tests.backends.test_faults import http_response

FAST = httpx.Timeout(connect=0.5, read=0.3, write=0.5, pool=0.5)
GD = 10**18

# --- fault kinds ------------------------------------------------------------------------------


def _leaves(data: Any, leaf: Callable[[str | None, Any], Any], key: str | None = None) -> Any:
    if isinstance(data, dict):
        return {k: _leaves(v, leaf, k) for k, v in data.items()}
    if isinstance(data, list):
        return [_leaves(v, leaf, key) for v in data]
    return leaf(key, data)


def wrong_types(data: Any) -> Any:
    """Digit strings become numbers, numbers strings, booleans text, other text a number."""

    def leaf(key: str | None, value: Any) -> Any:
        if isinstance(value, bool):
            return "yes"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return int(value) if value.isdigit() else 7
        return value

    return _leaves(data, leaf)


def out_of_range(data: Any) -> Any:
    """Every number outside what the contract and the core allow."""

    def leaf(key: str | None, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if key == "GD_CUSD_PRICE":
            return 1e-12
        if isinstance(value, int):
            return -1
        if isinstance(value, float):
            return 1.7e308
        if isinstance(value, str) and value.isdigit():
            return "9" * 79  # wider than uint256
        if isinstance(value, str) and key is not None and key.endswith("At"):
            return "9999-12-31T23:59:59.999Z"
        return value

    return _leaves(data, leaf)


def missing_fields(data: Any) -> Any:
    """Every object keeps only its first key."""
    if isinstance(data, dict):
        return {k: missing_fields(v) for k, v in list(data.items())[:1]}
    if isinstance(data, list):
        return [missing_fields(v) for v in data]
    return data


def overlong_strings(data: Any) -> Any:
    """Ids and key prefixes longer than the core keeps (request id 150 > 100, key prefix 68 > 40,
    key id 150 > 100)."""
    longer = {"requestId": 150, "tokenPrefix": 68, "id": 150}

    def leaf(key: str | None, value: Any) -> Any:
        if isinstance(value, str) and key in longer:
            return (value * longer[key])[: longer[key]] if value else "x" * longer[key]
        return value

    return _leaves(data, leaf)


def price(value: float) -> Callable[[Any], Any]:
    def mutate(data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("config"), dict):
            return {**data, "config": {**data["config"], "GD_CUSD_PRICE": value}}
        return data

    return mutate


CANNED: dict[str, tuple[int, bytes, str]] = {
    "5xx HTML": (502, b"<html><body>Bad gateway</body></html>", "text/html"),
    "invalid JSON": (200, b'{"account": ', "application/json"),
    "deep JSON": (200, b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "huge JSON": (200, b'{"a":"' + b"x" * (2 << 20) + b'"}', "application/json"),
    "401": (401, b'{"error":"invalid api key"}', "application/json"),
    "404": (404, b'{"error":"not found"}', "application/json"),
}
MUTATORS: dict[str, Callable[[Any], Any]] = {
    "wrong types": wrong_types,
    "out-of-range numbers": out_of_range,
    "price 1e-12": price(1e-12),
    "price 1.7e308": price(1.7e308),
    "missing fields": missing_fields,
    "overlong strings": overlong_strings,
}
KINDS = ["refused", "hang", *CANNED, *MUTATORS]


# --- the proxy ---------------------------------------------------------------------------------


@dataclass
class FaultProxy:
    """Real sockets in front of the dev server: forwards until armed, then serves ``kind``."""

    app: Any
    kind: str
    arm_at: str | None = None
    armed: bool = False
    served: list[str] = field(default_factory=list)
    """Requests answered with the fault (a mutation that changed nothing is not listed)."""
    server: asyncio.Server | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def __aenter__(self) -> str:
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                        base_url="http://dev")  # fmt: skip
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.client.aclose()

    def arm(self, at: str) -> None:
        """Fault every request from the first whose path starts with ``at`` on."""
        self.arm_at = at
        if self.kind == "refused" and at == "/":
            assert self.server is not None
            self.server.close()  # nothing listens: the next connect is refused
            self.armed = True
            self.served.append("connect refused")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.tasks.discard(task)
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *lines = head.split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)
                   if k}  # fmt: skip
        length = int(headers.get("content-length") or 0)
        body = await reader.readexactly(length) if length else b""
        path = target.split("?")[0]
        if self.arm_at is not None and path.startswith(self.arm_at):
            self.armed = True
        if not self.armed:
            writer.write(await self._forward(method, target, headers, body))
            return
        answer = await self._fault(method, target, headers, body, writer)
        if answer is not None:
            writer.write(answer)
            await writer.drain()

    async def _forward(self, method: str, target: str, headers: dict[str, str],
                       body: bytes) -> bytes:  # fmt: skip
        keep = {k: v for k, v in headers.items() if k in ("content-type", "authorization")}
        response = await self.client.request(method, target, content=body, headers=keep)
        return http_response(response.status_code, response.content,
                             content_type=response.headers.get("content-type", "text/plain"))

    async def _fault(self, method: str, target: str, headers: dict[str, str], body: bytes,
                     writer: asyncio.StreamWriter) -> bytes | None:  # fmt: skip
        here = f"{method} {target.split('?')[0]}"
        if self.kind not in MUTATORS:
            self.served.append(here)
        if self.kind == "refused":  # reset this connection, refuse every later one
            assert self.server is not None
            self.server.close()
            writer.transport.abort()
            return None
        if self.kind == "hang":
            await asyncio.sleep(3)
            return None
        if self.kind in CANNED:
            status, payload, content_type = CANNED[self.kind]
            return http_response(status, payload, content_type=content_type)
        real = await self._forward(method, target, headers, body)
        head, _, payload = real.partition(b"\r\n\r\n")
        status = int(head.split(b" ")[1])
        original = json.loads(payload) if payload else None
        mutated = MUTATORS[self.kind](original)
        if mutated != original:
            self.served.append(here)
        return http_response(status, json.dumps(mutated).encode())


# --- the effects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """How to bring a session to just before an effect, the event that runs it, and where the
    proxy arms (the effect's first backend request)."""

    name: str
    setup: tuple[ev.Event, ...]
    trigger: ev.Event
    arm_at: str
    bill_first: bool = False  # bill one AI request so usage has a row to load


BILL = {"model": "gpt-4o-mini", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}

AMOUNT = "20000"
BUY = (ev.Connect(), ev.EnterAmount(text=AMOUNT))
CONFIRMED = frozenset({State.payment_confirmed, State.signing_in, State.has_credits,
                       State.usage_empty, State.usage_active, State.low_balance})  # fmt: skip
LOADED = CONFIRMED | {State.connected_empty, State.insufficient_ai_credits}
EFFECTS = {
    e.name: e
    for e in (
        Effect("load_account", (), ev.Connect(), "/"),
        Effect("record_payment", BUY, ev.Confirm(), "/v1/celo/events/record"),
        Effect("issue_api_key", BUY, ev.Confirm(), "/v1/auth/"),
        Effect("load_usage", (*BUY, ev.Confirm(), ev.ViewUsage()), ev.Refresh(), "/",
               bill_first=True),
        Effect("streams", (ev.Connect(), ev.ChooseMode(mode="stream"),
                           ev.EnterAmount(text="30000")), ev.StartStream(), "/"),
    )
}  # fmt: skip

MATRIX: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    if not MATRIX:
        return
    effects = [e for e in EFFECTS if any(k[1] == e for k in MATRIX)]
    rows = ["| fault \\ effect | " + " | ".join(f"`{e}`" for e in effects) + " |",
            "|---|" + "---|" * len(effects)]  # fmt: skip
    for kind in KINDS:
        if any(k[0] == kind for k in MATRIX):
            cells = [MATRIX.get((kind, e), "") for e in effects]
            rows.append(f"| {kind} | " + " | ".join(cells) + " |")
    table = "\n".join(rows)
    out = Path("build")
    out.mkdir(exist_ok=True)
    (out / "fault_matrix.md").write_text(table + "\n", encoding="utf-8")
    print("\n" + table)


def plain(message: str) -> bool:
    """A sentence for a person: no markup, JSON, tracebacks or exception names."""
    return bool(message) and not any(
        marker in message
        for marker in ("<", "{", "Traceback", "Error(", "validation error", "gd_live_")
    )


async def credited_truth(world: World) -> int:
    """What the backend really holds for the account."""
    profile = await world.backend.profile(world.account)
    return profile.total_principal_usd + profile.total_bonus_usd


async def run_cell(kind: str, effect: Effect) -> tuple[World, Session, FaultProxy, ev.Event]:
    world = build_world("zero_credits")
    proxy = FaultProxy(create_app(world.backend), kind)
    async with proxy as url:
        backend = WorkerBackend(url, timeout=FAST, retries=1, backoff=0.01)
        session = Session(backend=backend, wallet=world.chain.wallet(world.account),
                          clock=world.clock)  # fmt: skip
        for event in effect.setup:
            assert (await session.send(event)).accepted, event
        if effect.bill_first:
            assert session.keys.token is not None
            await world.backend.chat_completion(session.keys.token.reveal(), BILL)
        proxy.arm(effect.arm_at)
        await session.send(effect.trigger)  # must not raise, whatever came back
        await backend.aclose()
    return world, session, proxy, effect.trigger


@pytest.mark.parametrize("effect", list(EFFECTS))
@pytest.mark.parametrize("kind", KINDS)
async def test_fault_matrix(kind: str, effect: str) -> None:
    spec = EFFECTS[effect]
    world, session, proxy, _ = await run_cell(kind, spec)
    snap = session.snapshot
    notice = snap.notice
    hit = bool(proxy.served)
    cell = snap.state.value + (f" · {notice.code or notice.kind}" if notice else "")
    MATRIX[(kind, effect)] = cell if hit else f"{cell} (fault not reached)"

    # never more credit than the backend holds, never a key it did not issue
    truth = await credited_truth(world)
    if snap.credit is not None:
        assert snap.credit.credited_usd <= truth
    if effect in ("record_payment", "issue_api_key"):
        # the payment happened on chain exactly once, whatever the backend did after
        assert world.chain.total_deposited(world.account) == 20_000 * GD
        submitted = [t for t in session.history if t.event.type == "payment_submitted"]
        assert len(submitted) == 1
    if effect == "streams":
        # the chain is the truth for a stream: the flow runs; the backend catches up later
        assert snap.state is State.streaming_active and snap.stream is not None
        return
    if not hit:
        return
    if effect == "record_payment" and snap.state in CONFIRMED:
        assert truth > 0, "confirmed a payment the backend did not fund"  # a field the core
        return  # does not keep was mangled (e.g. a credit entry id); the funding was real
    if effect == "issue_api_key":
        assert snap.state is State.payment_confirmed or snap.state is State.backend_unavailable
        assert snap.api_key is None, "claimed a key from a faulty answer"
    else:
        failed_at = {"load_account": LOADED, "load_usage": frozenset({State.usage_active}),
                     "record_payment": CONFIRMED}[effect]  # fmt: skip
        assert snap.state not in failed_at, cell
    assert notice is not None and plain(notice.title) and plain(notice.message), notice
    if effect == "record_payment" and truth == 0:  # not funded: nothing may look paid for
        assert snap.amount.text == AMOUNT  # the typed amount is kept
        assert snap.pending is not None and snap.pending.tx_hash is not None
        assert snap.api_key is None
