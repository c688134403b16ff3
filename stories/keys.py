"""Stories: the API key's lifecycle — copy while masked, create another, rotate, revoke."""

from __future__ import annotations

from ai_credits.core import events as ev
from ai_credits.core.states import State
from stories.model import Step, Story

__all__ = ["STORIES"]

S = State
BUY = (Step(event=ev.Connect()), Step(event=ev.EnterAmount(text="{amount}")),
       Step(event=ev.Confirm()))  # fmt: skip
DASHBOARD = (*BUY, Step(event=ev.ViewUsage()))
TWO_KEYS = (*DASHBOARD, Step(event=ev.CreateKey()), Step(event=ev.ViewUsage()))
FIRST_KEY = "key_d4713d60c8a70639"
"""The fixture backend's first key id (its ids come from a seeded generator)."""

STORIES: tuple[Story, ...] = (
    Story(title="Widget/Keys", name="Keys panel", state=S.usage_empty,
          description="Every key of the wallet, this session's marked; create another, rotate "
          "this one, revoke any. The setup shows a placeholder where the key goes.",
          path=TWO_KEYS, tags=("feature",)),
    Story(title="Widget/Keys", name="Revoke asks first", state=S.usage_empty,
          description="Revoking stops every tool using the key, so the widget asks first.",
          path=(*TWO_KEYS, Step(event=ev.RevokeKey(key_id=FIRST_KEY))), tags=("feature",)),
    Story(title="Widget/Keys", name="Key revoked", state=S.usage_empty,
          description="The key is revoked; the list shows what is left.",
          path=(*TWO_KEYS, Step(event=ev.RevokeKey(key_id=FIRST_KEY)),
                Step(event=ev.ConfirmRevoke())), tags=("feature",)),
    Story(title="Widget/Keys", name="Key rotated", state=S.payment_confirmed,
          description="Rotate = a new key (shown once, copy while masked), then the old one "
          "revoked.",
          path=(*DASHBOARD, Step(event=ev.RotateKey())), tags=("feature",)),
    Story(title="Widget/Keys", name="Sign-in cancelled", state=S.payment_confirmed,
          description="The user closed the sign-in prompt from the widget: paid, no key yet, "
          "Create API Key whenever ready.",
          path=(*BUY[:2], Step(event=ev.Confirm(), stop_in=S.signing_in),
                Step(event=ev.CancelSignIn())), tags=("feature",)),
)  # fmt: skip
