"""Chain and wallet failures as :class:`ChainError` with a stable ``code`` and a human sentence.

:func:`map_wallet_error` turns anything a wallet, node or web3.py may raise — EIP-1193 error objects
and codes, JSON-RPC errors, revert data (custom errors and ``Error(string)``), connection failures,
timeouts — into one :class:`ChainError`.  The raw text is kept in ``detail`` for logs only; the
``message`` is always one of :data:`MESSAGES`, never a revert dump.
"""

from __future__ import annotations

import ast
import asyncio
import re
import sys
from collections.abc import Mapping
from typing import Final, Literal, get_args

from ai_credits.errors import AiCreditsError, ValidationError

__all__ = [
    "CUSTOM_ERROR_SELECTORS",
    "CUSTOM_ERROR_SIGNATURES",
    "EIP1193_CODES",
    "MESSAGES",
    "ChainError",
    "ChainErrorCode",
    "InvalidTxInput",
    "decode_revert",
    "map_wallet_error",
]

ChainErrorCode = Literal[
    "user_rejected",
    "unauthorised",
    "unsupported_method",
    "disconnected",
    "insufficient_gas",
    "insufficient_gd",
    "first_deposit_below_minimum",
    "stream_rate_below_minimum",
    "missing_buyer",
    "zero_amount",
    "rpc_unavailable",
    "wrong_chain",
    "account_switched",
    "timeout",
    "invalid_input",
    "unknown",
]
_CODES: Final[frozenset[str]] = frozenset(get_args(ChainErrorCode))

GENERIC_MESSAGE: Final = "Payment failed. Try again."

MESSAGES: Final[dict[ChainErrorCode, str]] = {
    "user_rejected": "Transaction cancelled",
    "unauthorised": "Your wallet did not allow this request. Reconnect it and try again.",
    "unsupported_method": "Your wallet does not support this request.",
    "disconnected": "Your wallet is disconnected. Reconnect it and try again.",
    "insufficient_gas": "Not enough CELO for gas",
    "insufficient_gd": "Not enough G$ for this payment",
    "first_deposit_below_minimum": "Your first payment must be worth at least $1.",
    "stream_rate_below_minimum": "A stream must be worth at least $1 per 30 days.",
    "missing_buyer": "No account was given to receive the credits.",
    "zero_amount": "Enter an amount greater than zero.",
    "rpc_unavailable": "The Celo network cannot be reached right now. Try again in a moment.",
    "wrong_chain": "Switch your wallet to Celo to continue.",
    "account_switched": "Your wallet account changed. Check the account and try again.",
    "timeout": "The payment is taking too long to confirm. Check your wallet before trying again.",
    "invalid_input": "This payment request is not valid.",
    "unknown": GENERIC_MESSAGE,
}
"""The sentence shown for each code (PRODUCT.md §8, CHAIN.md)."""

EIP1193_CODES: Final[dict[int, ChainErrorCode]] = {
    4001: "user_rejected",
    4100: "unauthorised",
    4200: "unsupported_method",
    4900: "disconnected",
    4901: "disconnected",
    4902: "wrong_chain",  # wallet_switchEthereumChain: chain not added to the wallet
}

_STRING_CODES: Final[dict[str, ChainErrorCode]] = {
    # ethers-style string codes a JS host may forward as is
    "ACTION_REJECTED": "user_rejected",
    "INSUFFICIENT_FUNDS": "insufficient_gas",
    "NETWORK_ERROR": "rpc_unavailable",
    "SERVER_ERROR": "rpc_unavailable",
    "TIMEOUT": "timeout",
}


CUSTOM_ERROR_SIGNATURES: Final[dict[str, ChainErrorCode]] = {
    "FirstDepositBelowMinimum()": "first_deposit_below_minimum",
    "StreamRateBelowMinimum()": "stream_rate_below_minimum",
    "MissingBuyerAddress()": "missing_buyer",
    "ZeroAmount()": "zero_amount",
    "ERC20InsufficientBalance(address,uint256,uint256)": "insufficient_gd",
    "SF_TOKEN_MOVE_INSUFFICIENT_BALANCE()": "insufficient_gd",
    "SF_TOKEN_BURN_INSUFFICIENT_BALANCE()": "insufficient_gd",
    "CFA_INSUFFICIENT_BALANCE()": "insufficient_gd",
}
"""The custom errors we recognise in revert data, by signature."""

CUSTOM_ERROR_SELECTORS: Final[dict[bytes, ChainErrorCode]] = {
    bytes.fromhex("b4c0ac9a"): "first_deposit_below_minimum",
    bytes.fromhex("6960d9cc"): "stream_rate_below_minimum",
    bytes.fromhex("b2b0b9ed"): "missing_buyer",
    bytes.fromhex("1f2a2005"): "zero_amount",
    bytes.fromhex("e450d38c"): "insufficient_gd",
    bytes.fromhex("2f4cb941"): "insufficient_gd",
    bytes.fromhex("10ecdf44"): "insufficient_gd",
    bytes.fromhex("ea76c9b3"): "insufficient_gd",
}
"""4-byte selectors of :data:`CUSTOM_ERROR_SIGNATURES`, in the same order (written out so that
importing this module needs no keccak; the tests recompute them)."""

