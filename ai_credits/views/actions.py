"""Buttons from the machine: every user event ``available_events`` offers, worded for people.

Labels are Title Case (PRODUCT.md §8) and may depend on the state ("Cancel" while connecting,
"Buy Once" beside a stream).  A few buttons the product requires to be *visible but disabled* have
no transition in their state ("Buy AI Credits" while a payment is under way); they are added here
with the reason, so a second submit is impossible and everyone can read why.
"""

from __future__ import annotations

import functools

from ai_credits.core.machine import offered_user_events
from ai_credits.core.quote import format_gd
from ai_credits.core.snapshot import Snapshot
from ai_credits.core.states import GROUPS, State
from ai_credits.views.models import Action, HiddenField

__all__ = ["HIDDEN_WHEN_DISABLED", "QUOTE_FIRST", "ActionPool", "build_actions"]

S = State

_LABELS: dict[str, str] = {
    "connect": "Connect Wallet",
    "disconnect": "Disconnect",
    "choose_mode": "Stream G$ Monthly",
    "enter_amount": "Get Quote",
    "use_max": "Use Max",
    "confirm": "Buy AI Credits",
    "start_stream": "Start Stream",
    "pause_stream": "Pause Stream",
    "resume_stream": "Resume Stream",
    "stop_stream": "Stop Stream",
    "retry": "Retry",
    "pay_again": "Pay Again",
    "check_payment": "Check Again",
    "top_up": "Top Up",
    "reveal_key": "Show Key",
    "hide_key": "Hide Key",
    "create_key": "Create API Key",
    "rotate_key": "Rotate Key",
    "revoke_key": "Revoke",
    "confirm_revoke": "Revoke Key",
    "cancel_revoke": "Keep Key",
    "cancel_sign_in": "Cancel",
    "view_usage": "View Usage",
    "refresh": "Refresh",
    "switch_chain": "Switch to Celo",
    "use_own_key": "Use My Own Key",
    "leave_byok": "Back",
}

_PRIMARY = {"connect", "confirm", "start_stream", "retry", "switch_chain", "resume_stream",
            "pay_again", "check_payment"}
QUOTE_FIRST = "Enter an amount and get a quote first."
"""Why Buy is disabled before the machine has quoted an amount (typed or not)."""
HIDDEN_WHEN_DISABLED = frozenset({"create_key", "check_payment", "pay_again", "reveal_key",
                                  "hide_key", "rotate_key", "revoke_key", "confirm_revoke",
                                  "cancel_revoke", "disconnect"})
"""Buttons not worth showing disabled (their absence says enough)."""
_STREAMING = GROUPS["streaming"]


def _label(event_type: str, snapshot: Snapshot) -> str:
    state = snapshot.state
    if event_type == "disconnect" and state is S.connecting:
        return "Cancel"
    if event_type == "top_up" and state in _STREAMING:
        return "Buy Once Instead"
    if event_type == "choose_mode" and state is S.streaming_stopped:
        return "Restart Stream"
    if event_type == "enter_amount":
        if state is S.streaming_setup:
            return "Update Stream"
        return "Update Quote" if snapshot.quote is not None else "Get Quote"
    if event_type == "create_key" and snapshot.api_key is not None:
        return "Create Another Key"
    if event_type == "pay_again" and snapshot.pending is not None:
        return f"Pay {format_gd(snapshot.pending.amount_wei)} G$ Again"
    if event_type == "view_usage" and state is S.payment_confirmed:
        features = snapshot.features
        return ("View Balance and Usage" if features is None or features.usage
                else "View Balance and History")
    if event_type == "refresh" and state in (S.quote_ready, S.streaming_setup):
        return "Refresh Price"
    if event_type == "refresh" and state in (S.connected_empty, S.insufficient_g_balance):
        return "Refresh Balance"
    if event_type == "view_usage" and state is S.credit_outstanding:
        return "Continue"
    return _LABELS.get(event_type, event_type.replace("_", " ").title())


