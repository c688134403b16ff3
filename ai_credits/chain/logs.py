"""Decode the vault's ``GdDeposited`` and ``StreamUpdated`` logs from a transaction receipt.

Receipts may come from web3.py (``AttributeDict`` with ``HexBytes``) or as raw JSON-RPC objects
(hex strings); both are accepted.  Logs of other contracts or events are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_credits.chain.abi import GDDEPOSITED_TOPIC, STREAMUPDATED_TOPIC
from ai_credits.core.onchain import DepositEvent, StreamEvent
from ai_credits.ethcrypto import to_checksum_address

__all__ = [
    "parse_deposit_events",
    "parse_stream_events",
    "parse_vault_logs",
    "receipt_block",
    "receipt_hash",
]


def _to_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        text = value[2:] if value.startswith("0x") else value
        return bytes.fromhex(text)
    raise TypeError(f"expected bytes or hex, got {type(value).__name__}")


def _to_int(value: object) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 16) if value.startswith("0x") else int(value)
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _hex(value: object) -> str:
    return "0x" + _to_bytes(value).hex()


def _topic_address(topic: object) -> str:
    return str(to_checksum_address(_to_bytes(topic)[-20:]))


def receipt_hash(receipt: Mapping[str, Any]) -> str:
    """The receipt's transaction hash as lower-case ``0x`` hex."""
    return _hex(receipt["transactionHash"])


def receipt_block(receipt: Mapping[str, Any]) -> int:
    """The receipt's block number (0 when absent)."""
    value = receipt.get("blockNumber")
    return 0 if value is None else _to_int(value)


def _vault_logs(
    receipt: Mapping[str, Any], topic0: str, vault: str | None
) -> list[tuple[Mapping[str, Any], Sequence[object]]]:
    wanted = bytes.fromhex(topic0[2:])
    vault_lower = vault.lower() if vault else None
    found = []
    for log in receipt.get("logs", []):
        topics = log.get("topics", [])
        if not topics or _to_bytes(topics[0]) != wanted or len(topics) < 3:
            continue
        if vault_lower is not None and str(log.get("address", "")).lower() != vault_lower:
            continue
        found.append((log, topics))
    return found


def parse_deposit_events(
    receipt: Mapping[str, Any], *, vault: str | None = None
) -> list[DepositEvent]:
    """Every ``GdDeposited`` in ``receipt`` (only those emitted by ``vault`` when given)."""
    tx_hash = receipt_hash(receipt)
    block = receipt_block(receipt)
    events = []
    for log, topics in _vault_logs(receipt, GDDEPOSITED_TOPIC, vault):
        from eth_abi.abi import decode as abi_decode

        amount, _data = abi_decode(["uint256", "bytes"], _to_bytes(log["data"]))
        events.append(
            DepositEvent(
                tx_hash=tx_hash,
                log_index=_to_int(log.get("logIndex", 0)),
                account=_topic_address(topics[1]),
                buyer=_topic_address(topics[2]),
                gd_amount_wei=int(amount),
                block_number=block,
            )
        )
    return events


def parse_stream_events(
    receipt: Mapping[str, Any], *, vault: str | None = None
) -> list[StreamEvent]:
    """Every ``StreamUpdated`` in ``receipt`` (only those emitted by ``vault`` when given)."""
    tx_hash = receipt_hash(receipt)
    block = receipt_block(receipt)
    events = []
    for log, topics in _vault_logs(receipt, STREAMUPDATED_TOPIC, vault):
        from eth_abi.abi import decode as abi_decode

        rate, monthly, total = abi_decode(["int96", "uint256", "uint256"], _to_bytes(log["data"]))
        events.append(
            StreamEvent(
                tx_hash=tx_hash,
                log_index=_to_int(log.get("logIndex", 0)),
                account=_topic_address(topics[1]),
                buyer=_topic_address(topics[2]),
                flow_rate=int(rate),
                monthly_gd_wei=int(monthly),
                total_flow_wei=int(total),
                block_number=block,
            )
        )
    return events


def parse_vault_logs(
    logs: Sequence[Mapping[str, Any]], *, vault: str | None = None
) -> tuple[list[DepositEvent], list[StreamEvent]]:
    """The vault's events in loose logs (an ``eth_getLogs`` answer), each with its own tx hash
    and block, in the order given."""
    deposits: list[DepositEvent] = []
    streams: list[StreamEvent] = []
    for log in logs:
        one = {
            "transactionHash": log["transactionHash"],
            "blockNumber": log.get("blockNumber"),
            "logs": [log],
        }
        deposits += parse_deposit_events(one, vault=vault)
        streams += parse_stream_events(one, vault=vault)
    return deposits, streams
