"""Core figures: one machine step, one quote, one snapshot JSON round trip."""

from __future__ import annotations

from ai_credits import Snapshot, initial_snapshot, step
from ai_credits.core import events as ev
from ai_credits.core.models import CreditSummary
from ai_credits.quote import credit_with_bonus
from tests.bench.timing import p50_us
from tests.core.samples import ACCOUNT, AT, wallet


def _warm_snapshot() -> Snapshot:
    snap = initial_snapshot()
    for event in (
        ev.Connect(at=AT),
        ev.WalletConnected(account=ACCOUNT, chain_id=42220),
        ev.AccountLoaded(wallet=wallet(), credit=CreditSummary(), at=AT),
    ):
        snap = step(snap, event).snapshot
    return snap


def run() -> dict[str, float]:
    snap = _warm_snapshot()
    enter = ev.EnterAmount(text="20000", at=AT)
    quoted = step(snap, enter).snapshot
    return {
        "step_us_p50": p50_us(lambda: step(snap, enter)),
        "quote_us_p50": p50_us(
            lambda: credit_with_bonus(
                12_345 * 10**18, source="deposit", verified=True, gd_price=0.00115
            )
        ),
        "snapshot_roundtrip_us_p50": p50_us(
            lambda: Snapshot.model_validate_json(quoted.model_dump_json())
        ),
    }
