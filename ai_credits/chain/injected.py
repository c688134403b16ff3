"""A wallet in the host's hands (browser extension, WalletConnect …): the library never signs.

Every wallet action becomes a :class:`WalletRequest` in an outbox with ready-to-use EIP-1193
``method`` / ``params``.  The host performs it and reports back with
:meth:`~InjectedWallet.report_hash`, :meth:`~InjectedWallet.report_signature`,
:meth:`~InjectedWallet.report_connection`,
:meth:`~InjectedWallet.report_switched` or :meth:`~InjectedWallet.report_rejection`; the awaiting
call then returns or raises a mapped :class:`ChainError`.  Wallet events that arrive mid-flow
(``chainChanged``, ``accountsChanged``) fail the pending requests they invalidate.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from ai_credits.chain.addresses import checksum_address
from ai_credits.chain.builders import StreamAction, TxRequest, build_purchase_tx, build_stream_tx
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.errors import ChainError, map_wallet_error
from ai_credits.chain.models import TxReceiptInfo, WalletConnection, WalletReading
from ai_credits.chain.reader import ChainReader, check_tx_hash
from ai_credits.chain.receipts import await_receipt
from ai_credits.errors import ValidationError

__all__ = ["InjectedWallet", "NodeReads", "ReadSide", "RequestKind", "WalletRequest"]

RequestKind = Literal["connect", "send_transaction", "sign_message", "switch_chain"]
_SIGNATURE = re.compile(r"^0x[0-9a-fA-F]{130}$")


class WalletRequest(BaseModel):
    """One thing the host's wallet must do, with the EIP-1193 call that does it."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    kind: RequestKind
    method: str
    params: list[Any]
    account: str | None = None
    tx: TxRequest | None = None
    message: str | None = None
    chain_id: int | None = None


class ReadSide(Protocol):
    """Where an injected wallet reads state and receipts (the library's own view of the chain)."""

    async def read(self, account: str) -> WalletReading:
        """A reading of ``account``."""
        ...

    async def wait_for_receipt(self, tx_hash: str) -> TxReceiptInfo:
        """The receipt of ``tx_hash`` once confirmed."""
        ...


class NodeReads:
    """:class:`ReadSide` on a node through :class:`ChainReader`."""

    def __init__(self, reader: ChainReader) -> None:
        self.reader = reader

    async def read(self, account: str) -> WalletReading:
        """See :meth:`ChainReader.reading`."""
        return await self.reader.reading(account)

    async def wait_for_receipt(self, tx_hash: str) -> TxReceiptInfo:
        """See :func:`await_receipt`."""
        return await await_receipt(self.reader, tx_hash)


