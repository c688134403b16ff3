"""Stories: buying credits once — from the amount form to the API key."""

from __future__ import annotations

from ai_credits.core import events as ev
from ai_credits.core.states import State
from stories.model import Knob, Step, Story

__all__ = ["STORIES"]

S = State
CONNECT = Step(event=ev.Connect())
AMOUNT = Step(event=ev.EnterAmount(text="{amount}"))

STORIES: tuple[Story, ...] = (
    Story(title="Widget/Purchase", name="Connected with zero credits", state=S.connected_empty,
          description="A verified wallet that never bought credits: balance, mode, amount form.",
          path=(CONNECT,), tags=("base",)),
    Story(title="Widget/Purchase", name="Bad amount", state=S.connected_empty,
          description="Thousands separators are refused with a specific message; nothing is sent.",
          path=(CONNECT, AMOUNT), args={"amount": "1,000"}, tags=("error",)),
    Story(title="Widget/Purchase", name="Quote ready (one-time, verified)", state=S.quote_ready,
          description="20 000 G$ with the +10% GoodID bonus highlighted.",
          path=(CONNECT, AMOUNT), tags=("base",)),
    Story(title="Widget/Purchase", name="Quote ready (unverified, no bonus)",
          state=S.quote_ready, scenario="unverified", wallet="unverified",
          description="A wallet without GoodID tops up: no bonus, and how to get it.",
          path=(CONNECT, Step(event=ev.TopUp()), AMOUNT), tags=("base",)),
    Story(title="Widget/Purchase", name="Quote ready (credits as units)", state=S.quote_ready,
          description="The host shows credit as credits (10 000 credits = $1) instead of US$.",
          config={"credit_unit": "credits"}, path=(CONNECT, AMOUNT), tags=("feature",)),
    Story(title="Widget/Purchase", name="Insufficient G$ balance", state=S.insufficient_g_balance,
          description="The amount is more than the wallet holds: max button, buy disabled.",
          path=(CONNECT, AMOUNT), args={"amount": "300000"}, tags=("base", "error")),
    Story(title="Widget/Purchase", name="Awaiting signature", state=S.awaiting_signature,
          description="The wallet is asked to sign the payment.",
          path=(CONNECT, AMOUNT, Step(event=ev.Confirm(), stop_in=S.awaiting_signature)),
          tags=("expected",)),
    Story(title="Widget/Purchase", name="Transaction cancelled", state=S.quote_ready,
          description="The user rejected the payment in the wallet; the amount is kept.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("chain.reject_next", 4001),), event=ev.Confirm())),
          tags=("error",)),
    Story(title="Widget/Purchase", name="Payment pending", state=S.payment_pending,
          description="The payment is on its way: spinner, tx reference, buy disabled.",
          path=(CONNECT, AMOUNT, Step(event=ev.Confirm(), stop_in=S.payment_pending)),
          tags=("base",)),
    Story(title="Widget/Purchase", name="Second submit ignored", state=S.payment_pending,
          description="A second Buy while the payment is pending is refused by the machine.",
          path=(CONNECT, AMOUNT, Step(event=ev.Confirm(), stop_in=S.payment_pending),
                Step(event=ev.Confirm(), rejected=True)),
          tags=("error",)),
    Story(title="Widget/Purchase", name="Waiting for funding", state=S.credit_outstanding,
          description="The G$ arrived; the credits service is still funding it. Check Again "
          "re-checks this payment, never sends another.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("backend.defer_funding", True),), event=ev.Confirm())),
          tags=("expected",)),
    Story(title="Widget/Purchase", name="Crediting failed", state=S.credit_outstanding,
          description="The G$ arrived but funding the credit failed: the amount owed, the "
          "transaction, Check Again — never a second payment.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("backend.fail_next_payment", True),), event=ev.Confirm())),
          tags=("error", "money")),
    Story(title="Widget/Purchase", name="Crediting failed, then checked again",
          state=S.payment_confirmed,
          description="Check Again asks the service to fund the same payment again: one "
          "transfer, credited once.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("backend.fail_next_payment", True),), event=ev.Confirm()),
                Step(event=ev.CheckPayment())),
          tags=("feature", "money")),
    Story(title="Widget/Purchase", name="Credit owed on a later visit", state=S.connected_empty,
          description="Funding failed and the user left; on reconnect the credit owed is shown "
          "with its transaction and Check Again.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("backend.fail_next_payment", True),), event=ev.Confirm()),
                Step(event=ev.ViewUsage()), Step(event=ev.Disconnect()), CONNECT),
          tags=("feature", "money")),
    Story(title="Widget/Purchase", name="Signing in", state=S.signing_in,
          description="Paid: the wallet is asked to sign in so the API key can be issued.",
          path=(CONNECT, AMOUNT, Step(event=ev.Confirm(), stop_in=S.signing_in)),
          tags=("expected",)),
    Story(title="Widget/Purchase", name="Payment confirmed", state=S.payment_confirmed,
          description="Credits assigned: the API key (masked) and the setup snippets.",
          path=(CONNECT, AMOUNT, Step(event=ev.Confirm())), tags=("base",)),
    Story(title="Widget/Purchase", name="API key revealed", state=S.payment_confirmed,
          description="The key shown in full after Show.",
          path=(CONNECT, AMOUNT, Step(event=ev.Confirm()), Step(event=ev.RevealKey())),
          tags=("base",)),
    Story(title="Widget/Purchase", name="Payment failed", state=S.payment_failed,
          description="The transaction reverted for want of CELO gas: no G$ moved, so "
          "\"Pay 20,000 G$ Again\" is offered; the amount is kept.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("chain.revert_next", "insufficient_gas"),),
                     event=ev.Confirm())),
          tags=("base", "error")),
    Story(title="Widget/Purchase", name="Pay again after a reverted payment",
          state=S.payment_confirmed,
          description="The chain said the first transaction reverted; Pay Again sends the "
          "same amount once more and it goes through.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("chain.revert_next", "insufficient_gas"),),
                     event=ev.Confirm()),
                Step(event=ev.PayAgain())),
          tags=("feature",)),
    Story(title="Widget/Purchase", name="Wallet gave no answer", state=S.payment_failed,
          description="The wallet disconnected before returning a transaction hash: it may "
          "still have sent the payment, so no second payment is offered — check the wallet's "
          "activity first.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("chain.reject_next", 4900),), event=ev.Confirm())),
          tags=("error", "money")),
    Story(title="Widget/Purchase", name="Still confirming", state=S.payment_confirming,
          description="The receipt is late: the payment is still confirming. Check Again "
          "looks up the same transaction; there is no way to pay twice.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("chain.timeout_next"),), event=ev.Confirm())),
          tags=("error", "money")),
    Story(title="Widget/Purchase", name="Confirmed after checking again",
          state=S.payment_confirmed,
          description="Check Again after a late receipt finds the payment mined and credited: "
          "one transfer.",
          path=(CONNECT, AMOUNT,
                Step(knobs=(Knob("chain.timeout_next"),), event=ev.Confirm()),
                Step(event=ev.CheckPayment())),
          tags=("feature", "money")),
    Story(title="Widget/Credits", name="Credit history (backend without usage)",
          state=S.has_credits, scenario="live_worker",
          description="Without usage routes the dashboard shows credit history instead of "
          "usage rows.",
          path=(CONNECT, Step(event=ev.TopUp()), AMOUNT, Step(event=ev.Confirm()),
                Step(event=ev.ViewUsage())),
          tags=("feature",)),
)  # fmt: skip
