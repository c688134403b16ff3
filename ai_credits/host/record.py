"""What a host stores per visitor, as one JSON document, and how key tokens are kept out of it.

The document holds the snapshot, the visitor's anti-forgery token and theme, the wallet request
waiting for the page (if any), what the backend offers, and the API key sealed.

**Key tokens are encrypted, never stored in clear.**  The snapshot is stored with its
``api_key.token`` removed (the machine keeps a token in the snapshot only in
``payment_confirmed``; everywhere else the key is its masked prefix), and the runtime's copy of
the token — needed to load usage in later requests, on any worker — is sealed with Fernet
(AES-128-CBC + HMAC-SHA256, from ``cryptography``) under the host's secret.  A store (Redis, a
dump, a backup) holding these documents never holds a usable key; a host that loses or rotates
its secret loses the keys (the visitor creates a new one), nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime
from typing import Any, Literal

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field

from ai_credits import safejson
from ai_credits.chain.injected import WalletRequest
from ai_credits.core import effects as fx
from ai_credits.core.models import SecretToken
from ai_credits.core.snapshot import Snapshot

__all__ = ["PendingWallet", "Sealer", "VisitorRecord"]


class PendingWallet(BaseModel):
    """A wallet request waiting for the page, and the effect it resumes."""

    model_config = ConfigDict(frozen=True)

    request: WalletRequest
    effect: fx.Effect
    rest: tuple[fx.Effect, ...] = Field(default=(), description="Effects after it in its step.")
    nonce: dict[str, Any] | None = Field(default=None, description="The sign-in nonce shown.")
    handed: bool = Field(default=False, description="Given to a page (a transaction: once).")
    asked_at: datetime


class VisitorRecord(BaseModel):
    """One visitor, as stored."""

    model_config = ConfigDict(frozen=True)

    snapshot: Snapshot
    csrf: str
    theme: Literal["dark", "light"] = "dark"
    wallet: PendingWallet | None = None
    key_prefix: str | None = None
    sealed: str | None = Field(default=None, description="The API key, encrypted.")
    key_shown: bool = Field(default=False, description="The snapshot showed the token.")
    requests: int = Field(default=0, ge=0, description="Wallet requests made (their ids).")
    late_send: str | None = Field(
        default=None,
        description="The transaction request that failed unanswered: the wallet may still "
        "send it, and its hash, if the page reports one later, is the same intent's payment.",
    )


class Sealer:
    """Encrypts the API key for storage with a key derived from the host's ``secret``."""

    def __init__(self, secret: str | bytes | None = None) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        self.ephemeral = raw is None
        material = hashlib.sha256(b"ai-credits host key v1\0" + (raw or secrets.token_bytes(32)))
        self._fernet = Fernet(base64.urlsafe_b64encode(material.digest()))

    def seal(self, token: SecretToken | None) -> str | None:
        """The token encrypted (``None`` stays ``None``)."""
        if token is None:
            return None
        return self._fernet.encrypt(token.reveal().encode()).decode("ascii")

    def open(self, sealed: str | None) -> SecretToken | None:
        """The token, or ``None`` when there is none or it was sealed under another secret."""
        if not sealed:
            return None
        try:
            return SecretToken(self._fernet.decrypt(sealed.encode("ascii")).decode())
        except (InvalidToken, ValueError):
            return None


def dump_record(record: VisitorRecord) -> str:
    """The stored JSON: the snapshot without its token (see the module docstring)."""
    snap = record.snapshot
    if snap.api_key is not None and snap.api_key.token is not None:
        snap = snap.model_copy(update={"api_key": snap.api_key.model_copy(update={"token": None})})
        record = record.model_copy(update={"snapshot": snap})
    return record.model_dump_json()


def load_record(data: str) -> VisitorRecord:
    """A stored document back (raises pydantic's ``ValidationError`` when it is not one)."""
    return VisitorRecord.model_validate(safejson.loads(data))
