"""The backend contract, run against FixtureBackend in process and WorkerBackend over loopback TCP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from eth_account.messages import encode_defunct

from ai_credits.backends.errors import (
    AlreadyRecorded,
    BackendRejected,
    BackendUnavailable,
    InsufficientCredit,
    NotFound,
    NotSupported,
    Unauthorised,
)
from ai_credits.backends.protocol import Capabilities, account_summary
from ai_credits.core.quote import flow_rate_for_monthly

from .conftest import ALICE, BOB, ROOT, WEI, A, B, Harness

HI = [{"role": "user", "content": "hi"}]


# --- live routes ---------------------------------------------------------------------------------


async def test_health_and_config(harness: Harness) -> None:
    health = await harness.backend.health()
    assert health.ok and health.service == "gooddollar-antseed-integration"
    values = await harness.backend.config_values()
    assert values.config.regular_bonus_bps == 1000
    assert values.config.streaming_bonus_bps == 2000
    assert values.config.min_stream_bonus_wei == 4000 * WEI
    assert values.config.gd_cusd_price == 1.0


async def test_unknown_account_has_all_zero_profile_lower_cased(harness: Harness) -> None:
    profile = await harness.backend.profile(ALICE.address)  # checksummed in, lower-cased out
    assert profile.account == A and profile.root_account == A
    assert (profile.total_principal_usd, profile.total_bonus_usd) == (0, 0)
    assert profile.stream_flow_rate_wei_per_second == 0
    assert profile.last_stream_credit_at is None


@pytest.mark.parametrize("bad", ["0x123", "alice", "0x" + "g" * 40, "../health"])
async def test_malformed_account_is_rejected(harness: Harness, bad: str) -> None:
    with pytest.raises(BackendRejected) as info:
        await harness.backend.profile(bad)
    assert "account" in info.value.field_errors


@pytest.mark.parametrize(
    ("case", "gd", "price", "verified", "principal", "bonus"),
    [
        ("E1", "10", "1.0", True, 10_000_000, 1_000_000),
        ("E2", "10000", "0.0001", True, 1_000_000, 100_000),
        ("E3", "12345.678", "0.001154299954649337", True, 14_246_912, 1_424_691),
        ("E3u", "12345.678", "0.001154299954649337", False, 14_246_912, 0),
    ],
)
async def test_worked_checks_through_deposits(
    harness: Harness,
    case: str,
    gd: str,
    price: str,
    verified: bool,
    principal: int,
    bonus: int,
) -> None:
    harness.configure(gd_price=price)
    await harness.fund(A, gd, verified=verified)
    profile = await harness.backend.profile(A)
    assert (profile.total_principal_usd, profile.total_bonus_usd) == (principal, bonus), case
    assert profile.root_account == (ROOT if verified else A)
    [entry] = (await harness.backend.credit_history(A)).items
    assert entry.total_credit_usd == principal + bonus
    assert entry.source == "deposit" and entry.funding_status == "funded"


async def test_e4_stream_month_through_daily_credit(harness: Harness) -> None:
    harness.configure(gd_price="0.00115")
    harness.verify(A)
    harness.fixture.seed_stream(A, 2 * 10**15, since=harness.clock.now)
    harness.clock.advance(seconds=2_592_000)
    result = await harness.backend.stream_credits(A)
    [entry] = result.streams
    assert result.elapsed_seconds == 2_592_000
    assert not hasattr(entry, "message")
    assert (entry.principal_usd, entry.bonus_usd, entry.total_credit_usd) == (  # type: ignore[union-attr]
        5_961_600,
        1_192_320,
        7_153_920,
    )
    # the account route credits as "streamRequest" (the Worker's cron job writes "streamCron")
    assert entry.id == f"stream:2026-08-22:{A}" and entry.source == "streamRequest"  # type: ignore[union-attr]


async def test_e5_stream_update_event_earns_streaming_bonus(harness: Harness) -> None:
    harness.verify(A)
    tx = harness.chain.stream_update(A, flow_rate=10**15, total_flow_wei=1 * WEI)
    [entry] = (await harness.backend.record_payment(tx)).events
    assert entry.source == "streamUpdate"
    assert (entry.principal_usd, entry.bonus_usd, entry.total_credit_usd) == (
        1_000_000,
        200_000,
        1_200_000,
    )
    assert (await harness.backend.profile(A)).stream_flow_rate_wei_per_second == 10**15


async def test_e6_monthly_bonus_cap_per_root(harness: Harness) -> None:
    harness.configure(bonus_cap_usd=500_000)
    harness.verify(A)
    harness.verify(B)  # same GoodID root as A: the cap is shared between the two wallets
    bonuses = []
    for who, gd in ((A, 1), (B, 10), (A, 1)):
        result = await harness.backend.record_payment(harness.chain.deposit(who, gd * WEI))
        bonuses.append(result.events[0].bonus_usd)
    assert bonuses == [100_000, 400_000, 0]
    harness.clock.advance(days=31)  # a new UTC month resets the cap
    assert (await harness.fund(A, 1)) == 1_100_000


async def test_e6_exact_sequence(harness: Harness) -> None:
    harness.configure(bonus_cap_usd=500_000)
    harness.verify(A)
    bonuses = []
    for gd in (1, 10, 1):
        result = await harness.backend.record_payment(harness.chain.deposit(A, gd * WEI))
        bonuses.append(result.events[0].bonus_usd)
    assert bonuses == [100_000, 400_000, 0]


async def test_record_twice_never_credits_twice(harness: Harness) -> None:
    tx = harness.chain.deposit(A, 10 * WEI, logs=2)
    first = await harness.backend.record_payment(tx)
    assert [e.id for e in first.events] == [f"{tx}:0", f"{tx}:1"]
    assert first.tx_hash == tx and first.to_block == "latest"  # the Worker's echo, not a block
    with pytest.raises(AlreadyRecorded) as info:
        await harness.backend.record_payment(tx)
    assert info.value.detail == "cannot fund credit with status funded"
    profile = await harness.backend.profile(A)
    assert profile.total_principal_usd == 20_000_000
    assert profile.total_gd_deposited_wei == 20 * WEI


async def test_record_account_events_takes_and_echoes_block_tags_as_strings(
    harness: Harness,
) -> None:
    harness.chain.deposit(A, 2 * WEI)  # block 100
    harness.chain.deposit(A, 3 * WEI)  # block 100 as well
    result = await harness.backend.record_account_events(A, 100)  # an int travels as "0x64"
    assert result.account == A and result.from_block == "0x64" and result.to_block == "latest"
    assert [e.gd_amount_wei for e in result.events] == [2 * WEI, 3 * WEI]
    assert (await harness.backend.profile(A)).total_principal_usd == 5_000_000
    # a rescan over funded events fails like the Worker's (500 cannot fund …), never credits twice
    with pytest.raises(AlreadyRecorded):
        await harness.backend.record_account_events(A, "0", "200")
    later = await harness.backend.record_account_events(A, "101", "latest")
    assert (later.from_block, later.to_block, later.events) == ("101", "latest", [])
    assert (await harness.backend.profile(A)).total_principal_usd == 5_000_000


@pytest.mark.parametrize(("from_block", "to_block"), [(-1, "latest"), ("0x", "latest"),
                         ("12a", "latest"), ("1", "earliest"), (1.5, "latest")])  # fmt: skip
async def test_record_account_events_rejects_what_the_worker_rejects(
    harness: Harness, from_block: Any, to_block: Any
) -> None:
    with pytest.raises(BackendRejected):
        await harness.backend.record_account_events(A, from_block, to_block)


async def test_record_of_a_tx_without_vault_events_credits_nothing(harness: Harness) -> None:
    result = await harness.backend.record_payment("0x" + "ab" * 32)  # FakeChain: no events
    assert result.events == [] and result.to_block == "latest"


@pytest.mark.parametrize("bad", ["0x1234", "", "0x" + "z" * 64])
async def test_record_rejects_malformed_tx_hash(harness: Harness, bad: str) -> None:
    with pytest.raises(BackendRejected) as info:
        await harness.backend.record_payment(bad)
    assert "txHash" in info.value.field_errors


async def test_failed_funding_is_outstanding_not_credited(harness: Harness) -> None:
    harness.fixture.fail_next_payment = True
    tx = harness.chain.deposit(A, 3 * WEI)
    [entry] = (await harness.backend.record_payment(tx)).events
    assert entry.funding_status == "failed" and entry.funding_error
    assert entry.deposit_id == entry.id and entry.bridge.error
    profile = await harness.backend.profile(A)
    assert profile.total_principal_usd == 0
    assert profile.total_outstanding_funding_usd == 3_000_000
    outstanding = await harness.backend.outstanding(A)
    assert outstanding.outstanding_funding_usd == 3_000_000
    assert [e.id for e in outstanding.failed_funding_credits] == [entry.id]
    # Recording the same tx again funds the same entry again, as the Worker's fundCredit does
    # for an entry that is not funded yet (the knob fires once): no new entry, no new transfer.
    [again] = (await harness.backend.record_payment(tx)).events
    assert (again.id, again.funding_status) == (entry.id, "funded")
    profile = await harness.backend.profile(A)
    assert profile.total_principal_usd == 3_000_000
    assert profile.total_outstanding_funding_usd == 0
    assert (await harness.backend.outstanding(A)).failed_funding_credits == []
    with pytest.raises(AlreadyRecorded):  # funded: never credited twice
        await harness.backend.record_payment(tx)
    assert (await harness.fund(A, 1, verified=False)) == 1_000_000


async def test_credit_history_pages_newest_first(harness: Harness) -> None:
    for gd in (1, 2, 3):
        await harness.fund(A, gd, verified=False)
        harness.clock.advance(minutes=1)
    page = await harness.backend.credit_history(A, limit=2)
    assert [e.gd_amount_wei for e in page.items] == [3 * WEI, 2 * WEI]
    assert (page.total, page.limit, page.offset, page.has_more) == (3, 2, 0, True)
    last = await harness.backend.credit_history(A, limit=2, offset=2)
    assert [e.gd_amount_wei for e in last.items] == [1 * WEI] and not last.has_more
    since = harness.clock.now - timedelta(minutes=2)
    window = await harness.backend.credit_history(A, from_=since)
    assert window.total == 2
    filtered = await harness.backend.credit_history(A, source="streamCron")
    assert filtered.total == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"source": "gift"}, "source"),
        ({"funding_status": "done"}, "fundingStatus"),
    ],
)
async def test_credit_history_bad_query_is_400(
    harness: Harness, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(BackendRejected) as info:
        await harness.backend.credit_history(A, **kwargs)
    assert field in info.value.field_errors
    assert info.value.status == 400


# --- streams -------------------------------------------------------------------------------------


async def test_stream_credit_rules(harness: Harness) -> None:
    none = await harness.backend.stream_credits(A)
    assert (none.streams, none.message) == ([], "no active streams found")  # the Worker's words
    flow = flow_rate_for_monthly(10_000 * WEI)  # ≈ 333 G$ a day
    harness.chain.flows[A] = flow
    first = await harness.backend.stream_credits(A)  # first sight: starts accruing
    # within 24 h of the stream's start the Worker answers its cooldown text (sic: "60 seconds")
    assert (first.streams, first.message) == ([], "stream credits were issued less than 60 seconds ago")
    harness.clock.advance(days=11)  # ≈ 3667 G$ ≤ 4000
    below = await harness.backend.stream_credits(A)
    [note] = below.streams
    assert below.elapsed_seconds == 11 * 86_400
    assert note.message == (  # type: ignore[union-attr]
        f"stream credit amount {flow * 11 * 86_400} is below minimum {4000 * WEI}")
    harness.clock.advance(days=1)  # ≈ 4000 G$
    harness.clock.advance(hours=1)
    due = await harness.backend.stream_credits(A)
    [entry] = due.streams
    assert entry.gd_amount_wei == flow * due.elapsed_seconds  # type: ignore[union-attr,operator]
    assert entry.gd_amount_wei >= 4000 * WEI  # type: ignore[union-attr]
    harness.clock.advance(hours=23)
    cooldown = await harness.backend.stream_credits(A)
    assert (cooldown.streams, cooldown.message) == ([], first.message)
    profile = await harness.backend.profile(A)
    assert profile.last_stream_credit_at == due.streams[0].created_at  # type: ignore[union-attr]
    assert profile.total_gd_streamed_wei == entry.gd_amount_wei  # type: ignore[union-attr]


async def test_stream_update_after_daily_credit_never_double_credits(harness: Harness) -> None:
    flow = 10**17
    harness.fixture.seed_stream(A, flow, since=harness.clock.now)
    harness.clock.advance(days=1)
    cron = (await harness.backend.stream_credits(A)).streams[0]
    harness.clock.advance(hours=2)
    streamed = flow * (86_400 + 7_200)
    tx = harness.chain.stream_update(A, flow_rate=0, total_flow_wei=streamed)
    [update] = (await harness.backend.record_payment(tx)).events
    assert update.gd_amount_wei + cron.gd_amount_wei == streamed  # type: ignore[union-attr]


# --- keys ----------------------------------------------------------------------------------------


async def test_api_key_lifecycle(harness: Harness) -> None:
    token = await harness.api_key(label="laptop")
    assert token.startswith("gd_live_") and len(token) == 8 + 64
    listing = await harness.backend.list_api_keys(token)
    [key] = listing.api_keys
    assert key.account == A and key.label == "laptop" and key.status == "active"
    assert key.token_prefix == f"{token[:12]}...{token[-4:]}"
    assert key.scopes == ["chat:completions"]
    other = await harness.api_key(BOB)
    with pytest.raises(NotFound):
        await harness.backend.revoke_api_key(other, key.id)  # not Bob's
    revoked = await harness.backend.revoke_api_key(token, key.id)
    assert revoked.status == "revoked" and revoked.revoked_at is not None
    with pytest.raises(Unauthorised):
        await harness.backend.list_api_keys(token)


@pytest.mark.parametrize("mistake", ["unknown", "reused", "expired", "mismatch", "wrong_signer"])
async def test_sign_in_errors(harness: Harness, mistake: str) -> None:
    nonce = await harness.backend.auth_nonce(A)
    assert len(nonce.nonce) == 32 and nonce.expires_at - harness.clock.now == timedelta(seconds=600)
    assert nonce.message.splitlines()[0].endswith(
        "wants you to sign in with your Ethereum account:"
    )
    assert f"Nonce: {nonce.nonce}" in nonce.message and "Chain ID: 42220" in nonce.message
    signer, account, value = ALICE, A, nonce.nonce
    expected = {
        "unknown": "auth nonce not found",
        "reused": "auth nonce already consumed",
        "expired": "auth nonce expired",
        "mismatch": "auth nonce account mismatch",
        "wrong_signer": "signature does not match account",
    }[mistake]
    if mistake == "unknown":
        value = "0" * 32
    elif mistake == "reused":
        sig = "0x" + signer.sign_message(encode_defunct(text=nonce.message)).signature.hex()
        await harness.backend.create_api_key(A, value, sig)
    elif mistake == "expired":
        harness.clock.advance(seconds=601)
    elif mistake == "mismatch":
        account = B
    elif mistake == "wrong_signer":
        signer = BOB
    sig = "0x" + signer.sign_message(encode_defunct(text=nonce.message)).signature.hex()
    with pytest.raises(Unauthorised) as info:
        await harness.backend.create_api_key(account, value, sig)
    assert info.value.detail == expected
    assert sig not in repr(info.value) and sig not in info.value.message


async def test_missing_or_bogus_key_is_unauthorised(harness: Harness) -> None:
    for token in ("", "gd_live_" + "0" * 64):
        with pytest.raises(Unauthorised):
            await harness.backend.list_api_keys(token)


# --- AI requests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "max_tokens", "hold"),
    [
        (HI, 1, 1000),
        ([{"role": "user", "content": "x" * 7988}], 1000, 2500),  # 2000 prompt tokens
        (HI, None, 2 + 1536),
    ],
)
async def test_quote_request(
    harness: Harness, messages: list[dict[str, str]], max_tokens: int | None, hold: int
) -> None:
    assert await harness.backend.quote_request(messages, max_tokens) == hold


async def test_chat_holds_captures_and_lists_usage(harness: Harness) -> None:
    await harness.fund(A, 1, verified=False)  # $1.00 at price 1.0
    token = await harness.api_key()
    reply = await harness.backend.chat_completion(
        token, {"model": "m", "messages": HI, "max_tokens": 100}
    )
    credit = reply.credit
    assert credit.reserved_micro_usd == 1000  # ceil(3*500/1000)+150 → MIN_RESERVE
    assert credit.settled_micro_usd + (credit.released_micro_usd or 0) == credit.reserved_micro_usd
    assert reply.choices[0].message.content.startswith("(fixture)")
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    row = await harness.backend.request(token, credit.request_id)
    assert row.status == "settled" and row.actual_cost_usd == credit.settled_micro_usd
    second = await harness.backend.chat_completion(token, {"messages": HI, "max_tokens": 5})
    rows = await harness.backend.usage(token, limit=10)
    assert [r.request_id for r in rows] == [second.credit.request_id, credit.request_id]
    summary = account_summary(await harness.backend.profile(A), rows)
    assert summary.credited == 1_000_000 and summary.held == 0
    assert (
        summary.available == 1_000_000 - credit.settled_micro_usd - second.credit.settled_micro_usd
    )
    assert summary.available == harness.fixture.ledger.available(A)


async def test_hold_above_available_is_refused(harness: Harness) -> None:
    token = await harness.api_key()
    with pytest.raises(InsufficientCredit):
        await harness.backend.chat_completion(token, {"messages": HI, "max_tokens": 1})
    # the refusal is kept in the usage list (our extension) and holds nothing
    [refused] = await harness.backend.usage(token)
    assert (refused.status, refused.max_cost_usd, refused.actual_cost_usd) == ("refused", 1000, None)
    assert harness.fixture.ledger.available(A) == 0
    await harness.fund(A, "0.001", verified=False)  # 1000 micro-USD: exactly one minimum hold
    await harness.backend.chat_completion(token, {"messages": HI, "max_tokens": 1})
    assert harness.fixture.ledger.available(A) >= 0


async def test_failed_request_releases_its_hold(harness: Harness) -> None:
    await harness.fund(A, 1, verified=False)
    token = await harness.api_key()
    harness.fixture.fail_next_request = True
    with pytest.raises(BackendUnavailable):
        await harness.backend.chat_completion(token, {"messages": HI})
    [row] = await harness.backend.usage(token)
    assert row.status == "released" and row.actual_cost_usd is None
    assert harness.fixture.ledger.available(A) == 1_000_000


async def test_unknown_request_is_not_found(harness: Harness) -> None:
    token = await harness.api_key()
    with pytest.raises(NotFound) as info:
        await harness.backend.request(token, "req_nope")
    assert info.value.detail == "request not found"


# --- planned endpoints and knobs -----------------------------------------------------------------


async def test_capabilities_when_planned_endpoints_exist(harness: Harness) -> None:
    assert await harness.backend.capabilities() == Capabilities.all(True)


PLANNED: list[tuple[str, tuple[Any, ...]]] = [
    ("auth_nonce", (A,)),
    ("create_api_key", (A, "0" * 32, "0x00")),
    ("list_api_keys", ("gd_live_" + "0" * 64,)),
    ("revoke_api_key", ("gd_live_" + "0" * 64, "key_1")),
    ("quote_request", (HI,)),
    ("request", ("gd_live_" + "0" * 64, "req_1")),
    ("usage", ("gd_live_" + "0" * 64,)),
    ("chat_completion", ("gd_live_" + "0" * 64, {"messages": HI})),
]


@pytest.mark.parametrize(("method", "args"), PLANNED, ids=[m for m, _ in PLANNED])
async def test_planned_endpoints_missing_raise_not_supported(
    harness: Harness, method: str, args: tuple[Any, ...]
) -> None:
    harness.fixture.planned_endpoints = False
    with pytest.raises(NotSupported):
        await getattr(harness.backend, method)(*args)
    await harness.backend.profile(A)  # live routes still work


async def test_capabilities_of_a_live_worker(harness: Harness) -> None:
    harness.fixture.planned_endpoints = False
    assert await harness.backend.capabilities() == Capabilities.all(False)


async def test_down_backend_is_unavailable(harness: Harness) -> None:
    harness.fixture.down = True
    for call in (harness.backend.health(), harness.backend.profile(A)):
        with pytest.raises(BackendUnavailable):
            await call
