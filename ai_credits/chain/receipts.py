"""Wait for a transaction receipt on a real node: timeout, confirmations, revert mapping."""

from __future__ import annotations

import asyncio
from typing import Any

from ai_credits.chain.errors import ChainError
from ai_credits.chain.logs import parse_deposit_events, parse_stream_events, receipt_hash
from ai_credits.chain.models import TxReceiptInfo
from ai_credits.chain.reader import ChainReader, check_tx_hash

__all__ = ["await_receipt", "receipt_info"]


def receipt_info(receipt: Any, *, vault: str) -> TxReceiptInfo:
    """A :class:`TxReceiptInfo` from a web3 receipt, with the vault's decoded events."""
    return TxReceiptInfo(
        tx_hash=receipt_hash(receipt),
        block_number=int(receipt["blockNumber"]),
        status=int(receipt["status"]),
        deposits=parse_deposit_events(receipt, vault=vault),
        streams=parse_stream_events(receipt, vault=vault),
    )


async def await_receipt(
    reader: ChainReader,
    tx_hash: str,
    *,
    timeout_s: float | None = None,
    confirmations: int | None = None,
    poll_interval_s: float | None = None,
) -> TxReceiptInfo:
    """Poll until ``tx_hash`` is mined with ``confirmations`` blocks (config defaults).

    Raises ``ChainError``: ``timeout`` when not confirmed within ``timeout_s``; the mapped
    revert reason (``first_deposit_below_minimum`` …, else ``unknown``) when it reverted.
    """
    cfg = reader.config
    checked = check_tx_hash(tx_hash)
    limit = cfg.receipt_timeout_s if timeout_s is None else timeout_s
    needed = cfg.confirmations if confirmations is None else confirmations
    interval = cfg.poll_interval_s if poll_interval_s is None else poll_interval_s
    try:
        async with asyncio.timeout(limit):
            while True:
                receipt = await reader.receipt(checked)
                if receipt is not None:
                    mined = int(receipt["blockNumber"])
                    if await reader.block_number() - mined + 1 >= needed:
                        break
                await asyncio.sleep(interval)
    except TimeoutError as exc:
        raise ChainError("timeout", detail=f"no receipt for {checked} in {limit}s") from exc
    if int(receipt["status"]) != 1:
        error = await reader.revert_code(checked)
        error.reverted = True
        raise error
    return receipt_info(receipt, vault=cfg.vault)
