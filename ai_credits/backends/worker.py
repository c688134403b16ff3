"""``WorkerBackend``: the :class:`CreditsBackend` over HTTP to the Cloudflare Worker.

- explicit connect/read/write/pool timeouts (:class:`httpx.Timeout`);
- retries with exponential backoff for GETs only (transport errors and 5xx); POST and DELETE are
  sent exactly once, so a payment is never recorded twice by a retry;
- every body is streamed with a 1 MiB cap, decoded by :func:`ai_credits.safejson.loads` (no
  input nests deep enough to overflow the stack) and validated by the wire models;
- every failure is one of :mod:`ai_credits.backends.errors`;
- an ``httpx`` transport may be injected (``httpx.MockTransport``, ``httpx.ASGITransport``);
- API keys travel only in the ``Authorization`` header; they are never logged, and a logging filter
  scrubs anything shaped like a key from the ``httpx``, ``httpcore`` and backend loggers.

Planned endpoints answering ``404 {"error":"not found"}`` raise :class:`NotSupported`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from ai_credits import safejson
from ai_credits.backends.errors import (
    AlreadyRecorded,
    BackendError,
    BackendRejected,
    BackendUnavailable,
    InsufficientCredit,
    NotFound,
    NotSupported,
    ReceiptNotFound,
    Unauthorised,
)
from ai_credits.backends.protocol import CELO_CHAIN_ID, Capabilities
from ai_credits.backends.validation import block_tag, check_address
from ai_credits.backends.wire import (
    ApiKeyList,
    AuthNonce,
    ChatCompletion,
    ConfigStatus,
    ConfigValues,
    CreditHistoryPage,
    CreditReservation,
    CreditSource,
    FundingStatus,
    Health,
    IssuedApiKey,
    Outstanding,
    ProfileResponse,
    PublicApiKey,
    RecordResult,
    RequestQuote,
    ReservationList,
    RevokedApiKey,
    StreamCreditsResult,
    UserCreditProfile,
    js_iso,
    parse_wire,
)

__all__ = ["DEFAULT_TIMEOUT", "MAX_BODY_BYTES", "KeyRedactingFilter", "WorkerBackend"]

log = logging.getLogger("ai_credits.backends.worker")

MAX_BODY_BYTES = 1 << 20
DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=10.0, pool=3.0)
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
RECEIPT_NOT_FOUND = "transaction receipt not found: "
"""The Worker's 500 text for a tx its node has no receipt for (``fetchCeloVaultEvents``)."""
_KEY = re.compile(r"gd_live_[0-9a-fA-F]{8,}")
M = TypeVar("M", bound=BaseModel)

FEATURES = {
    "auth": "Signing in for an API key",
    "api_keys": "API key management",
    "usage": "Usage history",
    "requests": "Request details",
    "chat": "AI requests",
}


