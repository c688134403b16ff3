"""Effects: what the machine asks the world to do, as plain data for a runtime to execute later."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ai_credits.core.models import ADDRESS_PATTERN, TX_HASH_PATTERN, BackendFeatures

__all__ = ["Effect", "parse_effect"]


class _Effect(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConnectWallet(_Effect):
    """Open the wallet's connect prompt → ``wallet_connected`` or ``wallet_rejected``."""

    type: Literal["connect_wallet"] = "connect_wallet"


class DisconnectWallet(_Effect):
    """Forget the wallet session on the host side."""

    type: Literal["disconnect_wallet"] = "disconnect_wallet"


class SwitchChainEffect(_Effect):
    """Ask the wallet to switch chain (``wallet_switchEthereumChain``) → ``chain_changed``."""

    type: Literal["switch_chain"] = "switch_chain"
    chain_id: int


class LoadAccount(_Effect):
    """Load the G$ balance, GoodID status and credit summary → ``account_loaded``."""

    type: Literal["load_account"] = "load_account"
    account: str = Field(pattern=ADDRESS_PATTERN)
    features: BackendFeatures | None = Field(
        default=None,
        description="What the backend offers, if already asked in this connection (else ask).",
    )


class LoadUsage(_Effect):
    """Load recent usage rows and the credit they leave → ``usage_loaded``."""

    type: Literal["load_usage"] = "load_usage"
    account: str = Field(pattern=ADDRESS_PATTERN)


class SubmitPayment(_Effect):
    """Have the wallet send ``transferAndCall(vault, amount, buyer)`` → ``payment_submitted``."""

    type: Literal["submit_payment"] = "submit_payment"
    request_id: str
    payer: str = Field(pattern=ADDRESS_PATTERN)
    buyer: str = Field(pattern=ADDRESS_PATTERN)
    amount_wei: int = Field(gt=0)


class RecordPayment(_Effect):
    """Wait for the receipt and have the backend record it → ``payment_recorded``."""

    type: Literal["record_payment"] = "record_payment"
    tx_hash: str = Field(pattern=TX_HASH_PATTERN)
    account: str = Field(pattern=ADDRESS_PATTERN)


class IssueApiKey(_Effect):
    """Nonce → wallet signature → API key → ``api_key_issued``.  With ``replaces``, the old key
    is revoked once the new one exists (rotation)."""

    type: Literal["issue_api_key"] = "issue_api_key"
    account: str = Field(pattern=ADDRESS_PATTERN)
    chain_id: int
    replaces: str | None = None


class RevokeApiKey(_Effect):
    """Revoke one of the account's keys → ``key_revoked`` with the keys left."""

    type: Literal["revoke_api_key"] = "revoke_api_key"
    key_id: str


class _StreamEffect(_Effect):
    request_id: str
    sender: str = Field(pattern=ADDRESS_PATTERN)
    buyer: str = Field(pattern=ADDRESS_PATTERN)
    flow_rate: int = Field(ge=0)


class StartStreamEffect(_StreamEffect):
    """``createFlow`` to the vault → ``stream_updated``."""

    type: Literal["start_stream"] = "start_stream"


class PauseStreamEffect(_StreamEffect):
    """``deleteFlow``, remembering ``flow_rate`` to resume → ``stream_updated``."""

    type: Literal["pause_stream"] = "pause_stream"


class ResumeStreamEffect(_StreamEffect):
    """``createFlow`` again at the remembered rate → ``stream_updated``."""

    type: Literal["resume_stream"] = "resume_stream"


class StopStreamEffect(_StreamEffect):
    """``deleteFlow`` for good → ``stream_updated``."""

    type: Literal["stop_stream"] = "stop_stream"


Effect = Annotated[
    ConnectWallet
    | DisconnectWallet
    | SwitchChainEffect
    | LoadAccount
    | LoadUsage
    | SubmitPayment
    | RecordPayment
    | IssueApiKey
    | RevokeApiKey
    | StartStreamEffect
    | PauseStreamEffect
    | ResumeStreamEffect
    | StopStreamEffect,
    Field(discriminator="type"),
]

_EFFECT_ADAPTER: TypeAdapter[Effect] = TypeAdapter(Effect)


def parse_effect(data: object) -> Effect:
    """Validate an effect from a dict or JSON (for runtimes in another process)."""
    if isinstance(data, str | bytes):
        return _EFFECT_ADAPTER.validate_json(data)
    return _EFFECT_ADAPTER.validate_python(data)
