"""Stories are declarations replayed through the real runtime; these tests are their contract."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from ai_credits.core import events as ev
from ai_credits.core.states import State
from stories import STORIES, Knob, Step, Story, by_id, import_path
from stories.runner import ResolvedStory, StoryError, resolve

REQUIRED = {  # PRODUCT.md §10 → (story id, state it must show)
    "Disconnected": ("widget-connect--disconnected", State.disconnected),
    "Connecting": ("widget-connect--connecting", State.connecting),
    "Connected with zero credits": ("widget-purchase--connected-with-zero-credits", State.connected_empty),
    "Quote ready (one-time, verified)": ("widget-purchase--quote-ready-one-time-verified", State.quote_ready),
    "Quote ready (unverified, no bonus)": ("widget-purchase--quote-ready-unverified-no-bonus", State.quote_ready),
    "Quote ready (stream)": ("widget-streaming--quote-ready-stream", State.streaming_setup),
    "Awaiting signature": ("widget-purchase--awaiting-signature", State.awaiting_signature),
    "Payment pending": ("widget-purchase--payment-pending", State.payment_pending),
    "Payment confirmed": ("widget-purchase--payment-confirmed", State.payment_confirmed),
    "API key revealed": ("widget-purchase--api-key-revealed", State.payment_confirmed),
    "Has credits with empty usage": ("widget-credits--has-credits-with-empty-usage", State.usage_empty),
    "Has credits with recent usage rows": ("widget-credits--has-credits-with-recent-usage-rows", State.usage_active),
    "Low balance": ("widget-credits--low-balance", State.low_balance),
    "Insufficient G$ balance": ("widget-purchase--insufficient-g-balance", State.insufficient_g_balance),
    "Insufficient AI credits": ("widget-credits--insufficient-ai-credits", State.insufficient_ai_credits),
    "Payment failed": ("widget-purchase--payment-failed", State.payment_failed),
    "Backend unavailable (with cached balance)": ("widget-errors--backend-unavailable-with-cached-balance", State.backend_unavailable),
    "Unsupported chain": ("widget-connect--unsupported-chain", State.unsupported_chain),
    "Streaming setup": ("widget-streaming--streaming-setup", State.streaming_setup),
    "Streaming active": ("widget-streaming--streaming-active", State.streaming_active),
    "Streaming paused": ("widget-streaming--streaming-paused", State.streaming_paused),
    "Streaming stopped": ("widget-streaming--streaming-stopped", State.streaming_stopped),
    "BYOK": ("widget-connect--bring-your-own-key", State.byok),
}


@pytest.mark.parametrize("label", sorted(REQUIRED))
def test_every_story_the_product_lists_exists_in_its_state(label: str, resolved: dict[str, ResolvedStory]) -> None:
    story_id, state = REQUIRED[label]
    assert by_id(story_id).state is state
    assert resolved[story_id].snapshot.state is state


@pytest.mark.parametrize("state", list(State), ids=str)
def test_every_state_has_a_story(state: State) -> None:
    assert [s for s in STORIES if s.state is state], f"no story ends in {state.value}"


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_story_replays_to_its_declared_state(story: Story, resolved: dict[str, ResolvedStory]) -> None:
    result = resolved[story.id]
    assert result.snapshot.state is story.state
    user_events = [t for t in result.trace if t.origin == "user"]
    assert len(user_events) == sum(1 for step in story.path if step.event is not None)
    assert all(t.accepted for t in result.trace if t.origin != "user" or not _declared_rejected(story, t.step))


def _declared_rejected(story: Story, step: int) -> bool:
    return story.path[step].rejected


def test_ids_are_unique_stable_kebab_case() -> None:
    ids = [s.id for s in STORIES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*--[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    assert by_id("widget-purchase--quote-ready-one-time-verified").path_label == (
        "Widget/Purchase/Quote ready (one-time, verified)")
    assert import_path(by_id("widget-purchase--payment-pending")) == "./stories/purchase.py"


def test_resolving_is_deterministic() -> None:
    story = by_id("widget-credits--usage-after-billed-requests")
    assert resolve(story).snapshot.model_dump_json() == resolve(story).snapshot.model_dump_json()


@pytest.mark.parametrize("text", ["1,000", "abc", "", "1e5", "-5", "0"])
def test_bad_amounts_show_a_message_and_do_not_advance(text: str) -> None:
    result = resolve(by_id("widget-purchase--bad-amount").with_args(amount=text))
    last = result.trace[-1]
    assert last.event.type == "enter_amount" and last.source is last.dest is State.connected_empty
    assert last.effects == ()
    assert result.snapshot.amount.error_message
    assert result.snapshot.amount.text == text and result.snapshot.quote is None


def test_content_of_key_stories(resolved: dict[str, ResolvedStory]) -> None:
    revealed = resolved["widget-purchase--api-key-revealed"].snapshot
    assert revealed.api_key is not None and revealed.api_key.revealed
    cached = resolved["widget-errors--backend-unavailable-with-cached-balance"].snapshot
    assert cached.cached is not None and cached.cached.available_usd > 0
    verified = resolved["widget-purchase--quote-ready-one-time-verified"].snapshot.quote
    unverified = resolved["widget-purchase--quote-ready-unverified-no-bonus"].snapshot.quote
    assert verified is not None and verified.bonus_usd > 0
    assert unverified is not None and unverified.bonus_usd == 0 and not unverified.verified
    stream = resolved["widget-streaming--quote-ready-stream"].snapshot.quote
    assert stream is not None and stream.mode == "stream" and stream.flow_rate > 0
    assert resolved["widget-credits--usage-after-billed-requests"].snapshot.usage
    assert resolved["widget-purchase--awaiting-signature"].waiting  # the wallet prompt is open


def test_a_rejected_event_breaks_the_story() -> None:
    story = Story(title="Broken", name="Buy before connecting", state=State.awaiting_signature,
                  path=(Step(event=ev.Confirm()),))
    with pytest.raises(StoryError, match=r"step 1: 'confirm' is not valid in state 'disconnected'"):
        resolve(story)


def test_a_wrong_final_state_breaks_the_story() -> None:
    story = Story(title="Broken", name="Wrong state", state=State.quote_ready,
                  path=(Step(event=ev.Connect()),))
    with pytest.raises(StoryError, match="ended in 'connected_empty', declared 'quote_ready'"):
        resolve(story)


def test_declared_rejection_must_happen() -> None:
    story = Story(title="Broken", name="Not rejected", state=State.connecting,
                  path=(Step(event=ev.Connect(), rejected=True),))
    with pytest.raises(StoryError, match="accepted but declared rejected"):
        resolve(story)


@pytest.mark.parametrize("bad", [
    {"event": ev.PaymentSubmitted(tx_hash="0x" + "1" * 64)},  # system events come from the world
    {},  # nothing to do
])
def test_steps_are_validated(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Step(**bad)  # type: ignore[arg-type]


def test_knobs_and_args_are_validated() -> None:
    with pytest.raises(ValidationError):
        Knob("chain.explode", 1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        by_id("widget-credits--usage-after-billed-requests").with_args(billed_requests=-1)
