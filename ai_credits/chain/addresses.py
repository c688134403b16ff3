"""Address validation shared by the builders, the wallets and the config."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ai_credits.chain.errors import InvalidTxInput
from ai_credits.ethcrypto import is_checksum_address, is_hex_address, to_checksum_address

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

__all__ = ["ZERO_ADDRESS", "as_checksum", "checksum_address"]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def checksum_address(value: object, *, field: str = "address") -> str:
    """Return ``value`` as an EIP-55 checksummed address or raise :class:`InvalidTxInput`.

    All-lowercase and all-uppercase hex are accepted; mixed case must carry a valid checksum.
    """
    checked = _checked(value) if isinstance(value, str) else None
    if checked is None:
        raise InvalidTxInput("invalid_input", f"The {field} is not a valid address.")
    if not checked:
        raise InvalidTxInput("invalid_input", f"The {field} has a bad checksum.")
    return checked


@lru_cache(maxsize=4096)
def _checked(value: str) -> str | None:
    """The checksummed address, ``""`` for a bad checksum, ``None`` for not an address."""
    if not is_hex_address(value) or not value.startswith("0x"):
        return None
    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        return ""
    return to_checksum_address(value)


def as_checksum(value: str) -> ChecksumAddress:
    """Validate ``value`` like :func:`checksum_address` and type it for web3.py."""
    return checksum_address(value)  # type: ignore[return-value]
