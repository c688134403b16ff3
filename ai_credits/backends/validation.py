"""Request validation shared by the fixture backend and the dev server.

Failures raise :class:`BackendRejected` with zod-style ``formErrors``/``fieldErrors`` — the shape
the Worker answers a bad request with (400) — so both backends reject the same inputs the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, get_args

from ai_credits.backends.errors import BackendRejected
from ai_credits.backends.wire import CreditSource, FundingStatus

__all__ = [
    "block_tag",
    "check_address",
    "check_history_query",
    "check_label",
    "check_limit",
    "check_max_tokens",
    "check_messages",
    "check_record_body",
    "check_tx_hash",
    "parse_iso",
    "rejected",
]

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_TX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_BLOCK_TAG = re.compile(r"latest|0x[0-9a-fA-F]+|[0-9]+")
SOURCES: tuple[str, ...] = get_args(CreditSource)
FUNDING_STATUSES: tuple[str, ...] = get_args(FundingStatus)


def rejected(field: str | None, message: str) -> BackendRejected:
    """A 400-style rejection of one field (or of the whole form when ``field`` is ``None``)."""
    if field is None:
        return BackendRejected(form_errors=[message], detail=message)
    return BackendRejected(field_errors={field: [message]}, detail=f"{field}: {message}")


def check_address(value: object, field: str = "account") -> str:
    """A valid address, lower-cased."""
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise rejected(field, "Invalid")
    return value.lower()


def check_tx_hash(value: object, field: str = "txHash") -> str:
    """A valid transaction hash, lower-cased."""
    if not isinstance(value, str) or not _TX_HASH.fullmatch(value):
        raise rejected(field, "Invalid")
    return value.lower()


def _int_in(value: object, field: str, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise rejected(field, "Expected integer")
    if value < low:
        raise rejected(field, f"Number must be greater than or equal to {low}")
    if high is not None and value > high:
        raise rejected(field, f"Number must be less than or equal to {high}")
    return value


def check_limit(value: object, field: str = "limit") -> int:
    """A page size 1..100."""
    return _int_in(value, field, 1, 100)


def parse_iso(value: str, field: str) -> datetime:
    """An ISO 8601 instant (naive means UTC)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise rejected(field, "Invalid datetime") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_history_query(
    *,
    limit: object,
    offset: object,
    source: object,
    funding_status: object,
    from_: datetime | None,
    to: datetime | None,
) -> tuple[int, int]:
    """Validate a credit-history query; returns ``(limit, offset)``."""
    errors: dict[str, list[str]] = {}
    checked = {"limit": 20, "offset": 0}
    for field, value, low, high in (("limit", limit, 1, 100), ("offset", offset, 0, None)):
        try:
            checked[field] = _int_in(value, field, low, high)
        except BackendRejected as exc:
            errors.update(exc.field_errors)
    for field, value, allowed in (
        ("source", source, SOURCES),
        ("fundingStatus", funding_status, FUNDING_STATUSES),
    ):
        if value is not None and value not in allowed:
            expected = " | ".join(f"'{a}'" for a in allowed)
            errors[field] = [f"Invalid enum value. Expected {expected}"]
    if from_ is not None and to is not None and from_ > to:
        errors.setdefault("to", []).append("to must not be before from")
    if errors:
        raise BackendRejected(field_errors=errors, detail="invalid query")
    return checked["limit"], checked["offset"]


def check_label(value: object) -> str | None:
    """An optional API-key label of 1..120 characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise rejected("label", "Expected string")
    if not 1 <= len(value) <= 120:
        raise rejected("label", "String must contain between 1 and 120 character(s)")
    return value


def check_messages(value: object) -> list[Mapping[str, Any]]:
    """A non-empty list of chat messages, each with string ``role`` and ``content``."""
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise rejected("messages", "Expected a non-empty array of messages")
    out: list[Mapping[str, Any]] = []
    for item in value:
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("role"), str)
            or not isinstance(item.get("content"), str)
        ):
            raise rejected("messages", "Each message needs a string role and content")
        out.append(item)
    return out


def check_max_tokens(value: object) -> int | None:
    """An optional positive ``max_tokens``."""
    if value is None:
        return None
    return _int_in(value, "max_tokens", 1, None)


def block_tag(value: object, field: str = "fromBlock") -> str:
    """A block as the Worker takes it: the string ``latest``, ``0x…`` hex or decimal digits.

    A non-negative int becomes ``0x…`` hex (how a node writes block numbers); anything else —
    a negative number, a float, a bool, malformed text — is rejected as the Worker's zod schema
    rejects it.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return hex(value)
    if isinstance(value, str) and _BLOCK_TAG.fullmatch(value):
        return value
    raise rejected(field, "Invalid" if isinstance(value, str) else "Expected string")


_RECORD_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("txHash", _TX_HASH),
    ("account", _ADDRESS),
    ("fromBlock", _BLOCK_TAG),
    ("toBlock", _BLOCK_TAG),
)


def _zod_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, Mapping) else type(value).__name__


def check_record_body(body: Mapping[str, Any]) -> dict[str, str]:
    """The body of ``POST /v1/celo/events/record`` checked as the Worker's zod schema does.

    Every field is an optional string (``txHash``, ``account``, ``fromBlock``, ``toBlock``); a
    wrongly typed one fails alone ("Expected string, received number"), a malformed one
    ("Invalid") also runs the form rule "provide txHash or account+fromBlock".  Returns the
    fields present, unchanged (the Worker echoes them as sent).
    """
    typed: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    aborted = False
    for field, pattern in _RECORD_FIELDS:
        if field not in body:
            continue
        value = body[field]
        if not isinstance(value, str):
            errors[field] = [f"Expected string, received {_zod_type(value)}"]
            aborted = True
            continue
        typed[field] = value
        if not pattern.fullmatch(value):
            errors[field] = ["Invalid"]
    form: list[str] = []
    ranged = bool(typed.get("account") and typed.get("fromBlock"))
    if not aborted and not (typed.get("txHash") or ranged):
        form.append("provide txHash or account+fromBlock")
    if errors or form:
        raise BackendRejected(form_errors=form, field_errors=errors, detail="invalid record body")
    return typed
