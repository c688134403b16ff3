"""Coverage of states by stories and of the machine table's transitions by their traces."""

from __future__ import annotations

from ai_credits.core.machine import TABLE
from ai_credits.core.states import State
from catalogue.build import BuildResult
from catalogue.coverage import Transition, all_transitions, compute_coverage
from stories import STORIES
from stories.runner import resolve

S = State


def test_every_state_has_a_story(built: BuildResult) -> None:
    assert built.coverage.missing_states == []
    assert built.coverage.summary()["states_covered"] == len(State)


def test_transitions_come_from_the_table() -> None:
    table = all_transitions()
    assert len(table) == len(set(table))
    assert Transition(S.quote_ready, "confirm", S.awaiting_signature) in table
    assert Transition(S.payment_confirmed, "reveal_key", S.payment_confirmed) in table  # internal
    assert {t.trigger for t in table} == {row.trigger for row in TABLE}


def test_story_traces_mark_the_transitions_they_pass(built: BuildResult) -> None:
    cov = built.coverage
    assert cov.unknown == []  # every step a story took is a row of the table
    assert "widget-purchase--payment-confirmed" in cov.transitions[
        Transition(S.signing_in, "api_key_issued", S.payment_confirmed)]
    assert cov.transitions[Transition(S.streaming_paused, "resume_stream", S.awaiting_signature)]
    assert cov.summary()["transitions_covered"] >= 50


def test_extra_traces_count_and_missing_states_show() -> None:
    one = resolve(STORIES[0])
    edge = Transition(S.byok, "leave_byok", S.disconnected)
    cov = compute_coverage([one], extra=[("test", [edge])])
    assert cov.transitions[edge] == ["test"]
    assert S.quote_ready in cov.missing_states


def test_recorded_test_traces_count_towards_coverage(tmp_path):
    from ai_credits.core.states import State as St
    from catalogue.coverage import compute_coverage, load_test_traces

    recorded = tmp_path / "transition-coverage.json"
    recorded.write_text('[["disconnected", "use_own_key", "byok"], ["byok", "leave_byok", "disconnected"]]')
    traces = load_test_traces(recorded)
    cov = compute_coverage([], traces)
    assert cov.summary()["transitions_covered"] == 2
    assert cov.summary()["transitions_by_stories"] == 0
    assert load_test_traces(tmp_path / "missing.json") == []
    assert St.byok in {t.dest for t, ids in cov.transitions.items() if ids}
