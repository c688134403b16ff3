"""Events: everything that can happen to the widget, as data (a discriminated union on ``type``).

*User* events come from the person in front of the widget (buttons, fields).  *System* events are
results the runtime feeds back after executing an effect (a wallet answered, the backend replied).
Time and ids arrive on events — the core never reads a clock or makes up randomness.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, field_validator

from ai_credits.core.limits import AMOUNT_TEXT_MAX, KEY_ID_MAX, KEY_PREFIX_MAX, GdPriceText
from ai_credits.core.models import (
    ADDRESS_PATTERN,
    TX_HASH_PATTERN,
    BackendFeatures,
    CreditEntry,
    CreditSummary,
    KeyInfo,
    Mode,
    PriceSource,
    SecretToken,
    StreamInfo,
    UsageRow,
    WalletInfo,
)

__all__ = [
    "SYSTEM_EVENTS",
    "USER_EVENTS",
    "WALLET_MAY_STILL_SEND",
    "BackendFailureKind",
    "Event",
    "parse_event",
]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime | None = Field(default=None, description="When it happened (UTC), if known.")


# --- user events ----------------------------------------------------------------------------


class Connect(_Event):
    """The user asks to connect a wallet."""

    type: Literal["connect"] = "connect"


class Disconnect(_Event):
    """Sign out: forget the wallet and every piece of key material."""

    type: Literal["disconnect"] = "disconnect"


class ChooseMode(_Event):
    """Switch between a one-time purchase and a monthly stream."""

    type: Literal["choose_mode"] = "choose_mode"
    mode: Mode = "one_time"


def _clip_amount_text(value: object) -> object:
    """Text longer than any amount is kept clipped, ending in ``…``: the amount parser reads it
    as "That amount is too large." instead of the event being refused."""
    if isinstance(value, str) and len(value) > AMOUNT_TEXT_MAX:
        return value[:AMOUNT_TEXT_MAX] + "…"
    return value


class EnterAmount(_Event):
    """The text in the G$ amount field changed (or a preset chip was picked).

    Any length is accepted: text over :data:`~ai_credits.core.limits.AMOUNT_TEXT_MAX` characters
    is clipped (and then shown as too large), so an overlong paste is an inline error, not a
    refused event.
    """

    type: Literal["enter_amount"] = "enter_amount"
    text: Annotated[str, BeforeValidator(_clip_amount_text)] = Field(
        default="", max_length=AMOUNT_TEXT_MAX + 1
    )


class UseMax(_Event):
    """Fill the amount field with the whole G$ balance."""

    type: Literal["use_max"] = "use_max"


class Confirm(_Event):
    """"Buy AI Credits": submit the one-time payment."""

    type: Literal["confirm"] = "confirm"
    request_id: str | None = Field(default=None, max_length=100)


class StartStream(_Event):
    """Start the monthly G$ stream set up in ``streaming_setup``."""

    type: Literal["start_stream"] = "start_stream"
    request_id: str | None = Field(default=None, max_length=100)


class PauseStream(_Event):
    """Pause the stream (delete the flow and remember its rate)."""

    type: Literal["pause_stream"] = "pause_stream"
    request_id: str | None = Field(default=None, max_length=100)


class ResumeStream(_Event):
    """Resume a paused stream at its remembered rate."""

    type: Literal["resume_stream"] = "resume_stream"
    request_id: str | None = Field(default=None, max_length=100)


class StopStream(_Event):
    """End the stream for good; credits already accrued are kept."""

    type: Literal["stop_stream"] = "stop_stream"
    request_id: str | None = Field(default=None, max_length=100)


class Retry(_Event):
    """Try the failed step again (the payment, or reaching the backend)."""

    type: Literal["retry"] = "retry"
    request_id: str | None = Field(default=None, max_length=100)


class PayAgain(_Event):
    """Send a new payment for the same amount — offered only when the chain says the last one
    reverted or was never sent, so it cannot pay twice."""

    type: Literal["pay_again"] = "pay_again"
    request_id: str | None = Field(default=None, max_length=100)


class CheckPayment(_Event):
    """"Check Again": re-check the payment already sent (receipt, then record) — never re-pay.
    From an outstanding credit it asks the backend to fund it again."""

    type: Literal["check_payment"] = "check_payment"


class TopUp(_Event):
    """Go to the amount form to buy more credits."""

    type: Literal["top_up"] = "top_up"


class RevealKey(_Event):
    """Show the API key in full."""

    type: Literal["reveal_key"] = "reveal_key"


class HideKey(_Event):
    """Mask the API key again."""

    type: Literal["hide_key"] = "hide_key"


class CreateKey(_Event):
    """Sign a message with the wallet to issue an API key."""

    type: Literal["create_key"] = "create_key"


class RotateKey(_Event):
    """Replace the current API key: sign in for a new key, then revoke the old one."""

    type: Literal["rotate_key"] = "rotate_key"


class RevokeKey(_Event):
    """Ask to revoke one key (the widget asks for confirmation first)."""

    type: Literal["revoke_key"] = "revoke_key"
    key_id: str = Field(default="", max_length=KEY_ID_MAX)


class ConfirmRevoke(_Event):
    """Yes, revoke the key asked about: tools using it stop working."""

    type: Literal["confirm_revoke"] = "confirm_revoke"


class CancelRevoke(_Event):
    """Keep the key after all."""

    type: Literal["cancel_revoke"] = "cancel_revoke"


class ViewUsage(_Event):
    """Leave the confirmation or stream card for the balance and usage view."""

    type: Literal["view_usage"] = "view_usage"


class Refresh(_Event):
    """Reload what the current state shows (balance, usage, payment status)."""

    type: Literal["refresh"] = "refresh"


class SwitchChain(_Event):
    """Ask the wallet to move to Celo."""

    type: Literal["switch_chain"] = "switch_chain"


class UseOwnKey(_Event):
    """Bring your own provider key instead of buying credits: opens the form; with fields, saves
    it (validated by the machine: an https base URL, a key, a model)."""

    type: Literal["use_own_key"] = "use_own_key"
    base_url: str | None = Field(default=None, max_length=300)
    model: str | None = Field(default=None, max_length=120)
    api_key: SecretToken | None = Field(default=None, description="The provider key (masked).")

    @field_validator("base_url", "model", "api_key", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: object) -> object:
        """An empty form field means "not given" (the machine then says what is missing)."""
        return None if isinstance(value, str) and not value.strip() else value


class CancelSignIn(_Event):
    """Close the sign-in signature prompt: no key now, create it later."""

    type: Literal["cancel_sign_in"] = "cancel_sign_in"


class LeaveByok(_Event):
    """Go back from the bring-your-own-key view."""

    type: Literal["leave_byok"] = "leave_byok"


# --- system events (results of effects) --------------------------------------------------------


class WalletConnected(_Event):
    """The wallet granted access to an account."""

    type: Literal["wallet_connected"] = "wallet_connected"
    account: str = Field(pattern=ADDRESS_PATTERN)
    chain_id: int = Field(gt=0)


class WalletRejected(_Event):
    """The wallet prompt was dismissed or refused (connect, signature or network switch)."""

    type: Literal["wallet_rejected"] = "wallet_rejected"
    code: str = "user_rejected"
    message: str = Field(default="Transaction cancelled", max_length=500)


class ChainChanged(_Event):
    """The wallet moved to another chain."""

    type: Literal["chain_changed"] = "chain_changed"
    chain_id: int = Field(gt=0)


class AccountChanged(_Event):
    """The wallet switched to another account."""

    type: Literal["account_changed"] = "account_changed"
    account: str = Field(pattern=ADDRESS_PATTERN)


class AccountLoaded(_Event):
    """Wallet reading and credit summary for the connected account."""

    type: Literal["account_loaded"] = "account_loaded"
    wallet: WalletInfo
    credit: CreditSummary
    gd_price: GdPriceText | None = Field(
        default=None, description="cUSD per G$, decimal text within the plausible range."
    )
    price_source: PriceSource = "backend"
    key_prefix: str | None = Field(default=None, max_length=KEY_PREFIX_MAX)
    stream: StreamInfo | None = None
    features: BackendFeatures | None = None
    outstanding: tuple[CreditEntry, ...] = ()
    history: tuple[CreditEntry, ...] | None = None


class UsageLoaded(_Event):
    """Recent usage rows and the credit summary they imply (and the keys, when listed)."""

    type: Literal["usage_loaded"] = "usage_loaded"
    rows: tuple[UsageRow, ...] = ()
    credit: CreditSummary
    keys: tuple[KeyInfo, ...] | None = None


class KeyRevoked(_Event):
    """The backend revoked a key; ``keys`` is the list now."""

    type: Literal["key_revoked"] = "key_revoked"
    key_id: str = Field(max_length=KEY_ID_MAX)
    keys: tuple[KeyInfo, ...] = ()


class PaymentSubmitted(_Event):
    """The wallet signed and sent the payment transaction."""

    type: Literal["payment_submitted"] = "payment_submitted"
    tx_hash: str = Field(pattern=TX_HASH_PATTERN)


class PaymentRecorded(_Event):
    """The backend recorded the payment; ``status`` is its funding status."""

    type: Literal["payment_recorded"] = "payment_recorded"
    status: Literal["funded", "pending", "failed"] = "funded"
    credit: CreditSummary | None = None
    credited_usd: int = Field(default=0, ge=0, description="Credit this payment added.")
    g_balance_wei: int | None = Field(default=None, ge=0, description="G$ left in the wallet.")
    message: str | None = Field(default=None, max_length=500)
    outstanding: tuple[CreditEntry, ...] = Field(
        default=(), description="The account's credits still pending or failed after this."
    )


WALLET_MAY_STILL_SEND: frozenset[str] = frozenset({
    "wallet_timeout",  # the runtime stopped waiting; the wallet's prompt may still be open
    "timeout",  # the same, as a host's wallet bridge reports it
    "disconnected",  # the page or wallet went away mid-request
    "account_switched",  # the account changed while the prompt was open
    "rpc_unavailable",  # the send may have reached a node before the connection failed
    "unknown",  # nothing says the wallet refused
})  # fmt: skip
"""Wallet failure codes that do not say the wallet refused: a transaction may have been (or may
still be) sent that no hash was returned for, so paying again could pay twice.  Every other code
(a rejection, too little gas or G$, a vault rule, a wrong chain) means nothing was sent."""


class PaymentFailed(_Event):
    """The wallet returned no transaction hash (already mapped to a sentence).  Unless ``code`` is
    one of :data:`WALLET_MAY_STILL_SEND`, nothing was sent and no G$ moved."""

    type: Literal["payment_failed"] = "payment_failed"
    code: str = "unknown"
    message: str = Field(default="Payment failed. Try again.", max_length=500)

    @property
    def may_still_send(self) -> bool:
        """The wallet did not say it refused: a transfer for this intent may still happen."""
        return self.code in WALLET_MAY_STILL_SEND


class PaymentReverted(_Event):
    """The chain mined the transaction with status 0: no G$ moved, a new payment is safe."""

    type: Literal["payment_reverted"] = "payment_reverted"
    tx_hash: str = Field(pattern=TX_HASH_PATTERN)
    code: str = "unknown"
    message: str = Field(default="Payment failed. Try again.", max_length=500)


class PaymentUnconfirmed(_Event):
    """The transaction was sent but its receipt did not come in time (or the node or backend
    cannot see it yet).  It may still move G$: re-check it, never pay again."""

    type: Literal["payment_unconfirmed"] = "payment_unconfirmed"
    tx_hash: str = Field(pattern=TX_HASH_PATTERN)
    code: str = "timeout"
    message: str = Field(
        default="Your payment was sent and has not confirmed yet.", max_length=500
    )


class ApiKeyIssued(_Event):
    """The backend issued an API key; the token is shown once."""

    type: Literal["api_key_issued"] = "api_key_issued"
    token: SecretToken
    key_id: str = Field(max_length=KEY_ID_MAX)
    prefix: str = Field(max_length=KEY_PREFIX_MAX)
    keys: tuple[KeyInfo, ...] | None = Field(
        default=None, description="The account's keys after this one (and any rotation)."
    )


class StreamUpdated(_Event):
    """A stream transaction was mined; ``stream`` is the flow now in force."""

    type: Literal["stream_updated"] = "stream_updated"
    tx_hash: str = Field(pattern=TX_HASH_PATTERN)
    stream: StreamInfo
    credit: CreditSummary | None = Field(
        default=None, description="Credit after the backend recorded the change, if it could."
    )


BackendFailureKind = Literal["unavailable", "not_supported", "unauthorised", "rejected"]


class BackendFailed(_Event):
    """The credits backend could not do what was asked."""

    type: Literal["backend_failed"] = "backend_failed"
    kind: BackendFailureKind = "unavailable"
    message: str = Field(
        default="The AI credits service is temporarily unavailable.", max_length=500
    )


Event = Annotated[
    Connect
    | Disconnect
    | ChooseMode
    | EnterAmount
    | UseMax
    | Confirm
    | StartStream
    | PauseStream
    | ResumeStream
    | StopStream
    | Retry
    | PayAgain
    | CheckPayment
    | TopUp
    | RevealKey
    | HideKey
    | CreateKey
    | RotateKey
    | RevokeKey
    | ConfirmRevoke
    | CancelRevoke
    | ViewUsage
    | Refresh
    | SwitchChain
    | UseOwnKey
    | CancelSignIn
    | LeaveByok
    | WalletConnected
    | WalletRejected
    | ChainChanged
    | AccountChanged
    | AccountLoaded
    | UsageLoaded
    | KeyRevoked
    | PaymentSubmitted
    | PaymentRecorded
    | PaymentFailed
    | PaymentReverted
    | PaymentUnconfirmed
    | ApiKeyIssued
    | StreamUpdated
    | BackendFailed,
    Field(discriminator="type"),
]

USER_EVENTS: dict[str, type[_Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        Connect, Disconnect, ChooseMode, EnterAmount, UseMax, Confirm, StartStream, PauseStream,
        ResumeStream, StopStream, Retry, PayAgain, CheckPayment, TopUp, RevealKey, HideKey,
        CreateKey, RotateKey, RevokeKey, ConfirmRevoke, CancelRevoke, ViewUsage, Refresh,
        SwitchChain, UseOwnKey, CancelSignIn, LeaveByok,
    )
}  # fmt: skip
SYSTEM_EVENTS: dict[str, type[_Event]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        WalletConnected, WalletRejected, ChainChanged, AccountChanged, AccountLoaded, UsageLoaded,
        KeyRevoked,
        PaymentSubmitted, PaymentRecorded, PaymentFailed, PaymentReverted, PaymentUnconfirmed,
        ApiKeyIssued, StreamUpdated,
        BackendFailed,
    )
}  # fmt: skip

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: object) -> Event:
    """Validate an event from untrusted data (a dict or a JSON string) — raises pydantic's
    ``ValidationError`` with every problem listed."""
    if isinstance(data, str | bytes):
        return _EVENT_ADAPTER.validate_json(data)
    return _EVENT_ADAPTER.validate_python(data)
