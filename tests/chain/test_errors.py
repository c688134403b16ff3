"""The wallet-error mapping table: every input a wallet, node or web3.py may produce."""

from __future__ import annotations

import aiohttp
import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    ProviderConnectionError,
    TimeExhausted,
    Web3RPCError,
)

from ai_credits.chain import MESSAGES, ChainError, decode_revert, map_wallet_error


def sel(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


def error_string(reason: str) -> str:
    return sel("Error(string)") + encode(["string"], [reason]).hex()


FIRST = sel("FirstDepositBelowMinimum()")
STREAM = sel("StreamRateBelowMinimum()")
SHORTFALL = sel("ERC20InsufficientBalance(address,uint256,uint256)") + encode(
    ["address", "uint256", "uint256"], ["0x" + "11" * 20, 1, 2]
).hex()
PANIC = sel("Panic(uint256)") + encode(["uint256"], [0x11]).hex()

CASES: list[tuple[str, object, str]] = [
    ("eip1193 4001 int", 4001, "user_rejected"),
    ("eip1193 4001 object", {"code": 4001, "message": "User rejected the request."}, "user_rejected"),
    ("eip1193 4100", {"code": 4100, "message": "Unauthorized"}, "unauthorised"),
    ("eip1193 4200", 4200, "unsupported_method"),
    ("eip1193 4900", {"code": 4900, "message": "Disconnected"}, "disconnected"),
    ("eip1193 4901", 4901, "disconnected"),
    ("unknown chain 4902", 4902, "wrong_chain"),
    ("ethers ACTION_REJECTED", "ACTION_REJECTED", "user_rejected"),
    ("our own code", "account_switched", "account_switched"),
    ("custom error FirstDepositBelowMinimum", FIRST, "first_deposit_below_minimum"),
    ("custom error StreamRateBelowMinimum", STREAM, "stream_rate_below_minimum"),
    ("custom error MissingBuyerAddress", sel("MissingBuyerAddress()"), "missing_buyer"),
    ("custom error ZeroAmount", sel("ZeroAmount()"), "zero_amount"),
    ("custom error ERC20InsufficientBalance", SHORTFALL, "insufficient_gd"),
    ("superfluid shortfall", sel("SF_TOKEN_MOVE_INSUFFICIENT_BALANCE()"), "insufficient_gd"),
    ("revert string ERC20", error_string("ERC20: transfer amount exceeds balance"), "insufficient_gd"),
    ("revert string name", error_string("FirstDepositBelowMinimum"), "first_deposit_below_minimum"),
    ("revert string other", error_string("Ownable: caller is not the owner"), "unknown"),
    ("panic", PANIC, "unknown"),
    ("revert bytes", bytes.fromhex(STREAM[2:]), "stream_rate_below_minimum"),
    (
        "json-rpc revert with data",
        {"code": 3, "message": "execution reverted", "data": FIRST},
        "first_deposit_below_minimum",
    ),
    (
        "metamask nested revert",
        {
            "code": -32603,
            "message": "Internal JSON-RPC error.",
            "data": {"code": 3, "message": "execution reverted", "data": SHORTFALL},
        },
        "insufficient_gd",
    ),
    (
        "node insufficient funds",
        {"code": -32000, "message": "insufficient funds for gas * price + value"},
        "insufficient_gas",
    ),
    ("web3 custom error", ContractCustomError(FIRST, data=FIRST), "first_deposit_below_minimum"),
    (
        "web3 logic error with reason",
        ContractLogicError("execution reverted: ERC20: transfer amount exceeds balance"),
        "insufficient_gd",
    ),
    (
        "web3 rpc error",
        Web3RPCError(
            "x",
            rpc_response={
                "jsonrpc": "2.0",
                "id": 1,
                "error": {"code": -32000, "message": "insufficient funds for gas * price + value"},
            },
        ),
        "insufficient_gas",
    ),
    ("eth-tester revert text", Exception("execution reverted: b'i`\\xd9\\xcc'"), "stream_rate_below_minimum"),
    ("eth-tester no gas", Exception("Sender b'..' cannot afford txn gas 1 with account balance 0"), "insufficient_gas"),
    ("provider down", ProviderConnectionError("Connection refused"), "rpc_unavailable"),
    ("aiohttp down", aiohttp.ClientConnectionError("boom"), "rpc_unavailable"),
    ("socket refused", ConnectionRefusedError(111, "Connection refused"), "rpc_unavailable"),
    ("receipt wait exhausted", TimeExhausted("120s"), "timeout"),
    ("asyncio timeout", TimeoutError(), "timeout"),
    (
        "wrong chain mid-flow",
        {"code": -32602, "message": "Provided chainId 1 must match the active chainId 42220"},
        "wrong_chain",
    ),
    ("raw long dump", "0x08c379a0" + "ff" * 300 + " at Object.<anonymous> (stack)", "unknown"),
    ("unknown object", object(), "unknown"),
    ("unknown int", 1234, "unknown"),
    ("bool is not a code", True, "unknown"),
]


@pytest.mark.parametrize(("error", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mapping_table(error: object, code: str) -> None:
    mapped = map_wallet_error(error)
    assert isinstance(mapped, ChainError)
    assert mapped.code == code
    assert mapped.message == MESSAGES[mapped.chain_code]
    assert "0x" not in mapped.message and len(mapped.message) < 100


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("user_rejected", "Transaction cancelled"),
        ("insufficient_gas", "Not enough CELO for gas"),
        ("insufficient_gd", "Not enough G$ for this payment"),
        ("unknown", "Payment failed. Try again."),
    ],
)
def test_product_sentences(code: str, sentence: str) -> None:
    assert map_wallet_error(code).message == sentence


def test_chain_errors_pass_through_and_keep_raw_detail_out_of_the_message() -> None:
    original = ChainError("timeout")
    assert map_wallet_error(original) is original
    mapped = map_wallet_error(Exception("x" * 2000))
    assert mapped.message == "Payment failed. Try again."
    assert mapped.detail is not None and len(mapped.detail) <= 500
    assert "x" * 50 not in repr(mapped)
    assert map_wallet_error(4001).eip1193_code == 4001


def test_decode_revert_ignores_garbage() -> None:
    assert decode_revert("0x12") is None
    assert decode_revert("nothex") is None
    assert decode_revert(sel("Error(string)") + "zz") is None
    assert decode_revert(sel("Error(string)") + "00") is None


async def test_an_unreachable_node_is_rpc_unavailable() -> None:
    from ai_credits.chain import ChainConfig, ChainReader, Web3ChainEventSource
    from ai_credits.core.onchain import ChainEventSource

    config = ChainConfig(rpc_url="http://127.0.0.1:9", rpc_retries=0)  # nothing listens on 9
    async with ChainReader(config) as reader:
        with pytest.raises(ChainError) as caught:
            await reader.chain_id()
        assert caught.value.code == "rpc_unavailable"
        source = Web3ChainEventSource(reader)
        assert isinstance(source, ChainEventSource)
        with pytest.raises(ChainError) as caught:
            await source.current_flow_rate("0x" + "11" * 20)
        assert caught.value.code == "rpc_unavailable"