class InjectedWallet:
    """A :class:`~ai_credits.chain.models.WalletAdapter` whose signing is done by the host.

    Reads and receipts go through ``reads`` (default: a :class:`ChainReader` on
    ``config.rpc_url``; pass a ``MemoryWallet`` to pair it with a :class:`MemoryChain`).
    ``request_timeout_s`` bounds how long a request waits for the host (``timeout``).
    ``on_request`` is called synchronously with every new request (e.g. to push it to a page).
    """

    def __init__(
        self,
        config: ChainConfig | None = None,
        *,
        reads: ReadSide | None = None,
        request_timeout_s: float | None = None,
        on_request: Callable[[WalletRequest], None] | None = None,
    ) -> None:
        self.config = config or ChainConfig()
        self.reads: ReadSide = reads or NodeReads(ChainReader(self.config))
        self.request_timeout_s = request_timeout_s
        self.on_request = on_request
        self.account: str | None = None
        self.chain_id: int | None = None
        self._counter = 0
        self._pending: dict[str, tuple[WalletRequest, asyncio.Future[Any]]] = {}
        self._queue: asyncio.Queue[WalletRequest] = asyncio.Queue()

    # -- the host's side -------------------------------------------------------------------
    def pending(self) -> list[WalletRequest]:
        """Requests still waiting for the host, oldest first."""
        return [request for request, _ in self._pending.values()]

    async def next_request(self) -> WalletRequest:
        """Wait for the next request that is still pending."""
        while True:
            request = await self._queue.get()
            if request.request_id in self._pending:
                return request

    def _resolve(self, request_id: str, kind: RequestKind, value: Any) -> None:
        request, future = self._take(request_id)
        if request.kind != kind:
            self._pending[request_id] = (request, future)
            raise ValidationError(f"Request {request_id} is a {request.kind} request.")
        if not future.done():
            future.set_result(value)

    def _take(self, request_id: str) -> tuple[WalletRequest, asyncio.Future[Any]]:
        try:
            return self._pending.pop(request_id)
        except KeyError:
            raise ValidationError(f"No pending wallet request {request_id!r}.") from None

    def report_hash(self, request_id: str, tx_hash: str) -> None:
        """The host's wallet sent the transaction of ``request_id``."""
        checked = check_tx_hash(tx_hash)
        self._resolve(request_id, "send_transaction", checked)

    def report_signature(self, request_id: str, signature: str) -> None:
        """The host's wallet signed the message of ``request_id``."""
        if not _SIGNATURE.match(signature):
            raise ValidationError("The signature is not 65 bytes of 0x-hex.")
        self._resolve(request_id, "sign_message", signature.lower())

    def report_connection(self, request_id: str, account: str, chain_id: int) -> None:
        """The host's wallet connected ``account`` on ``chain_id``."""
        who = checksum_address(account)
        self._resolve(request_id, "connect", WalletConnection(account=who, chain_id=chain_id))
        self.account, self.chain_id = who, chain_id

    def report_switched(self, request_id: str) -> None:
        """The host's wallet moved to the requested chain."""
        request, future = self._take(request_id)
        self.chain_id = request.chain_id
        if not future.done():
            future.set_result(None)

    def report_rejection(self, request_id: str, error: object) -> None:
        """The host's wallet refused or failed: ``error`` is an EIP-1193 code or error object,
        one of our codes, revert data, or an exception (see :func:`map_wallet_error`)."""
        _, future = self._take(request_id)
        if not future.done():
            future.set_exception(map_wallet_error(error))

    def notify_chain_changed(self, chain_id: int) -> None:
        """EIP-1193 ``chainChanged``: pending transactions fail with ``wrong_chain``."""
        self.chain_id = chain_id
        if chain_id != self.config.chain_id:
            self._fail_where(lambda r: r.kind == "send_transaction", "wrong_chain")

    def notify_accounts_changed(self, accounts: list[str]) -> None:
        """EIP-1193 ``accountsChanged``: pending requests of another account fail with
        ``account_switched``; an empty list means the wallet disconnected."""
        if not accounts:
            self.account = None
            self._fail_where(lambda r: r.kind != "connect", "disconnected")
            return
        current = checksum_address(accounts[0])
        self.account = current
        self._fail_where(
            lambda r: r.account is not None and r.account != current, "account_switched"
        )

    def _fail_where(self, predicate: Callable[[WalletRequest], bool], code: Any) -> None:
        for request_id, (request, future) in list(self._pending.items()):
            if predicate(request):
                del self._pending[request_id]
                if not future.done():
                    future.set_exception(ChainError(code))

    # -- the library's side ----------------------------------------------------------------
    async def _ask(self, kind: RequestKind, method: str, params: list[Any], **extra: Any) -> Any:
        self._counter += 1
        request = WalletRequest(
            request_id=f"req-{self._counter}", kind=kind, method=method, params=params, **extra
        )
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request.request_id] = (request, future)
        self._queue.put_nowait(request)
        if self.on_request is not None:
            self.on_request(request)
        try:
            async with asyncio.timeout(self.request_timeout_s):
                return await future
        except TimeoutError as exc:
            self._pending.pop(request.request_id, None)
            raise ChainError("timeout", detail=f"{kind} not answered") from exc
        except asyncio.CancelledError:
            self._pending.pop(request.request_id, None)
            raise

    async def connect(self) -> WalletConnection:
        """Ask the host's wallet for its account (``eth_requestAccounts``)."""
        connection: WalletConnection = await self._ask("connect", "eth_requestAccounts", [])
        return connection

    async def read(self, account: str) -> WalletReading:
        """Read through :attr:`reads` (never through the host's wallet)."""
        return await self.reads.read(account)

    async def _send(self, tx: TxRequest, sender: str) -> str:
        if self.chain_id is not None and self.chain_id != tx.chain_id:
            raise ChainError("wrong_chain", detail=f"wallet on {self.chain_id}")
        if self.account is not None and self.account != sender:
            raise ChainError("account_switched", detail=f"wallet account is {self.account}")
        tx_hash: str = await self._ask(
            "send_transaction", "eth_sendTransaction", [tx.as_rpc(sender)], account=sender, tx=tx
        )
        return tx_hash

    async def send_purchase(self, *, payer: str, buyer: str, amount_wei: int) -> str:
        """Hand the host an unsigned ``transferAndCall``; return the hash it reports."""
        tx = build_purchase_tx(payer=payer, buyer=buyer, amount_wei=amount_wei, config=self.config)
        return await self._send(tx, checksum_address(payer))

    async def send_stream(
        self, action: StreamAction, *, sender: str, buyer: str, flow_rate: int
    ) -> str:
        """Hand the host an unsigned forwarder call; return the hash it reports."""
        tx = build_stream_tx(
            action, sender=sender, buyer=buyer, flow_rate=flow_rate, config=self.config
        )
        return await self._send(tx, checksum_address(sender))

    async def wait_for_receipt(self, tx_hash: str) -> TxReceiptInfo:
        """Wait through :attr:`reads` (see :func:`await_receipt` for a node)."""
        return await self.reads.wait_for_receipt(check_tx_hash(tx_hash))

    async def switch_chain(self, chain_id: int) -> None:
        """Ask the host's wallet to switch (``wallet_switchEthereumChain``)."""
        await self._ask(
            "switch_chain",
            "wallet_switchEthereumChain",
            [{"chainId": hex(chain_id)}],
            chain_id=chain_id,
        )

    async def sign_message(self, account: str, message: str) -> str:
        """Ask the host's wallet for ``personal_sign`` of ``message``."""
        who = checksum_address(account)
        signature: str = await self._ask(
            "sign_message",
            "personal_sign",
            ["0x" + message.encode().hex(), who],
            account=who,
            message=message,
        )
        return signature
