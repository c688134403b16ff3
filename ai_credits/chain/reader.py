"""Read-only access to G$, the vault, GoodID and the CFAv1Forwarder through web3.py (async)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ai_credits.chain.abi import (
    ERC20_ABI,
    FORWARDER_ABI,
    GDDEPOSITED_TOPIC,
    GOODID_ABI,
    STATIC_ORACLE_ABI,
    STREAMUPDATED_TOPIC,
    VAULT_ABI,
)
from ai_credits.chain.addresses import ZERO_ADDRESS, as_checksum, checksum_address
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.errors import ChainError, InvalidTxInput, map_wallet_error
from ai_credits.chain.models import WalletReading

if TYPE_CHECKING:  # web3 and aiohttp are imported when a reader is made, not with this module
    from eth_typing import HexStr
    from web3 import AsyncHTTPProvider, AsyncWeb3
    from web3.providers.rpc.utils import ExceptionRetryConfiguration
    from web3.types import TxReceipt

__all__ = ["ORACLE_BASE_AMOUNT", "ChainReader", "check_block_tag", "check_tx_hash", "price_text"]

T = TypeVar("T")
_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_BLOCK_TAG = re.compile(r"^(latest|0x[0-9a-fA-F]+|\d+)$")
ORACLE_BASE_AMOUNT = 10**18
"""The oracle is asked for the cUSD value of one whole G$ (``baseAmount`` = 1e18 wei)."""


def price_text(quote_amount: int) -> str | None:
    """The Worker's price from an oracle quote, as text: ``Number(quoteAmount) / 1e18``.

    JavaScript's ``Number(bigint)`` and Python's ``float(int)`` both round to the nearest double,
    and the division is the same IEEE operation, so ``repr`` names exactly the Worker's double.
    ``None`` when the price is not positive (the Worker then falls back to ``GD_CUSD_PRICE``).
    """
    price = float(quote_amount) / 1e18
    return repr(price) if price > 0 else None


def check_block_tag(tag: object) -> str | int:
    """A block tag as the Worker accepts it (``latest``, ``0x…`` or decimal text) for a node:
    ``latest`` and hex stay text, decimal text becomes an int; anything else is invalid."""
    if not isinstance(tag, str) or not _BLOCK_TAG.match(tag):
        raise InvalidTxInput("invalid_input", "The block number is not valid.")
    return int(tag) if tag.isdigit() else tag


def check_tx_hash(tx_hash: object) -> str:
    """Return ``tx_hash`` lower-cased, or raise :class:`InvalidTxInput` when malformed."""
    if not isinstance(tx_hash, str) or not _TX_HASH.match(tx_hash):
        raise InvalidTxInput("invalid_input", "The transaction hash is not valid.")
    return tx_hash.lower()


NOT_RETRIED = frozenset({"eth_sendRawTransaction", "eth_sendTransaction", "eth_sign",
                         "eth_signTypedData"})  # fmt: skip
"""Never resent: a lost answer to a send must not become a second send (or a false failure)."""


def _retry_configuration(config: ChainConfig) -> ExceptionRetryConfiguration | None:
    """Retry transport failures of read calls ``config.rpc_retries`` times, with backoff.

    web3 8 validates the configuration with pydantic: ``errors`` must be a sequence of exception
    types, and ``retries`` counts attempts (so one more than our retries).
    """
    import aiohttp
    from web3.providers.rpc.utils import REQUEST_RETRY_ALLOWLIST, ExceptionRetryConfiguration

    if not config.rpc_retries:
        return None
    return ExceptionRetryConfiguration(
        errors=(aiohttp.ClientError, TimeoutError),
        retries=config.rpc_retries + 1,
        backoff_factor=0.125,
        method_allowlist=[m for m in REQUEST_RETRY_ALLOWLIST if m not in NOT_RETRIED],
    )


def _http_provider(config: ChainConfig) -> AsyncHTTPProvider:
    import aiohttp
    from web3 import AsyncHTTPProvider

    retry = _retry_configuration(config)
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
        from web3 import AsyncWeb3

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
        self._oracle = (
            None
            if cfg.price_oracle is None
            else eth.contract(address=as_checksum(cfg.price_oracle), abi=STATIC_ORACLE_ABI)
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

    async def gd_price_quote(self) -> int:
        """The oracle's ``quoteAmount``: cUSD wei for one G$ over the configured TWAP period.

        The Worker's call: ``quoteAllAvailablePoolsWithTimePeriod(1e18, G$, cUSD, 60)``.  Raises
        :class:`ChainError` when no oracle is configured or the call fails.
        """
        if self._oracle is None:
            raise ChainError("unknown", detail="no price oracle configured")
        cfg = self.config
        call = self._oracle.functions.quoteAllAvailablePoolsWithTimePeriod(
            ORACLE_BASE_AMOUNT, cfg.gd_token, cfg.cusd, cfg.oracle_period_s
        ).call()
        quote_amount, _pools = await self._rpc(call)
        return int(quote_amount)

    async def gd_price(self) -> str | None:
        """cUSD per G$ as the oracle quotes it, as the Worker computes it (see :func:`price_text`).

        ``None`` when not readable: no oracle configured, the call failed or reverted, or a
        non-positive quote — the cases where the Worker falls back to ``GD_CUSD_PRICE``.
        """
        if self._oracle is None:
            return None
        try:
            return price_text(await self.gd_price_quote())
        except ChainError:
            return None

    async def vault_logs(
        self, account: str, from_block: str, to_block: str = "latest"
    ) -> list[Any]:
        """The vault's ``GdDeposited`` / ``StreamUpdated`` logs of ``account`` in a block range
        (the Worker's ``eth_getLogs`` filter), oldest first."""
        who = checksum_address(account)
        account_topic = "0x" + "00" * 12 + who[2:].lower()
        params: dict[str, Any] = {
            "address": as_checksum(self.config.vault),
            "fromBlock": check_block_tag(from_block),
            "toBlock": check_block_tag(to_block),
            "topics": [[GDDEPOSITED_TOPIC, STREAMUPDATED_TOPIC], [account_topic]],
        }
        logs = await self._rpc(self.w3.eth.get_logs(params))  # type: ignore[arg-type]
        return list(logs)

    async def _price_or_none(self) -> str | None:
        try:
            return await self.gd_price()
        except Exception:  # a reading never fails for want of a price
            return None

    async def reading(self, account: str) -> WalletReading:
        """Everything the widget shows for ``account``, read concurrently (with the oracle price
        when an oracle is configured)."""
        who = checksum_address(account)
        reads = await asyncio.gather(
            self.chain_id(),
            self.g_balance(who),
            self.is_verified(who),
            self.total_deposited_gd(who),
            self.flow_rate(who),
            self.min_first_deposit_usd(),
            self.min_monthly_stream_usd(),
            self._price_or_none(),
        )
        chain, balance, verified, deposited, rate, min_first, min_stream, price = reads
        return WalletReading(
            account=who,
            chain_id=chain,
            g_balance_wei=balance,
            verified=verified,
            total_deposited_wei=deposited,
            flow_rate=rate,
            min_first_deposit_usd=min_first,
            min_monthly_stream_usd=min_stream,
            gd_price=price,
        )

    async def receipt(self, tx_hash: str) -> TxReceipt | None:
        """The receipt of ``tx_hash``, or ``None`` while unknown / not mined."""
        checked = check_tx_hash(tx_hash)
        try:
            return await self._rpc(self.w3.eth.get_transaction_receipt(cast("HexStr", checked)))
        except ChainError as err:
            from web3.exceptions import TransactionNotFound

            if isinstance(err.__cause__, TransactionNotFound):
                return None
            raise

    async def revert_code(self, tx_hash: str) -> ChainError:
        """Why a mined transaction reverted: replays it as a call and maps the revert data."""
        checked = check_tx_hash(tx_hash)
        try:
            tx = await self.w3.eth.get_transaction(cast("HexStr", checked))
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
