"""Public face of the quote engine; the implementation lives in :mod:`ai_credits.core.quote`."""

from ai_credits.core.quote import *  # noqa: F403
from ai_credits.core.quote import __all__ as __all__
