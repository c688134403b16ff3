"""Core figures: one machine step, one quote, one snapshot JSON round trip."""

from __future__ import annotations

from typing import Any

from transitions import Machine

from ai_credits import Snapshot, initial_snapshot, step
from ai_credits.core import events as ev
from ai_credits.core.machine import TABLE, expand_source, step_with_transitions
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


def _raw_machine_us(state: str, trigger: str, expected: str) -> float:
    """Anchor for ``step``: the same TABLE as a bare ``transitions`` Machine — every row, in the
    table's order, each guard (``conditions`` and ``unless`` alike) a no-op returning True, no
    callbacks — timing ``set_state(state)`` then ``model.trigger(trigger)``: the cost of asking
    ``transitions`` for one transition, with none of the widget's work (amount parsing, quote,
    snapshot copy).  ``expected`` is the state ``step`` reaches; the anchor must take the same
    transition (checked below), so both sides run the same row of the table."""

    def yes(*_: Any, **__: Any) -> bool:
        return True

    class Model:
        pass

    model = Model()
    rows = [{"trigger": row.trigger, "source": [s.value for s in expand_source(row.source)],
             "dest": row.dest.value if row.dest is not None else None,
             "conditions": [yes] * len(row.guards)} for row in TABLE]  # fmt: skip
    machine = Machine(model=model, states=sorted({r["source"][0] for r in rows} |
                      {s for r in rows for s in r["source"]}), transitions=rows,
                      initial=state, auto_transitions=False)  # fmt: skip

    def once() -> None:
        machine.set_state(state)
        model.trigger(trigger)  # type: ignore[attr-defined]

    once()
    reached = model.state  # type: ignore[attr-defined]
    assert reached == expected, f"the anchor took {state} → {reached}, step {state} → {expected}"
    return p50_us(once)


def run() -> dict[str, float]:
    snap = _warm_snapshot()
    enter = ev.EnterAmount(text="20000", at=AT)
    quoted = step(snap, enter).snapshot
    return {
        "step_us_p50": p50_us(lambda: step(snap, enter)),
        # the same step run by ``transitions``' own trigger (the engine ``step`` is tested against)
        "step_with_transitions_us_p50": p50_us(lambda: step_with_transitions(snap, enter)),
        "anchor_step_raw_machine_us_p50": _raw_machine_us(
            snap.state.value, "enter_amount", quoted.state.value
        ),
        "quote_us_p50": p50_us(
            lambda: credit_with_bonus(
                12_345 * 10**18, source="deposit", verified=True, gd_price=0.00115
            )
        ),
        "snapshot_roundtrip_us_p50": p50_us(
            lambda: Snapshot.model_validate_json(quoted.model_dump_json())
        ),
    }
