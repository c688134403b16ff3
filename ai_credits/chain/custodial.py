"""A wallet whose private key the library holds (server-side or test wallets)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ai_credits.chain.addresses import checksum_address
from ai_credits.chain.builders import StreamAction, TxRequest, build_purchase_tx, build_stream_tx
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.errors import ChainError, map_wallet_error
from ai_credits.chain.models import TxReceiptInfo, WalletConnection, WalletReading
from ai_credits.chain.reader import ChainReader
from ai_credits.chain.receipts import await_receipt

if TYPE_CHECKING:  # eth_account and web3 are imported when a wallet is made
    from eth_account.signers.local import LocalAccount
    from web3 import AsyncWeb3

__all__ = ["CustodialWallet"]


class CustodialWallet:
    """Signs with a private key it holds; sends through AsyncWeb3.

    Before every send it checks the node's chain id against ``config.chain_id``
    (``wrong_chain``), estimates gas (reverts surface here, mapped), checks the CELO balance
    covers the fee (``insufficient_gas``), signs and sends the raw transaction.
    """

    def __init__(
        self,
        private_key: str | bytes,
        config: ChainConfig | None = None,
        *,
        w3: AsyncWeb3[Any] | None = None,
        reader: ChainReader | None = None,
    ) -> None:
        from eth_account import Account

        self.config = config or ChainConfig()
        self.reader = reader or ChainReader(self.config, w3=w3)
        self._account: LocalAccount = Account.from_key(private_key)

    def __repr__(self) -> str:
        return f"CustodialWallet(account={self._account.address!r})"

    @property
    def address(self) -> str:
        """The checksummed address of the held key."""
        return str(self._account.address)

    async def connect(self) -> WalletConnection:
        """The held account and the node's chain id (no prompt: the key is already here)."""
        return WalletConnection(account=self.address, chain_id=await self.reader.chain_id())

    async def read(self, account: str) -> WalletReading:
        """See :meth:`ChainReader.reading`."""
        return await self.reader.reading(account)

    def _own(self, who: str) -> None:
        if checksum_address(who) != self.address:
            raise ChainError("account_switched", detail=f"{who} is not the held account")

    async def send_purchase(self, *, payer: str, buyer: str, amount_wei: int) -> str:
        """Build, sign and send ``transferAndCall`` to the vault; return the tx hash."""
        tx = build_purchase_tx(payer=payer, buyer=buyer, amount_wei=amount_wei, config=self.config)
        self._own(payer)
        return await self._send(tx)

    async def send_stream(
        self, action: StreamAction, *, sender: str, buyer: str, flow_rate: int
    ) -> str:
        """Build, sign and send a forwarder stream call; return the tx hash."""
        tx = build_stream_tx(
            action, sender=sender, buyer=buyer, flow_rate=flow_rate, config=self.config
        )
        self._own(sender)
        return await self._send(tx)

    async def _send(self, tx: TxRequest) -> str:
        chain = await self.reader.chain_id()
        if chain != tx.chain_id:
            raise ChainError("wrong_chain", detail=f"node on {chain}, tx for {tx.chain_id}")
        w3 = self.reader.w3
        try:
            params: dict[str, Any] = {
                "from": self.address,
                "to": tx.to,
                "data": tx.data,
                "value": tx.value,
                "chainId": tx.chain_id,
                "nonce": await w3.eth.get_transaction_count(self._account.address, "pending"),
            }
            gas = tx.gas or await w3.eth.estimate_gas(params)  # type: ignore[arg-type]
            params["gas"] = gas + gas * self.config.gas_margin_bps // 10_000
            latest = await w3.eth.get_block("latest")
            base_fee = latest.get("baseFeePerGas")
            if base_fee is None:
                params["gasPrice"] = await w3.eth.gas_price
                fee_cap = int(params["gasPrice"])
            else:
                tip = self.config.priority_fee_wei
                fee_cap = 2 * int(base_fee) + tip
                params["maxFeePerGas"] = fee_cap
                params["maxPriorityFeePerGas"] = tip
            balance = await w3.eth.get_balance(self._account.address)
            if balance < fee_cap * int(params["gas"]) + tx.value:
                raise ChainError("insufficient_gas", detail=f"balance {balance} wei")
            signed = self._account.sign_transaction(params)
            sent = await w3.eth.send_raw_transaction(signed.raw_transaction)
        except ChainError:
            raise
        except Exception as exc:
            raise map_wallet_error(exc) from exc
        return "0x" + bytes(sent).hex()

    async def wait_for_receipt(self, tx_hash: str) -> TxReceiptInfo:
        """See :func:`await_receipt` (config timeout and confirmation count)."""
        return await await_receipt(self.reader, tx_hash)

    async def switch_chain(self, chain_id: int) -> None:
        """A custodial key cannot move its node: succeeds only when already on ``chain_id``."""
        current = await self.reader.chain_id()
        if current != chain_id:
            raise ChainError("wrong_chain", detail=f"node on {current}, asked for {chain_id}")

    async def sign_message(self, account: str, message: str) -> str:
        """EIP-191 ``personal_sign`` with the held key."""
        if checksum_address(account) != self.address:
            raise ChainError("unauthorised", detail="message signer is not the held account")
        from eth_account.messages import encode_defunct

        signed = self._account.sign_message(encode_defunct(text=message))
        return "0x" + bytes(signed.signature).hex()
