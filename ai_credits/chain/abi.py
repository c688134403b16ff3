"""The few contract functions and events the chain layer uses: signatures, selectors, ABIs.

Selectors and topics are written out (importing this module needs no keccak); the tests
recompute them from the signatures and check them against the constants written in CHAIN.md.
"""

from __future__ import annotations

from typing import Any, Final

from ai_credits.ethcrypto import keccak

__all__ = [
    "CREATE_FLOW_SELECTOR",
    "DELETE_FLOW_SELECTOR",
    "DEPOSIT_SELECTOR",
    "ERC20_ABI",
    "FORWARDER_ABI",
    "GDDEPOSITED_SIGNATURE",
    "GDDEPOSITED_TOPIC",
    "GOODID_ABI",
    "SELECTOR_SIGNATURES",
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
    return "0x" + keccak(signature.encode()).hex()[:8]


def topic(signature: str) -> str:
    """``0x``-hex topic0 of an event signature."""
    return "0x" + keccak(signature.encode()).hex()


TRANSFER_AND_CALL_SELECTOR: Final = "0x4000aea0"  # transferAndCall(address,uint256,bytes)
DEPOSIT_SELECTOR: Final = "0x5d303519"  # deposit(uint256,bytes)
CREATE_FLOW_SELECTOR: Final = "0xe15536b6"  # createFlow(address,address,address,int96,bytes)
UPDATE_FLOW_SELECTOR: Final = "0x0c033991"  # updateFlow(address,address,address,int96,bytes)
DELETE_FLOW_SELECTOR: Final = "0xb4b333c6"  # deleteFlow(address,address,address,bytes)
SELECTOR_SIGNATURES: Final[dict[str, str]] = {
    TRANSFER_AND_CALL_SELECTOR: "transferAndCall(address,uint256,bytes)",
    DEPOSIT_SELECTOR: "deposit(uint256,bytes)",
    CREATE_FLOW_SELECTOR: "createFlow(address,address,address,int96,bytes)",
    UPDATE_FLOW_SELECTOR: "updateFlow(address,address,address,int96,bytes)",
    DELETE_FLOW_SELECTOR: "deleteFlow(address,address,address,bytes)",
}
"""Each selector above and the signature it is the keccak of (checked by the tests)."""

GDDEPOSITED_SIGNATURE: Final = "GdDeposited(address,address,uint256,bytes)"
STREAMUPDATED_SIGNATURE: Final = "StreamUpdated(address,address,int96,uint256,uint256)"
GDDEPOSITED_TOPIC: Final = "0x6454b818b49bb83ba0718319446613da4d728cec1497d68360bcefe367a3143b"
STREAMUPDATED_TOPIC: Final = "0x7b396962b590dfd15b62fa9f75a9392cce82c6aec69be439b07209561407ab10"


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
