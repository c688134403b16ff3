"""Stories: a wallet with credits — balance, usage, low and empty balances, a failing backend."""

from __future__ import annotations

from ai_credits.core import events as ev
from ai_credits.core.states import State
from stories.model import Knob, Step, Story

__all__ = ["STORIES"]

S = State
CONNECT = Step(event=ev.Connect())
BUY = (CONNECT, Step(event=ev.EnterAmount(text="{amount}")), Step(event=ev.Confirm()))
SIGN_IN = (CONNECT, Step(event=ev.CreateKey()))
"""A returning wallet signs in to get a key for this session (usage is per key)."""

STORIES: tuple[Story, ...] = (
    Story(title="Widget/Credits", name="Request refused (not enough credit)",
          state=S.insufficient_ai_credits,
          description="A tool asked for more than the credit left: the refused row (nothing "
          "charged) and the top-up prompt.",
          path=(*BUY, Step(event=ev.ViewUsage()),
                Step(knobs=(Knob("backend.bill_refused"),), event=ev.Refresh())),
          tags=("error",)),
    Story(title="Widget/Credits", name="Has credits (usage loading)", state=S.has_credits,
          scenario="verified", description="A returning wallet; its usage is still loading.",
          path=(Step(event=ev.Connect(), stop_in=S.has_credits),), tags=("base",)),
    Story(title="Widget/Credits", name="Has credits (usage needs a key)", state=S.has_credits,
          scenario="verified",
          description="A returning wallet without a key in this session: balance and a hint "
          "to create a key to see usage.",
          path=(CONNECT,), tags=("base",)),
    Story(title="Widget/Credits", name="Has credits with empty usage", state=S.usage_empty,
          description="Just bought: no requests yet, with a hint to paste the setup into a tool.",
          path=(*BUY, Step(event=ev.ViewUsage())), tags=("base",)),
    Story(title="Widget/Credits", name="Has credits with recent usage rows",
          state=S.usage_active, scenario="usage_rows",
          description="Requests held, charged and released, with the spend chart.",
          path=(*SIGN_IN, Step(event=ev.ViewUsage())), tags=("base",)),
    Story(title="Widget/Credits", name="Usage after billed requests", state=S.usage_active,
          description="Bought, then the fixture backend billed a few chat requests.",
          args={"billed_requests": 3},
          path=(*BUY, Step(event=ev.ViewUsage()),
                Step(knobs=(Knob("backend.bill_requests", "{billed_requests}"),),
                     event=ev.Refresh())),
          tags=("feature",)),
    Story(title="Widget/Credits", name="Low balance", state=S.low_balance,
          scenario="low_balance",
          description="$0.285 left, under the $1 floor: warning, progress bar and top-up CTA.",
          path=(*SIGN_IN, Step(event=ev.ViewUsage())), tags=("base",)),
    Story(title="Widget/Credits", name="Insufficient AI credits",
          state=S.insufficient_ai_credits, scenario="no_credits_left",
          description="Every credit is spent: top up; key and setup stay visible.",
          path=(*SIGN_IN, Step(event=ev.ViewUsage())), tags=("base", "error")),
    Story(title="Widget/Credits", name="Top up", state=S.connected_empty, scenario="low_balance",
          description="From the low-balance warning back to the amount form.",
          path=(*SIGN_IN, Step(event=ev.ViewUsage()), Step(event=ev.TopUp())),
          tags=("feature",)),
    Story(title="Widget/Errors", name="Backend unavailable (with cached balance)",
          state=S.backend_unavailable,
          description="The credits service went down after the balance was read: the last "
          "known balance is shown, labelled cached.",
          path=(*BUY, Step(event=ev.ViewUsage()),
                Step(knobs=(Knob("backend.down", True),), event=ev.Refresh())),
          tags=("base", "error")),
    Story(title="Widget/Errors", name="Backend unavailable at connect",
          state=S.backend_unavailable,
          description="The service is down before anything was known: no balance is claimed.",
          path=(Step(knobs=(Knob("backend.down", True),), event=ev.Connect()),),
          tags=("error",)),
    Story(title="Widget/Errors", name="Paid while the backend is down",
          state=S.backend_unavailable,
          description="The payment is on chain but the service cannot record it: never claim "
          "success, never ask to pay again.",
          path=(CONNECT, Step(event=ev.EnterAmount(text="{amount}")),
                Step(event=ev.Confirm(), stop_in=S.payment_pending),
                Step(knobs=(Knob("backend.down", True),), event=ev.CheckPayment())),
          tags=("error",)),
    Story(title="Widget/Errors", name="Key endpoints not deployed", state=S.payment_confirmed,
          scenario="live_worker",
          description="Today's Worker has no API keys (asked once per connection): credit is "
          "confirmed, the key card says where keys come from — no sign-in loop.",
          path=(CONNECT, Step(event=ev.TopUp()), *BUY[1:]), tags=("error",)),
)  # fmt: skip
