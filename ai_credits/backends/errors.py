"""Errors raised by credits backends (WORKER_CONTRACT.md §1–§3).

Every error is an :class:`ai_credits.errors.AiCreditsError` through :class:`BackendError`.  The
``message`` is a user-safe sentence; ``detail`` keeps the backend's own short error text (the
contract's strings such as ``"auth nonce expired"``), which is never secret.
No error ever carries an API key, a signature or a request body.
"""

from __future__ import annotations

from ai_credits.errors import AiCreditsError

__all__ = [
    "AlreadyRecorded",
    "BackendError",
    "BackendRejected",
    "BackendUnavailable",
    "InsufficientCredit",
    "NotFound",
    "NotSupported",
    "ReceiptNotFound",
    "Unauthorised",
]


class BackendError(AiCreditsError):
    """Base class of every error a credits backend raises."""

    code = "backend_error"

    def __init__(
        self, message: str, *, detail: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.detail = detail
        self.status = status

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"detail={self.detail!r}, status={self.status!r})"
        )


class BackendUnavailable(BackendError):
    """The backend could not be reached or answered something unusable (timeout, 5xx, bad JSON)."""

    code = "backend_unavailable"

    def __init__(
        self,
        message: str = "The AI credits service is temporarily unavailable. "
        "Your wallet has not been charged.",
        *,
        detail: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, detail=detail, status=status)


class BackendRejected(BackendError):
    """The backend refused the request as invalid (HTTP 400 and its validation details)."""

    code = "backend_rejected"

    def __init__(
        self,
        message: str = "The AI credits service rejected the request.",
        *,
        form_errors: list[str] | None = None,
        field_errors: dict[str, list[str]] | None = None,
        detail: str | None = None,
        status: int | None = 400,
    ) -> None:
        super().__init__(message, detail=detail, status=status)
        self.form_errors: list[str] = list(form_errors or [])
        self.field_errors: dict[str, list[str]] = {
            k: list(v) for k, v in (field_errors or {}).items()
        }


class AlreadyRecorded(BackendRejected):
    """The transaction was already recorded and funded; it is never credited twice.

    The live Worker answers this with a 500 ``cannot fund credit with status funded``.
    """

    code = "already_recorded"

    def __init__(self, status_word: str = "funded") -> None:
        super().__init__(
            "This payment was already recorded; it is credited only once.",
            detail=f"cannot fund credit with status {status_word}",
            status=500,
        )
        self.funding_status = status_word


class ReceiptNotFound(BackendError):
    """The backend's node has no receipt for the transaction yet: it is *still confirming*.

    The live Worker answers 500 ``transaction receipt not found: 0x…``.  Not an outage and not a
    failure — the payment must be checked again later, never sent again.
    """

    code = "receipt_not_found"

    def __init__(self, tx_hash: str = "", *, status: int | None = 500) -> None:
        super().__init__(
            "The payment has not confirmed yet. Check again in a moment; do not pay again.",
            detail=f"transaction receipt not found: {tx_hash}".strip(),
            status=status,
        )
        self.tx_hash = tx_hash


class NotSupported(BackendError):
    """A planned endpoint this backend does not offer yet (HTTP 404 ``not found``)."""

    code = "not_supported"

    def __init__(self, feature: str, *, status: int | None = 404) -> None:
        super().__init__(
            f"{feature} is not available on this backend yet.", detail="not found", status=status
        )
        self.feature = feature


class Unauthorised(BackendError):
    """No, an invalid, revoked or expired API key; or a bad sign-in nonce/signature (HTTP 401)."""

    code = "unauthorised"

    def __init__(
        self,
        message: str = "The API key or wallet signature was not accepted.",
        *,
        detail: str | None = None,
        status: int | None = 401,
    ) -> None:
        super().__init__(message, detail=detail, status=status)


class InsufficientCredit(BackendError):
    """The hold for an AI request is larger than the available credit."""

    code = "insufficient_ai_credits"

    def __init__(
        self, *, required_usd: int | None = None, available_usd: int | None = None
    ) -> None:
        super().__init__(
            "Not enough AI credits for this request. Buy more credits to continue.",
            detail="insufficient credit balance",
            status=402,
        )
        self.required_usd = required_usd
        self.available_usd = available_usd


class NotFound(BackendError):
    """A thing the backend does not know, such as a request id or an API key id (HTTP 404)."""

    code = "not_found"

    def __init__(self, message: str = "Not found.", *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail, status=404)
