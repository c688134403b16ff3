"""Log decoding from raw JSON-RPC receipts (the EVM tests cover web3 receipts)."""

from __future__ import annotations

from typing import Any

from eth_abi.abi import encode

from ai_credits.chain import (
    GDDEPOSITED_TOPIC,
    STREAMUPDATED_TOPIC,
    parse_deposit_events,
    parse_stream_events,
)

VAULT = "0x4Dd0136b9aabD5823cf0F65d89e8fB882C660885"
PAYER = "0xD5c126845193Bb88a1C1b850dF6942BFF4102707"
BUYER = "0x000000000000000000000000000000000000bEEF"
TX = "0x" + "12" * 32


def _topic(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def _receipt(*logs: dict[str, Any]) -> dict[str, Any]:
    return {"transactionHash": TX, "blockNumber": "0x2a", "logs": list(logs)}


def deposit_log(address: str = VAULT, index: str = "0x3") -> dict[str, Any]:
    data = encode(["uint256", "bytes"], [7 * 10**18, encode(["address"], [BUYER])])
    return {
        "address": address.lower(),
        "topics": [GDDEPOSITED_TOPIC, _topic(PAYER), _topic(BUYER)],
        "data": "0x" + data.hex(),
        "logIndex": index,
    }


def stream_log() -> dict[str, Any]:
    data = encode(["int96", "uint256", "uint256"], [5, 5 * 2_592_000, 400])
    return {
        "address": VAULT,
        "topics": [STREAMUPDATED_TOPIC, _topic(PAYER), _topic(BUYER)],
        "data": "0x" + data.hex(),
        "logIndex": 0,
    }


def test_decodes_deposits_and_streams_from_hex_receipts() -> None:
    receipt = _receipt(deposit_log(), stream_log())
    [deposit] = parse_deposit_events(receipt, vault=VAULT)
    assert (deposit.tx_hash, deposit.log_index, deposit.block_number) == (TX, 3, 42)
    assert (deposit.account, deposit.buyer, deposit.gd_amount_wei) == (PAYER, BUYER, 7 * 10**18)
    [stream] = parse_stream_events(receipt, vault=VAULT)
    assert (stream.flow_rate, stream.monthly_gd_wei, stream.total_flow_wei) == (
        5,
        5 * 2_592_000,
        400,
    )


def test_ignores_other_emitters_and_other_events() -> None:
    impostor = deposit_log(address="0x" + "66" * 20)
    transfer = {**deposit_log(), "topics": ["0x" + "dd" * 32, _topic(PAYER), _topic(BUYER)]}
    receipt = _receipt(impostor, transfer)
    assert parse_deposit_events(receipt, vault=VAULT) == []
    assert len(parse_deposit_events(receipt)) == 1  # without a vault filter the impostor counts
    assert parse_stream_events(receipt, vault=VAULT) == []
