"""Transaction builders, selectors/topics, calldata decoding and network helpers (encoding only)."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import decode as abi_decode

from ai_credits.chain import (
    CREATE_FLOW_SELECTOR,
    DELETE_FLOW_SELECTOR,
    GDDEPOSITED_TOPIC,
    INT96_MAX,
    STREAMUPDATED_TOPIC,
    TRANSFER_AND_CALL_SELECTOR,
    UPDATE_FLOW_SELECTOR,
    ChainConfig,
    ChainError,
    DecodedPurchase,
    DecodedStream,
    InvalidTxInput,
    build_purchase_tx,
    build_stream_tx,
    chain_name,
    decode_tx_request,
    encode_buyer,
    is_supported_chain,
    switch_chain_params,
)
from ai_credits.errors import ValidationError

PAYER = "0xD5c126845193Bb88a1C1b850dF6942BFF4102707"
BUYER = "0x000000000000000000000000000000000000bEEF"
CELO = ChainConfig()

# Constants as written in CHAIN.md (copied by hand, not computed).
CHAIN_MD = {
    "transferAndCall": "0x4000aea0",
    "createFlow": "0xe15536b6",
    "updateFlow": "0x0c033991",
    "deleteFlow": "0xb4b333c6",
    "GdDeposited": "0x6454b818b49bb83ba0718319446613da4d728cec1497d68360bcefe367a3143b",
    "StreamUpdated": "0x7b396962b590dfd15b62fa9f75a9392cce82c6aec69be439b07209561407ab10",
}


@pytest.mark.parametrize(
    ("ours", "name"),
    [
        (TRANSFER_AND_CALL_SELECTOR, "transferAndCall"),
        (CREATE_FLOW_SELECTOR, "createFlow"),
        (UPDATE_FLOW_SELECTOR, "updateFlow"),
        (DELETE_FLOW_SELECTOR, "deleteFlow"),
        (GDDEPOSITED_TOPIC, "GdDeposited"),
        (STREAMUPDATED_TOPIC, "StreamUpdated"),
    ],
)
def test_selectors_and_topics_equal_chain_md(ours: str, name: str) -> None:
    assert ours == CHAIN_MD[name]


def test_purchase_tx_calls_transfer_and_call_on_the_token() -> None:
    tx = build_purchase_tx(payer=PAYER, buyer=BUYER.lower(), amount_wei=12 * 10**18)
    assert (tx.to, tx.value, tx.chain_id, tx.gas) == (CELO.gd_token, 0, 42220, None)
    assert tx.data.startswith("0x4000aea0")
    vault, amount, data = abi_decode(["address", "uint256", "bytes"], bytes.fromhex(tx.data[10:]))
    assert (vault.lower(), amount) == (CELO.vault.lower(), 12 * 10**18)
    assert data == bytes(12) + bytes.fromhex(BUYER[2:])
    assert data == encode_buyer(BUYER)
    assert decode_tx_request(tx) == DecodedPurchase(
        token=CELO.gd_token, vault=CELO.vault, amount_wei=12 * 10**18, buyer=BUYER
    )
    with pytest.raises(Exception):  # noqa: B017 - frozen model
        tx.value = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("action", "selector", "rate"),
    [("create", "0xe15536b6", 5), ("update", "0x0c033991", INT96_MAX), ("delete", "0xb4b333c6", 0)],
)
def test_stream_tx_calls_the_forwarder(action: Any, selector: str, rate: int) -> None:
    tx = build_stream_tx(action, sender=PAYER, buyer=BUYER, flow_rate=rate)
    assert tx.to == CELO.cfa_forwarder and tx.data[:10] == selector
    decoded = decode_tx_request(tx)
    assert decoded == DecodedStream(
        action=action,
        token=CELO.gd_token,
        sender=PAYER,
        receiver=CELO.vault,
        flow_rate=rate,
        buyer=BUYER,
    )


def test_builders_use_the_given_config() -> None:
    cfg = ChainConfig(chain_id=44787, gd_token="0x" + "11" * 20, vault="0x" + "22" * 20)
    tx = build_purchase_tx(payer=PAYER, buyer=BUYER, amount_wei=1, config=cfg)
    assert (tx.chain_id, tx.to.lower()) == (44787, "0x" + "11" * 20)
    assert tx.as_rpc(PAYER) == {
        "from": PAYER,
        "to": tx.to,
        "data": tx.data,
        "value": "0x0",
        "chainId": "0xaef3",
    }


BAD_PURCHASES = [
    ({"payer": "0x123"}, "invalid_input"),
    ({"payer": "not an address"}, "invalid_input"),
    ({"payer": PAYER.lower()[:-1] + "g"}, "invalid_input"),
    ({"payer": "0xd5C126845193Bb88a1C1b850dF6942BFF4102707"}, "invalid_input"),  # bad checksum
    ({"payer": "0x" + "00" * 20}, "invalid_input"),
    ({"payer": 42}, "invalid_input"),
    ({"buyer": "0x" + "00" * 20}, "missing_buyer"),
    ({"buyer": ""}, "invalid_input"),
    ({"amount_wei": 0}, "zero_amount"),
    ({"amount_wei": -5}, "zero_amount"),
    ({"amount_wei": 2**256}, "invalid_input"),
    ({"amount_wei": 1.5}, "invalid_input"),
    ({"amount_wei": True}, "invalid_input"),
    ({"amount_wei": "100"}, "invalid_input"),
]


@pytest.mark.parametrize(("override", "code"), BAD_PURCHASES)
def test_purchase_builder_rejects_bad_input(override: dict[str, Any], code: str) -> None:
    kwargs: dict[str, Any] = {"payer": PAYER, "buyer": BUYER, "amount_wei": 10**18, **override}
    with pytest.raises(InvalidTxInput) as caught:
        build_purchase_tx(**kwargs)
    assert caught.value.code == code
    assert isinstance(caught.value, ValidationError) and isinstance(caught.value, ChainError)


BAD_STREAMS = [
    ("create", {"flow_rate": 0}, "zero_amount"),
    ("update", {"flow_rate": 0}, "zero_amount"),
    ("create", {"flow_rate": -1}, "invalid_input"),
    ("create", {"flow_rate": INT96_MAX + 1}, "invalid_input"),
    ("delete", {"flow_rate": -1}, "invalid_input"),
    ("update", {"flow_rate": 1.0}, "invalid_input"),
    ("create", {"buyer": "0x" + "00" * 20}, "missing_buyer"),
    ("delete", {"buyer": "0x" + "00" * 20}, "missing_buyer"),
    ("create", {"sender": "0xzz"}, "invalid_input"),
    ("pause", {}, "invalid_input"),
]


@pytest.mark.parametrize(("action", "override", "code"), BAD_STREAMS)
def test_stream_builder_rejects_bad_input(action: Any, override: dict[str, Any], code: str) -> None:
    kwargs: dict[str, Any] = {"sender": PAYER, "buyer": BUYER, "flow_rate": 10**15, **override}
    with pytest.raises(InvalidTxInput) as caught:
        build_stream_tx(action, **kwargs)
    assert caught.value.code == code


def test_decode_rejects_foreign_calldata() -> None:
    tx = build_purchase_tx(payer=PAYER, buyer=BUYER, amount_wei=1)
    with pytest.raises(InvalidTxInput):
        decode_tx_request(tx.model_copy(update={"data": "0xdeadbeef"}))
    with pytest.raises(InvalidTxInput):
        decode_tx_request(tx.model_copy(update={"data": tx.data[:20]}))


@pytest.mark.parametrize(
    ("chain_id", "config", "supported"),
    [
        (42220, None, True),
        (44787, None, False),
        (1, None, False),
        (131277322940537, None, False),
        (131277322940537, ChainConfig(extra_supported_chain_ids=(131277322940537,)), True),
        (131277322940537, ChainConfig(chain_id=131277322940537), True),
        (42220, ChainConfig(chain_id=131277322940537), False),
    ],
)
def test_supported_chains(chain_id: int, config: ChainConfig | None, supported: bool) -> None:
    assert is_supported_chain(chain_id, config) is supported


def test_switch_params_and_names() -> None:
    assert switch_chain_params() == {"chainId": "0xa4ec"}
    assert switch_chain_params(ChainConfig(chain_id=44787)) == {"chainId": "0xaef3"}
    assert [chain_name(i) for i in (1, 10, 122, 137, 8453, 42161, 42220, 44787)] == [
        "Ethereum", "Optimism", "Fuse", "Polygon", "Base", "Arbitrum", "Celo", "Celo Alfajores",
    ]
    assert chain_name(131277322940537) == "Chain 131277322940537"


def test_config_defaults_are_chain_md_addresses() -> None:
    assert (CELO.rpc_url, CELO.chain_id) == ("https://forno.celo.org", 42220)
    assert CELO.gd_token == "0x62B8B11039FcfE5aB0C56E502b1C372A3d2a9c7A"
    assert CELO.vault == "0x4Dd0136b9aabD5823cf0F65d89e8fB882C660885"
    assert CELO.goodid == "0xC361A6E67822a0EDc17D899227dd9FC50BD62F42"
    assert CELO.cfa_forwarder == "0xcfA132E353cB4E398080B9700609bb008eceB125"
    with pytest.raises(ValueError):
        ChainConfig(vault="0x1234")
