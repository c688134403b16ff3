"""Read-only access to G$, the vault, GoodID and the CFAv1Forwarder through web3.py (async)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
from eth_typing import HexStr
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.exceptions import TransactionNotFound
from web3.providers.rpc.utils import ExceptionRetryConfiguration
from web3.types import TxReceipt

from ai_credits.chain.abi import ERC20_ABI, FORWARDER_ABI, GOODID_ABI, VAULT_ABI
from ai_credits.chain.addresses import ZERO_ADDRESS, as_checksum, checksum_address
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.errors import ChainError, InvalidTxInput, map_wallet_error
from ai_credits.chain.models import WalletReading

__all__ = ["ChainReader", "check_tx_hash"]

T = TypeVar("T")
_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def check_tx_hash(tx_hash: object) -> str:
    """Return ``tx_hash`` lower-cased, or raise :class:`InvalidTxInput` when malformed."""
    if not isinstance(tx_hash, str) or not _TX_HASH.match(tx_hash):
        raise InvalidTxInput("invalid_input", "The transaction hash is not valid.")
    return tx_hash.lower()


def _http_provider(config: ChainConfig) -> AsyncHTTPProvider:
    retry = (
        ExceptionRetryConfiguration(retries=config.rpc_retries) if config.rpc_retries else None
    )
    return AsyncHTTPProvider(
        config.rpc_url,
        request_kwargs={"timeout": aiohttp.ClientTimeout(total=config.rpc_timeout_s)},
        exception_retry_configuration=retry,
    )


class ChainReader:
    """Reads chain state for the widget.  Every failure raises :class:`ChainError`.

    Pass ``w3`` to reuse a connection (tests pass one on eth-tester); otherwise an
    ``AsyncHTTPProvider`` on ``config.rpc_url`` is created.
    """

    def __init__(self, config: ChainConfig | None = None, *, w3: AsyncWeb3[Any] | None = None):
        self.config = config or ChainConfig()
        self.w3: AsyncWeb3[Any] = w3 or AsyncWeb3(_http_provider(self.config))
        eth = self.w3.eth
        cfg = self.config
        self._token = eth.contract(address=as_checksum(cfg.gd_token), abi=ERC20_ABI)
        self._vault = eth.contract(address=as_checksum(cfg.vault), abi=VAULT_ABI)
        self._goodid = eth.contract(address=as_checksum(cfg.goodid), abi=GOODID_ABI)
        self._forwarder = eth.contract(
            address=as_checksum(cfg.cfa_forwarder), abi=FORWARDER_ABI
        )

    async def aclose(self) -> None:
        """Close the provider's HTTP session (a reader that made its own provider owns one)."""
        disconnect = getattr(self.w3.provider, "disconnect", None)
        if disconnect is not None:
            await disconnect()

    async def __aenter__(self) -> ChainReader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @staticmethod
    async def _rpc(call: Awaitable[T]) -> T:
        try:
            return await call
        except ChainError:
            raise
        except Exception as exc:
            raise map_wallet_error(exc) from exc

    async def chain_id(self) -> int:
        """The chain id the node reports."""
        return int(await self._rpc(self.w3.eth.chain_id))

    async def block_number(self) -> int:
        """The latest block number."""
        return int(await self._rpc(self.w3.eth.block_number))

    async def celo_balance(self, account: str) -> int:
        """Native balance (CELO wei) of ``account``, which pays for gas."""
        who = checksum_address(account)
        return int(await self._rpc(self.w3.eth.get_balance(as_checksum(who))))

    async def g_balance(self, account: str) -> int:
        """G$ balance of ``account`` in wei."""
        who = checksum_address(account)
        return int(await self._rpc(self._token.functions.balanceOf(who).call()))

    async def g_decimals(self) -> int:
        """Decimals of the G$ token (18)."""
        return int(await self._rpc(self._token.functions.decimals().call()))

    async def whitelisted_root(self, account: str) -> str:
        """GoodID root of ``account`` (the zero address when not verified)."""
        who = checksum_address(account)
        root = await self._rpc(self._goodid.functions.getWhitelistedRoot(who).call())
        return checksum_address(str(root))

    async def is_verified(self, account: str) -> bool:
        """Whether ``account`` is GoodID-verified (non-zero whitelisted root)."""
        return await self.whitelisted_root(account) != ZERO_ADDRESS

    def _to_micro_usd(self, value: int) -> int:
        divisor: int = 10**self.config.vault_usd_decimals
        return value * 1_000_000 // divisor

    async def min_first_deposit_usd(self) -> int:
        """The vault's first-deposit minimum in micro-USD."""
        raw = await self._rpc(self._vault.functions.minFirstDepositUsd().call())
        return self._to_micro_usd(int(raw))

    async def min_monthly_stream_usd(self) -> int:
        """The vault's minimum monthly stream value in micro-USD."""
        raw = await self._rpc(self._vault.functions.minMonthlyStreamUsd().call())
        return self._to_micro_usd(int(raw))

    async def total_deposited_gd(self, account: str) -> int:
        """G$ wei ``account`` has deposited into the vault so far."""
        who = checksum_address(account)
        return int(await self._rpc(self._vault.functions.totalDepositedGd(who).call()))

    async def flow_rate(self, sender: str) -> int:
        """``sender``'s current G$ flow rate to the vault in wei/second (0 when none)."""
        who = checksum_address(sender)
        cfg = self.config
        rate = await self._rpc(
            self._forwarder.functions.getFlowrate(cfg.gd_token, who, cfg.vault).call()
        )
        return max(0, int(rate))

    async def reading(self, account: str) -> WalletReading:
        """Everything the widget shows for ``account``, read concurrently."""
        who = checksum_address(account)
        (chain, balance, verified, deposited, rate, min_first, min_stream) = await asyncio.gather(
            self.chain_id(),
            self.g_balance(who),
            self.is_verified(who),
            self.total_deposited_gd(who),
            self.flow_rate(who),
            self.min_first_deposit_usd(),
            self.min_monthly_stream_usd(),
        )
        return WalletReading(
            account=who,
            chain_id=chain,
            g_balance_wei=balance,
            verified=verified,
            total_deposited_wei=deposited,
            flow_rate=rate,
            min_first_deposit_usd=min_first,
            min_monthly_stream_usd=min_stream,
        )

    async def receipt(self, tx_hash: str) -> TxReceipt | None:
        """The receipt of ``tx_hash``, or ``None`` while unknown / not mined."""
        checked = check_tx_hash(tx_hash)
        try:
            return await self._rpc(self.w3.eth.get_transaction_receipt(HexStr(checked)))
        except ChainError as err:
            if isinstance(err.__cause__, TransactionNotFound):
                return None
            raise

    async def revert_code(self, tx_hash: str) -> ChainError:
        """Why a mined transaction reverted: replays it as a call and maps the revert data."""
        checked = check_tx_hash(tx_hash)
        try:
            tx = await self.w3.eth.get_transaction(HexStr(checked))
            block = int(tx["blockNumber"] or 0)
            call: dict[str, Any] = {
                "from": tx["from"],
                "to": tx["to"],
                "data": tx["input"],
                "value": tx["value"],
            }
            await self.w3.eth.call(call, block_identifier=max(0, block - 1))  # type: ignore[arg-type]
        except Exception as exc:
            return map_wallet_error(exc)
        return ChainError("unknown", detail="reverted on chain; replay did not revert")
