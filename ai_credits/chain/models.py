"""The wallet port: what the runtime calls, whichever wallet sits behind it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ai_credits.chain.builders import StreamAction
from ai_credits.core.onchain import DepositEvent, StreamEvent

__all__ = ["TxReceiptInfo", "WalletAdapter", "WalletConnection", "WalletReading"]


class WalletConnection(BaseModel):
    """The account a wallet connected with and the chain it is on."""

    model_config = ConfigDict(frozen=True)

    account: str
    chain_id: int


class WalletReading(BaseModel):
    """Everything the widget reads for one account (G$ and USD amounts are integers)."""

    model_config = ConfigDict(frozen=True)

    account: str
    chain_id: int
    g_balance_wei: int = Field(ge=0)
    verified: bool
    total_deposited_wei: int = Field(ge=0)
    flow_rate: int = Field(ge=0)
    min_first_deposit_usd: int = Field(ge=0, description="micro-USD")
    min_monthly_stream_usd: int = Field(ge=0, description="micro-USD")
    flow_since: int | None = Field(
        default=None, ge=0, description="Epoch seconds of the flow's last change, if known."
    )
    gd_price: str | None = Field(
        default=None,
        description="cUSD per G$ as the on-chain oracle quotes it, the price the Worker credits "
        "at (``repr`` of the same IEEE double the Worker computes); None when not readable.",
    )


class TxReceiptInfo(BaseModel):
    """A mined, successful transaction and the vault events it emitted."""

    model_config = ConfigDict(frozen=True)

    tx_hash: str
    block_number: int
    status: int
    deposits: list[DepositEvent] = Field(default_factory=list)
    streams: list[StreamEvent] = Field(default_factory=list)


@runtime_checkable
class WalletAdapter(Protocol):
    """One async interface for every wallet.  Every failure raises ``ChainError``."""

    async def connect(self) -> WalletConnection:
        """Connect (or ask the host's wallet to); return the account and chain."""
        ...

    async def read(self, account: str) -> WalletReading:
        """Balances, verification, deposits, flow and vault minimums of ``account``."""
        ...

    async def send_purchase(self, *, payer: str, buyer: str, amount_wei: int) -> str:
        """Sign and send a one-time purchase; return the tx hash."""
        ...

    async def send_stream(
        self, action: StreamAction, *, sender: str, buyer: str, flow_rate: int
    ) -> str:
        """Sign and send a stream create / update / delete; return the tx hash."""
        ...

    async def wait_for_receipt(self, tx_hash: str) -> TxReceiptInfo:
        """Wait for the receipt; raise ``ChainError`` on revert or timeout."""
        ...

    async def switch_chain(self, chain_id: int) -> None:
        """Ask the wallet to move to ``chain_id``."""
        ...

    async def sign_message(self, account: str, message: str) -> str:
        """EIP-191 ``personal_sign`` of ``message``; ``0x``-hex signature."""
        ...