class KeyRedactingFilter(logging.Filter):
    """Replaces anything shaped like a ``gd_live_`` key in a log record with ``gd_live_***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        text = record.getMessage()
        if "gd_live_" in text:
            record.msg = _KEY.sub("gd_live_***", text)
            record.args = None
        return True


_FILTER = KeyRedactingFilter()
_REDACTED_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "ai_credits",
    "ai_credits.backends",
    "ai_credits.backends.worker",
    "ai_credits.backends.devserver",
    "ai_credits.backends.fixture",
)


def install_key_redaction() -> None:
    """Attach :class:`KeyRedactingFilter` to the HTTP and library loggers (idempotent).

    Logger filters only see records created on that very logger, so each one is named.
    """
    for name in _REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


install_key_redaction()


class _Retry(Exception):
    def __init__(self, error: BackendError) -> None:
        self.error = error


class WorkerBackend:
    """The credits backend at ``base_url`` (the Worker, or the local dev server)."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = 2,
        backoff: float = 0.1,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        install_key_redaction()
        self.base_url = base_url.rstrip("/")
        self.retries = max(retries, 0)
        self.backoff = backoff
        self.max_body_bytes = max_body_bytes
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"accept": "application/json"},
            follow_redirects=False,
        )
        self._caps: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"WorkerBackend(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    # --- transport ------------------------------------------------------------------------------

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        """One request → ``(status, decoded JSON)``.

        Transport failures raise ``_Retry`` (worth another try for a GET); an oversized or
        malformed body raises :class:`BackendUnavailable` directly (a retry would get the same).
        """
        headers = {"authorization": f"Bearer {token}"} if token else {}
        try:
            request = self._client.build_request(
                method, path, params=params, json=body, headers=headers
            )
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise _Retry(BackendUnavailable(detail="request timed out")) from None
        except httpx.HTTPError:
            raise _Retry(BackendUnavailable(detail="connection failed")) from None
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                raise BackendUnavailable(detail="response too large", status=response.status_code)
            raw = bytearray()
            async for chunk in response.aiter_bytes():
                raw += chunk
                if len(raw) > self.max_body_bytes:
                    raise BackendUnavailable(
                        detail="response too large", status=response.status_code
                    )
        except httpx.TimeoutException:
            raise _Retry(BackendUnavailable(detail="response timed out")) from None
        except httpx.HTTPError:
            raise _Retry(BackendUnavailable(detail="response interrupted")) from None
        finally:
            await response.aclose()
        status = response.status_code
        log.debug("%s %s -> %s", method, path, status)
        if status == 204 or not raw:
            data: Any = None
        else:
            try:
                data = safejson.loads(raw)
            except safejson.UnsafeJSON as exc:  # malformed, non-UTF-8 or nested too deep
                raise BackendUnavailable(detail=str(exc), status=status) from None
        return status, data

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        token: str | None = None,
        feature: str | None = None,
    ) -> Any:
        """Send with retries (GET only) and map the answer; returns the decoded JSON on 2xx."""
        attempts = self.retries + 1 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                status, data = await self._exchange(
                    method, path, params=params, body=body, token=token
                )
                if status in _RETRY_STATUSES and method == "GET":
                    raise _Retry(_map_error(status, data, feature))
            except _Retry as retry:
                if attempt + 1 >= attempts:
                    raise retry.error from None
                await asyncio.sleep(self.backoff * 2**attempt)
                continue
            if 200 <= status < 300:
                if feature is not None:
                    self._caps[feature] = True
                return data
            error = _map_error(status, data, feature)
            if isinstance(error, NotSupported) and feature is not None:
                self._caps[feature] = False
            raise error
        raise BackendUnavailable()  # pragma: no cover - the loop always returns or raises

    async def _get(self, model: type[M], path: str, **kwargs: Any) -> M:
        return parse_wire(model, await self._call("GET", path, **kwargs))

    async def _post(self, model: type[M], path: str, **kwargs: Any) -> M:
        return parse_wire(model, await self._call("POST", path, **kwargs))

    # --- live routes ----------------------------------------------------------------------------

    async def health(self) -> Health:
        """``GET /health``."""
        return await self._get(Health, "/health")

    async def config_status(self) -> ConfigStatus:
        """``GET /config/status``."""
        return await self._get(ConfigStatus, "/config/status")

    async def config_values(self) -> ConfigValues:
        """``GET /config/values``."""
        return await self._get(ConfigValues, "/config/values")

    async def capabilities(self) -> Capabilities:
        """Probe each planned group once with a request that changes nothing; cached."""
        probes: dict[str, tuple[str, str, Any]] = {
            "auth": ("POST", "/v1/auth/nonce", {}),
            "api_keys": ("GET", "/v1/auth/api-keys", None),
            "usage": ("GET", "/v1/requests?limit=1", None),
            "requests": ("GET", "/v1/requests/probe", None),
            "chat": ("POST", "/v1/chat/completions", {}),
        }
        missing = [name for name in probes if name not in self._caps]

        async def probe(name: str) -> None:
            method, path, body = probes[name]
            try:
                status, data = await self._exchange(method, path, body=body)
            except _Retry as failure:
                raise failure.error from None
            if status >= 500:
                raise _map_error(status, data, None)
            self._caps[name] = not (status == 404 and _error_text(data) == "not found")

        await asyncio.gather(*(probe(name) for name in missing))
        return Capabilities(**{name: self._caps[name] for name in probes})

    async def profile(self, account: str) -> UserCreditProfile:
        """``GET /v1/accounts/{a}/profile``."""
        account = check_address(account)
        answer = await self._get(ProfileResponse, f"/v1/accounts/{account}/profile")
        return answer.profile

    async def credit_history(
        self,
        account: str,
        *,
        limit: int = 20,
        offset: int = 0,
        source: CreditSource | None = None,
        funding_status: FundingStatus | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
    ) -> CreditHistoryPage:
        """``GET /v1/accounts/{a}/credit-history``."""
        account = check_address(account)
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if source is not None:
            params["source"] = source
        if funding_status is not None:
            params["fundingStatus"] = funding_status
        if from_ is not None:
            params["from"] = js_iso(from_)
        if to is not None:
            params["to"] = js_iso(to)
        return await self._get(
            CreditHistoryPage, f"/v1/accounts/{account}/credit-history", params=params
        )

    async def outstanding(self, account: str) -> Outstanding:
        """``GET /v1/accounts/{a}/outstanding``."""
        account = check_address(account)
        return await self._get(Outstanding, f"/v1/accounts/{account}/outstanding")

    async def record_payment(self, tx_hash: str) -> RecordResult:
        """``POST /v1/celo/events/record {txHash}`` (sent once, never retried).

        Raises :class:`ReceiptNotFound` when the Worker's node has no receipt yet (its 500
        ``transaction receipt not found: 0x…``): the payment is still confirming, not failed.
        """
        return await self._post(RecordResult, "/v1/celo/events/record", body={"txHash": tx_hash})

    async def record_account_events(
        self, account: str, from_block: int | str, to_block: int | str = "latest"
    ) -> RecordResult:
        """``POST /v1/celo/events/record {account, fromBlock, toBlock}`` (sent once).

        The Worker takes block tags as strings only (``latest``, ``0x…``, decimal): an int is sent
        as ``0x…`` hex, and the echoed ``fromBlock`` / ``toBlock`` come back as those strings.
        """
        body = {
            "account": check_address(account),
            "fromBlock": block_tag(from_block, "fromBlock"),
            "toBlock": block_tag(to_block, "toBlock"),
        }
        return await self._post(RecordResult, "/v1/celo/events/record", body=body)

    async def stream_credits(self, account: str) -> StreamCreditsResult:
        """``POST /v1/accounts/{a}/stream-credits``."""
        account = check_address(account)
        return await self._post(StreamCreditsResult, f"/v1/accounts/{account}/stream-credits")

    # --- planned routes -------------------------------------------------------------------------

    async def auth_nonce(self, account: str, chain_id: int = CELO_CHAIN_ID) -> AuthNonce:
        """``POST /v1/auth/nonce`` (201)."""
        body = {"account": account, "chainId": chain_id}
        return await self._post(AuthNonce, "/v1/auth/nonce", body=body, feature="auth")

    async def create_api_key(
        self, account: str, nonce: str, signature: str, label: str | None = None
    ) -> IssuedApiKey:
        """``POST /v1/auth/api-keys`` (201)."""
        body: dict[str, Any] = {"account": account, "nonce": nonce, "signature": signature}
        if label is not None:
            body["label"] = label
        return await self._post(IssuedApiKey, "/v1/auth/api-keys", body=body, feature="auth")

    async def list_api_keys(self, token: str) -> ApiKeyList:
        """``GET /v1/auth/api-keys``."""
        return await self._get(ApiKeyList, "/v1/auth/api-keys", token=token, feature="api_keys")

    async def revoke_api_key(self, token: str, key_id: str) -> PublicApiKey:
        """``DELETE /v1/auth/api-keys/{id}`` (sent once)."""
        path = f"/v1/auth/api-keys/{quote(key_id, safe='')}"
        data = await self._call("DELETE", path, token=token, feature="api_keys")
        return parse_wire(RevokedApiKey, data).api_key

    async def quote_request(
        self, messages: Sequence[Mapping[str, Any]], max_tokens: int | None = None
    ) -> int:
        """``POST /v1/credits/quote`` → the hold in micro-USD."""
        body: dict[str, Any] = {"messages": [dict(m) for m in messages]}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        answer = await self._post(RequestQuote, "/v1/credits/quote", body=body, feature="chat")
        return answer.max_cost_micro_usd

    async def request(self, token: str, request_id: str) -> CreditReservation:
        """``GET /v1/requests/{id}``."""
        path = f"/v1/requests/{quote(request_id, safe='')}"
        return await self._get(CreditReservation, path, token=token, feature="requests")

    async def usage(self, token: str, *, limit: int = 20) -> list[CreditReservation]:
        """``GET /v1/requests?limit=`` — our extension of the contract."""
        page = await self._get(
            ReservationList, "/v1/requests", params={"limit": limit}, token=token, feature="usage"
        )
        return page.items

    async def chat_completion(self, token: str, body: Mapping[str, Any]) -> ChatCompletion:
        """``POST /v1/chat/completions`` (sent once: a retry could pay twice)."""
        return await self._post(
            ChatCompletion, "/v1/chat/completions", body=dict(body), token=token, feature="chat"
        )


