"""Every state of the widget, and the groups the machine table refers to."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["GROUPS", "KEY_HOLDING_STATES", "PARENT", "State"]


class State(StrEnum):
    """Every state of the AI Credits widget (PRODUCT.md §4). Values are the state names."""

    # §4.1 — the 13 base states
    disconnected = "disconnected"
    connected_empty = "connected_empty"
    quote_ready = "quote_ready"
    payment_pending = "payment_pending"
    payment_confirmed = "payment_confirmed"
    has_credits = "has_credits"
    usage_empty = "usage_empty"
    usage_active = "usage_active"
    insufficient_g_balance = "insufficient_g_balance"
    insufficient_ai_credits = "insufficient_ai_credits"
    payment_failed = "payment_failed"
    backend_unavailable = "backend_unavailable"
    unsupported_chain = "unsupported_chain"
    # §4.2 — streaming
    streaming_setup = "streaming_setup"
    streaming_active = "streaming_active"
    streaming_paused = "streaming_paused"
    streaming_stopped = "streaming_stopped"
    # §4.3 — what users of the best widgets also expect
    connecting = "connecting"
    awaiting_signature = "awaiting_signature"
    low_balance = "low_balance"
    signing_in = "signing_in"
    byok = "byok"
    # the payment lifecycle: a sent payment is re-checked, never re-paid
    payment_confirming = "payment_confirming"
    credit_outstanding = "credit_outstanding"


PARENT: dict[State, State] = {
    State.usage_empty: State.has_credits,
    State.usage_active: State.has_credits,
    State.low_balance: State.has_credits,
}
"""``has_credits`` is a parent: while usage loads the widget sits in the parent itself; once
usage is known it moves to one of the children.  Transitions declared on the parent apply to
the children."""

GROUPS: dict[str, frozenset[State]] = {
    "has_credits": frozenset({State.has_credits, *PARENT}),
    "streaming": frozenset(
        {
            State.streaming_setup,
            State.streaming_active,
            State.streaming_paused,
            State.streaming_stopped,
        }
    ),
    "amount_entry": frozenset(
        {
            State.connected_empty,
            State.quote_ready,
            State.insufficient_g_balance,
            State.payment_failed,
            State.streaming_setup,
        }
    ),
}
"""Named sets of states a row of the machine table may use as its source (``"@has_credits"``)."""

GROUPS["owed_banner"] = GROUPS["has_credits"] | {
    State.insufficient_ai_credits,
    State.connected_empty,
    State.quote_ready,
    State.insufficient_g_balance,
    State.payment_confirmed,
    State.streaming_active,
    State.streaming_paused,
    State.streaming_stopped,
}
"""Where credit still owed from an earlier payment is shown (a banner with Check Again)."""

GROUPS["wallet"] = frozenset(State) - {
    State.disconnected,
    State.connecting,
    State.byok,
    State.payment_pending,
    State.payment_confirming,
    State.awaiting_signature,
    State.signing_in,
    State.unsupported_chain,
}
"""States in which a connected wallet may change chain or account under us without harm."""

KEY_HOLDING_STATES = frozenset({State.payment_confirmed})
"""The only state whose snapshot may carry the API key token: it is shown once, then dropped."""
