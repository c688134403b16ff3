"""The few contract functions and events the chain layer uses: signatures, selectors, ABIs.

Selectors and topics are computed from the signatures at import; the tests check them against
the constants written in CHAIN.md.
"""

from __future__ import annotations

from typing import Any, Final

from eth_utils.abi import event_signature_to_log_topic, function_signature_to_4byte_selector

__all__ = [
    "CREATE_FLOW_SELECTOR",
    "DELETE_FLOW_SELECTOR",
    "DEPOSIT_SELECTOR",
    "ERC20_ABI",
    "FORWARDER_ABI",
    "GDDEPOSITED_SIGNATURE",
    "GDDEPOSITED_TOPIC",
    "GOODID_ABI",
    "STATIC_ORACLE_ABI",
    "STREAMUPDATED_SIGNATURE",
    "STREAMUPDATED_TOPIC",
    "TRANSFER_AND_CALL_SELECTOR",
    "UPDATE_FLOW_SELECTOR",
    "VAULT_ABI",
    "selector",
    "topic",
]


def selector(signature: str) -> str:
    """``0x``-hex 4-byte selector of a function or error signature."""
    return "0x" + bytes(function_signature_to_4byte_selector(signature)).hex()


def topic(signature: str) -> str:
    """``0x``-hex topic0 of an event signature."""
    return "0x" + bytes(event_signature_to_log_topic(signature)).hex()


TRANSFER_AND_CALL_SELECTOR: Final = selector("transferAndCall(address,uint256,bytes)")
DEPOSIT_SELECTOR: Final = selector("deposit(uint256,bytes)")
CREATE_FLOW_SELECTOR: Final = selector("createFlow(address,address,address,int96,bytes)")
UPDATE_FLOW_SELECTOR: Final = selector("updateFlow(address,address,address,int96,bytes)")
DELETE_FLOW_SELECTOR: Final = selector("deleteFlow(address,address,address,bytes)")

GDDEPOSITED_SIGNATURE: Final = "GdDeposited(address,address,uint256,bytes)"
STREAMUPDATED_SIGNATURE: Final = "StreamUpdated(address,address,int96,uint256,uint256)"
GDDEPOSITED_TOPIC: Final = topic(GDDEPOSITED_SIGNATURE)
STREAMUPDATED_TOPIC: Final = topic(STREAMUPDATED_SIGNATURE)


def _fn(
    name: str,
    inputs: list[tuple[str, str]],
    outputs: list[str],
    *,
    view: bool = True,
) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "stateMutability": "view" if view else "nonpayable",
        "inputs": [{"name": n, "type": t} for n, t in inputs],
        "outputs": [{"name": "", "type": t} for t in outputs],
    }


ERC20_ABI: Final[list[dict[str, Any]]] = [
    _fn("balanceOf", [("account", "address")], ["uint256"]),
    _fn("decimals", [], ["uint8"]),
    _fn(
        "transferAndCall",
        [("to", "address"), ("amount", "uint256"), ("data", "bytes")],
        ["bool"],
        view=False,
    ),
]
VAULT_ABI: Final[list[dict[str, Any]]] = [
    _fn("minFirstDepositUsd", [], ["uint256"]),
    _fn("minMonthlyStreamUsd", [], ["uint256"]),
    _fn("totalDepositedGd", [("account", "address")], ["uint256"]),
]
GOODID_ABI: Final[list[dict[str, Any]]] = [
    _fn("getWhitelistedRoot", [("account", "address")], ["address"]),
]
FORWARDER_ABI: Final[list[dict[str, Any]]] = [
    _fn(
        "getFlowrate",
        [("token", "address"), ("sender", "address"), ("receiver", "address")],
        ["int96"],
    ),
]
STATIC_ORACLE_ABI: Final[list[dict[str, Any]]] = [
    _fn(
        "quoteAllAvailablePoolsWithTimePeriod",
        [
            ("baseAmount", "uint128"),
            ("baseToken", "address"),
            ("quoteToken", "address"),
            ("period", "uint32"),
        ],
        ["uint256", "address[]"],
    ),
]
"""The StaticOracle view the credits Worker prices G$ with (``fetchCurrentGdPrice``)."""
