"""A deterministic in-memory chain: G$ balances, GoodID, the vault and flows, plus knobs.

:class:`MemoryChain` is what the catalogue's stories and the fixture backend use instead of an EVM.
It gives :class:`MemoryWallet` adapters (the ``WalletAdapter`` protocol) and implements
``ai_credits.core.onchain.ChainEventSource`` so a backend can "read the chain".  Nothing here reads
the system clock or a random source: time comes from the injected ``clock`` and tx hashes are
``keccak("ai-credits/memory-chain/tx/" + counter)``.

Knobs simulate what real wallets do: :meth:`~MemoryChain.reject_next` (the user presses Reject, or
any wallet error), :meth:`~MemoryChain.revert_next` (mined with status 0),
:meth:`~MemoryChain.set_chain_id` (wallet on another chain), :meth:`~MemoryChain.switch_account`,
:meth:`~MemoryChain.set_rpc_down`, :meth:`~MemoryChain.timeout_next`, ``auto_mine=False`` +
:meth:`~MemoryChain.mine` (keep a payment pending), and balances (``celo_wei=0`` → no gas).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ai_credits.chain.addresses import ZERO_ADDRESS, checksum_address
from ai_credits.chain.builders import StreamAction, build_purchase_tx, build_stream_tx
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.errors import ChainError, ChainErrorCode, map_wallet_error
from ai_credits.chain.models import TxReceiptInfo, WalletConnection, WalletReading
from ai_credits.chain.reader import check_tx_hash
from ai_credits.core.onchain import DepositEvent, StreamEvent
from ai_credits.ethcrypto import keccak, private_key_to_address, sign_personal

__all__ = ["SECONDS_PER_MONTH", "MemoryChain", "MemoryWallet"]

SECONDS_PER_MONTH = 2_592_000
DEFAULT_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z, used when no clock is injected


@dataclass
class _Account:
    address: str
    private_key: bytes | None
    g_balance_wei: int
    celo_wei: int
    root: str


@dataclass
class _Flow:
    rate: int
    buyer: str
    since: int


@dataclass
class _Tx:
    tx_hash: str
    sender: str
    apply: Callable[[str, int], tuple[list[DepositEvent], list[StreamEvent]]]
    revert: ChainErrorCode | None
    block_number: int = 0
    status: int = 0
    deposits: list[DepositEvent] = field(default_factory=list)
    streams: list[StreamEvent] = field(default_factory=list)
    mined: asyncio.Event = field(default_factory=asyncio.Event)


class MemoryChain:
    """A simulated Celo with G$, GoodID, the credits vault and a flow forwarder.

    Amounts: G$ and CELO in wei; ``gd_usd_micro_per_token`` is the price of one whole G$ in
    micro-USD (default 100 = $0.0001, so $1 = 10 000 G$); minimums in micro-USD.
    """

    def __init__(
        self,
        *,
        config: ChainConfig | None = None,
        clock: Callable[[], int] | None = None,
        gd_usd_micro_per_token: int = 100,
        min_first_deposit_usd: int = 1_000_000,
        min_monthly_stream_usd: int = 1_000_000,
        gas_fee_wei: int = 10**15,
        stream_buffer_seconds: int = 14_400,
        auto_mine: bool = True,
    ) -> None:
        self.config = config or ChainConfig()
        self.clock: Callable[[], int] = clock or (lambda: DEFAULT_TIME)
        self.gd_usd_micro_per_token = gd_usd_micro_per_token
        self.min_first_deposit_usd = min_first_deposit_usd
        self.min_monthly_stream_usd = min_monthly_stream_usd
        self.gas_fee_wei = gas_fee_wei
        self.stream_buffer_seconds = stream_buffer_seconds
        self.auto_mine = auto_mine
        self.chain_id = self.config.chain_id
        self.active_account: str | None = None
        self.block_number = 0
        self.rpc_down = False
        self._accounts: dict[str, _Account] = {}
        self._deposited: dict[str, int] = {}
        self._flows: dict[str, _Flow] = {}
        self._txs: dict[str, _Tx] = {}
        self._mempool: list[_Tx] = []
        self._counter = 0
        self._reject_next: ChainError | None = None
        self._revert_next: ChainErrorCode | None = None
        self._timeout_next = False

    # -- set-up ----------------------------------------------------------------------------
    def add_account(
        self,
        address: str | None = None,
        *,
        private_key: bytes | str | None = None,
        g_balance_wei: int = 0,
        celo_wei: int = 10**18,
        verified: bool = False,
        root: str | None = None,
    ) -> str:
        """Register an account (address derived from ``private_key`` when given); returns it."""
        key = bytes.fromhex(private_key.removeprefix("0x")) if isinstance(private_key, str) else (
            private_key
        )
        if key is not None:
            derived = private_key_to_address(key)
            if address is not None and checksum_address(address) != derived:
                raise ValueError("address does not match private_key")
            address = derived
        if address is None:
            raise ValueError("give an address or a private_key")
        who = checksum_address(address)
        the_root = checksum_address(root) if root else (who if verified else ZERO_ADDRESS)
        self._accounts[who] = _Account(who, key, g_balance_wei, celo_wei, the_root)
        return who

    def _get(self, account: str) -> _Account:
        who = checksum_address(account)
        if who not in self._accounts:
            self._accounts[who] = _Account(who, None, 0, 0, ZERO_ADDRESS)
        return self._accounts[who]

    def set_balance(self, account: str, g_balance_wei: int) -> None:
        """Set the G$ balance of ``account`` (settles its flow first)."""
        self._settle(checksum_address(account))
        self._get(account).g_balance_wei = g_balance_wei

    def set_celo(self, account: str, celo_wei: int) -> None:
        """Set the CELO (gas) balance of ``account``; below ``gas_fee_wei`` → insufficient_gas."""
        self._get(account).celo_wei = celo_wei

    def set_verified(self, account: str, verified: bool = True) -> None:
        """Make ``account`` GoodID-verified (its own root) or not."""
        acc = self._get(account)
        acc.root = acc.address if verified else ZERO_ADDRESS

    def wallet(self, account: str | None = None) -> MemoryWallet:
        """A ``WalletAdapter`` for this chain; ``account`` becomes the active wallet account."""
        if account is not None:
            self.active_account = self._get(account).address
        return MemoryWallet(self)

    # -- knobs ------------------------------------------------------------------------------
    def reject_next(self, error: object = 4001) -> None:
        """The next wallet request (connect, send, sign, switch) fails with ``error``
        (an EIP-1193 code, one of our codes, or anything :func:`map_wallet_error` takes)."""
        self._reject_next = map_wallet_error(error)

    def revert_next(self, reason: ChainErrorCode = "unknown") -> None:
        """The next sent transaction is mined with status 0; its receipt raises ``reason``."""
        self._revert_next = reason

    def timeout_next(self) -> None:
        """The next ``wait_for_receipt`` raises ``timeout``."""
        self._timeout_next = True

    def clear_knobs(self) -> None:
        """Forget pending rejections, reverts and timeouts, and bring the node back."""
        self._reject_next = None
        self._revert_next = None
        self._timeout_next = False
        self.rpc_down = False

    def set_chain_id(self, chain_id: int) -> None:
        """The wallet is now on ``chain_id`` (sends fail with ``wrong_chain`` until it is back)."""
        self.chain_id = chain_id

    def switch_account(self, account: str) -> None:
        """The user picked another account in the wallet (``accountsChanged``)."""
        self.active_account = self._get(account).address

    def set_rpc_down(self, down: bool = True) -> None:
        """The node cannot be reached: reads, sends and receipts fail with ``rpc_unavailable``."""
        self.rpc_down = down

    def mine(self) -> list[str]:
        """Mine every pending transaction (only needed with ``auto_mine=False``)."""
        mined = []
        while self._mempool:
            tx = self._mempool.pop(0)
            self._mine(tx)
            mined.append(tx.tx_hash)
        return mined

    # -- views ------------------------------------------------------------------------------
    def g_balance(self, account: str) -> int:
        """Real-time G$ balance (minus what an open flow has streamed since its last change)."""
        acc = self._get(account)
        flow = self._flows.get(acc.address)
        streamed = flow.rate * max(0, self.clock() - flow.since) if flow else 0
        return max(0, acc.g_balance_wei - streamed)

    def total_deposited(self, account: str) -> int:
        """G$ wei ``account`` deposited in one-time purchases."""
        return self._deposited.get(checksum_address(account), 0)

    def flow_rate(self, sender: str) -> int:
        """Current flow rate of ``sender`` to the vault."""
        flow = self._flows.get(checksum_address(sender))
        return flow.rate if flow else 0

    def is_verified(self, account: str) -> bool:
        """Whether ``account`` has a non-zero GoodID root."""
        return self._get(account).root != ZERO_ADDRESS

    def reading(self, account: str) -> WalletReading:
        """A :class:`WalletReading` of ``account`` now."""
        acc = self._get(account)
        return WalletReading(
            account=acc.address,
            chain_id=self.chain_id,
            g_balance_wei=self.g_balance(acc.address),
            verified=self.is_verified(acc.address),
            total_deposited_wei=self.total_deposited(acc.address),
            flow_rate=self.flow_rate(acc.address),
            min_first_deposit_usd=self.min_first_deposit_usd,
            min_monthly_stream_usd=self.min_monthly_stream_usd,
            flow_since=self.flow_since(acc.address),
            gd_price=self.gd_price_text(),
        )

    def gd_price_text(self) -> str:
        """The oracle's price, cUSD per G$, as the text the quote engine and backend price at."""
        return f"{Decimal(self.gd_usd_micro_per_token).scaleb(-6).normalize():f}"

    async def gd_price(self) -> str | None:
        """The price oracle (``ChainEventSource``'s optional price read): the price a backend
        credits deposits at when it records them."""
        return self.gd_price_text()

    def flow_since(self, sender: str) -> int | None:
        """Epoch seconds of the last change of ``sender``'s flow (``None`` without a flow)."""
        flow = self._flows.get(checksum_address(sender))
        return flow.since if flow else None

    def seed_flow(self, sender: str, rate: int, *, since: int, buyer: str | None = None) -> None:
        """Pretend ``sender`` has streamed ``rate`` wei/s to the vault since epoch ``since``
        (scenarios that start mid-stream); balances then drain from that moment."""
        acc = self._get(sender)
        self._flows[acc.address] = _Flow(rate=rate, buyer=checksum_address(buyer or sender),
                                         since=since)  # fmt: skip

    def usd_micro(self, gd_wei: int) -> int:
        """Micro-USD value of ``gd_wei`` at the fixed price."""
        return gd_wei * self.gd_usd_micro_per_token // 10**18

    # -- ChainEventSource --------------------------------------------------------------------
    async def deposit_events(self, tx_hash: str) -> list[DepositEvent]:
        """``GdDeposited`` events of a mined ``tx_hash`` (``[]`` when unknown or pending)."""
        tx = self._txs.get(check_tx_hash(tx_hash))
        return list(tx.deposits) if tx and tx.mined.is_set() else []

    async def stream_events(self, tx_hash: str) -> list[StreamEvent]:
        """``StreamUpdated`` events of a mined ``tx_hash``."""
        tx = self._txs.get(check_tx_hash(tx_hash))
        return list(tx.streams) if tx and tx.mined.is_set() else []

    async def current_flow_rate(self, sender: str) -> int:
        """Current flow rate of ``sender`` to the vault."""
        return self.flow_rate(sender)

    # -- internals used by MemoryWallet -------------------------------------------------------
    def _check_rpc(self) -> None:
        if self.rpc_down:
            raise ChainError("rpc_unavailable", detail="memory chain: rpc down")

    def _prompt(self) -> None:
        """The wallet shows its prompt: a pending rejection fires here."""
        rejection, self._reject_next = self._reject_next, None
        if rejection is not None:
            raise rejection

    def _preflight(self, sender: str) -> _Account:
        self._check_rpc()
        if self.chain_id != self.config.chain_id:
            raise ChainError("wrong_chain", detail=f"wallet on {self.chain_id}")
        if sender != self.active_account:
            raise ChainError("account_switched", detail=f"wallet account is {self.active_account}")
        acc = self._get(sender)
        if acc.celo_wei < self.gas_fee_wei:
            raise ChainError("insufficient_gas", detail=f"{acc.celo_wei} wei CELO")
        return acc

    def _settle(self, sender: str) -> int:
        """Move what ``sender``'s flow streamed into the vault; return the amount."""
        flow = self._flows.get(sender)
        if flow is None:
            return 0
        now = self.clock()
        streamed = flow.rate * max(0, now - flow.since)
        acc = self._get(sender)
        acc.g_balance_wei = max(0, acc.g_balance_wei - streamed)
        flow.since = now
        return streamed

    def _submit(
        self,
        sender: str,
        apply: Callable[[str, int], tuple[list[DepositEvent], list[StreamEvent]]],
    ) -> str:
        self._prompt()
        self._counter += 1
        tx_hash = "0x" + keccak(
            b"ai-credits/memory-chain/tx/" + self._counter.to_bytes(8, "big")
        ).hex()
        revert, self._revert_next = self._revert_next, None
        tx = _Tx(tx_hash=tx_hash, sender=sender, apply=apply, revert=revert)
        self._txs[tx_hash] = tx
        self._get(sender).celo_wei -= self.gas_fee_wei
        if self.auto_mine:
            self._mine(tx)
        else:
            self._mempool.append(tx)
        return tx_hash

    def _mine(self, tx: _Tx) -> None:
        self.block_number += 1
        tx.block_number = self.block_number
        if tx.revert is None:
            tx.deposits, tx.streams = tx.apply(tx.tx_hash, tx.block_number)
            tx.status = 1
        tx.mined.set()

    def _purchase(self, payer: str, buyer: str, amount_wei: int) -> str:
        acc = self._preflight(payer)
        if self.g_balance(payer) < amount_wei:
            raise ChainError("insufficient_gd")
        first = self.total_deposited(payer) == 0
        if first and self.usd_micro(amount_wei) < self.min_first_deposit_usd:
            raise ChainError("first_deposit_below_minimum")

        def apply(tx_hash: str, block: int) -> tuple[list[DepositEvent], list[StreamEvent]]:
            self._settle(payer)
            acc.g_balance_wei -= amount_wei
            self._deposited[payer] = self._deposited.get(payer, 0) + amount_wei
            event = DepositEvent(
                tx_hash=tx_hash,
                log_index=0,
                account=payer,
                buyer=buyer,
                gd_amount_wei=amount_wei,
                block_number=block,
            )
            return [event], []

        return self._submit(payer, apply)

    def _stream(self, action: StreamAction, sender: str, buyer: str, rate: int) -> str:
        self._preflight(sender)
        current = self._flows.get(sender)
        if action == "create" and current is not None:
            raise ChainError("unknown", detail="CFA_FLOW_ALREADY_EXISTS")
        if action in ("update", "delete") and current is None:
            raise ChainError("unknown", detail="CFA_FLOW_DOES_NOT_EXIST")
        if action == "delete":
            rate = 0
        else:
            if self.usd_micro(rate * SECONDS_PER_MONTH) < self.min_monthly_stream_usd:
                raise ChainError("stream_rate_below_minimum")
            if self.g_balance(sender) < rate * self.stream_buffer_seconds:
                raise ChainError("insufficient_gd", detail="balance below the flow buffer")

        def apply(tx_hash: str, block: int) -> tuple[list[DepositEvent], list[StreamEvent]]:
            streamed = self._settle(sender)
            previous = self._flows.get(sender)
            the_buyer = previous.buyer if action == "delete" and previous else buyer
            if rate == 0:
                self._flows.pop(sender, None)
            else:
                self._flows[sender] = _Flow(rate=rate, buyer=the_buyer, since=self.clock())
            event = StreamEvent(
                tx_hash=tx_hash,
                log_index=0,
                account=sender,
                buyer=the_buyer,
                flow_rate=rate,
                monthly_gd_wei=rate * SECONDS_PER_MONTH,
                total_flow_wei=streamed,
                block_number=block,
            )
            return [], [event]

        return self._submit(sender, apply)


