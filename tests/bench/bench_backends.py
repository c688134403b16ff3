"""Backend figures: a WorkerBackend round trip to the dev server, and a ledger hold + capture."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime

from ai_credits.backends.devserver import create_app, start_in_thread
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.ledger import Ledger, LedgerConfig
from ai_credits.backends.worker import WorkerBackend
from tests.bench.timing import p50_us

ACCOUNT = "0x" + "ab" * 20
NOW = datetime(2026, 7, 23, 12, tzinfo=UTC)


def _roundtrip_ms() -> float:
    backend = FixtureBackend(clock=lambda: NOW, config=LedgerConfig(gd_price="1.0"))
    backend.ledger.credit(
        entry_id="0x" + "1" * 64 + ":0", account=ACCOUNT, gd_wei=10**18, source="deposit", now=NOW
    )
    server = start_in_thread(create_app(backend))
    loop = asyncio.new_event_loop()
    try:
        worker = WorkerBackend(server.url, retries=0)  # one client: keep-alive across calls
        loop.run_until_complete(worker.profile(ACCOUNT))
        micros = p50_us(
            lambda: loop.run_until_complete(worker.profile(ACCOUNT)), repeat=1000, warmup=100
        )
        loop.run_until_complete(worker.aclose())
    finally:
        loop.close()
        server.stop()
    return round(micros / 1000, 3)


def _hold_capture_us() -> float:
    ledger = Ledger(LedgerConfig(gd_price="1.0"))
    ledger.credit(
        entry_id="0x" + "2" * 64 + ":0",
        account=ACCOUNT,
        gd_wei=10**30,
        source="deposit",
        now=NOW,
    )
    ids = (f"req_{n}" for n in itertools.count())

    def once() -> None:
        request_id = next(ids)
        ledger.hold(ACCOUNT, 2_036, request_id=request_id, now=NOW)
        ledger.capture(request_id, 35, now=NOW)

    return p50_us(once, repeat=5000, warmup=500)


def run() -> dict[str, float]:
    """``backend_roundtrip_ms_p50`` (target ≤ 5) and ``ledger_hold_capture_us_p50`` (≤ 50)."""
    return {
        "backend_roundtrip_ms_p50": _roundtrip_ms(),
        "ledger_hold_capture_us_p50": _hold_capture_us(),
    }


if __name__ == "__main__":
    print(run())
