"""Stories: the monthly G$ stream (beta)."""

from __future__ import annotations

from ai_credits.core import events as ev
from ai_credits.core.states import State
from stories.model import Knob, Step, Story

__all__ = ["STORIES"]

S = State
CONNECT = Step(event=ev.Connect())
SETUP = (CONNECT, Step(event=ev.ChooseMode(mode="stream")))
QUOTED = (*SETUP, Step(event=ev.EnterAmount(text="{monthly_amount}")))
STARTED = (*QUOTED, Step(event=ev.StartStream()))

STORIES: tuple[Story, ...] = (
    Story(title="Widget/Streaming", name="Streaming setup", state=S.streaming_setup,
          description="Monthly stream chosen, no amount yet: beta label, the 20% bonus.",
          path=SETUP, tags=("base",)),
    Story(title="Widget/Streaming", name="Quote ready (stream)", state=S.streaming_setup,
          description="30 000 G$ per 30 days: flow rate, monthly credit with the bonus.",
          path=QUOTED, tags=("base",)),
    Story(title="Widget/Streaming", name="Stream start cancelled", state=S.streaming_setup,
          description="The user rejected the stream in the wallet; the amount is kept.",
          path=(*QUOTED, Step(knobs=(Knob("chain.reject_next", 4001),),
                              event=ev.StartStream())),
          tags=("error",)),
    Story(title="Widget/Streaming", name="Streaming active", state=S.streaming_active,
          description="The stream just started: rate, streamed so far, next credit.",
          path=STARTED, tags=("base",)),
    Story(title="Widget/Streaming", name="G$ running out soon", state=S.streaming_active,
          description="The wallet holds 5 days of the stream: an amber warning to add G$ "
          "(further off, a plain line says how long the G$ lasts).",
          path=(*STARTED, Step(knobs=(Knob("chain.set_balance", 5_000 * 10**18),),
                               event=ev.Refresh())),
          tags=("feature",)),
    Story(title="Widget/Streaming", name="Bad monthly amount", state=S.streaming_setup,
          description="A monthly amount with thousands separators: its message, and Start "
          "Stream says the same, not \"enter an amount\".",
          path=(*SETUP, Step(event=ev.EnterAmount(text="{monthly_amount}"))),
          args={"monthly_amount": "30,000"}, tags=("error",)),
    Story(title="Widget/Streaming", name="Streaming active (15 days in)",
          state=S.streaming_active, args={"days": 15},
          description="Half a month later: streamed so far and credits accrued, refreshed.",
          path=(*STARTED, Step(knobs=(Knob("clock.advance_days", "{days}"),),
                               event=ev.Refresh())),
          tags=("feature",)),
    Story(title="Widget/Streaming", name="Returning with a running stream",
          state=S.streaming_active, scenario="stream_running",
          description="A wallet that has streamed 10 000 G$ per 30 days for 15 days connects: "
                      "streamed so far and the credit accrued since, a stream credit due.",
          path=(CONNECT,), tags=("feature",)),
    Story(title="Widget/Streaming", name="Streaming paused", state=S.streaming_paused,
          description="Paused: the flow is deleted and its rate remembered.",
          path=(*STARTED, Step(event=ev.PauseStream())), tags=("base",)),
    Story(title="Widget/Streaming", name="Pause failed", state=S.streaming_active,
          description="The pause transaction reverted: back on the stream card with a "
          "stream notice — never the purchase states.",
          path=(*STARTED, Step(knobs=(Knob("chain.revert_next", "unknown"),),
                               event=ev.PauseStream())),
          tags=("error",)),
    Story(title="Widget/Streaming", name="Resume cancelled", state=S.streaming_paused,
          description="The user rejected the resume in the wallet.",
          path=(*STARTED, Step(event=ev.PauseStream()),
                Step(knobs=(Knob("chain.reject_next", 4001),), event=ev.ResumeStream())),
          tags=("error",)),
    Story(title="Widget/Streaming", name="Streaming stopped", state=S.streaming_stopped,
          description="Ended; credits are kept; restart or buy once.",
          path=(*STARTED, Step(event=ev.StopStream())), tags=("base",)),
    Story(title="Widget/Streaming", name="Stopped while paused", state=S.streaming_stopped,
          path=(*STARTED, Step(event=ev.PauseStream()), Step(event=ev.StopStream())),
          tags=("feature",)),
)  # fmt: skip
