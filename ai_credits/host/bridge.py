"""Wallet requests that outlive one HTTP request (and one process).

The runtime's :class:`~ai_credits.runtime.executor.EffectExecutor` awaits the wallet.  A browser
wallet answers in a later request, possibly to another worker, so a host cannot keep that await
open.  :class:`BridgedWallet` runs the same executor in two halves instead: the first time an
effect asks the wallet, :class:`Suspended` carries the :class:`WalletRequest` out (the host stores
it with the visitor and hands it to the page); when the page reports the wallet's answer, the
effect is executed again with that answer, and the executor returns its result event exactly as
with any other wallet.  Requests are the EIP-1193 calls of
:class:`~ai_credits.chain.injected.InjectedWallet`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ai_credits.backends.protocol import CreditsBackend
from ai_credits.backends.wire import AuthNonce
from ai_credits.chain.config import ChainConfig
from ai_credits.chain.errors import ChainError, map_wallet_error
from ai_credits.chain.injected import InjectedWallet, ReadSide, RequestKind, WalletRequest
from ai_credits.chain.models import WalletConnection

__all__ = ["Answer", "BridgedWallet", "NoncePinned", "Suspended"]


class Answer(BaseModel):
    """What the page's wallet said to one request: a value, or an error (EIP-1193 object)."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    kind: RequestKind
    outcome: Literal["ok", "error"] = "ok"
    account: str | None = None
    chain_id: int | None = None
    tx_hash: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{64}$")
    signature: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{130}$")
    error: dict[str, Any] | None = None


class Suspended(Exception):
    """An effect needs the page's wallet: store ``request``, hand it out, resume on the answer."""

    def __init__(self, request: WalletRequest) -> None:
        super().__init__(request.request_id)
        self.request = request


class BridgedWallet(InjectedWallet):
    """An :class:`InjectedWallet` whose prompts suspend instead of waiting.

    ``request_id`` names the request a suspension creates; ``answer`` (for that id) makes the
    prompt return the wallet's value or raise its mapped :class:`ChainError`.
    """

    def __init__(self, config: ChainConfig, reads: ReadSide, *, request_id: str,
                 answer: Answer | None = None) -> None:  # fmt: skip
        super().__init__(config, reads=reads)
        self.request_id = request_id
        self.answer = answer

    async def _ask(self, kind: RequestKind, method: str, params: list[Any], **extra: Any) -> Any:
        answer = self.answer
        if answer is None or answer.kind != kind:
            raise Suspended(WalletRequest(request_id=self.request_id, kind=kind, method=method,
                                          params=params, **extra))  # fmt: skip
        if answer.outcome == "error":
            raise map_wallet_error(answer.error or {"code": 4001})
        if kind == "connect":
            if answer.account is None or answer.chain_id is None:
                raise ChainError("invalid_input", detail="connect answer without account")
            return WalletConnection(account=answer.account, chain_id=answer.chain_id)
        if kind == "send_transaction":
            return answer.tx_hash
        if kind == "sign_message":
            return answer.signature
        return None  # switch_chain


class NoncePinned:
    """A backend whose ``auth_nonce`` answers the nonce already shown to the wallet.

    The key's sign-in is nonce → signature → key: the executor asks for a nonce before the
    signature, so the resumed half must see the same nonce the page signed.  Every other call
    goes to ``backend``.
    """

    def __init__(self, backend: CreditsBackend, nonce: AuthNonce | None) -> None:
        self._backend = backend
        self.nonce = nonce

    async def auth_nonce(self, account: str, chain_id: int = 42220) -> AuthNonce:
        """The pinned nonce, or a fresh one from the backend (then pinned)."""
        if self.nonce is None:
            self.nonce = await self._backend.auth_nonce(account, chain_id)
        return self.nonce

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)