class MemoryWallet:
    """A ``WalletAdapter`` on a :class:`MemoryChain` (the chain's active account signs)."""

    def __init__(self, chain: MemoryChain) -> None:
        self.chain = chain

    async def connect(self) -> WalletConnection:
        """The active account and the wallet's chain (``disconnected`` when none is active)."""
        self.chain._prompt()
        if self.chain.active_account is None:
            raise ChainError("disconnected", detail="no active account")
        return WalletConnection(account=self.chain.active_account, chain_id=self.chain.chain_id)

    async def read(self, account: str) -> WalletReading:
        """The chain's view of ``account``."""
        self.chain._check_rpc()
        return self.chain.reading(account)

    async def send_purchase(self, *, payer: str, buyer: str, amount_wei: int) -> str:
        """Validate like the real builders, run the vault's checks, submit; return the hash."""
        build_purchase_tx(payer=payer, buyer=buyer, amount_wei=amount_wei, config=self.chain.config)
        return self.chain._purchase(
            checksum_address(payer), checksum_address(buyer), amount_wei
        )

    async def send_stream(
        self, action: StreamAction, *, sender: str, buyer: str, flow_rate: int
    ) -> str:
        """Validate, run the forwarder/vault checks, submit; return the hash."""
        build_stream_tx(
            action, sender=sender, buyer=buyer, flow_rate=flow_rate, config=self.chain.config
        )
        return self.chain._stream(
            action, checksum_address(sender), checksum_address(buyer), flow_rate
        )

    async def wait_for_receipt(self, tx_hash: str) -> TxReceiptInfo:
        """Wait until mined; raise the revert reason for status 0, ``timeout`` when knobbed."""
        checked = check_tx_hash(tx_hash)
        chain = self.chain
        chain._check_rpc()
        if chain._timeout_next:
            chain._timeout_next = False
            raise ChainError("timeout", detail="memory chain: timeout knob")
        tx = chain._txs.get(checked)
        if tx is None:
            raise ChainError("timeout", detail="memory chain: unknown transaction")
        await tx.mined.wait()
        if tx.status != 1:
            raise ChainError(tx.revert or "unknown", detail="memory chain: reverted",
                             reverted=True)
        return TxReceiptInfo(
            tx_hash=tx.tx_hash,
            block_number=tx.block_number,
            status=tx.status,
            deposits=list(tx.deposits),
            streams=list(tx.streams),
        )

    async def switch_chain(self, chain_id: int) -> None:
        """The wallet moves to ``chain_id`` unless a rejection is knobbed."""
        self.chain._prompt()
        self.chain.chain_id = chain_id

    async def sign_message(self, account: str, message: str) -> str:
        """A real EIP-191 signature with the account's fixture key."""
        self.chain._prompt()
        who = checksum_address(account)
        if who != self.chain.active_account:
            raise ChainError("account_switched", detail=f"{who} is not the active account")
        key = self.chain._get(who).private_key
        if key is None:
            raise ChainError("unauthorised", detail="memory chain: no key for this account")
        return "0x" + sign_personal(message, key).hex()