_ERROR_STRING_SELECTOR: Final = bytes.fromhex("08c379a0")  # Error(string)

# Ordered: the first matching fragment (lower-case) wins.
_TEXT_PATTERNS: Final[tuple[tuple[str, ChainErrorCode], ...]] = (
    ("firstdepositbelowminimum", "first_deposit_below_minimum"),
    ("first deposit", "first_deposit_below_minimum"),
    ("streamratebelowminimum", "stream_rate_below_minimum"),
    ("missingbuyeraddress", "missing_buyer"),
    ("zeroamount", "zero_amount"),
    ("user rejected", "user_rejected"),
    ("user denied", "user_rejected"),
    ("rejected by user", "user_rejected"),
    ("user cancel", "user_rejected"),
    ("insufficient funds", "insufficient_gas"),
    ("enough balance to cover", "insufficient_gas"),
    ("cannot afford txn gas", "insufficient_gas"),
    ("gas required exceeds allowance", "insufficient_gas"),
    ("exceeds balance", "insufficient_gd"),
    ("insufficient balance", "insufficient_gd"),
    ("erc20insufficientbalance", "insufficient_gd"),
    ("must match the active chainid", "wrong_chain"),
    ("chain mismatch", "wrong_chain"),
    ("connection refused", "rpc_unavailable"),
    ("cannot connect", "rpc_unavailable"),
    ("could not connect", "rpc_unavailable"),
    ("failed to connect", "rpc_unavailable"),
    ("disconnected", "disconnected"),
)


class ChainError(AiCreditsError):
    """A wallet or chain failure.  ``code`` is stable; ``message`` is a sentence for the user.

    ``detail`` keeps a shortened raw description for logs; never show it to a user.
    ``reverted`` is set only when the chain mined the transaction with status 0 — the one
    receipt failure after which no G$ can have moved (a timeout or an unreachable node says
    nothing about the transaction).
    """

    code: str = "unknown"

    def __init__(
        self,
        code: ChainErrorCode,
        message: str | None = None,
        *,
        detail: str | None = None,
        eip1193_code: int | None = None,
        reverted: bool = False,
    ) -> None:
        super().__init__(message if message is not None else MESSAGES[code], code=code)
        self.detail = detail[:500] if detail else None
        self.eip1193_code = eip1193_code
        self.reverted = reverted

    @property
    def chain_code(self) -> ChainErrorCode:
        """``code`` typed as a :data:`ChainErrorCode`."""
        code = self.code
        return code if code in _CODES else "unknown"  # type: ignore[return-value]


class InvalidTxInput(ChainError, ValidationError):
    """Malformed input rejected by a transaction builder (address, amount, buyer, flow rate).

    It is both a :class:`ChainError` (so wallets raise one type) and a
    :class:`~ai_credits.errors.ValidationError` (typed validation error at a boundary).
    """


_REVERT_IN_TEXT: Final = re.compile(
    r"execution reverted:?\s*(0x[0-9a-fA-F]{8,}|b'(?:[^'\\]|\\.)*'|b\"(?:[^\"\\]|\\.)*\")"
)


def _revert_in_text(text: str) -> ChainErrorCode | None:
    """Revert data embedded in a message: ``execution reverted: 0x…`` or (eth-tester) ``b'…'``."""
    match = _REVERT_IN_TEXT.search(text)
    if match is None:
        return None
    payload = match.group(1)
    if payload.startswith("0x"):
        return decode_revert(payload)
    try:
        raw = ast.literal_eval(payload)
    except (ValueError, SyntaxError):
        return None
    return decode_revert(raw) if isinstance(raw, bytes) else None


def _code_from_text(text: str) -> ChainErrorCode | None:
    if (code := _revert_in_text(text)) is not None:
        return code
    lowered = text.lower()
    for fragment, code in _TEXT_PATTERNS:
        if fragment in lowered:
            return code
    return None


def _as_bytes(data: object) -> bytes | None:
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    return None


def decode_revert(data: bytes | str) -> ChainErrorCode | None:
    """The code for revert ``data`` (custom-error selector or ``Error(string)``), else ``None``."""
    raw = _as_bytes(data)
    if raw is None or len(raw) < 4:
        return None
    selector = raw[:4]
    if selector in CUSTOM_ERROR_SELECTORS:
        return CUSTOM_ERROR_SELECTORS[selector]
    if selector == _ERROR_STRING_SELECTOR:
        try:
            from eth_abi.abi import decode as abi_decode

            (reason,) = abi_decode(["string"], raw[4:])
        except Exception:
            return None
        return _code_from_text(str(reason))
    return None


