"""One JSON parser for every untrusted body, and a sane recursion limit for the process.

Every JSON body that crosses a boundary — a backend's answer to :class:`WorkerBackend`, a request
to the dev server, a request to a live host — is decoded by :func:`loads`.  It parses with
pydantic-core's Rust parser (``jiter``), whose nesting limit is checked on its own counter, not on
the C stack, so 100,000 nested brackets raise :class:`UnsafeJSON` instead of overflowing the
stack.  ``NaN`` and ``Infinity`` are refused (they are not JSON).

Why this matters: importing the chain stack (``eth_account`` → ``eth_keyfile``) imports
``py_ecc``, whose package init raises the interpreter's recursion limit to 100,000.  With that
limit the standard library's recursive ``json.loads`` overflows the C stack on deep input and the
whole process dies with a segfault.  :func:`restore_recursion_limit` puts the limit back; the
``ai_credits.backends`` and ``ai_credits.chain`` packages import ``py_ecc`` through
:func:`import_chain_stack` before anything else, so the raise never outlives the import.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from pydantic_core import from_json

__all__ = [
    "MAX_DEPTH",
    "SAFE_RECURSION_LIMIT",
    "UnsafeJSON",
    "import_chain_stack",
    "loads",
    "restore_recursion_limit",
]

MAX_DEPTH = 200
"""Nesting always accepted; a little deeper (pydantic-core's own limit) is refused.  The Worker's
answers nest under 10 levels."""
SAFE_RECURSION_LIMIT = 10_000
"""Above this the C stack of a default 8 MiB thread can overflow before Python notices."""


class UnsafeJSON(ValueError):
    """A body that is not JSON a service may decode: malformed, non-UTF-8, or nested too deep.

    The message is a plain sentence and never echoes the input.
    """


def loads(raw: bytes | bytearray | str) -> Any:
    """Decode a JSON document from an untrusted source.

    Raises :class:`UnsafeJSON` for invalid JSON, invalid UTF-8, ``NaN``/``Infinity`` or nesting
    deeper than :data:`MAX_DEPTH`.  Never recurses on the C stack.
    """
    data = bytes(raw) if isinstance(raw, bytearray) else raw
    try:
        return from_json(data, allow_inf_nan=False, cache_strings=False)
    except ValueError as exc:
        text = str(exc)
        if "recursion limit" in text:
            raise UnsafeJSON(f"JSON nested deeper than {MAX_DEPTH} levels") from None
        if "utf-8" in text.lower() or "unicode" in text.lower():
            raise UnsafeJSON("JSON body is not valid UTF-8") from None
        raise UnsafeJSON("malformed JSON") from None


def restore_recursion_limit(previous: int | None = None) -> int:
    """Lower the interpreter's recursion limit back to ``previous`` (capped at
    :data:`SAFE_RECURSION_LIMIT`) if an import raised it; returns the limit now in force."""
    ceiling = min(previous or SAFE_RECURSION_LIMIT, SAFE_RECURSION_LIMIT)
    if sys.getrecursionlimit() > ceiling:
        sys.setrecursionlimit(ceiling)
    return sys.getrecursionlimit()


def import_chain_stack() -> None:
    """Import ``py_ecc`` (pulled in by ``eth_account``) and undo its recursion-limit raise.

    Idempotent; a missing ``py_ecc`` is fine (then nothing raises the limit).
    """
    before = sys.getrecursionlimit()
    try:
        importlib.import_module("py_ecc")
    except ImportError:  # pragma: no cover - py_ecc comes with eth_account
        pass
    finally:
        restore_recursion_limit(before)
