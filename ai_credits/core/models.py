"""The data the machine carries: configuration, context parts and the secret API key type.

All models are frozen pydantic models; money is integers (G$ wei, micro-USD).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from ai_credits.core.limits import (
    AMOUNT_TEXT_MAX,
    KEY_ID_MAX,
    KEY_PREFIX_MAX,
    MODEL_NAME_MAX,
    REQUEST_ID_MAX,
    TOKEN_COUNT_MAX,
    GdPriceText,
)
from ai_credits.core.onchain import ADDRESS_PATTERN, TX_HASH_PATTERN

__all__ = [
    "ADDRESS_PATTERN",
    "TX_HASH_PATTERN",
    "AmountInput",
    "ApiKey",
    "BackendFeatures",
    "CachedBalance",
    "CreditEntry",
    "CreditSummary",
    "KeyInfo",
    "Mode",
    "Notice",
    "PendingAction",
    "PriceSource",
    "Quote",
    "SecretToken",
    "StreamInfo",
    "UsageRow",
    "WalletInfo",
    "WidgetConfig",
    "trusted_model",
]

Mode = Literal["one_time", "stream"]
PriceSource = Literal["config", "backend", "oracle"]
"""Where the G$ price came from: the host's default, the backend's ``GD_CUSD_PRICE`` fallback,
or the on-chain oracle the backend credits with (the only one that makes the quote exact)."""
WeiInt = Annotated[int, Field(ge=0)]
MicroUsd = Annotated[int, Field(ge=0)]


class SecretToken:
    """An API key token that never shows itself by accident.

    ``str()``/``repr()`` give the masked form (``gd_live_…abcd``); the full token comes only from
    :meth:`reveal`.  Like pydantic's ``SecretStr`` in python mode: ``model_dump()`` keeps the
    ``SecretToken`` object itself, so a dict dumped for logging or debugging never holds the key.
    JSON mode (``model_dump_json``, ``model_dump(mode="json")``) writes the full token so a snapshot
    round-trips exactly — hosts must store snapshots as they would store any credential.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The full token. Call only to show it to its owner or to use it."""
        return self._value

    @property
    def masked(self) -> str:
        """``gd_live_…abcd``: the prefix and the last four characters."""
        head = self._value[:8] if self._value.startswith("gd_live_") else self._value[:3]
        return f"{head}…{self._value[-4:]}"

    def __repr__(self) -> str:
        return f"SecretToken({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretToken) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from_str = core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(min_length=12, max_length=200)
        )
        return core_schema.json_or_python_schema(
            json_schema=from_str,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), from_str]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda token: token.reveal(), when_used="json"
            ),
        )


_ModelT = TypeVar("_ModelT", bound=BaseModel)
_set_attribute = object.__setattr__


def trusted_model(cls: type[_ModelT], values: dict[str, Any], fields_set: set[str]) -> _ModelT:
    """An instance of ``cls`` holding ``values`` (every field) as they are, without validating
    them again; ``fields_set`` are the fields given explicitly.

    pydantic's own ``model_copy`` builds its copies this way (``model_construct`` does too, but
    walks every field's default in Python and costs more than validating).  Only for values that
    come from validated models or from the core's own arithmetic, on the machine's hot path: the
    tests re-validate every snapshot the machine reaches (tests/core/test_every_transition.py).
    """
    model = cls.__new__(cls)
    _set_attribute(model, "__dict__", values)
    _set_attribute(model, "__pydantic_fields_set__", fields_set)
    _set_attribute(model, "__pydantic_extra__", None)
    _set_attribute(model, "__pydantic_private__", None)
    return model


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WidgetConfig(_Frozen):
    """What a host decides once: chain, prices, bonuses, units, thresholds, setup values."""

    supported_chain_ids: tuple[int, ...] = (42220,)
    gd_price: GdPriceText = Field(
        default="0.0001", description="cUSD per G$ until the backend says (plausible range)."
    )
    gd_price_source: PriceSource = Field(
        default="config", description="Where ``gd_price`` came from; only ``oracle`` is exact."
    )
    regular_bonus_bps: int = Field(default=1_000, ge=0, le=10_000)
    streaming_bonus_bps: int = Field(default=2_000, ge=0, le=10_000)
    min_first_deposit_usd: MicroUsd = 1_000_000
    min_monthly_stream_usd: MicroUsd = 1_000_000
    credit_unit: Literal["usd", "credits"] = "usd"
    credits_per_usd: int = Field(default=10_000, gt=0)
    low_balance_floor_usd: MicroUsd = 1_000_000
    low_balance_share_bps: int = Field(default=2_000, ge=0, le=10_000)
    presets_gd: tuple[int, ...] = (1_000, 5_000, 10_000)
    api_base_url: str = "http://127.0.0.1:8787/v1"
    default_model: str = "gpt-4o-mini"
    allow_byok: bool = True
    allow_streaming: bool = True


class WalletInfo(_Frozen):
    """The connected wallet as last read from the chain."""

    account: str = Field(pattern=ADDRESS_PATTERN)
    chain_id: int = Field(gt=0)
    g_balance_wei: WeiInt | None = None
    verified: bool | None = None
    first_deposit_done: bool = False


class CreditSummary(_Frozen):
    """Credit in micro-USD: ``available = credited − captured − held``."""

    credited_usd: MicroUsd = 0
    captured_usd: MicroUsd = 0
    held_usd: MicroUsd = 0
    pending_usd: MicroUsd = 0
    last_top_up_usd: MicroUsd = 0

    @property
    def available_usd(self) -> int:
        """What can still be spent."""
        return max(self.credited_usd - self.captured_usd - self.held_usd, 0)


class AmountInput(_Frozen):
    """The amount field: the text as typed (kept through every failure) and what it means."""

    text: str = Field(default="", max_length=AMOUNT_TEXT_MAX + 1)
    wei: WeiInt | None = None
    error_code: str | None = None
    error_message: str | None = None


class Quote(_Frozen):
    """What an amount buys, made at a price and a time (PRODUCT.md §5)."""

    mode: Mode
    gd_wei: WeiInt = Field(description="One-time: the payment. Stream: G$ per 30 days.")
    flow_rate: WeiInt = 0
    principal_usd: MicroUsd
    bonus_usd: MicroUsd
    total_credit_usd: MicroUsd
    bonus_bps: int
    verified: bool
    gd_price: str
    usd_micro_per_token: int
    made_at: datetime | None = None
    estimate: bool = Field(
        default=False,
        description="Priced at a fallback, not the oracle the backend credits with: the credit "
        "may differ slightly.",
    )


class PendingAction(_Frozen):
    """One user intent to move G$ (a purchase or a stream change) and what the chain said of it.

    The intent owns at most one transfer: once ``tx_hash`` is set every retry re-checks that hash
    (receipt, then record).  A new transfer for the same amount is possible only when the chain
    said the transaction ``reverted``, or no hash ever existed — and then only as an explicit
    "Pay again".  A purchase stays here until the backend has recorded and funded it.
    """

    kind: Literal["purchase", "stream_start", "stream_resume", "stream_pause", "stream_stop"]
    request_id: str
    account: str | None = Field(default=None, pattern=ADDRESS_PATTERN,
                                description="The paying wallet (lower-case).")
    amount_wei: WeiInt = 0
    flow_rate: WeiInt = 0
    tx_hash: str | None = Field(default=None, pattern=TX_HASH_PATTERN)
    reverted: bool = Field(default=False, description="The chain mined it with status 0.")
    unanswered: bool = Field(
        default=False,
        description="The wallet never answered: it may still have sent a transaction we have no "
        "hash for, so paying again is not offered (a new amount is a new, explicit purchase).",
    )

    @property
    def in_flight(self) -> bool:
        """A transaction exists and may still move G$: it must be re-checked, never re-sent."""
        return self.tx_hash is not None and not self.reverted

    @property
    def transfer_safe(self) -> bool:
        """No G$ can have left for this intent: a new transfer would not pay twice."""
        return (self.tx_hash is None and not self.unanswered) or self.reverted


class ApiKey(_Frozen):
    """The account's API key: always the prefix; the token only in the state that shows it once."""

    key_id: str | None = Field(default=None, max_length=KEY_ID_MAX)
    prefix: str = Field(max_length=KEY_PREFIX_MAX)
    token: SecretToken | None = None
    revealed: bool = False


