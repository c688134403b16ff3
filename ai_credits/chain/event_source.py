"""``ChainEventSource`` on a real node: receipts, flow rates, and the Worker's other Celo reads."""

from __future__ import annotations

from ai_credits.chain.addresses import ZERO_ADDRESS, checksum_address
from ai_credits.chain.logs import parse_deposit_events, parse_stream_events, parse_vault_logs
from ai_credits.chain.reader import ChainReader
from ai_credits.core.onchain import DepositEvent, ReceiptNotFoundError, StreamEvent

__all__ = ["Web3ChainEventSource"]


class Web3ChainEventSource:
    """Implements :class:`ai_credits.core.onchain.ChainEventSource` and
    :class:`~ai_credits.core.onchain.WorkerChainReads` against a node.

    Only logs emitted by the configured vault count.  ``deposit_events`` / ``stream_events`` yield
    ``[]`` for an unknown or unmined hash (and for a reverted one: it has no logs);
    ``receipt_events`` raises :class:`ReceiptNotFoundError` instead, as the Worker does.
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

    async def receipt_events(self, tx_hash: str) -> tuple[list[DepositEvent], list[StreamEvent]]:
        """The vault's events in the receipt of ``tx_hash``; :class:`ReceiptNotFoundError` while
        the node has no receipt (unknown or not mined yet)."""
        receipt = await self.reader.receipt(tx_hash)
        if receipt is None:
            raise ReceiptNotFoundError(tx_hash)
        vault = self.reader.config.vault
        return parse_deposit_events(receipt, vault=vault), parse_stream_events(receipt, vault=vault)

    async def account_events(
        self, account: str, from_block: str, to_block: str
    ) -> tuple[list[DepositEvent], list[StreamEvent]]:
        """``account``'s vault events in a block range (``eth_getLogs``, as the Worker filters)."""
        logs = await self.reader.vault_logs(account, from_block, to_block)
        return parse_vault_logs(logs, vault=self.reader.config.vault)

    async def gd_price(self) -> str | None:
        """The oracle price (see :meth:`ChainReader.gd_price`)."""
        return await self.reader.gd_price()

    async def goodid_root(self, account: str) -> str | None:
        """``getWhitelistedRoot(account)`` lower-cased; ``None`` for the zero address."""
        root = await self.reader.whitelisted_root(account)
        return None if root == ZERO_ADDRESS else root.lower()

    def addresses(self) -> dict[str, str]:
        """The Worker's ``CELO_*_ADDRESS`` keys as this node is configured."""
        cfg = self.reader.config
        keys = {
            "CELO_VAULT_ADDRESS": cfg.vault,
            "CELO_GOODID_ADDRESS": cfg.goodid,
            "CELO_STATIC_ORACLE_ADDRESS": cfg.price_oracle,
            "CELO_CUSD_ADDRESS": cfg.cusd,
            "CELO_GD_SUPERTOKEN_ADDRESS": cfg.gd_token,
        }
        return {k: checksum_address(v) for k, v in keys.items() if v is not None}