def _from_mapping(error: Mapping[str, object], detail: str) -> ChainError:
    raw_code = error.get("code")
    data = error.get("data")
    nested: object = data.get("data") if isinstance(data, Mapping) else data
    if isinstance(nested, str | bytes) and (code := decode_revert(nested)) is not None:
        return ChainError(code, detail=detail)
    if isinstance(data, Mapping) and ("code" in data or "message" in data):
        inner = _from_mapping(data, detail)
        if inner.code != "unknown":
            return inner
    if isinstance(raw_code, int) and raw_code in EIP1193_CODES:
        return ChainError(EIP1193_CODES[raw_code], detail=detail, eip1193_code=raw_code)
    if isinstance(raw_code, str):
        if raw_code in _CODES:
            return ChainError(raw_code, detail=detail)  # type: ignore[arg-type]
        if raw_code in _STRING_CODES:
            return ChainError(_STRING_CODES[raw_code], detail=detail)
    message = error.get("message")
    if isinstance(message, str) and (code := _code_from_text(message)) is not None:
        return ChainError(code, detail=detail)
    return ChainError("unknown", detail=detail)


def map_wallet_error(error: object) -> ChainError:
    """Map any wallet / node / web3.py failure to a :class:`ChainError`.

    Accepts a :class:`ChainError` (returned unchanged), an EIP-1193 code (``4001``), one of our
    codes or an ethers code as a string, revert data (``"0x…"``), an EIP-1193 / JSON-RPC error
    object (``{"code": 4001, "message": …}``), or an exception.
    """
    if isinstance(error, ChainError):
        return error
    detail = repr(error)
    if isinstance(error, bool):
        return ChainError("unknown", detail=detail)
    if isinstance(error, int):
        code = EIP1193_CODES.get(error, "unknown")
        return ChainError(code, detail=detail, eip1193_code=error)
    if isinstance(error, str | bytes | bytearray):
        if isinstance(error, str) and error in _CODES:
            return ChainError(error, detail=detail)  # type: ignore[arg-type]
        if isinstance(error, str) and error in _STRING_CODES:
            return ChainError(_STRING_CODES[error], detail=detail)
        if (code_ := decode_revert(bytes(error) if isinstance(error, bytearray) else error)):
            return ChainError(code_, detail=detail)
        text = error if isinstance(error, str) else ""
        return ChainError(_code_from_text(text) or "unknown", detail=detail)
    if isinstance(error, Mapping):
        return _from_mapping(error, detail)
    if isinstance(error, BaseException) and "web3.exceptions" in sys.modules:
        # web3's and aiohttp's exceptions exist only once they are imported: looked up then
        return _from_web3(error, detail)
    return _from_exception(error, detail)


def _from_web3(error: BaseException, detail: str) -> ChainError:
    from web3.exceptions import (
        ContractLogicError,
        ProviderConnectionError,
        RequestTimedOut,
        TimeExhausted,
        Web3RPCError,
    )

    if isinstance(error, TimeExhausted | asyncio.TimeoutError | TimeoutError):
        return ChainError("timeout", detail=detail)
    if isinstance(error, ProviderConnectionError | RequestTimedOut | ConnectionError) or (
        _is_aiohttp_error(error)
    ):
        return ChainError("rpc_unavailable", detail=detail)
    if isinstance(error, ContractLogicError):
        data = error.data
        revert = data.get("data") if isinstance(data, Mapping) else data
        if isinstance(revert, str) and (code_ := decode_revert(revert)) is not None:
            return ChainError(code_, detail=detail)
        return ChainError(_code_from_text(str(error.message or "")) or "unknown", detail=detail)
    if isinstance(error, Web3RPCError):
        response = error.rpc_response or {}
        rpc_error = response.get("error")
        if isinstance(rpc_error, Mapping):
            return _from_mapping(rpc_error, detail)
        return ChainError(_code_from_text(str(error.message)) or "unknown", detail=detail)
    return _from_exception(error, detail)


def _is_aiohttp_error(error: BaseException) -> bool:
    aiohttp = sys.modules.get("aiohttp")
    return aiohttp is not None and isinstance(error, aiohttp.ClientError)


def _from_exception(error: object, detail: str) -> ChainError:
    if isinstance(error, asyncio.TimeoutError | TimeoutError):
        return ChainError("timeout", detail=detail)
    if isinstance(error, BaseException) and (
        isinstance(error, ConnectionError) or _is_aiohttp_error(error)
    ):
        return ChainError("rpc_unavailable", detail=detail)
    if isinstance(error, BaseException):
        for arg in error.args:
            if isinstance(arg, Mapping):
                return _from_mapping(arg, detail)
        return ChainError(_code_from_text(str(error)) or "unknown", detail=detail)
    return ChainError("unknown", detail=detail)