def _variant(event_type: str, state: State) -> str:
    if event_type in _PRIMARY:
        return "primary"
    if event_type == "top_up" and state in (S.insufficient_ai_credits, S.low_balance):
        return "primary"
    # the stream card's lead: usage while the stream runs, restarting it once it has ended
    if (event_type, state) in (("view_usage", S.streaming_active),
                               ("choose_mode", S.streaming_stopped)):
        return "primary"
    return "secondary"


def _reason(event_type: str, guard_reason: str | None, snapshot: Snapshot) -> str:
    """Why a button is disabled: the typed amount's own error where the amount is the reason
    (Start Stream after "1,000" was entered says what is wrong with it, not "enter one")."""
    if event_type in ("confirm", "start_stream") and snapshot.amount.error_message:
        return snapshot.amount.error_message
    return guard_reason or "Not available right now."


def _synthetic(snapshot: Snapshot, offered: set[str]) -> list[Action]:
    """Disabled buttons the product shows although the state has no transition for them."""
    state = snapshot.state
    reason: str | None = None
    if "confirm" in offered:
        return []
    if state is S.payment_confirming:
        reason = "Your last payment is still confirming. Check it before paying again."
    elif state is S.credit_outstanding:
        reason = "Your G$ already arrived. Check its credit instead of paying again."
    elif state in (S.awaiting_signature, S.payment_pending) and (
        snapshot.pending is None or snapshot.pending.kind == "purchase"
    ):
        reason = "A payment is already under way. Wait for it to finish."
    elif state is S.insufficient_g_balance:
        reason = "Not enough G$ for this payment."
    elif state is S.connected_empty and snapshot.mode == "one_time":
        # True whether or not the field holds a typed amount: Buy needs the machine's quote.
        reason = snapshot.amount.error_message or QUOTE_FIRST
    if reason is None:
        return []
    return [Action(id="gw-action-confirm", type="confirm", label=_LABELS["confirm"],
                   enabled=False, reason=reason, variant="primary")]  # fmt: skip


def build_actions(snapshot: Snapshot) -> list[Action]:
    """Every button the state offers, in the machine's order, plus the required disabled ones."""
    result: list[Action] = []
    offered: set[str] = set()
    for event_type, allowed, reason in offered_user_events(snapshot):
        if not allowed and event_type in HIDDEN_WHEN_DISABLED:
            continue
        offered.add(event_type)
        result.append(_action(
            event_type, _label(event_type, snapshot), allowed,
            None if allowed else _reason(event_type, reason, snapshot),
            _variant(event_type, snapshot.state) == "primary",
        ))  # fmt: skip
    return result + _synthetic(snapshot, offered)


_STREAM_FIELD = (HiddenField(name="mode", value="stream"),)


@functools.lru_cache(maxsize=1024)
def _action(event_type: str, label: str, enabled: bool, reason: str | None,
            primary: bool) -> Action:  # fmt: skip
    """The button for these values: a frozen model and a pure function of a few short strings,
    so each distinct button is made once and shared (buttons repeat from render to render)."""
    return Action(id=f"gw-action-{event_type.replace('_', '-')}", type=event_type, label=label,
                  enabled=enabled, reason=reason,
                  fields=_STREAM_FIELD if event_type == "choose_mode" else (),
                  variant="primary" if primary else "secondary")  # fmt: skip


class ActionPool:
    """The state's actions, handed out to the cards that show them; the rest go at the end.

    A state offers each event type once, so the pool is keyed by type (a dict keeps the order)."""

    def __init__(self, actions: list[Action]) -> None:
        self.all = tuple(actions)
        self._left = {action.type: action for action in actions}
        if len(self._left) != len(self.all):
            raise ValueError("an event type is offered twice: " + ", ".join(
                a.type for a in actions))  # fmt: skip

    def take(self, *types: str) -> tuple[Action, ...]:
        """Remove and return the actions of ``types`` (in the order asked)."""
        left = self._left
        return tuple(left.pop(event_type) for event_type in types if event_type in left)

    def take_one(self, event_type: str) -> Action | None:
        """Remove and return the action of ``event_type``, if offered."""
        return self._left.pop(event_type, None)

    def has(self, event_type: str) -> bool:
        """Whether ``event_type`` is still unplaced."""
        return event_type in self._left

    def rest(self) -> tuple[Action, ...]:
        """What no card took."""
        return tuple(self._left.values())
