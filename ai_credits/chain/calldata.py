"""Decode a :class:`TxRequest` built by the builders back into what it does.

Used by hosts and fixtures that must show or execute a request ("Pay 12 000 G$ to the vault for
0xabc…") and by the tests as the inverse of the builders.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ai_credits.chain.abi import (
    CREATE_FLOW_SELECTOR,
    DELETE_FLOW_SELECTOR,
    TRANSFER_AND_CALL_SELECTOR,
    UPDATE_FLOW_SELECTOR,
)
from ai_credits.chain.builders import StreamAction, TxRequest
from ai_credits.chain.errors import InvalidTxInput
from ai_credits.ethcrypto import to_checksum_address

__all__ = ["DecodedPurchase", "DecodedStream", "decode_tx_request"]


class DecodedPurchase(BaseModel):
    """``transferAndCall(vault, amount, abi.encode(buyer))`` on the G$ token."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["purchase"] = "purchase"
    token: str
    vault: str
    amount_wei: int
    buyer: str


class DecodedStream(BaseModel):
    """A CFAv1Forwarder ``createFlow`` / ``updateFlow`` / ``deleteFlow``."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["stream"] = "stream"
    action: StreamAction
    token: str
    sender: str
    receiver: str
    flow_rate: int
    buyer: str


def _buyer(user_data: bytes) -> str:
    from eth_abi.abi import decode as abi_decode

    (buyer,) = abi_decode(["address"], user_data)
    return str(to_checksum_address(buyer))


def decode_tx_request(tx: TxRequest) -> DecodedPurchase | DecodedStream:
    """What ``tx`` does; raises :class:`InvalidTxInput` for calldata we did not build."""
    from eth_abi.abi import decode as abi_decode

    selector, body = tx.data[:10], bytes.fromhex(tx.data[10:])
    try:
        if selector == TRANSFER_AND_CALL_SELECTOR:
            vault, amount, data = abi_decode(["address", "uint256", "bytes"], body)
            return DecodedPurchase(
                token=str(to_checksum_address(tx.to)),
                vault=str(to_checksum_address(vault)),
                amount_wei=int(amount),
                buyer=_buyer(data),
            )
        if selector in (CREATE_FLOW_SELECTOR, UPDATE_FLOW_SELECTOR):
            token, sender, receiver, rate, data = abi_decode(
                ["address", "address", "address", "int96", "bytes"], body
            )
            action: StreamAction = "create" if selector == CREATE_FLOW_SELECTOR else "update"
        elif selector == DELETE_FLOW_SELECTOR:
            token, sender, receiver, data = abi_decode(
                ["address", "address", "address", "bytes"], body
            )
            action, rate = "delete", 0
        else:
            raise InvalidTxInput("invalid_input", "Unknown transaction.")
    except InvalidTxInput:
        raise
    except Exception as exc:
        raise InvalidTxInput("invalid_input", "Malformed transaction data.") from exc
    return DecodedStream(
        action=action,
        token=str(to_checksum_address(token)),
        sender=str(to_checksum_address(sender)),
        receiver=str(to_checksum_address(receiver)),
        flow_rate=int(rate),
        buyer=_buyer(data),
    )
