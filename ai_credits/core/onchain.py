"""Chain facts shared by the chain adapters and the backends, as plain data.

The credits backend learns about payments from the chain (the Worker reads the receipt of a tx hash
posted to ``/v1/celo/events/record``).  These models are what such a look-up yields, and
:class:`ChainEventSource` is the port a backend uses to ask for them — implemented by the real chain
reader, by the in-memory fixture chain and by the eth-tester chain in tests.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

TX_HASH_PATTERN = r"^0x[0-9a-fA-F]{64}$"
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"


class DepositEvent(BaseModel):
    """A decoded ``GdDeposited(account, buyer, gdAmount, data)`` log of the credits vault."""

    model_config = ConfigDict(frozen=True)

    tx_hash: str = Field(pattern=TX_HASH_PATTERN)
    log_index: int = Field(ge=0)
    account: str = Field(pattern=ADDRESS_PATTERN, description="The payer.")
    buyer: str = Field(pattern=ADDRESS_PATTERN, description="Whose AI credits are funded.")
    gd_amount_wei: int = Field(gt=0)
    block_number: int = Field(default=0, ge=0)


class StreamEvent(BaseModel):
    """A decoded ``StreamUpdated(account, buyer, flowRate, monthlyGdAmountWei, totalFlowWei)``."""

    model_config = ConfigDict(frozen=True)

    tx_hash: str = Field(pattern=TX_HASH_PATTERN)
    log_index: int = Field(ge=0)
    account: str = Field(pattern=ADDRESS_PATTERN)
    buyer: str = Field(pattern=ADDRESS_PATTERN)
    flow_rate: int = Field(ge=0, description="G$ wei per second; 0 when the flow was deleted.")
    monthly_gd_wei: int = Field(ge=0)
    total_flow_wei: int = Field(ge=0, description="Streamed since the previous flow change.")
    block_number: int = Field(default=0, ge=0)


@runtime_checkable
class ChainEventSource(Protocol):
    """What a credits backend needs to read from the chain."""

    async def deposit_events(self, tx_hash: str) -> list[DepositEvent]:
        """The vault's ``GdDeposited`` logs in the receipt of ``tx_hash`` (empty if unknown)."""
        ...

    async def stream_events(self, tx_hash: str) -> list[StreamEvent]:
        """The vault's ``StreamUpdated`` logs in the receipt of ``tx_hash``."""
        ...

    async def current_flow_rate(self, sender: str) -> int:
        """The payer's current G$ flow rate to the vault, in wei per second (0 when none)."""
        ...