def _error_text(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return str(data["error"])[:200]
    return None


def _map_error(status: int, data: Any, feature: str | None) -> BackendError:
    """The typed error for a non-2xx answer."""
    text = _error_text(data)
    if text == "insufficient credit balance" or status == 402:
        return InsufficientCredit()
    if status == 400:
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            form = error.get("formErrors")
            fields = error.get("fieldErrors")
            return BackendRejected(
                form_errors=[str(m)[:200] for m in form] if isinstance(form, list) else [],
                field_errors={
                    str(k): [str(m)[:200] for m in v]
                    for k, v in fields.items()
                    if isinstance(v, list)
                }
                if isinstance(fields, dict)
                else {},
            )
        return BackendRejected(form_errors=[text] if text else [], detail=text)
    if status == 401 or status == 403:
        return Unauthorised(detail=text, status=status)
    if status == 404:
        if text == "not found" or text is None:
            if feature is not None:
                return NotSupported(FEATURES.get(feature, "This feature"))
            return BackendUnavailable(detail="route not found", status=404)
        return NotFound("That item does not exist.", detail=text)
    if text is not None and text.startswith("cannot fund credit with status "):
        return AlreadyRecorded(text.removeprefix("cannot fund credit with status ").strip())
    if text is not None and text.startswith(RECEIPT_NOT_FOUND):
        return ReceiptNotFound(text.removeprefix(RECEIPT_NOT_FOUND).strip(), status=status)
    if status >= 500:
        return BackendUnavailable(detail=text, status=status)
    return BackendRejected(form_errors=[text] if text else [], detail=text, status=status)
