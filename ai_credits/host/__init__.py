"""Hosting the widget for real: an embeddable ASGI app with a browser-wallet bridge, and session
stores that let many workers serve one visitor.

>>> from ai_credits.host import create_app          # doctest: +SKIP
>>> app = create_app(backend_url="https://credits.example", rpc_url="https://forno.celo.org",
...                  store="redis://localhost:6379/0", secret=os.environ["AI_CREDITS_SECRET"])

Mount ``app`` in any Starlette / FastAPI app (``app.mount("/credits", …)``); see the README.
"""

from ai_credits.host.app import COOKIE, HostConfig, create_app, from_env
from ai_credits.host.bridge import Answer, BridgedWallet, Suspended
from ai_credits.host.record import Sealer, VisitorRecord
from ai_credits.host.store import MemoryStore, RedisStore, SessionStore, Stored, open_store

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
