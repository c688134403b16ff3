"""Address validation shared by the builders, the wallets and the config."""

from __future__ import annotations

from eth_typing import ChecksumAddress
from eth_utils.address import is_checksum_address, is_hex_address, to_checksum_address

from ai_credits.chain.errors import InvalidTxInput

__all__ = ["ZERO_ADDRESS", "as_checksum", "checksum_address"]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def checksum_address(value: object, *, field: str = "address") -> str:
    """Return ``value`` as an EIP-55 checksummed address or raise :class:`InvalidTxInput`.

    All-lowercase and all-uppercase hex are accepted; mixed case must carry a valid checksum.
    """
    if not isinstance(value, str) or not is_hex_address(value) or not value.startswith("0x"):
        raise InvalidTxInput("invalid_input", f"The {field} is not a valid address.")
    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise InvalidTxInput("invalid_input", f"The {field} has a bad checksum.")
    return str(to_checksum_address(value))


def as_checksum(value: str) -> ChecksumAddress:
    """Validate ``value`` like :func:`checksum_address` and type it for web3.py."""
    return to_checksum_address(checksum_address(value))
