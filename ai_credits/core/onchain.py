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


class ReceiptNotFoundError(LookupError):
    """The node has no receipt for ``tx_hash`` (unknown, or not mined yet).

    The credits Worker answers this case with 500 ``transaction receipt not found: <txHash>``.
    """

    def __init__(self, tx_hash: str) -> None:
        super().__init__(f"transaction receipt not found: {tx_hash}")
        self.tx_hash = tx_hash


@runtime_checkable
class WorkerChainReads(Protocol):
    """Everything the credits Worker reads from Celo, for a backend that credits like it does.

    An optional extension of :class:`ChainEventSource` (the real node implements both): the oracle
    price, the GoodID root, a receipt's vault events (raising :class:`ReceiptNotFoundError` when
    there is no receipt) and an account's vault events in a block range.
    """

    async def receipt_events(self, tx_hash: str) -> tuple[list[DepositEvent], list[StreamEvent]]:
        """The vault's events in the receipt of ``tx_hash``; ``ReceiptNotFoundError`` if none."""
        ...

    async def account_events(
        self, account: str, from_block: str, to_block: str
    ) -> tuple[list[DepositEvent], list[StreamEvent]]:
        """``account``'s vault events from ``from_block`` to ``to_block`` (``latest``, ``0x…``
        or decimal block tags), in log order."""
        ...

    async def gd_price(self) -> str | None:
        """cUSD per G$ as the oracle quotes it (decimal text); ``None`` when not readable."""
        ...

    async def goodid_root(self, account: str) -> str | None:
        """The GoodID root of ``account``, lower-cased; ``None`` when not verified."""
        ...

    def addresses(self) -> dict[str, str]:
        """The Worker's ``CELO_*_ADDRESS`` config keys for this chain."""
        ...
