"""ai_credits.ethcrypto against the chain stack it stands in for: the same addresses, checksums,
signatures, recoveries, ABI words, selectors and topics, byte for byte."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as eth_abi_encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.abi import event_signature_to_log_topic, function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address as eth_checksum
from eth_utils.crypto import keccak as eth_keccak

from ai_credits import ethcrypto
from ai_credits.chain import abi
from ai_credits.chain.errors import CUSTOM_ERROR_SELECTORS, CUSTOM_ERROR_SIGNATURES
from fixtures.wallets import ACCOUNTS, throwaway_key

KEYS = [throwaway_key(name) for name in ("verified", "unverified", "empty", "a", "b", "c")]
MESSAGES = ["", "hello", "héllo ✓\nline two", "x" * 1000]


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 3])
def test_keccak(data: bytes) -> None:
    assert ethcrypto.keccak(data) == eth_keccak(data)


@pytest.mark.parametrize("key", KEYS)
def test_address_of_a_key(key: str) -> None:
    assert ethcrypto.private_key_to_address(key) == Account.from_key(key).address
    assert ethcrypto.private_key_to_address(bytes.fromhex(key[2:])) == Account.from_key(key).address


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("text", MESSAGES)
def test_personal_sign_and_recover_match_eth_account(key: str, text: str) -> None:
    ours = ethcrypto.sign_personal(text, key)
    theirs = Account.sign_message(encode_defunct(text=text), private_key=key).signature
    assert ours == bytes(theirs)
    address = Account.from_key(key).address
    assert ethcrypto.recover_personal(text, "0x" + ours.hex()) == address
    assert ethcrypto.recover_personal(text, ours) == address
    for v in (ours[64] - 27, ours[64] + 8 + 2 * 42220 - 27):  # raw 0/1 and an EIP-155 v
        other = ours[:64] + v.to_bytes((v.bit_length() + 7) // 8 or 1, "big")
        if len(other) == 65:
            assert ethcrypto.recover_personal(text, other) == Account.recover_message(
                encode_defunct(text=text), signature=other)


@pytest.mark.parametrize("bad", ["", "0x", "0x" + "00" * 65, "0x" + "ab" * 64, "zz" * 65])
def test_malformed_signatures_raise(bad: str) -> None:
    with pytest.raises(Exception):  # noqa: B017  (KeyStore treats every failure alike)
        ethcrypto.recover_personal("hello", bad)


def test_checksums() -> None:
    for account in ACCOUNTS.values():
        lower = account.address.lower()
        assert ethcrypto.to_checksum_address(lower) == eth_checksum(lower) == account.address
        assert ethcrypto.to_checksum_address(lower.upper().replace("0X", "0x")) == account.address
        assert ethcrypto.to_checksum_address(bytes.fromhex(lower[2:])) == account.address
        assert ethcrypto.is_checksum_address(account.address)
        assert not ethcrypto.is_checksum_address(lower)
    assert not ethcrypto.is_hex_address("0x123")
    with pytest.raises(ValueError):
        ethcrypto.to_checksum_address("0xnothex")


@pytest.mark.parametrize(
    ("types", "values"),
    [
        (["address"], ["0x" + "11" * 20]),
        (["address", "uint256", "bytes"], ["0x" + "22" * 20, 12345 * 10**18, b"\x01" * 32]),
        (["address", "uint256", "bytes"], ["0x" + "22" * 20, 2**256 - 1, b""]),
        (["address", "address", "address", "int96", "bytes"],
         ["0x" + "33" * 20, "0x" + "44" * 20, "0x" + "55" * 20, 2**95 - 1, b"\x02" * 33]),
        (["address", "address", "address", "int96", "bytes"],
         ["0x" + "33" * 20, "0x" + "44" * 20, "0x" + "55" * 20, -(2**95), b"\x02" * 64]),
        (["address", "address", "address", "bytes"],
         ["0x" + "33" * 20, "0x" + "44" * 20, "0x" + "55" * 20, b"\x03" * 5]),
    ],
)  # fmt: skip
def test_abi_encode_matches_eth_abi(types: list[str], values: list[object]) -> None:
    assert ethcrypto.abi_encode(types, values) == eth_abi_encode(types, values)


def test_written_out_selectors_and_topics_are_the_keccak_of_their_signatures() -> None:
    for selector, signature in abi.SELECTOR_SIGNATURES.items():
        assert selector == "0x" + function_signature_to_4byte_selector(signature).hex()
        assert abi.selector(signature) == selector
    assert abi.GDDEPOSITED_TOPIC == "0x" + event_signature_to_log_topic(
        abi.GDDEPOSITED_SIGNATURE).hex() == abi.topic(abi.GDDEPOSITED_SIGNATURE)
    assert abi.STREAMUPDATED_TOPIC == "0x" + event_signature_to_log_topic(
        abi.STREAMUPDATED_SIGNATURE).hex() == abi.topic(abi.STREAMUPDATED_SIGNATURE)
    computed = {function_signature_to_4byte_selector(s): code
                for s, code in CUSTOM_ERROR_SIGNATURES.items()}  # fmt: skip
    assert computed == CUSTOM_ERROR_SELECTORS


def test_without_coincurve_eth_keys_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    key, text = KEYS[3], "fallback"
    expected = (ethcrypto.sign_personal(text, key), ethcrypto.private_key_to_address(key))
    monkeypatch.setitem(__import__("sys").modules, "coincurve", None)  # import now fails
    ethcrypto._address_of.cache_clear()
    signature = ethcrypto.sign_personal(text, key)
    assert (signature, ethcrypto.private_key_to_address(key)) == expected
    assert ethcrypto.recover_personal(text, signature) == expected[1]
    ethcrypto._address_of.cache_clear()
