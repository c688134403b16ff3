"""Ledger invariants under random sequences of payments, holds, captures and releases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
)

from ai_credits.backends.errors import AlreadyRecorded, InsufficientCredit
from ai_credits.backends.ledger import Ledger, LedgerConfig

ACCOUNTS = ["0x" + c * 40 for c in "abc"]
START = datetime(2026, 1, 1, tzinfo=UTC)


class LedgerMachine(RuleBasedStateMachine):
    requests = Bundle("requests")
    entries = Bundle("entries")

    @initialize(cap=st.none() | st.integers(0, 2_000_000), verified=st.booleans())
    def setup(self, cap: int | None, verified: bool) -> None:
        roots = {ACCOUNTS[0]: ACCOUNTS[1]} if verified else {}
        self.ledger = Ledger(LedgerConfig(gd_price="0.5", bonus_cap_usd=cap), roots)
        self.now = START
        self.n = 0
        self.funded: dict[str, int] = dict.fromkeys(ACCOUNTS, 0)
        self.expected_held: dict[str, int] = dict.fromkeys(ACCOUNTS, 0)
        self.expected_captured: dict[str, int] = dict.fromkeys(ACCOUNTS, 0)

    def _tick(self) -> datetime:
        self.now += timedelta(hours=7)
        return self.now

    @rule(
        target=entries,
        account=st.sampled_from(ACCOUNTS),
        gd=st.integers(1, 50_000).map(lambda g: g * 10**16),
        outcome=st.sampled_from(["funded", "failed", "pending"]),
    )
    def pay(self, account: str, gd: int, outcome: str) -> str:
        self.n += 1
        entry_id = f"0x{self.n:064x}:0"
        entry = self.ledger.credit(
            entry_id=entry_id,
            account=account,
            gd_wei=gd,
            source="deposit",
            now=self._tick(),
            outcome=outcome,  # type: ignore[arg-type]
        )
        assert entry.total_credit_usd == entry.principal_usd + entry.bonus_usd
        if outcome == "funded":
            self.funded[account] += entry.total_credit_usd
        return entry_id

    @rule(entry_id=entries)
    def pay_again(self, entry_id: str) -> None:
        before = {a: self.ledger.credited(a) for a in ACCOUNTS}
        entry = self.ledger.entry(entry_id)
        assert entry is not None
        with pytest.raises(AlreadyRecorded):
            self.ledger.credit(
                entry_id=entry_id,
                account=entry.account,
                gd_wei=entry.gd_amount_wei,
                source="deposit",
                now=self._tick(),
            )
        assert before == {a: self.ledger.credited(a) for a in ACCOUNTS}

    @rule(entry_id=entries, succeed=st.booleans())
    def settle_pending(self, entry_id: str, succeed: bool) -> None:
        entry = self.ledger.entry(entry_id)
        assert entry is not None
        if entry.funding_status != "pending":
            with pytest.raises(AlreadyRecorded):
                self.ledger.settle_funding(entry_id, succeed=succeed)
            return
        done = self.ledger.settle_funding(entry_id, succeed=succeed)
        if succeed:
            self.funded[done.account] += done.total_credit_usd

    @rule(target=requests, account=st.sampled_from(ACCOUNTS), amount=st.integers(0, 3_000_000))
    def hold(self, account: str, amount: int) -> str:
        self.n += 1
        request_id = f"req_{self.n}"
        available = self.ledger.available(account)
        try:
            self.ledger.hold(account, amount, request_id=request_id, now=self._tick())
        except InsufficientCredit:
            assert amount > available
            return "refused"
        assert amount <= available
        self.expected_held[account] += amount
        return request_id

    @rule(request_id=consumes(requests), actual=st.integers(0, 4_000_000))
    def capture(self, request_id: str, actual: int) -> None:
        if request_id == "refused":
            return
        row = self.ledger.capture(request_id, actual, now=self._tick())
        assert row.actual_cost_usd == min(actual, row.max_cost_usd)
        self.expected_held[row.account] -= row.max_cost_usd
        self.expected_captured[row.account] += row.actual_cost_usd

    @rule(request_id=consumes(requests))
    def release(self, request_id: str) -> None:
        if request_id == "refused":
            return
        row = self.ledger.release(request_id, now=self._tick())
        self.expected_held[row.account] -= row.max_cost_usd

    @invariant()
    def books_balance(self) -> None:
        if not hasattr(self, "ledger"):
            return
        for account in ACCOUNTS:
            credited = self.ledger.credited(account)
            held, captured = self.ledger.held(account), self.ledger.captured(account)
            assert self.ledger.available(account) >= 0
            assert captured + held <= credited
            assert credited == self.funded[account]
            assert credited == sum(
                e.total_credit_usd
                for e in self.ledger.entries(account)
                if e.funding_status == "funded"
            )
            assert held == self.expected_held[account]
            assert captured == self.expected_captured[account]
            profile = self.ledger.profile(account, self.now)
            assert profile.total_principal_usd + profile.total_bonus_usd == credited
            assert profile.total_outstanding_funding_usd == sum(
                e.total_credit_usd
                for e in self.ledger.entries(account)
                if e.funding_status != "funded"
            )


LedgerMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestLedger = LedgerMachine.TestCase
