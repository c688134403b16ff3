"""Representative events, shared by the reachability search and the random walk."""

from __future__ import annotations

from datetime import UTC, datetime

from ai_credits.core import events as ev
from ai_credits.core.models import CreditSummary, StreamInfo, UsageRow, WalletInfo

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ACCOUNT = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20
TX = "0x" + "12" * 32
TOKEN = "gd_live_" + "5e" * 32
GD = 10**18


def wallet(balance_gd: int = 50_000, *, verified: bool = True, chain_id: int = 42220) -> WalletInfo:
    return WalletInfo(
        account=ACCOUNT, chain_id=chain_id, g_balance_wei=balance_gd * GD, verified=verified
    )


ROW = UsageRow(
    request_id="r1", model="gpt-4o-mini", status="charged", hold_usd=3_000, cost_usd=1_250,
    prompt_tokens=800, completion_tokens=300, created_at=AT,
)  # fmt: skip
STREAM = StreamInfo(flow_rate=385_802_469_135_802, started_at=AT, as_of=AT)

SAMPLE_EVENTS: list[ev.Event] = [
    ev.Connect(at=AT),
    ev.Disconnect(),
    ev.ChooseMode(mode="stream"),
    ev.ChooseMode(mode="one_time"),
    ev.EnterAmount(text="20000", at=AT),
    ev.EnterAmount(text="30000"),
    ev.EnterAmount(text="900000"),
    ev.EnterAmount(text="1,000"),
    ev.EnterAmount(text=""),
    ev.UseMax(),
    ev.Confirm(request_id="p1"),
    ev.StartStream(request_id="s1"),
    ev.PauseStream(),
    ev.ResumeStream(),
    ev.StopStream(),
    ev.Retry(),
    ev.TopUp(),
    ev.RevealKey(),
    ev.HideKey(),
    ev.CreateKey(),
    ev.ViewUsage(),
    ev.Refresh(),
    ev.SwitchChain(),
    ev.UseOwnKey(),
    ev.LeaveByok(),
    ev.WalletConnected(account=ACCOUNT, chain_id=42220),
    ev.WalletConnected(account=ACCOUNT, chain_id=1),
    ev.WalletRejected(),
    ev.ChainChanged(chain_id=42220),
    ev.ChainChanged(chain_id=137),
    ev.AccountChanged(account=OTHER),
    ev.AccountLoaded(wallet=wallet(), credit=CreditSummary(), at=AT),
    ev.AccountLoaded(wallet=wallet(verified=False), credit=CreditSummary(), at=AT),
    ev.AccountLoaded(wallet=wallet(), credit=CreditSummary(credited_usd=5_000_000), at=AT,
                     key_prefix="gd_live_5e5e...5e5e"),
    ev.AccountLoaded(wallet=wallet(), credit=CreditSummary(credited_usd=5_000_000,
                     captured_usd=5_000_000), at=AT),
    ev.AccountLoaded(wallet=wallet(), credit=CreditSummary(credited_usd=5_000_000), stream=STREAM,
                     at=AT),
    ev.UsageLoaded(rows=(), credit=CreditSummary(credited_usd=5_000_000)),
    ev.UsageLoaded(rows=(ROW,), credit=CreditSummary(credited_usd=5_000_000)),
    ev.UsageLoaded(rows=(ROW,), credit=CreditSummary(credited_usd=5_000_000,
                   captured_usd=4_500_000, last_top_up_usd=5_000_000)),
    ev.UsageLoaded(rows=(ROW,), credit=CreditSummary(credited_usd=1_000, captured_usd=1_000)),
    ev.PaymentSubmitted(tx_hash=TX),
    ev.PaymentRecorded(status="funded", credit=CreditSummary(credited_usd=2_200_000)),
    ev.PaymentRecorded(status="pending"),
    ev.PaymentRecorded(status="failed"),
    ev.PaymentFailed(code="insufficient_gas", message="Not enough CELO for gas"),
    ev.PaymentReverted(tx_hash=TX, code="insufficient_gd", message="Not enough G$ for this payment"),
    ev.PaymentUnconfirmed(tx_hash=TX),
    ev.PayAgain(),
    ev.CheckPayment(),
    ev.ApiKeyIssued(token=TOKEN, key_id="k1", prefix="gd_live_5e5e...5e5e"),
    ev.StreamUpdated(tx_hash=TX, stream=STREAM),
    ev.StreamUpdated(tx_hash=TX, stream=StreamInfo(flow_rate=0, as_of=AT)),
    ev.BackendFailed(),
    ev.BackendFailed(kind="not_supported", message="API keys are not available here yet."),
]  # fmt: skip
