"""Pydantic models of the Worker's wire types (WORKER_CONTRACT.md §1–§3).

Conventions carried by the types:

- micro-USD and wei amounts travel as decimal digit strings (``^[0-9]+$``) and are Python ``int``
  inside; they serialise back to digit strings;
- addresses are validated and lower-cased;
- timestamps are UTC :class:`datetime` inside and JavaScript ``toISOString()`` text on the wire;
- keys whose value is undefined are omitted on output (:meth:`WireModel.to_wire` uses
  ``exclude_none``);
- unknown keys are ignored (the Worker validates with zod, which strips them, and may add keys),
  but a missing or mistyped required key is an error, so a 200 with the wrong shape never passes;
- sizes and ranges come from :mod:`ai_credits.core.limits`, the same constants the core models
  use: an answer the core would refuse (a 150-character request id, a price of ``1e-12``) is
  refused here, as a backend error;
- validation errors never echo input values (``hide_input_in_errors``), and :func:`parse_wire` turns
  them into :class:`BackendUnavailable` naming only the offending locations.

Parse untrusted JSON with :meth:`WireModel.from_wire` (strict: numbers are refused where the
contract says digit strings); construct models in Python with plain ints and datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    ValidationError,
    ValidationInfo,
)
from pydantic.alias_generators import to_camel

from ai_credits.backends.errors import BackendUnavailable
from ai_credits.core.limits import (
    KEY_ID_MAX,
    KEY_LABEL_MAX,
    KEY_PREFIX_MAX,
    MAX_GD_PRICE,
    MAX_TIMESTAMP,
    MIN_GD_PRICE,
    MIN_TIMESTAMP,
    MODEL_NAME_MAX,
    REQUEST_ID_MAX,
    TOKEN_COUNT_MAX,
)

__all__ = [
    "Address",
    "ApiKeyList",
    "AuthNonce",
    "BlockTag",
    "BridgeResult",
    "ChatChoice",
    "ChatCompletion",
    "ChatCredit",
    "ChatMessage",
    "ChatUsage",
    "ConfigBridge",
    "ConfigCelo",
    "ConfigStatus",
    "ConfigValues",
    "CreditHistoryPage",
    "CreditReservation",
    "CreditSource",
    "Digits",
    "FundResult",
    "FundingStatus",
    "GdCreditEntry",
    "Health",
    "IssuedApiKey",
    "Outstanding",
    "ProfileResponse",
    "PublicApiKey",
    "RecordResult",
    "RequestQuote",
    "ReservationList",
    "ReservationStatus",
    "RevokedApiKey",
    "StreamCreditsResult",
    "StreamMessage",
    "Timestamp",
    "UserCreditProfile",
    "WireConfig",
    "WireModel",
    "js_iso",
    "parse_wire",
]

_DIGITS = re.compile(r"[0-9]{1,78}")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_TX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_TOKEN = re.compile(r"gd_live_[0-9a-f]{64}")

CreditSource = Literal["deposit", "streamUpdate", "streamRequest", "streamCron"]
FundingStatus = Literal["pending", "funded", "failed"]
ReservationStatus = Literal["reserved", "settled", "released", "refused"]
"""``refused`` is OUR extension: a pre-flight refusal (hold above the available credit) kept in
the usage list so the widget can say why a tool stopped working; it never holds credit."""


def _is_wire(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, dict) and bool(context.get("wire"))


def _digits(value: object, info: ValidationInfo) -> int:
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise ValueError("must be a string of decimal digits")
        return int(value)
    if not _is_wire(info) and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError("must be a string of decimal digits")


def _address(value: object) -> str:
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise ValueError("must be a 0x-prefixed 20-byte hex address")
    return value.lower()


def _tx_hash(value: object) -> str:
    if not isinstance(value, str) or not _TX_HASH.fullmatch(value):
        raise ValueError("must be a 0x-prefixed 32-byte hex hash")
    return value.lower()


def _timestamp(value: object, info: ValidationInfo) -> datetime:
    if isinstance(value, datetime) and not _is_wire(info):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("must be an ISO 8601 timestamp") from exc
    else:
        raise ValueError("must be an ISO 8601 timestamp")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not MIN_TIMESTAMP <= parsed <= MAX_TIMESTAMP:
        raise ValueError("must be a timestamp between 1970 and 9000")
    parsed = parsed.astimezone(UTC)
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def js_iso(moment: datetime) -> str:
    """``moment`` as JavaScript's ``Date.prototype.toISOString()`` writes it (ms, ``Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _token(value: object) -> SecretStr:
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not isinstance(raw, str) or not _TOKEN.fullmatch(raw):
        raise ValueError("must be a gd_live_ API key")
    return SecretStr(raw)


