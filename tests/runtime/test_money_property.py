"""Property: across random click sequences with random wallet, chain and backend faults,

* G$ that left the wallet never exceeds what the user confirmed (each accepted Buy / Pay Again
  moves G$ at most once), and
* once the world heals, every payment that moved G$ is credited, or shown as owed with its
  transaction — never silently lost.

The figures of the last run are written to ``build/money-property.json`` (sequences, steps,
faults injected, intents confirmed, transfers signed, payments that moved G$, credited / owed).
"""

from __future__ import annotations

import asyncio
import json
import pathlib
from collections import Counter
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_credits.core import events as ev
from ai_credits.core.snapshot import Snapshot
from ai_credits.core.states import State
from fixtures.world import World, build_world

S = State
GD = 10**18
REPORT = pathlib.Path(__file__).resolve().parents[2] / "build" / "money-property.json"

CLICKS: dict[str, ev.Event] = {
    "connect": ev.Connect(),
    "disconnect": ev.Disconnect(),
    "amount 1000": ev.EnterAmount(text="1000"),
    "amount 20000": ev.EnterAmount(text="20000"),
    "amount bad": ev.EnterAmount(text="1,000"),
    "buy": ev.Confirm(),
    "pay again": ev.PayAgain(),
    "check again": ev.CheckPayment(),
    "retry": ev.Retry(),
    "refresh": ev.Refresh(),
    "view usage": ev.ViewUsage(),
    "top up": ev.TopUp(),
}
FAULTS: dict[str, Callable[[World], None]] = {
    "wallet rejects": lambda w: w.chain.reject_next(4001),
    "tx reverts": lambda w: w.chain.revert_next("insufficient_gd"),
    "receipt late": lambda w: w.chain.timeout_next(),
    "node down": lambda w: w.chain.set_rpc_down(True),
    "node up": lambda w: w.chain.set_rpc_down(False),
    "backend down": lambda w: setattr(w.backend, "down", True),
    "backend up": lambda w: setattr(w.backend, "down", False),
    "funding fails": lambda w: setattr(w.backend, "fail_next_payment", True),
    "funding slow": lambda w: setattr(w.backend, "defer_funding", True),
    "funding fast": lambda w: setattr(w.backend, "defer_funding", False),
    "reload": lambda w: setattr(w.session, "snapshot", Snapshot.model_validate_json(
        w.session.snapshot.model_dump_json())),
}
MOVES = sorted(CLICKS) + sorted(FAULTS)
TOTALS: Counter[str] = Counter()


def _heal(world: World) -> None:
    world.chain.clear_knobs()
    world.backend.down = world.backend.defer_funding = world.backend.fail_next_payment = False


async def _play(moves: list[str]) -> None:
    world = build_world("zero_credits")
    session = world.session
    start_balance = world.chain.g_balance(world.account)
    intents_wei = 0
    for move in moves:
        if move in FAULTS:
            FAULTS[move](world)
            TOTALS["faults injected"] += 1
            continue
        result = await session.send(CLICKS[move])
        if result.accepted and move in ("buy", "pay again"):
            intents_wei += result.trace[0].step.snapshot.pending.amount_wei
            TOTALS["intents confirmed"] += 1
    # the world heals; the user keeps clicking what the widget offers until it is quiet
    _heal(world)
    for _ in range(6):
        state = session.snapshot.state
        if state is S.disconnected:
            await session.send(ev.Connect())
        elif (not (await session.send(ev.CheckPayment())).accepted
              and not (await session.send(ev.Retry())).accepted):
            break

    paid = world.chain.total_deposited(world.account)
    left_wallet = start_balance - world.chain.g_balance(world.account)
    assert left_wallet == paid <= intents_wei, (moves, paid, intents_wei)
    signed = sum(e.type == "submit_payment" for t in session.history for e in t.step.effects)
    accepted = sum(t.origin == "host" and t.step.accepted and t.event.type in ("confirm",
                   "pay_again") for t in session.history)  # fmt: skip
    assert signed <= accepted, moves

    snap = session.snapshot
    visible = {o.tx_hash for o in snap.outstanding}
    if snap.pending is not None:
        visible.add(snap.pending.tx_hash)
    mined = [tx for tx in world.chain._txs.values()
             if tx.status == 1 and tx.deposits]  # fmt: skip
    for tx in mined:
        entry = world.backend.ledger.entry(f"{tx.tx_hash}:0")
        credited = entry is not None and entry.funding_status == "funded"
        assert credited or tx.tx_hash in visible, (moves, tx.tx_hash, snap.state)
        TOTALS["payments credited" if credited else "payments shown as owed"] += 1
    TOTALS["sequences"] += 1
    TOTALS["steps"] += len(moves)
    TOTALS["transfers signed"] += signed
    TOTALS["payments that moved G$"] += len(mined)
    TOTALS["G$ confirmed (whole)"] += intents_wei // GD
    TOTALS["G$ moved (whole)"] += paid // GD


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(MOVES), min_size=1, max_size=30))
def test_g_never_leaves_twice_and_every_payment_is_credited_or_owed(moves: list[str]) -> None:
    asyncio.run(_play(["connect", "amount 1000", *moves]))
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(dict(sorted(TOTALS.items())), indent=2) + "\n")
