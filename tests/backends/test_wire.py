"""Wire models: digit strings, lower-cased addresses, omitted keys, strictness, no echoed secrets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from ai_credits.backends.errors import BackendUnavailable
from ai_credits.backends.protocol import account_summary
from ai_credits.backends.wire import (
    CreditReservation,
    GdCreditEntry,
    IssuedApiKey,
    UserCreditProfile,
    parse_wire,
)

A_UP = "0x" + "AB" * 20
A = A_UP.lower()
WHEN = datetime(2026, 7, 23, 12, 0, 0, 123000, tzinfo=UTC)
ENTRY: dict[str, Any] = {
    "id": "0x" + "1" * 64 + ":0",
    "account": A_UP,
    "rootAccount": A_UP,
    "source": "deposit",
    "gdAmountWei": "12345678000000000000000",
    "principalUsd": "14246912",
    "bonusUsd": "1424691",
    "totalCreditUsd": "15671603",
    "txHash": "0x" + "1" * 64,
    "logIndex": 0,
    "fundingStatus": "funded",
    "createdAt": "2026-07-23T12:00:00.123Z",
    "streamUpdateMonth": "2026-07",
}


def test_entry_round_trips_exactly() -> None:
    entry = GdCreditEntry.from_wire(ENTRY)
    assert entry.gd_amount_wei == 12_345_678 * 10**15 and entry.account == A
    assert entry.created_at == WHEN
    assert entry.to_wire() == {**ENTRY, "account": A, "rootAccount": A}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("principalUsd", 14246912),
        ("principalUsd", "-1"),
        ("principalUsd", "1.5"),
        ("principalUsd", "١٢"),  # non-ASCII digits
        ("principalUsd", True),
        ("account", "0x12"),
        ("source", "gift"),
        ("fundingStatus", "done"),
        ("logIndex", "0"),
        ("createdAt", 1_700_000_000),
        ("streamUpdateMonth", "July"),
    ],
)
def test_wrong_types_on_the_wire_are_refused(key: str, value: object) -> None:
    with pytest.raises(ValidationError):
        GdCreditEntry.from_wire({**ENTRY, key: value})


@pytest.mark.parametrize("missing", ["id", "totalCreditUsd", "fundingStatus"])
def test_missing_required_keys_are_refused(missing: str) -> None:
    data = {k: v for k, v in ENTRY.items() if k != missing}
    with pytest.raises(BackendUnavailable) as info:
        parse_wire(GdCreditEntry, data)
    assert missing in (info.value.detail or "")


def test_unknown_keys_are_ignored() -> None:
    assert GdCreditEntry.from_wire({**ENTRY, "futureField": 1}).id == ENTRY["id"]


def test_undefined_keys_are_omitted() -> None:
    profile = UserCreditProfile(account=A, root_account=A, created_at=WHEN, updated_at=WHEN)
    wire = profile.to_wire()
    assert "lastStreamCreditAt" not in wire and wire["totalGDStreamedWei"] == "0"
    assert None not in wire.values()


def test_validation_errors_never_echo_a_secret() -> None:
    secret = "gd_live_" + "f" * 63 + "Z"  # malformed on purpose
    bad = {"token": secret, "apiKey": {"id": secret}}
    with pytest.raises(ValidationError) as info:
        IssuedApiKey.model_validate(bad)
    assert secret not in str(info.value) and secret not in repr(info.value)
    with pytest.raises(BackendUnavailable) as wrapped:
        parse_wire(IssuedApiKey, bad)
    assert secret not in repr(wrapped.value) and secret not in str(wrapped.value)


def test_account_summary() -> None:
    profile = UserCreditProfile(
        account=A,
        root_account=A,
        created_at=WHEN,
        updated_at=WHEN,
        total_principal_usd=1_000_000,
        total_bonus_usd=100_000,
        total_outstanding_funding_usd=500,
    )

    def row(status: str, max_cost: int, actual: int | None = None) -> CreditReservation:
        return CreditReservation(
            request_id=f"r{max_cost}",
            account=A,
            max_cost_usd=max_cost,
            status=status,  # type: ignore[arg-type]
            actual_cost_usd=actual,
            created_at=WHEN,
            updated_at=WHEN,
        )

    summary = account_summary(
        profile, [row("settled", 3000, 1250), row("released", 1000), row("reserved", 2036)]
    )
    assert (summary.credited, summary.captured, summary.held) == (1_100_000, 1250, 2036)
    assert summary.available == 1_100_000 - 1250 - 2036 and summary.pending == 500