def _reveal(value: SecretStr) -> str:
    return value.get_secret_value()


Digits = Annotated[int, BeforeValidator(_digits), PlainSerializer(str, return_type=str)]
"""A non-negative integer carried as a digit string (micro-USD, wei, wei per second)."""
Address = Annotated[str, BeforeValidator(_address)]
"""An EVM address, lower-cased."""
ConfiguredAddress = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
"""An EVM address kept as written (a configuration value the Worker echoes)."""
TxHash = Annotated[str, BeforeValidator(_tx_hash)]
Timestamp = Annotated[
    datetime, BeforeValidator(_timestamp), PlainSerializer(js_iso, return_type=str)
]
"""A UTC instant truncated to milliseconds (as JavaScript keeps it); ISO 8601 text on the wire."""
ApiToken = Annotated[SecretStr, BeforeValidator(_token), PlainSerializer(_reveal, return_type=str)]
"""A ``gd_live_`` key: hidden from ``repr``/``str``; written in full only when serialised."""

WireConfig = ConfigDict(
    alias_generator=to_camel,
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
    extra="ignore",
    frozen=True,
    hide_input_in_errors=True,
)

M = TypeVar("M", bound=BaseModel)


class WireModel(BaseModel):
    """Base of every wire model: camelCase aliases, frozen, unknown keys ignored."""

    model_config = WireConfig

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict the Worker would send: camelCase, undefined keys omitted."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    @classmethod
    def from_wire(cls, data: object) -> Self:
        """Validate decoded JSON strictly (digit strings only where the contract says so)."""
        return cls.model_validate(data, context={"wire": True})


def parse_wire(model: type[M], data: object) -> M:
    """Validate ``data`` as ``model`` or raise :class:`BackendUnavailable` naming only locations."""
    try:
        return model.model_validate(data, context={"wire": True})
    except ValidationError as exc:
        places = sorted({".".join(str(p) for p in err["loc"]) or "<root>" for err in exc.errors()})
        raise BackendUnavailable(
            detail=f"unexpected response shape at: {', '.join(places[:8])}"
        ) from None


# --- Live routes ---------------------------------------------------------------------------------


class Health(WireModel):
    """``GET /health``."""

    ok: bool
    service: str
    runtime: str
    kv_enabled: bool
    bridge_enabled: bool


class ConfigBridge(WireModel):
    """``bridge`` of ``GET /config/status``."""

    celo_vault_events: bool
    base_buyer_operator_enabled: bool
    mode: str


class ConfigCelo(WireModel):
    """``celo`` of ``GET /config/status``."""

    rpc_configured: bool
    vault_configured: bool
    good_id_configured: bool
    static_oracle_configured: bool


class ConfigStatus(WireModel):
    """``GET /config/status``."""

    ok: bool
    service: str
    runtime: str
    bridge: ConfigBridge
    celo: ConfigCelo
    kv_enabled: bool


