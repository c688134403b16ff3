"""The chain/wallet layer: G$ on Celo, the credits vault and Superfluid streams.

- :class:`ChainConfig` and network helpers (:func:`is_supported_chain`,
  :func:`switch_chain_params`);
- transaction builders (:func:`build_purchase_tx`, :func:`build_stream_tx`) returning
  :class:`TxRequest`;
- :class:`ChainReader` (AsyncWeb3) and :class:`Web3ChainEventSource`;
- wallets behind :class:`WalletAdapter`: :class:`CustodialWallet`, :class:`InjectedWallet`,
  and the deterministic :class:`MemoryChain` / :class:`MemoryWallet`;
- :class:`ChainError` and :func:`map_wallet_error`; log decoding of the vault's events.
"""

import ai_credits.recursion_guard  # noqa: F401  (first: restores the recursion limit)
from ai_credits.chain.abi import (
    CREATE_FLOW_SELECTOR,
    DELETE_FLOW_SELECTOR,
    GDDEPOSITED_TOPIC,
    STREAMUPDATED_TOPIC,
    TRANSFER_AND_CALL_SELECTOR,
    UPDATE_FLOW_SELECTOR,
)
from ai_credits.chain.addresses import ZERO_ADDRESS, checksum_address
from ai_credits.chain.builders import (
    INT96_MAX,
    StreamAction,
    TxRequest,
    build_purchase_tx,
    build_stream_tx,
    encode_buyer,
)
from ai_credits.chain.calldata import DecodedPurchase, DecodedStream, decode_tx_request
from ai_credits.chain.config import (
    CELO_CHAIN_ID,
    CHAIN_NAMES,
    ETH_TESTER_CHAIN_ID,
    ChainConfig,
    chain_name,
    is_supported_chain,
    switch_chain_params,
)
from ai_credits.chain.custodial import CustodialWallet
from ai_credits.chain.errors import (
    MESSAGES,
    ChainError,
    ChainErrorCode,
    InvalidTxInput,
    decode_revert,
    map_wallet_error,
)
from ai_credits.chain.event_source import Web3ChainEventSource
from ai_credits.chain.injected import (
    InjectedWallet,
    NodeReads,
    ReadSide,
    RequestKind,
    WalletRequest,
)
from ai_credits.chain.logs import parse_deposit_events, parse_stream_events
from ai_credits.chain.memory import SECONDS_PER_MONTH, MemoryChain, MemoryWallet
from ai_credits.chain.models import TxReceiptInfo, WalletAdapter, WalletConnection, WalletReading
from ai_credits.chain.reader import ChainReader
from ai_credits.chain.receipts import await_receipt

__all__ = [
    "CELO_CHAIN_ID",
    "CHAIN_NAMES",
    "CREATE_FLOW_SELECTOR",
    "DELETE_FLOW_SELECTOR",
    "ETH_TESTER_CHAIN_ID",
    "GDDEPOSITED_TOPIC",
    "INT96_MAX",
    "MESSAGES",
    "SECONDS_PER_MONTH",
    "STREAMUPDATED_TOPIC",
    "TRANSFER_AND_CALL_SELECTOR",
    "UPDATE_FLOW_SELECTOR",
    "ZERO_ADDRESS",
    "ChainConfig",
    "ChainError",
    "ChainErrorCode",
    "ChainReader",
    "CustodialWallet",
    "DecodedPurchase",
    "DecodedStream",
    "InjectedWallet",
    "InvalidTxInput",
    "MemoryChain",
    "MemoryWallet",
    "NodeReads",
    "ReadSide",
    "RequestKind",
    "StreamAction",
    "TxReceiptInfo",
    "TxRequest",
    "WalletAdapter",
    "WalletConnection",
    "WalletReading",
    "WalletRequest",
    "Web3ChainEventSource",
    "await_receipt",
    "build_purchase_tx",
    "build_stream_tx",
    "chain_name",
    "checksum_address",
    "decode_revert",
    "decode_tx_request",
    "encode_buyer",
    "is_supported_chain",
    "map_wallet_error",
    "parse_deposit_events",
    "parse_stream_events",
    "switch_chain_params",
]
