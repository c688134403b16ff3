"""Sign-in nonces and API keys of the fixture backend (WORKER_CONTRACT.md §3).

Only ``sha256(token)`` is stored; the token exists in memory only while it is being handed out.
Nonces are single use with a 600 s lifetime; signatures are checked by EIP-191 recovery.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ai_credits.backends.errors import NotFound, Unauthorised
from ai_credits.backends.wire import AuthNonce, IssuedApiKey, PublicApiKey, js_iso
from ai_credits.ethcrypto import recover_personal, to_checksum_address

__all__ = ["NONCE_TTL", "KeyStore", "siwe_message", "token_prefix"]

NONCE_TTL = timedelta(seconds=600)
STATEMENT = "Sign in to GoodDollar AntSeed to create an API key for local developer tools."
DEFAULT_SCOPES = ("chat:completions",)


def siwe_message(
    *,
    domain: str,
    uri: str,
    account: str,
    chain_id: int,
    nonce: str,
    issued_at: datetime,
    expires_at: datetime,
) -> str:
    """The SIWE-like (EIP-4361 layout) message a wallet signs to get an API key."""
    return "\n".join(
        [
            f"{domain} wants you to sign in with your Ethereum account:",
            to_checksum_address(account),
            "",
            STATEMENT,
            "",
            f"URI: {uri}",
            "Version: 1",
            f"Chain ID: {chain_id}",
            f"Nonce: {nonce}",
            f"Issued At: {js_iso(issued_at)}",
            f"Expiration Time: {js_iso(expires_at)}",
        ]
    )


def token_prefix(token: str) -> str:
    """The masked form shown for a key: first 12 characters, ``...``, last 4."""
    return f"{token[:12]}...{token[-4:]}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _Nonce:
    account: str
    message: str
    expires_at: datetime
    consumed: bool = False


@dataclass(slots=True)
class _Key:
    public: PublicApiKey
    token_hash: str = field(repr=False)


class KeyStore:
    """Nonces and API keys; tokens are kept only as SHA-256 hashes."""

    def __init__(
        self, *, domain: str = "localhost:8787", uri: str = "http://localhost:8787"
    ) -> None:
        self.domain = domain
        self.uri = uri
        self._nonces: dict[str, _Nonce] = {}
        self._keys: dict[str, _Key] = {}
        self._by_hash: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"KeyStore(keys={len(self._keys)}, nonces={len(self._nonces)})"

    @property
    def stored_hashes(self) -> frozenset[str]:
        """Every stored token hash (for audits and tests: nothing else about a token is kept)."""
        return frozenset(self._by_hash)

    def issue_nonce(self, account: str, chain_id: int, *, nonce: str, now: datetime) -> AuthNonce:
        """A new single-use nonce and its message, valid for :data:`NONCE_TTL`."""
        expires = now + NONCE_TTL
        message = siwe_message(
            domain=self.domain,
            uri=self.uri,
            account=account,
            chain_id=chain_id,
            nonce=nonce,
            issued_at=now,
            expires_at=expires,
        )
        self._nonces[nonce] = _Nonce(account, message, expires)
        return AuthNonce(account=account, nonce=nonce, message=message, expires_at=expires)

    def consume_nonce(self, account: str, nonce: str, signature: str, *, now: datetime) -> None:
        """Check and spend ``nonce``; raise ``Unauthorised`` with the contract's error text."""
        entry = self._nonces.get(nonce)
        if entry is None:
            raise Unauthorised(detail="auth nonce not found")
        if entry.consumed:
            raise Unauthorised(detail="auth nonce already consumed")
        if now >= entry.expires_at:
            raise Unauthorised(detail="auth nonce expired")
        if entry.account != account:
            raise Unauthorised(detail="auth nonce account mismatch")
        entry.consumed = True
        try:
            signer = recover_personal(entry.message, signature)
        except Exception:  # malformed signatures of every kind
            signer = ""
        if signer.lower() != account:
            raise Unauthorised(detail="signature does not match account")

    def add_key(
        self,
        *,
        token: str,
        key_id: str,
        account: str,
        root_account: str,
        label: str | None,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> IssuedApiKey:
        """Store a new key (its hash only) and return the one-time issued form."""
        public = PublicApiKey(
            id=key_id,
            token_prefix=token_prefix(token),
            account=account,
            root_account=root_account,
            label=label,
            scopes=list(DEFAULT_SCOPES),
            status="active",
            created_at=now,
            expires_at=expires_at,
        )
        digest = _hash(token)
        self._keys[key_id] = _Key(public, digest)
        self._by_hash[digest] = key_id
        return IssuedApiKey(token=token, api_key=public)

    def authenticate(self, token: str | None, *, now: datetime) -> PublicApiKey:
        """The active key ``token`` belongs to; ``Unauthorised`` when missing/unknown/revoked."""
        if not token:
            raise Unauthorised("An API key is required.", detail="missing api key")
        key_id = self._by_hash.get(_hash(token))
        key = self._keys.get(key_id) if key_id else None
        if key is None or key.public.status != "active":
            raise Unauthorised("The API key was not accepted.", detail="invalid api key")
        if key.public.expires_at is not None and now >= key.public.expires_at:
            raise Unauthorised("The API key has expired.", detail="api key expired")
        key.public = key.public.model_copy(update={"last_used_at": now})
        return key.public

    def keys_of(self, account: str) -> list[PublicApiKey]:
        """The wallet's keys, oldest first."""
        return [k.public for k in self._keys.values() if k.public.account == account]

    def revoke(self, account: str, key_id: str, *, now: datetime) -> PublicApiKey:
        """Revoke one of ``account``'s keys (``NotFound`` when unknown or someone else's)."""
        key = self._keys.get(key_id)
        if key is None or key.public.account != account:
            raise NotFound("That API key does not exist.", detail="api key not found")
        if key.public.status == "active":
            key.public = key.public.model_copy(update={"status": "revoked", "revoked_at": now})
        return key.public
