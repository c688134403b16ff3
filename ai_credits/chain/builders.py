"""Unsigned transaction requests for a one-time purchase and for streams.

The builders validate their input and return a frozen :class:`TxRequest` that a custodial wallet
signs itself or an injected wallet hands to the host (``eth_sendTransaction`` parameters).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from ai_credits.chain.abi import (
    CREATE_FLOW_SELECTOR,
    DELETE_FLOW_SELECTOR,
    TRANSFER_AND_CALL_SELECTOR,
    UPDATE_FLOW_SELECTOR,
)
from ai_credits.chain.addresses import ZERO_ADDRESS, checksum_address
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.errors import InvalidTxInput
from ai_credits.ethcrypto import abi_encode

__all__ = [
    "INT96_MAX",
    "StreamAction",
    "TxRequest",
    "build_purchase_tx",
    "build_stream_tx",
    "encode_buyer",
]

StreamAction = Literal["create", "update", "delete"]
INT96_MAX: Final = 2**95 - 1
UINT256_MAX: Final = 2**256 - 1


class TxRequest(BaseModel):
    """An unsigned transaction: what ``eth_sendTransaction`` needs besides ``from``."""

    model_config = ConfigDict(frozen=True)

    to: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$")
    data: str = Field(pattern=r"^0x([0-9a-f]{2})*$")
    value: int = Field(default=0, ge=0)
    chain_id: int = Field(gt=0)
    gas: int | None = Field(default=None, gt=0)

    def as_rpc(self, sender: str) -> dict[str, str]:
        """The request as JSON-RPC ``eth_sendTransaction`` parameters (hex quantities)."""
        params = {
            "from": sender,
            "to": self.to,
            "data": self.data,
            "value": hex(self.value),
            "chainId": hex(self.chain_id),
        }
        if self.gas is not None:
            params["gas"] = hex(self.gas)
        return params


def encode_buyer(buyer: str) -> bytes:
    """``abi.encode(buyer)``: 12 zero bytes then the 20-byte address; rejects the zero address."""
    checked = checksum_address(buyer, field="buyer address")
    if checked == ZERO_ADDRESS:
        raise InvalidTxInput("missing_buyer")
    return abi_encode(["address"], [checked])


def _positive_amount(amount_wei: object) -> int:
    if not isinstance(amount_wei, int) or isinstance(amount_wei, bool):
        raise InvalidTxInput("invalid_input", "The amount must be a whole number of G$ wei.")
    if amount_wei <= 0:
        raise InvalidTxInput("zero_amount")
    if amount_wei > UINT256_MAX:
        raise InvalidTxInput("invalid_input", "The amount is too large.")
    return amount_wei


def build_purchase_tx(
    *,
    payer: str,
    buyer: str,
    amount_wei: int,
    config: ChainConfig | None = None,
) -> TxRequest:
    """``G$.transferAndCall(vault, amount_wei, abi.encode(buyer))`` sent by ``payer``.

    Raises :class:`InvalidTxInput` (code ``invalid_input``, ``zero_amount`` or ``missing_buyer``).
    """
    cfg = config or ChainConfig()
    sender = checksum_address(payer, field="payer address")
    if sender == ZERO_ADDRESS:
        raise InvalidTxInput("invalid_input", "The payer address is the zero address.")
    amount = _positive_amount(amount_wei)
    args = abi_encode(["address", "uint256", "bytes"], [cfg.vault, amount, encode_buyer(buyer)])
    return TxRequest(
        to=cfg.gd_token, data=TRANSFER_AND_CALL_SELECTOR + args.hex(), chain_id=cfg.chain_id
    )


def build_stream_tx(
    action: StreamAction,
    *,
    sender: str,
    buyer: str,
    flow_rate: int,
    config: ChainConfig | None = None,
) -> TxRequest:
    """A CFAv1Forwarder call starting, changing or stopping ``sender``'s G$ flow to the vault.

    ``create`` / ``update`` need ``0 < flow_rate <= 2**95-1`` (int96, wei per second); ``delete``
    ignores the rate but still checks it is a valid int96 ``>= 0``.  ``userData`` is always
    ``abi.encode(buyer)``.
    """
    cfg = config or ChainConfig()
    who = checksum_address(sender, field="sender address")
    if who == ZERO_ADDRESS:
        raise InvalidTxInput("invalid_input", "The sender address is the zero address.")
    user_data = encode_buyer(buyer)
    if not isinstance(flow_rate, int) or isinstance(flow_rate, bool):
        raise InvalidTxInput("invalid_input", "The flow rate must be a whole number.")
    if flow_rate < 0 or flow_rate > INT96_MAX:
        raise InvalidTxInput("invalid_input", "The flow rate is out of range.")
    if action == "delete":
        args = abi_encode(
            ["address", "address", "address", "bytes"], [cfg.gd_token, who, cfg.vault, user_data]
        )
        return TxRequest(
            to=cfg.cfa_forwarder, data=DELETE_FLOW_SELECTOR + args.hex(), chain_id=cfg.chain_id
        )
    if action not in ("create", "update"):
        raise InvalidTxInput("invalid_input", "Unknown stream action.")
    if flow_rate == 0:
        raise InvalidTxInput("zero_amount")
    prefix = CREATE_FLOW_SELECTOR if action == "create" else UPDATE_FLOW_SELECTOR
    args = abi_encode(
        ["address", "address", "address", "int96", "bytes"],
        [cfg.gd_token, who, cfg.vault, flow_rate, user_data],
    )
    return TxRequest(to=cfg.cfa_forwarder, data=prefix + args.hex(), chain_id=cfg.chain_id)
