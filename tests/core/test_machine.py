"""The widget machine: every state reachable, explicit rejections, exact snapshots, safe payments."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import ai_credits
from ai_credits import Snapshot, State, available_events, initial_snapshot, step
from ai_credits.core import events as ev
from ai_credits.core.machine import GUARDS, TABLE, expand_source, may
from ai_credits.core.states import KEY_HOLDING_STATES
from ai_credits.diagram import mermaid

from .samples import ACCOUNT, AT, SAMPLE_EVENTS, TOKEN, TX, wallet


def run(*events: ev.Event, snapshot: Snapshot | None = None) -> Snapshot:
    snap = snapshot or initial_snapshot()
    for event in events:
        result = step(snap, event)
        assert result.accepted, result.rejection
        snap = result.snapshot
    return snap


def shortest_paths() -> dict[State, list[ev.Event]]:
    """Breadth-first search over the sample events from the start."""
    start = initial_snapshot()
    paths: dict[State, list[ev.Event]] = {start.state: []}
    queue = deque([(start, [])])
    seen = {start.model_dump_json()}
    while queue and len(paths) < len(State):
        snap, path = queue.popleft()
        if len(path) > 9:
            continue
        for event in SAMPLE_EVENTS:
            result = step(snap, event)
            if not result.accepted:
                continue
            key = result.snapshot.model_dump_json()
            if key in seen:
                continue
            seen.add(key)
            new_path = [*path, event]
            paths.setdefault(result.snapshot.state, new_path)
            queue.append((result.snapshot, new_path))
    return paths


def test_every_state_is_reachable_from_the_start():
    paths = shortest_paths()
    missing = set(State) - set(paths)
    assert not missing, f"unreachable: {sorted(missing)}"


def test_every_guard_is_used_and_every_state_can_be_left():
    used = {g.lstrip("!") for row in TABLE for g in row.guards}
    assert set(GUARDS) - used == set(), "guards no row uses"
    leaving = {s for row in TABLE if row.dest is not None for s in expand_source(row.source)
               if s is not row.dest}
    assert set(State) - leaving == set(), "states with no way out"


HAPPY_PATH = [
    ev.Connect(at=AT),
    ev.WalletConnected(account=ACCOUNT, chain_id=42220),
    ev.AccountLoaded(wallet=wallet(), credit=ai_credits.core.models.CreditSummary(), at=AT),
    ev.EnterAmount(text="20000", at=AT),
    ev.Confirm(request_id="p1"),
]


def test_happy_path_states_and_effects():
    snap = initial_snapshot()
    seen = []
    for event in HAPPY_PATH:
        result = step(snap, event)
        snap = result.snapshot
        seen.append((snap.state, [e.type for e in result.effects]))
    assert seen == [
        (State.connecting, ["connect_wallet"]),
        (State.connecting, ["load_account"]),
        (State.connected_empty, []),
        (State.quote_ready, []),
        (State.awaiting_signature, ["submit_payment"]),
    ]
    assert snap.quote is not None and snap.quote.total_credit_usd == 2_200_000


@pytest.mark.parametrize("extra", [ev.Confirm(), ev.Confirm(request_id="p2")])
def test_a_second_confirm_never_submits_a_second_payment(extra):
    snap = run(*HAPPY_PATH)
    for state_path in ([], [ev.PaymentSubmitted(tx_hash=TX)]):
        current = run(*state_path, snapshot=snap)
        result = step(current, extra)
        assert not result.accepted
        assert result.rejection.reason == "not_valid_in_state"
        assert result.effects == ()
        assert result.snapshot is current


def test_rejected_guard_leaves_snapshot_untouched():
    snap = run(*HAPPY_PATH[:3])  # connected_empty without a quote
    result = step(snap, ev.UseOwnKey())
    assert result.accepted  # byok is allowed from connected_empty
    no_byok = snap.model_copy(update={"config": snap.config.model_copy(update={"allow_byok": False})})
    rejected = step(no_byok, ev.UseOwnKey())
    assert rejected.rejection is not None and rejected.rejection.reason == "guard_failed"
    assert rejected.snapshot is no_byok


@pytest.mark.parametrize(
    ("text", "state", "code"),
    [("20000", State.quote_ready, None), ("900000", State.insufficient_g_balance, None),
     ("1,000", State.connected_empty, "thousands_separator"),
     ("5", State.connected_empty, "below_minimum"), ("", State.connected_empty, "empty")],
)  # fmt: skip
def test_amount_routes_and_keeps_the_text(text, state, code):
    snap = run(*HAPPY_PATH[:3], ev.EnterAmount(text=text))
    assert snap.state is state
    assert snap.amount.text == text
    assert snap.amount.error_code == code


def test_wallet_rejection_keeps_the_amount_and_says_cancelled():
    snap = run(*HAPPY_PATH, ev.WalletRejected())
    assert snap.state is State.quote_ready
    assert snap.amount.text == "20000"
    assert snap.notice is not None and snap.notice.title == "Transaction cancelled"


def test_backend_down_after_payment_never_claims_success_and_can_retry_recording():
    snap = run(*HAPPY_PATH, ev.PaymentSubmitted(tx_hash=TX), ev.BackendFailed())
    assert snap.state is State.backend_unavailable
    assert "Do not pay again" in snap.notice.message
    result = step(snap, ev.Retry())
    assert result.snapshot.state is State.payment_pending
    assert [e.type for e in result.effects] == ["record_payment"]


def test_api_key_is_held_only_while_shown_and_never_printed():
    snap = run(*HAPPY_PATH, ev.PaymentSubmitted(tx_hash=TX),
               ev.PaymentRecorded(status="funded"),
               ev.ApiKeyIssued(token=TOKEN, key_id="k1", prefix="gd_live_5e5e...5e5e"),
               ev.RevealKey())  # fmt: skip
    assert snap.state is State.payment_confirmed and snap.api_key.revealed
    assert TOKEN not in repr(snap) and TOKEN not in str(snap)
    after = run(ev.ViewUsage(), snapshot=snap)
    assert after.api_key.token is None and after.api_key.prefix == "gd_live_5e5e...5e5e"
    assert TOKEN not in after.model_dump_json()


def test_disconnect_clears_key_material():
    snap = run(*HAPPY_PATH, ev.Disconnect())
    assert snap.state is State.disconnected
    assert (snap.wallet, snap.api_key, snap.quote, snap.pending) == (None, None, None, None)


@pytest.mark.parametrize("target", list(State))
def test_snapshots_round_trip_exactly_in_every_state(target):
    path = shortest_paths()[target]
    snap = run(*path)
    text = snap.model_dump_json()
    again = Snapshot.model_validate_json(text)
    assert again == snap and again.model_dump_json() == text


def test_available_events_report_guards():
    snap = run(*HAPPY_PATH[:4])
    by_type = {a.type: a for a in available_events(snap)}
    assert by_type["confirm"].allowed
    assert by_type["confirm"].guards == {"quote_purchasable": True, "payment_in_flight": False}
    over = run(ev.EnterAmount(text="900000"), snapshot=snap)
    assert "confirm" not in {a.type for a in available_events(over)}
    paid = run(*HAPPY_PATH)
    assert {a.type for a in available_events(paid) if a.kind == "user"} == {"disconnect"}


def test_events_and_effects_are_discriminated_unions():
    event = ai_credits.parse_event('{"type": "enter_amount", "text": "12"}')
    assert isinstance(event, ev.EnterAmount)
    with pytest.raises(ValueError):
        ai_credits.parse_event({"type": "enter_amount", "text": "1", "extra": 1})
    effect = ai_credits.parse_effect({"type": "load_usage", "account": ACCOUNT})
    assert effect.type == "load_usage"


def test_diagram_is_deterministic_and_unstyled(snapshot):
    text = mermaid()
    assert text == mermaid()
    assert "s_active\n" not in text.split("classDef s_active", 1)[1]
    assert text == snapshot


@pytest.mark.parametrize("state", [State.quote_ready, State.usage_active])
def test_diagram_highlights_one_state(state):
    text = mermaid(state)
    active = [line for line in text.splitlines() if line.strip().startswith("Class") and
              line.endswith("s_active")]  # fmt: skip
    assert len(active) == 1 and state.value in active[0]


# --- random walk --------------------------------------------------------------------------------


class WidgetWalk(RuleBasedStateMachine):
    """Random event sequences keep the machine's promises."""

    def __init__(self) -> None:
        super().__init__()
        self.snap = initial_snapshot()
        self.submits: dict[str, int] = {}

    @rule(event=st.sampled_from(SAMPLE_EVENTS))
    def send(self, event: ev.Event) -> None:
        before = self.snap
        result = step(before, event)
        if not result.accepted:
            assert result.snapshot is before and result.effects == ()
            return
        self.snap = result.snapshot
        submits = [e for e in result.effects if e.type == "submit_payment"]
        if submits:
            assert before.state in (State.quote_ready, State.payment_failed)
            assert self.snap.state is State.awaiting_signature
        if before.state in (State.awaiting_signature, State.payment_pending):
            assert not submits

    @invariant()
    def state_is_a_state(self) -> None:
        assert isinstance(self.snap.state, State)

    @invariant()
    def api_key_only_where_held(self) -> None:
        key = self.snap.api_key
        if key is not None and key.token is not None:
            assert self.snap.state in KEY_HOLDING_STATES
        assert TOKEN not in repr(self.snap) and TOKEN not in str(self.snap)

    @invariant()
    def backend_down_never_presents_success(self) -> None:
        if self.snap.state is State.backend_unavailable:
            assert self.snap.notice is not None and self.snap.notice.kind == "error"
            assert self.snap.api_key is None or self.snap.api_key.token is None

    @invariant()
    def pending_state_has_its_action(self) -> None:
        if self.snap.state in (State.awaiting_signature, State.payment_pending):
            assert self.snap.pending is not None
        if self.snap.state is State.payment_pending:
            assert self.snap.pending.tx_hash is not None


TestWidgetWalk = WidgetWalk.TestCase
TestWidgetWalk.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


@pytest.mark.parametrize("target", list(State))
def test_available_events_agree_with_transitions_may(target):
    snap = run(*shortest_paths()[target])
    for item in available_events(snap):
        if item.kind == "user":
            assert item.allowed == may(snap, ev.USER_EVENTS[item.type]()), item
    for event in SAMPLE_EVENTS:
        assert may(snap, event) == step(snap, event).accepted, event
