"""The few Ethereum primitives the fixtures, the in-memory chain and the fixture backend need —
keccak-256, EIP-55 addresses, EIP-191 ``personal_sign`` signatures and their recovery, and the
static ABI words of our own calls — without importing the chain stack (``web3``, ``eth_account``,
``eth_utils``, ``eth_abi``: about a second of imports a catalogue build never needs).

Signatures are made and recovered with ``coincurve`` (libsecp256k1, RFC 6979 nonces: the same
bytes ``eth_account`` produces, which ``tests/chain/test_ethcrypto.py`` checks); keccak is plain
Python with a cache.  Without ``coincurve`` the functions fall back to ``eth_keys``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "abi_encode",
    "is_checksum_address",
    "is_hex_address",
    "keccak",
    "personal_message_hash",
    "private_key_to_address",
    "recover_personal",
    "sign_personal",
    "to_checksum_address",
]

_HEX_ADDRESS = re.compile(r"(0[xX])?[0-9a-fA-F]{40}")


_RC = (
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
)  # fmt: skip
_ROT = (0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56,
        14)  # fmt: skip
_PI = tuple(y + 5 * ((2 * x + 3 * y) % 5) for y in range(5) for x in range(5))
_M64 = (1 << 64) - 1
_RATE = 136


def _keccak_f(a: list[int]) -> list[int]:
    """Keccak-f[1600] on 25 lanes (index ``x + 5y``)."""
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[x - 1] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _M64)
             for x in range(5)]  # fmt: skip
        b = [0] * 25
        for i in range(25):
            v, r = a[i] ^ d[i % 5], _ROT[i]
            b[_PI[i]] = ((v << r) | (v >> (64 - r))) & _M64 if r else v
        a = [b[i] ^ (~b[i - i % 5 + (i + 1) % 5] & b[i - i % 5 + (i + 2) % 5])
             for i in range(25)]  # fmt: skip
        a[0] ^= rc
    return a


@lru_cache(maxsize=2048)
def keccak(data: bytes) -> bytes:
    """Keccak-256 of ``data`` (Ethereum's hash, not SHA3-256).

    Plain Python (about 0.3 ms a block), remembered: the fixtures hash a few dozen distinct
    inputs per catalogue build, far less than importing a native implementation costs.
    """
    padded = bytearray(data) + b"\x01" + bytes((-len(data) - 1) % _RATE)
    padded[-1] |= 0x80
    lanes = [0] * 25
    for offset in range(0, len(padded), _RATE):
        for i in range(_RATE // 8):
            start = offset + 8 * i
            lanes[i] ^= int.from_bytes(padded[start : start + 8], "little")
        lanes = _keccak_f(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


def is_hex_address(value: object) -> bool:
    """``eth_utils.is_hex_address``: 40 hex digits, optionally ``0x`` / ``0X`` prefixed."""
    return isinstance(value, str) and _HEX_ADDRESS.fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _checksum(lower_body: str) -> str:
    digest = keccak(lower_body.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if int(d, 16) > 7 else c for c, d in zip(lower_body, digest[:40], strict=True)
    )


def to_checksum_address(value: str | bytes) -> str:
    """The EIP-55 form of a hex address (or of 20 raw bytes); ``ValueError`` otherwise."""
    if isinstance(value, bytes | bytearray):
        if len(value) != 20:
            raise ValueError("an address is 20 bytes")
        return _checksum(bytes(value).hex())
    if not is_hex_address(value):
        raise ValueError(f"not a hex address: {value!r}")
    return _checksum(value[-40:].lower())


def is_checksum_address(value: object) -> bool:
    """``eth_utils.is_checksum_address``: a hex address written exactly in its EIP-55 form."""
    return is_hex_address(value) and value == to_checksum_address(str(value))


def _key_bytes(private_key: bytes | str) -> bytes:
    if isinstance(private_key, str):
        private_key = bytes.fromhex(private_key.removeprefix("0x"))
    if len(private_key) != 32:
        raise ValueError("a private key is 32 bytes")
    return private_key


@lru_cache(maxsize=256)
def _address_of(key: bytes) -> str:
    try:
        from coincurve import PrivateKey
    except ImportError:  # pragma: no cover - coincurve is a dependency
        from eth_keys.datatypes import PrivateKey as EthKey

        public = EthKey(key).public_key.to_bytes()
    else:
        public = PrivateKey(key).public_key.format(compressed=False)[1:]
    return _checksum(keccak(public)[-20:].hex())


def private_key_to_address(private_key: bytes | str) -> str:
    """The checksummed address of a secp256k1 private key (``Account.from_key(k).address``)."""
    return _address_of(_key_bytes(private_key))


def personal_message_hash(text: str) -> bytes:
    """EIP-191 version ``0x45`` hash of ``text`` (``encode_defunct(text=…)``)."""
    body = text.encode("utf-8")
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(body)).encode() + body)


def sign_personal(text: str, private_key: bytes | str) -> bytes:
    """``Account.sign_message(encode_defunct(text=text), key).signature``: r ‖ s ‖ v (27/28)."""
    digest = personal_message_hash(text)
    key = _key_bytes(private_key)
    try:
        from coincurve import PrivateKey
    except ImportError:  # pragma: no cover - coincurve is a dependency
        from eth_keys.datatypes import PrivateKey as EthKey

        raw = EthKey(key).sign_msg_hash(digest).to_bytes()
    else:
        raw = PrivateKey(key).sign_recoverable(digest, hasher=None)
    return raw[:64] + bytes([raw[64] + 27])


def _standard_v(v: int) -> int:
    """``eth_account``'s ``to_standard_v``: 0/1, 27/28 or an EIP-155 v, as 0 or 1."""
    if v >= 35:
        return (v - 35) % 2
    if v in (0, 1):
        return v
    if v in (27, 28):
        return v - 27
    raise ValueError("bad signature v")


def recover_personal(text: str, signature: str | bytes) -> str:
    """The checksummed address that signed ``text`` (``Account.recover_message``); raises
    ``ValueError`` (or coincurve's errors) for a malformed signature."""
    if isinstance(signature, str):
        body = signature[2:] if signature[:2] in ("0x", "0X") else signature
        raw = bytes.fromhex(body if len(body) % 2 == 0 else "0" + body)
    else:
        raw = bytes(signature)
    if len(raw) != 65:
        raise ValueError("a signature is 65 bytes")
    standard = raw[:64] + bytes([_standard_v(raw[64])])
    digest = personal_message_hash(text)
    try:
        from coincurve import PublicKey
    except ImportError:  # pragma: no cover - coincurve is a dependency
        from eth_keys.datatypes import Signature

        public = Signature(signature_bytes=standard).recover_public_key_from_msg_hash(
            digest
        ).to_bytes()
    else:
        public = PublicKey.from_signature_and_message(standard, digest, hasher=None).format(
            compressed=False
        )[1:]
    return _checksum(keccak(public)[-20:].hex())


def _word(kind: str, value: Any) -> bytes:
    if kind == "address":
        return bytes(12) + bytes.fromhex(to_checksum_address(value)[2:])
    if kind == "uint256":
        if not 0 <= value < 2**256:
            raise ValueError("uint256 out of range")
        return int(value).to_bytes(32, "big")
    if kind == "int96":
        if not -(2**95) <= value < 2**95:
            raise ValueError("int96 out of range")
        return int(value).to_bytes(32, "big", signed=True)
    raise ValueError(f"unsupported ABI type {kind}")


def abi_encode(types: Sequence[str], values: Sequence[Any]) -> bytes:
    """``eth_abi.encode`` for the types our calls use: ``address``, ``uint256``, ``int96`` and
    ``bytes`` (heads, then the dynamic tails; checked against eth_abi in the tests)."""
    head, tail = b"", b""
    start = 32 * len(types)
    for kind, value in zip(types, values, strict=True):
        if kind == "bytes":
            data = bytes(value)
            head += (start + len(tail)).to_bytes(32, "big")
            tail += len(data).to_bytes(32, "big") + data + bytes(-len(data) % 32)
        else:
            head += _word(kind, value)
    return head + tail
