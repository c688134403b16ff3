"""The exception hierarchy of ai_credits.

Every error the library raises on purpose derives from :class:`AiCreditsError`, so a host can catch
one type.  Errors that end up in front of a user carry a ``message`` that is a plain English
sentence (PRODUCT.md §8); the ``code`` is stable and meant for programs.
"""

from __future__ import annotations


class AiCreditsError(Exception):
    """Base class of every error raised on purpose by ai_credits."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationError(AiCreditsError, ValueError):
    """Malformed input rejected at a boundary (amount, address, tx hash, chain id …)."""

    code = "invalid"


class InvalidAmount(ValidationError):
    """A user-typed G$ amount that cannot be used; ``message`` is shown inline under the field."""

    code = "invalid_amount"


class QuoteError(ValidationError):
    """An input to the quote engine that has no meaning (negative amount, bad price …)."""

    code = "invalid_quote_input"