class ConfigEntries(WireModel):
    """``config`` of ``GET /config/values`` (keys are upper-case on the wire)."""

    gd_cusd_price: float = Field(
        alias="GD_CUSD_PRICE",
        ge=float(MIN_GD_PRICE),
        le=float(MAX_GD_PRICE),
        allow_inf_nan=False,
        strict=True,  # a JSON number: not a boolean, not text
        description="cUSD per G$; outside the plausible range the core accepts it is refused.",
    )
    max_bonus_cap_usd: str = Field(alias="MAX_BONUS_CAP_USD")
    regular_bonus_bps: Digits = Field(alias="REGULAR_BONUS_BPS")
    streaming_bonus_bps: Digits = Field(alias="STREAMING_BONUS_BPS")
    min_stream_bonus_wei: Digits = Field(alias="MIN_STREAM_BONUS_WEI")
    # The Worker echoes its configured addresses as written (checksummed): case is kept here.
    celo_vault_address: ConfiguredAddress | None = Field(default=None, alias="CELO_VAULT_ADDRESS")
    celo_goodid_address: ConfiguredAddress | None = Field(
        default=None, alias="CELO_GOODID_ADDRESS"
    )
    celo_static_oracle_address: ConfiguredAddress | None = Field(
        default=None, alias="CELO_STATIC_ORACLE_ADDRESS"
    )
    celo_cusd_address: ConfiguredAddress | None = Field(default=None, alias="CELO_CUSD_ADDRESS")
    celo_gd_supertoken_address: ConfiguredAddress | None = Field(
        default=None, alias="CELO_GD_SUPERTOKEN_ADDRESS"
    )
    superfluid_subgraph_url: str = Field(alias="SUPERFLUID_SUBGRAPH_URL")


class ConfigValues(WireModel):
    """``GET /config/values``."""

    ok: bool
    service: str
    runtime: str
    config: ConfigEntries


class UserCreditProfile(WireModel):
    """A wallet's credit totals. Credited = principal + bonus; pending = outstanding funding."""

    account: Address
    root_account: Address
    created_at: Timestamp
    updated_at: Timestamp
    total_gd_deposited_wei: Digits = 0
    total_principal_usd: Digits = 0
    total_bonus_usd: Digits = 0
    total_gd_streamed_wei: Digits = Field(default=0, alias="totalGDStreamedWei")
    total_outstanding_funding_usd: Digits = 0
    stream_flow_rate_wei_per_second: Digits = 0
    last_stream_credit_at: Timestamp | None = None


class ProfileResponse(WireModel):
    """``GET /v1/accounts/{a}/profile``."""

    account: Address
    profile: UserCreditProfile


class GdCreditEntry(WireModel):
    """One credit: a deposit, a stream update or a daily stream credit."""

    id: str = Field(min_length=1)
    account: Address
    root_account: Address
    source: CreditSource
    gd_amount_wei: Digits
    principal_usd: Digits
    bonus_usd: Digits
    total_credit_usd: Digits
    tx_hash: TxHash | None = None
    log_index: int | None = Field(default=None, ge=0, strict=True)
    funding_status: FundingStatus
    funding_tx_hash: str | None = None
    funding_error: str | None = None
    created_at: Timestamp
    stream_update_month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$")
    buyer_address: Address | None = None


class BridgeResult(WireModel):
    """What the bridge did when funding a credit."""

    enabled: bool
    buyer: Address | None = None
    amount_usd: Digits
    tx_hash: str | None = None
    error: str | None = None


class FundResult(GdCreditEntry):
    """A credit entry after a funding attempt (``depositId`` and ``bridge.error`` on failure)."""

    bridge: BridgeResult
    deposit_id: str | None = None


class StreamMessage(WireModel):
    """A stream that was looked at but not credited (``{message}``)."""

    message: str


class CreditHistoryPage(WireModel):
    """``GET /v1/accounts/{a}/credit-history``: newest first."""

    account: Address
    items: list[GdCreditEntry]
    total: int = Field(ge=0, strict=True)
    limit: int = Field(ge=1, le=100, strict=True)
    offset: int = Field(ge=0, strict=True)
    has_more: bool


class Outstanding(WireModel):
    """``GET /v1/accounts/{a}/outstanding``: pending or failed credits."""

    account: Address
    outstanding_funding_usd: Digits
    failed_funding_credits: list[GdCreditEntry]


BlockTag = Annotated[str, Field(pattern=r"^(latest|0x[0-9a-fA-F]+|[0-9]+)$", max_length=80)]
"""A block as the Worker takes and echoes it: ``latest``, ``0x…`` hex or decimal digits (text)."""


class RecordResult(WireModel):
    """``POST /v1/celo/events/record``: the Worker echoes ``fromBlock`` as sent and ``toBlock`` as
    sent or ``"latest"`` — block tags are always strings on the wire."""

    tx_hash: TxHash | None = None
    account: Address | None = None
    from_block: BlockTag | None = None
    to_block: BlockTag = "latest"
    events: list[FundResult]


