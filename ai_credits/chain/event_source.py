"""``ChainEventSource`` on a real node: receipts and flow rates through :class:`ChainReader`."""

from __future__ import annotations

from ai_credits.chain.logs import parse_deposit_events, parse_stream_events
from ai_credits.chain.reader import ChainReader
from ai_credits.core.onchain import DepositEvent, StreamEvent

__all__ = ["Web3ChainEventSource"]


class Web3ChainEventSource:
    """Implements :class:`ai_credits.core.onchain.ChainEventSource` against a node.

    Only logs emitted by the configured vault count; an unknown or unmined hash yields ``[]``.
    A reverted transaction yields ``[]`` as well (a reverted tx has no logs).
    """

    def __init__(self, reader: ChainReader) -> None:
        self.reader = reader

    async def deposit_events(self, tx_hash: str) -> list[DepositEvent]:
        """``GdDeposited`` logs of the vault in the receipt of ``tx_hash``."""
        receipt = await self.reader.receipt(tx_hash)
        if receipt is None:
            return []
        return parse_deposit_events(receipt, vault=self.reader.config.vault)

    async def stream_events(self, tx_hash: str) -> list[StreamEvent]:
        """``StreamUpdated`` logs of the vault in the receipt of ``tx_hash``."""
        receipt = await self.reader.receipt(tx_hash)
        if receipt is None:
            return []
        return parse_stream_events(receipt, vault=self.reader.config.vault)

    async def current_flow_rate(self, sender: str) -> int:
        """``getFlowrate(G$, sender, vault)`` via the CFAv1Forwarder."""
        return await self.reader.flow_rate(sender)