class KeyInfo(_Frozen):
    """One of the account's API keys as the backend lists it: never the token."""

    key_id: str = Field(max_length=KEY_ID_MAX)
    prefix: str = Field(max_length=KEY_PREFIX_MAX)
    label: str | None = Field(default=None, max_length=200)
    status: Literal["active", "revoked"] = "active"
    created_at: datetime | None = None
    last_used_at: datetime | None = None


class UsageRow(_Frozen):
    """One AI request as billed: Held → Charged or Released; or Refused before it ran (its hold
    was more than the credit left)."""

    request_id: str = Field(max_length=REQUEST_ID_MAX)
    model: str = Field(max_length=MODEL_NAME_MAX)
    status: Literal["held", "charged", "released", "refused"]
    hold_usd: MicroUsd
    cost_usd: MicroUsd | None = None
    prompt_tokens: int = Field(default=0, ge=0, le=TOKEN_COUNT_MAX)
    completion_tokens: int = Field(default=0, ge=0, le=TOKEN_COUNT_MAX)
    created_at: datetime


class StreamInfo(_Frozen):
    """A G$ stream to the vault, as known at ``as_of``."""

    flow_rate: WeiInt
    started_at: datetime | None = None
    as_of: datetime | None = None
    streamed_wei: WeiInt = 0
    accrued_usd: MicroUsd = 0
    next_credit_at: datetime | None = None
    paused_flow_rate: WeiInt = 0


class Notice(_Frozen):
    """A message for the user: an error summary, a warning or an info line."""

    kind: Literal["error", "warning", "info", "success"]
    title: str = Field(max_length=200)
    message: str = Field(default="", max_length=500)
    code: str | None = None


class CreditEntry(_Frozen):
    """One credit the backend recorded for G$ that reached the vault (a deposit or stream credit).

    ``pending`` and ``failed`` entries are *outstanding*: owed to the user, shown with their
    transaction on every visit, never a reason to pay again.
    """

    tx_hash: str | None = Field(default=None, pattern=TX_HASH_PATTERN)
    source: Literal["deposit", "stream"] = "deposit"
    gd_wei: WeiInt = 0
    credit_usd: MicroUsd = 0
    status: Literal["funded", "pending", "failed"] = "pending"
    created_at: datetime | None = None


class BackendFeatures(_Frozen):
    """What the connected credits backend offers beyond the live routes (asked once per
    connection).  The live Worker has neither keys nor usage yet."""

    api_keys: bool = True
    usage: bool = True


class CachedBalance(_Frozen):
    """The last credit figure known, shown only with its age when the backend is down."""

    available_usd: MicroUsd
    as_of: datetime | None = None