class StreamCreditsResult(WireModel):
    """``POST /v1/accounts/{a}/stream-credits``."""

    account: Address
    streams: list[FundResult | StreamMessage]
    message: str | None = None
    elapsed_seconds: int | None = Field(default=None, ge=0, strict=True)


# --- Planned routes ------------------------------------------------------------------------------


class AuthNonce(WireModel):
    """``POST /v1/auth/nonce`` (201): the SIWE-like message to sign."""

    account: Address
    nonce: str = Field(pattern=r"^[0-9a-f]{32}$")
    message: str
    expires_at: Timestamp


class PublicApiKey(WireModel):
    """An API key as the backend shows it: never the token, only its masked prefix."""

    id: str = Field(min_length=1, max_length=KEY_ID_MAX)
    token_prefix: str = Field(min_length=1, max_length=KEY_PREFIX_MAX)
    account: Address
    root_account: Address
    label: str | None = Field(default=None, min_length=1, max_length=KEY_LABEL_MAX)
    scopes: list[str] = Field(default_factory=lambda: ["chat:completions"])
    status: Literal["active", "revoked"]
    created_at: Timestamp
    expires_at: Timestamp | None = None
    last_used_at: Timestamp | None = None
    revoked_at: Timestamp | None = None


class IssuedApiKey(WireModel):
    """``POST /v1/auth/api-keys`` (201): the one time the token is shown."""

    token: ApiToken
    api_key: PublicApiKey


class ApiKeyList(WireModel):
    """``GET /v1/auth/api-keys``."""

    account: Address
    root_account: Address
    api_keys: list[PublicApiKey]


class RevokedApiKey(WireModel):
    """``DELETE /v1/auth/api-keys/{id}``."""

    api_key: PublicApiKey


class RequestQuote(WireModel):
    """``POST /v1/credits/quote``: the hold an AI request would take."""

    max_cost_micro_usd: Digits


class CreditReservation(WireModel):
    """One usage row: a hold and what became of it (Held / Charged / Released)."""

    request_id: str = Field(min_length=1, max_length=REQUEST_ID_MAX)
    account: Address
    max_cost_usd: Digits
    status: ReservationStatus
    actual_cost_usd: Digits | None = None
    created_at: Timestamp
    updated_at: Timestamp
    # OUR extension (not in the Worker's contract): what the usage table shows per row.
    model: str | None = Field(default=None, max_length=MODEL_NAME_MAX)
    prompt_tokens: int | None = Field(default=None, ge=0, le=TOKEN_COUNT_MAX)
    completion_tokens: int | None = Field(default=None, ge=0, le=TOKEN_COUNT_MAX)


class ReservationList(WireModel):
    """``GET /v1/requests?limit=`` — OUR extension (not in the Worker's contract): newest first."""

    account: Address
    items: list[CreditReservation]


class _OpenAIModel(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class ChatMessage(_OpenAIModel):
    """An OpenAI chat message."""

    role: str
    content: str


class ChatChoice(_OpenAIModel):
    """An OpenAI completion choice."""

    index: int = Field(ge=0, strict=True)
    message: ChatMessage
    finish_reason: str | None = None


class ChatUsage(_OpenAIModel):
    """OpenAI token usage."""

    prompt_tokens: int = Field(ge=0, strict=True)
    completion_tokens: int = Field(ge=0, strict=True)
    total_tokens: int = Field(ge=0, strict=True)


class ChatCredit(WireModel):
    """The ``credit`` block the backend adds to a completion."""

    request_id: str = Field(min_length=1, max_length=REQUEST_ID_MAX)
    reserved_micro_usd: Digits
    settled_micro_usd: Digits
    released_micro_usd: Digits | None = None


class ChatCompletion(_OpenAIModel):
    """``POST /v1/chat/completions``: an OpenAI completion plus ``credit``."""

    id: str
    object_: str = Field(default="chat.completion", alias="object")
    created: int = Field(ge=0, strict=True)
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage
    credit: ChatCredit

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready body: OpenAI snake_case keys plus the camelCase ``credit`` block."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    @classmethod
    def from_wire(cls, data: object) -> Self:
        """Validate decoded JSON strictly."""
        return cls.model_validate(data, context={"wire": True})
