"""Hosting the widget for real: an embeddable ASGI app with a browser-wallet bridge, and session
stores that let many workers serve one visitor.

>>> from ai_credits.host import create_app          # doctest: +SKIP
>>> app = create_app(backend_url="https://credits.example", rpc_url="https://forno.celo.org",
...                  store="redis://localhost:6379/0", secret=os.environ["AI_CREDITS_SECRET"])

Mount ``app`` in any Starlette / FastAPI app (``app.mount("/credits", …)``); see the README.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ai_credits.host.app import COOKIE, HostConfig, create_app, from_env
    from ai_credits.host.bridge import Answer, BridgedWallet, Suspended
    from ai_credits.host.record import Sealer, VisitorRecord
    from ai_credits.host.store import MemoryStore, RedisStore, SessionStore, Stored, open_store

_HOMES = {
    **dict.fromkeys(("COOKIE", "HostConfig", "create_app", "from_env"), "app"),
    **dict.fromkeys(("Answer", "BridgedWallet", "Suspended"), "bridge"),
    **dict.fromkeys(("Sealer", "VisitorRecord"), "record"),
    **dict.fromkeys(("MemoryStore", "RedisStore", "SessionStore", "Stored", "open_store"),
                    "store"),
}  # fmt: skip
"""Where each name lives: imported on first use, so ``ai_credits.host.guard`` (the live page's
request guards) comes without the host's HTTP client, chain reader and Fernet."""


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(f"ai_credits.host.{_HOMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ai_credits.host' has no attribute {name!r}")

__all__ = [
    "COOKIE",
    "Answer",
    "BridgedWallet",
    "HostConfig",
    "MemoryStore",
    "RedisStore",
    "Sealer",
    "SessionStore",
    "Stored",
    "Suspended",
    "VisitorRecord",
    "create_app",
    "from_env",
    "open_store",
]
