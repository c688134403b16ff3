"""Every transition of the table is driven and checked against the view (model-based testing).

Paths are generated from the table itself: a breadth-first search over snapshots, from the start,
with a rich alphabet of user and system events, records the first path that takes each concrete
``(source, trigger, destination)`` transition.  Each path is then replayed through the real
machine, the transition is asserted, and the view of the state it lands in is built and rendered:
its state matches, and every enabled button is an event the machine accepts now.

A transition no path reaches fails the suite, unless :data:`UNREACHABLE` lists it with the reason
it can never happen.
"""

from __future__ import annotations

from collections import deque
from functools import cache

import pytest

from ai_credits.core import events as ev
from ai_credits.core.machine import (
    available_events,
    may,
    offered_user_events,
    step,
    step_with_transitions,
)
from ai_credits.core.models import (
    BackendFeatures,
    CreditEntry,
    CreditSummary,
    KeyInfo,
    StreamInfo,
)
from ai_credits.core.snapshot import Snapshot, initial_snapshot
from ai_credits.core.states import State
from ai_credits.views import build_view, render_widget
from catalogue.coverage import Transition, all_transitions
from tests.core.samples import ACCOUNT, AT, ROW, SAMPLE_EVENTS, STREAM, TOKEN, TX, wallet

S = State
OWED = CreditEntry(tx_hash=TX, gd_wei=10**21, credit_usd=126_500, status="failed")
KEYS = (KeyInfo(key_id="k1", prefix="gd_live_5e5e...5e5e"),
        KeyInfo(key_id="k2", prefix="gd_live_7a7a...7a7a"))  # fmt: skip
NO_PLANNED = BackendFeatures(api_keys=False, usage=False)
FUNDED = CreditSummary(credited_usd=5_000_000)

EXTRA_EVENTS: list[ev.Event] = [
    ev.AccountLoaded(wallet=wallet(), credit=FUNDED, at=AT, outstanding=(OWED,)),
    ev.AccountLoaded(wallet=wallet(), credit=CreditSummary(), at=AT, outstanding=(OWED,)),
    ev.AccountLoaded(wallet=wallet(), credit=FUNDED, at=AT, features=NO_PLANNED),
    ev.AccountLoaded(wallet=wallet(), credit=CreditSummary(credited_usd=5_000_000,
                     captured_usd=5_000_000), at=AT, features=NO_PLANNED),
    ev.AccountLoaded(wallet=wallet(chain_id=137), credit=CreditSummary(), at=AT),
    ev.UsageLoaded(rows=(ROW,), credit=FUNDED, keys=KEYS),
    ev.PaymentRecorded(status="failed", credit=CreditSummary(pending_usd=126_500),
                       outstanding=(OWED,)),
    ev.ApiKeyIssued(token=TOKEN, key_id="k1", prefix="gd_live_5e5e...5e5e", keys=KEYS),
    ev.KeyRevoked(key_id="k2", keys=KEYS[:1]),
    ev.KeyRevoked(key_id="k1", keys=KEYS[1:]),
    ev.RevokeKey(key_id="k2"),
    ev.ConfirmRevoke(),
    ev.CancelRevoke(),
    ev.RotateKey(),
    ev.CancelSignIn(),
    ev.UseOwnKey(base_url="https://llm.example.dev/v1", model="m1", api_key="sk-test-0123456789"),
    ev.PaymentFailed(code="unknown"),
    ev.StreamUpdated(tx_hash=TX, stream=StreamInfo(flow_rate=0, as_of=AT), credit=FUNDED),
    ev.AccountLoaded(wallet=wallet(), credit=FUNDED, stream=STREAM, at=AT,
                     features=NO_PLANNED),
    ev.BackendFailed(kind="unauthorised", message="Usage needs your key."),
    ev.BackendFailed(kind="rejected", message="That key is not yours."),
    ev.AccountChanged(account=ACCOUNT),
    ev.AccountLoaded(wallet=wallet(5_000), credit=CreditSummary(), at=AT),  # under $1 of G$
    ev.AccountLoaded(wallet=wallet(5_000), credit=CreditSummary(), at=AT, gd_price="0.00001",
                     price_source="oracle"),  # the price fell: 20 000 G$ is under $1 now
]
EVENTS = [*SAMPLE_EVENTS, *EXTRA_EVENTS]

_SAME_AMOUNT = (
    "from the start, insufficient_g_balance holds an amount above the balance, and choosing "
    "one-time again re-checks that same amount against the same balance; only a snapshot loaded "
    "from storage with other values (the hypothesis walk in test_hardening) takes it"
)
UNREACHABLE: dict[Transition, str] = {
    Transition(S.insufficient_g_balance, "choose_mode", S.connected_empty): _SAME_AMOUNT,
    Transition(S.insufficient_g_balance, "choose_mode", S.quote_ready): _SAME_AMOUNT,
}
"""Transitions the table declares that no event sequence can take, with the reason."""

MAX_DEPTH = 12


