"""The checks every state-changing request of a host passes before anything changes.

Cross-site request forgery: a ``Sec-Fetch-Site`` other than ``same-origin``/``none`` or an
``Origin`` other than the page's own is refused with 403 (a page on another port of the same host
is same-*site*, so ``SameSite=Lax`` cookies alone do not stop it), and so is a request without the
visitor's per-session token — the ``csrf_token`` hidden field a host adds to every form, or the
``X-CSRF-Token`` header ``widget.js`` sends.  Bodies are capped (413), decoded strictly (JSON
through :func:`ai_credits.safejson.loads`), and anything malformed is a 400 with a plain sentence.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ai_credits import safejson

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "MAX_BODY_BYTES",
    "Refused",
    "check_same_origin",
    "check_token",
    "form_or_json",
    "new_token",
    "plain",
    "read_body",
    "with_csrf_fields",
]

CSRF_FIELD = "csrf_token"
"""The hidden form field carrying the visitor's anti-forgery token."""
CSRF_HEADER = "x-csrf-token"
"""The header ``widget.js`` sends the token in."""
MAX_BODY_BYTES = 64 * 1024
"""A widget event is a few hundred bytes; anything over this is refused with 413."""
_SAFE_FETCH_SITES = frozenset({"same-origin", "none"})
_FORM_OPEN = re.compile(r"<form\b[^>]*>")


class Refused(Exception):
    """A request answered with a plain-text error (403, 400, 409 or 413) and no session change."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        """The plain-text answer."""
        return plain(self.status, self.message)


def plain(status: int, message: str) -> Response:
    """A plain-text response."""
    return PlainTextResponse(message, status_code=status)


def new_token() -> str:
    """A fresh per-session anti-forgery token."""
    return secrets.token_urlsafe(32)


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def check_same_origin(request: Request) -> None:
    """Refuse a request another site (or another port of this host) made the browser send."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in _SAFE_FETCH_SITES:
        raise Refused(403, "Refused: this request did not come from this page.")
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        raise Refused(403, "Refused: this request did not come from this page.")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused with 413 past ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(413, "The request body is too large.")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise Refused(413, "The request body is too large.")
    return bytes(raw)


async def form_or_json(request: Request) -> tuple[dict[str, Any], bool]:
    """The posted fields and whether they came as JSON; malformed bodies are a plain 400."""
    raw = await read_body(request)
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = safejson.loads(raw)
        except safejson.UnsafeJSON as exc:
            raise Refused(400, f"Bad request: {exc}.") from None
        if not isinstance(data, dict):
            raise Refused(400, "Bad request: the body must be a JSON object.")
        return data, True
    # A plain form posts application/x-www-form-urlencoded (no multipart parser needed).
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False,
                          errors="strict", max_num_fields=50)  # fmt: skip
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, "Bad request: the form body is not valid UTF-8 form data.") from None
    return dict(pairs), False


def check_token(request: Request, data: dict[str, Any], expected: str) -> None:
    """Refuse unless the header or the form carries ``expected`` (the field is removed)."""
    sent = request.headers.get(CSRF_HEADER) or data.pop(CSRF_FIELD, None)
    data.pop(CSRF_FIELD, None)
    if not isinstance(sent, str) or not secrets.compare_digest(
        sent.encode("utf-8", "replace"), expected.encode()
    ):
        raise Refused(403, "Refused: the page's security token is missing or out of date. "
                      "Reload the page and try again.")  # fmt: skip


def with_csrf_fields(html: str, token: str) -> str:
    """``html`` with the hidden ``csrf_token`` field added to every ``<form>``."""
    hidden = f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">'
    return _FORM_OPEN.sub(lambda m: m.group(0) + hidden, html)
