"""One corpus of Worker exchanges, two consumers: the dev server must answer every request exactly
as recorded (over a real socket), and WorkerBackend must send exactly the recorded request and read
the recorded answer into the declared result or error.  Neither side can drift from the Worker
without failing here (``corpus/worker_exchanges.json`` says where the exchanges come from)."""

from __future__ import annotations

import json
import pathlib
import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from ai_credits.backends import errors
from ai_credits.backends.devserver import BackgroundServer, create_app, start_in_thread
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.wire import js_iso
from ai_credits.backends.worker import WorkerBackend
from ai_credits.core.onchain import (
    ChainEventSource,
    DepositEvent,
    ReceiptNotFoundError,
    StreamEvent,
    WorkerChainReads,
)

from .conftest import FakeClock

CORPUS = json.loads((pathlib.Path(__file__).parent / "corpus" / "worker_exchanges.json").read_text())
EXCHANGES: list[dict[str, Any]] = CORPUS["exchanges"]
NOW = datetime.fromisoformat(CORPUS["now"])


class CorpusChain:
    """The corpus's chain as the Worker reads it: receipts, GoodID roots, the oracle price."""

    def __init__(self, world: dict[str, Any]) -> None:
        self.world = world
        self.events: dict[str, tuple[list[DepositEvent], list[StreamEvent]]] = {}
        for tx, logs in world["receipts"].items():
            deposits = [
                DepositEvent(tx_hash=tx, log_index=d["log_index"], account=d["account"],
                             buyer=d["account"], gd_amount_wei=int(d["gd_amount_wei"]),
                             block_number=d["block_number"])
                for d in logs.get("deposits", [])
            ]  # fmt: skip
            streams = [
                StreamEvent(tx_hash=tx, log_index=s["log_index"], account=s["account"],
                            buyer=s["account"], flow_rate=int(s["flow_rate"]),
                            monthly_gd_wei=int(s["flow_rate"]) * 2_592_000,
                            total_flow_wei=int(s["total_flow_wei"]), block_number=s["block_number"])
                for s in logs.get("streams", [])
            ]  # fmt: skip
            self.events[tx] = (deposits, streams)

    async def receipt_events(self, tx_hash: str) -> tuple[list[DepositEvent], list[StreamEvent]]:
        if tx_hash not in self.events:
            raise ReceiptNotFoundError(tx_hash)
        return self.events[tx_hash]

    async def account_events(
        self, account: str, from_block: str, to_block: str
    ) -> tuple[list[DepositEvent], list[StreamEvent]]:
        low = int(from_block, 0)
        high = float("inf") if to_block == "latest" else int(to_block, 0)
        deposits = [d for ds, _ in self.events.values() for d in ds
                    if d.account.lower() == account and low <= d.block_number <= high]
        streams = [s for _, ss in self.events.values() for s in ss
                   if s.account.lower() == account and low <= s.block_number <= high]
        return deposits, streams  # fmt: skip

    async def gd_price(self) -> str | None:
        return str(self.world["price"])

    async def goodid_root(self, account: str) -> str | None:
        root = self.world["roots"].get(account.lower())
        return str(root) if root else None

    def addresses(self) -> dict[str, str]:
        return dict(self.world["addresses"])

    async def deposit_events(self, tx_hash: str) -> list[DepositEvent]:
        return self.events.get(tx_hash, ([], []))[0]

    async def stream_events(self, tx_hash: str) -> list[StreamEvent]:
        return self.events.get(tx_hash, ([], []))[1]

    async def current_flow_rate(self, sender: str) -> int:
        return 0


def test_the_corpus_chain_is_what_a_real_node_offers() -> None:
    chain = CorpusChain(CORPUS["chain"])
    assert isinstance(chain, WorkerChainReads) and isinstance(chain, ChainEventSource)


@pytest.fixture(scope="module")
def corpus_server() -> Iterator[BackgroundServer]:
    """A dev server as ``ai-credits dev-backend`` runs it by default (live routes only) on the
    corpus's chain, its clock standing at the corpus's "now"."""
    backend = FixtureBackend(clock=FakeClock(NOW), chain=CorpusChain(CORPUS["chain"]),
                             rng=random.Random(0), planned_endpoints=False)  # fmt: skip
    backend.ledger.config.gd_price = CORPUS["gd_cusd_price_fallback"]
    server = start_in_thread(create_app(backend))
    yield server
    server.stop()


def _send(client: httpx.Client, request: dict[str, Any]) -> httpx.Response:
    if "json" in request and request["json"] is not None:
        return client.request(request["method"], request["path"], json=request["json"])
    return client.request(request["method"], request["path"],
                          content=request.get("content"), headers=request.get("headers"))  # fmt: skip


def test_the_dev_server_answers_every_exchange_as_the_worker(
    corpus_server: BackgroundServer,
) -> None:
    with httpx.Client(base_url=corpus_server.url) as client:
        for exchange in EXCHANGES:  # in order: the exchanges build on each other
            response = _send(client, exchange["request"])
            expected = exchange["response"]
            assert (response.status_code, response.json()) == (
                expected["status"], expected["json"]), exchange["name"]  # fmt: skip
            assert response.headers["access-control-allow-origin"] == "*"


def _dig(value: Any, path: str) -> Any:
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else (
            value[part] if isinstance(value, dict) else getattr(value, part))  # fmt: skip
    return js_iso(value) if isinstance(value, datetime) else value


CLIENT = [e for e in EXCHANGES if e["client"] is not None]


@pytest.mark.parametrize("exchange", CLIENT, ids=[e["name"] for e in CLIENT])
async def test_worker_backend_sends_and_reads_each_exchange(exchange: dict[str, Any]) -> None:
    recorded = exchange["request"]
    seen: list[httpx.Request] = []

    def worker(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = exchange["response"]
        return httpx.Response(answer["status"], json=answer["json"])

    call = exchange["client"]
    async with WorkerBackend("http://worker.test", transport=httpx.MockTransport(worker),
                             retries=0) as backend:  # fmt: skip
        try:
            result: Any = await getattr(backend, call["call"])(*call["args"],
                                                                **call.get("kwargs", {}))
            failure: Exception | None = None
        except errors.BackendError as exc:
            result, failure = exc, exc
    [sent] = seen  # sent once, never retried
    assert sent.method == recorded["method"]
    assert sent.url.raw_path.decode() == recorded["path"]
    body = json.loads(sent.content) if sent.content else None
    assert body == recorded.get("json")
    expect = dict(call["expect"])
    error = expect.pop("error", None)
    if error is None:
        assert failure is None, failure
    else:
        assert type(failure).__name__ == error and isinstance(failure, getattr(errors, error))
    for path, value in expect.items():
        assert _dig(result, path) == value, path
