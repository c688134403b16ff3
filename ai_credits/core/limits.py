"""The one source of size and range limits, shared by the core models and the wire models.

Anything the core would refuse must already be refused where data enters — a backend answer that
breaks a limit is a backend error (a state with a plain message), never a ``ValidationError`` deep
in the runtime.  :mod:`ai_credits.backends.wire` and :mod:`ai_credits.core.models` /
:mod:`ai_credits.core.events` both read these constants, so the two can no longer disagree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, Field

__all__ = [
    "AMOUNT_TEXT_MAX",
    "GD_PRICE_TEXT_MAX",
    "KEY_ID_MAX",
    "KEY_LABEL_MAX",
    "KEY_PREFIX_MAX",
    "MAX_GD_PRICE",
    "MAX_TIMESTAMP",
    "MESSAGE_MAX",
    "MIN_GD_PRICE",
    "MIN_TIMESTAMP",
    "MODEL_NAME_MAX",
    "NOTICE_TITLE_MAX",
    "REQUEST_ID_MAX",
    "TOKEN_COUNT_MAX",
    "GdPriceText",
    "check_gd_price",
    "gd_price_text",
]

REQUEST_ID_MAX = 100
"""A usage row's request id, a wallet action's request id."""
MODEL_NAME_MAX = 200
"""A model name shown in the usage table."""
KEY_ID_MAX = 100
"""An API key's id."""
KEY_PREFIX_MAX = 40
"""An API key's masked prefix (``gd_live_abcd...wxyz`` is 23 characters)."""
KEY_LABEL_MAX = 120
"""An API key's label (the Worker's own limit)."""
MESSAGE_MAX = 500
"""A message sentence carried by an event or a notice."""
NOTICE_TITLE_MAX = 200
"""A notice's title."""
TOKEN_COUNT_MAX = 10**12
"""Prompt or completion tokens of one request: far above any model's context."""
AMOUNT_TEXT_MAX = 100
"""Characters of typed amount the widget keeps.  A G$ amount needs at most 13 whole digits and 18
decimals; longer text is kept clipped (ending in ``…``) and reads as "That amount is too large."."""
GD_PRICE_TEXT_MAX = 40
"""Characters of a G$ price written as decimal text."""
MIN_GD_PRICE = Decimal("0.000001")
"""The smallest G$ price (cUSD per G$) accepted.  Below 0.0000005 the Worker's
``Math.round(price × 1e6)`` is 0 micro-USD per G$: every quote would be zero and every minimum
infinite.  Real prices are around 0.0001–0.002."""
MAX_GD_PRICE = Decimal("1000000")
"""The largest G$ price accepted; far above any plausible one, far below where doubles overflow."""
MIN_TIMESTAMP = datetime(1970, 1, 1, tzinfo=UTC)
MAX_TIMESTAMP = datetime(9000, 1, 1, tzinfo=UTC)
"""Timestamps from a backend outside these are refused: date arithmetic near year 9999
overflows."""

_PRICE = re.compile(r"[0-9]{1,20}(?:\.[0-9]{0,30})?(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)


def check_gd_price(value: object) -> Decimal:
    """The G$ price as a :class:`Decimal` if it is a finite number within
    [:data:`MIN_GD_PRICE`, :data:`MAX_GD_PRICE`]; raises ``ValueError`` with a plain sentence."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("the G$ price must be a number")
    if isinstance(value, str):
        if len(value) > GD_PRICE_TEXT_MAX or not _PRICE.fullmatch(value):
            raise ValueError("the G$ price must be written as a decimal number")
        number = Decimal(value)
    else:
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:  # pragma: no cover - every int/float/Decimal converts
            raise ValueError("the G$ price must be a number") from None
    if not number.is_finite() or not MIN_GD_PRICE <= number <= MAX_GD_PRICE:
        raise ValueError(
            f"the G$ price must be between {MIN_GD_PRICE} and {MAX_GD_PRICE} cUSD per G$"
        )
    return number


def gd_price_text(value: object) -> str:
    """A valid G$ price as plain decimal text (``1e-05`` → ``0.00001``); text already written
    without an exponent is returned unchanged, so a price round-trips exactly."""
    number = check_gd_price(value)
    if isinstance(value, str) and "e" not in value.lower():
        return value
    return format(number, "f")


GdPriceText = Annotated[
    str, Field(max_length=GD_PRICE_TEXT_MAX), AfterValidator(gd_price_text)
]
"""A G$ price (cUSD per G$) as decimal text within the plausible range."""
