"""Credits backends: the :class:`CreditsBackend` port, its wire models and two implementations.

- :class:`FixtureBackend` — in memory, deterministic, a real ledger (demos, catalogue, tests);
- :class:`WorkerBackend` — HTTP to the GoodDollar Cloudflare Worker (``WORKER_CONTRACT.md``);
- :func:`create_app` / :func:`serve` — a local dev server speaking the Worker's contract.
"""

from typing import TYPE_CHECKING

import ai_credits.recursion_guard  # noqa: F401  (first: restores the recursion limit)
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
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.ledger import LedgerConfig
from ai_credits.backends.protocol import (
    AccountSummary,
    Capabilities,
    CreditsBackend,
    account_summary,
)
from ai_credits.backends.scenario import Scenario, load_scenario, scenario_names

if TYPE_CHECKING:  # httpx is imported when the Worker backend is asked for
    from ai_credits.backends.worker import WorkerBackend

__all__ = [
    "AccountSummary",
    "AlreadyRecorded",
    "BackendError",
    "BackendRejected",
    "BackendUnavailable",
    "Capabilities",
    "CreditsBackend",
    "FixtureBackend",
    "InsufficientCredit",
    "LedgerConfig",
    "NotFound",
    "NotSupported",
    "ReceiptNotFound",
    "Scenario",
    "Unauthorised",
    "WorkerBackend",
    "account_summary",
    "create_app",
    "load_scenario",
    "scenario_names",
    "serve",
]


def __getattr__(name: str) -> object:
    # The dev server pulls in uvicorn/starlette; import it only when asked for.
    if name in ("create_app", "serve"):
        from ai_credits.backends import devserver

        return getattr(devserver, name)
    if name == "WorkerBackend":  # httpx, only for a real backend
        from ai_credits.backends.worker import WorkerBackend

        return WorkerBackend
    raise AttributeError(name)