def _abstract(snap: Snapshot) -> tuple[object, ...]:
    """What decides which rows can fire next (the guards read these), without amounts, texts and
    times: the search visits one snapshot per class."""
    pending = snap.pending
    key = snap.api_key
    credit = snap.credit
    wallet = snap.wallet
    return (
        snap.state, snap.mode,
        (wallet.chain_id == 42220, min((wallet.g_balance_wei or 0) // (10_000 * 10**18), 2))
        if wallet else None,  # no G$ / under the $1 minimum / enough
        snap.quote.mode if snap.quote else None,
        (pending.kind, pending.tx_hash is not None, pending.reverted, pending.unanswered)
        if pending else None,
        (credit.credited_usd > 0, credit.available_usd == 0) if credit else None,
        (key.key_id is not None, key.token is not None) if key else None,
        snap.stream is not None and snap.stream.flow_rate > 0,
        bool(snap.outstanding), snap.features, snap.keys is not None, snap.revoking is not None,
        snap.byok.saved if snap.byok else None,
    )  # fmt: skip


def _taken(before: Snapshot, event: ev.Event, after: Snapshot) -> Transition:
    return Transition(before.state, event.type, after.state)


@cache
def transition_paths() -> dict[Transition, tuple[ev.Event, ...]]:
    """The first (shortest) event path found for each transition."""
    wanted = set(all_transitions())
    start = initial_snapshot()
    found: dict[Transition, tuple[ev.Event, ...]] = {}
    queue: deque[tuple[Snapshot, tuple[ev.Event, ...]]] = deque([(start, ())])
    seen = {_abstract(start)}
    while queue and len(found) < len(wanted):
        snap, path = queue.popleft()
        if len(path) >= MAX_DEPTH:
            continue
        for event in EVENTS:
            result = step(snap, event)
            if not result.accepted:
                continue
            moved = _taken(snap, event, result.snapshot)
            new_path = (*path, event)
            if moved in wanted and moved not in found:
                found[moved] = new_path
            key = _abstract(result.snapshot)
            if key not in seen:
                seen.add(key)
                queue.append((result.snapshot, new_path))
    return found


def test_every_declared_transition_has_a_path_or_a_reason() -> None:
    missing = set(all_transitions()) - set(transition_paths()) - set(UNREACHABLE)
    assert not missing, "no path and no reason for: " + ", ".join(
        sorted(t.label for t in missing))


def test_unreachable_list_is_current() -> None:
    assert not set(UNREACHABLE) & set(transition_paths()), "listed as unreachable, yet reached"
    assert set(UNREACHABLE) <= set(all_transitions())


@pytest.mark.parametrize("transition", sorted(all_transitions(), key=lambda t: t.label),
                         ids=lambda t: t.label)  # fmt: skip
def test_transition_is_taken_and_its_view_is_true(transition: Transition) -> None:
    if transition in UNREACHABLE:
        pytest.skip(UNREACHABLE[transition])
    path = transition_paths()[transition]
    snap = initial_snapshot()
    for event in path[:-1]:
        snap = step(snap, event).snapshot
    result = step(snap, path[-1])
    assert result.accepted and _taken(snap, path[-1], result.snapshot) == transition
    after = result.snapshot
    view = build_view(after)
    assert view.state == transition.dest.value
    for action in view.actions:
        if action.enabled and action.type in ev.USER_EVENTS:
            fields = {f.name: f.value for f in action.fields}
            event = ev.parse_event({"type": action.type, **fields})
            assert may(after, event), f"{action.label} is enabled but the machine refuses it"
    assert str(render_widget(after)).count('data-state="') == 1


def test_compiled_dispatch_agrees_with_transitions_on_every_path() -> None:
    """``step`` runs the table through a dispatch compiled from the ``transitions`` machine; here
    a snapshot of each kind met on the transitions' paths meets every event through both engines,
    and the results — next snapshot, effects, rejection — are equal.  Every snapshot ``step``
    derives (without re-validating it) must also load back through pydantic unchanged, and the
    buttons' ``offered_user_events`` must say what ``available_events`` says."""
    kinds: dict[tuple[object, ...], Snapshot] = {}
    for path in transition_paths().values():
        snap = initial_snapshot()
        for event in path:
            kinds.setdefault(_abstract(snap), snap)
            snap = step(snap, event).snapshot
        kinds.setdefault(_abstract(snap), snap)
    taken = set()
    for snap in kinds.values():
        # the buttons' short answer is available_events' answer
        assert offered_user_events(snap) == [(a.type, a.allowed, a.reason)
                                             for a in available_events(snap) if a.kind == "user"]
        for event in EVENTS:
            fast, reference = step(snap, event), step_with_transitions(snap, event)
            assert fast == reference, f"{snap.state.value} + {event.type}"
            if fast.accepted:
                taken.add(_taken(snap, event, fast.snapshot))
                after = fast.snapshot
                assert Snapshot.model_validate_json(after.model_dump_json()) == after
    assert set(transition_paths()) <= taken, "some transition was not compared"
