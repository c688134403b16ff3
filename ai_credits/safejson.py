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
``ai_credits.backends`` and ``ai_credits.chain`` packages install :func:`install_recursion_guard`
before anything else: whenever ``py_ecc`` is then imported (if ever), the limit is restored right
after its init, so the raise never outlives the import.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

from pydantic_core import from_json

__all__ = [
    "MAX_DEPTH",
    "SAFE_RECURSION_LIMIT",
    "UnsafeJSON",
    "import_chain_stack",
    "install_recursion_guard",
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


class _RestoreAfterExec(importlib.abc.Loader):
    """Runs the wrapped loader, then puts the recursion limit back."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        before = sys.getrecursionlimit()
        try:
            self._loader.exec_module(module)
        finally:
            restore_recursion_limit(before)

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, …
        return getattr(self._loader, name)


class _RecursionGuard(importlib.abc.MetaPathFinder):
    """Finds ``py_ecc`` through the other finders and wraps its loader."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "py_ecc":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _RestoreAfterExec(spec.loader)
                return spec
        return None


def install_recursion_guard() -> None:
    """Restore the recursion limit after every future import of ``py_ecc`` (and now, if it was
    already imported).  Idempotent; imports nothing."""
    if "py_ecc" in sys.modules:
        restore_recursion_limit(sys.getrecursionlimit())
    if not any(isinstance(f, _RecursionGuard) for f in sys.meta_path):
        sys.meta_path.insert(0, _RecursionGuard())
