"""Bundled scenarios load, validate and produce the states their names promise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from ai_credits.backends.errors import BackendUnavailable, NotSupported
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.protocol import account_summary
from ai_credits.backends.scenario import load_scenario, scenario_names

from .conftest import A, FakeClock

P = "0xa11ce00000000000000000000000000000000001"
REQUIRED = {
    "zero_credits",
    "verified",
    "unverified",
    "usage_rows",
    "low_balance",
    "no_credits_left",
    "stream_running",
}


def test_required_scenarios_exist() -> None:
    assert set(scenario_names()) >= REQUIRED


async def summary(name: str, account: str = P) -> tuple[FixtureBackend, object]:
    backend = FixtureBackend.from_scenario(name, clock=FakeClock())
    backend.planned_endpoints = True
    token = backend.issue_key_for(account).token.get_secret_value()
    rows = await backend.usage(token, limit=100)
    return backend, account_summary(await backend.profile(account), rows)


@pytest.mark.parametrize(
    ("name", "credited", "captured", "held", "available", "pending"),
    [
        ("zero_credits", 0, 0, 0, 0, 0),
        ("verified", 7_590_000, 0, 0, 7_590_000, 0),
        ("unverified", 6_900_000, 0, 0, 6_900_000, 0),
        ("usage_rows", 12_650_000, 3_785, 2_036, 12_644_179, 0),
        ("low_balance", 1_265_000, 980_000, 0, 285_000, 0),
        ("no_credits_left", 1_265_000, 1_265_000, 0, 0, 0),
        ("pending_credit", 1_265_000, 0, 0, 1_265_000, 6_325_000),
    ],
)
async def test_scenario_balances(
    name: str, credited: int, captured: int, held: int, available: int, pending: int
) -> None:
    backend, got = await summary(name)
    assert (got.credited, got.captured, got.held, got.available, got.pending) == (  # type: ignore[attr-defined]
        credited,
        captured,
        held,
        available,
        pending,
    )
    assert backend.ledger.available(P) == available


async def test_usage_rows_are_newest_first_with_every_status() -> None:
    backend = FixtureBackend.from_scenario("usage_rows", clock=FakeClock())
    token = backend.issue_key_for(P).token.get_secret_value()
    rows = await backend.usage(token)
    assert [r.status for r in rows] == ["reserved", "settled", "released", "settled", "settled"]
    assert [r.created_at for r in rows] == sorted((r.created_at for r in rows), reverse=True)


async def test_stream_running_has_a_credit_due() -> None:
    backend = FixtureBackend.from_scenario("stream_running", clock=FakeClock())
    profile = await backend.profile(P)
    assert profile.stream_flow_rate_wei_per_second == 3_858_024_691_358_024
    result = await backend.stream_credits(P)
    assert result.streams[0].source == "streamRequest"  # type: ignore[union-attr]  # the route's


async def test_primary_account_can_be_renamed() -> None:
    backend = FixtureBackend.from_scenario("verified", clock=FakeClock(), account=A)
    assert (await backend.profile(A)).total_principal_usd == 6_900_000
    assert (await backend.profile(P)).total_principal_usd == 0


async def test_live_worker_scenario_lacks_planned_endpoints() -> None:
    backend = FixtureBackend.from_scenario("live_worker", clock=FakeClock())
    with pytest.raises(NotSupported):
        await backend.auth_nonce(P)


def test_knobs_and_paths(tmp_path: Path) -> None:
    data = json.loads((Path("fixtures/scenarios") / "zero_credits.json").read_text())
    data["knobs"] = {"down": True}
    path = tmp_path / "down.json"
    path.write_text(json.dumps(data))
    backend = FixtureBackend.from_scenario(path, clock=FakeClock())
    assert backend.down


async def test_down_knob_from_scenario(tmp_path: Path) -> None:
    data = load_scenario("zero_credits").model_dump(mode="json")
    data["knobs"]["down"] = True
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BackendUnavailable):
        await FixtureBackend.from_scenario(str(path), clock=FakeClock()).health()


@pytest.mark.parametrize(
    "change",
    [
        {"accounts": {"0x12": {}}},
        {"gd_price": "0.1", "surprise": 1},
        {"accounts": {P: {"credits": [{"gd": "1e3"}]}}},
        {"accounts": {P: {"requests": [{"max_cost_usd": "5", "status": "done"}]}}},
    ],
)
def test_bad_scenarios_are_refused(tmp_path: Path, change: dict[str, object]) -> None:
    data = load_scenario("zero_credits").model_dump(mode="json")
    data.update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises((ValidationError, ValueError)):
        load_scenario(path)


def test_unknown_scenario_name() -> None:
    with pytest.raises(FileNotFoundError):
        load_scenario("no_such_scenario")
