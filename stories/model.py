"""What a story is: a tiny declaration in the spirit of Storybook's CSF — a fixture scenario, a
wallet, and the path of user events (plus world knobs) that leads the real machine to one state.

Stories are data.  Nothing here builds a snapshot or HTML: :mod:`stories.runner` replays the path
through the real runtime ``Session`` against the fixture world and checks where it ends.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ai_credits.core import events as ev
from ai_credits.core.events import Event
from ai_credits.core.states import State

__all__ = ["Knob", "KnobTarget", "Step", "Story", "StoryArgs", "slug"]

KnobTarget = Literal[
    "chain.reject_next",  # value: EIP-1193 code or error name — the next wallet request fails
    "chain.revert_next",  # value: chain error code — the next transaction reverts
    "chain.timeout_next",  # the next receipt wait times out
    "chain.set_chain_id",  # value: chain id — the wallet moves (and says so: chainChanged)
    "chain.set_rpc_down",  # value: bool — the node cannot be reached
    "chain.switch_account",  # value: fixture wallet name — accountsChanged
    "chain.set_balance",  # value: G$ wei of the story's wallet
    "backend.down",  # value: bool
    "backend.fail_next_payment",  # value: bool — the next recorded payment fails to fund
    "backend.fail_next_request",  # value: bool
    "backend.planned_endpoints",  # value: bool — keys/usage/chat exist (False: today's Worker)
    "backend.defer_funding",  # value: bool — recorded payments stay pending
    "backend.bill_requests",  # value: int — bill that many chat requests with the session's key
    "backend.bill_refused",  # a request whose pre-flight hold is above the credit: refused
    "clock.advance_days",  # value: int — time passes (streams accrue)
]
"""Every world knob a story may turn, as ``"<part>.<knob>"``."""

_ARG_REF = re.compile(r"^\{(\w+)\}$")


def slug(text: str) -> str:
    """Storybook's id slug: lower-case, runs of anything but letters and digits become ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Knob(BaseModel):
    """A change to the fixture world applied before a step: ``Knob("chain.reject_next", 4001)``.

    A string value ``"{name}"`` is taken from the story's args.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: KnobTarget
    value: int | bool | str = True

    def __init__(self, target: KnobTarget, value: int | bool | str = True, **data: Any) -> None:
        super().__init__(target=target, value=value, **data)


class StoryArgs(BaseModel):
    """A story's args (Storybook's word): validated values its path may refer to as ``"{name}"``
    (in string fields of an event, or a knob's value).  Override them with ``story.with_args``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: str = Field(default="20000", max_length=200, description="Text typed in the amount.")
    monthly_amount: str = Field(default="30000", max_length=200, description="Monthly G$.")
    billed_requests: int = Field(default=0, ge=0, le=20, description="AI requests to bill.")
    days: int = Field(default=1, ge=0, le=365, description="Days the clock moves on.")


class Step(BaseModel):
    """One step of a path: world knobs first, then (optionally) one user event.

    ``stop_in`` leaves the runtime waiting in that state (wallet prompt open, receipt not mined);
    ``rejected`` declares that the machine must refuse the event (a double submit, say).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: Event | None = None
    knobs: tuple[Knob, ...] = ()
    stop_in: State | None = None
    rejected: bool = False

    @field_validator("event")
    @classmethod
    def _user_events_only(cls, event: Event | None) -> Event | None:
        if event is not None and event.type not in ev.USER_EVENTS:
            raise ValueError(f"stories send user events only; {event.type!r} is a system event")
        return event

    @model_validator(mode="after")
    def _not_empty(self) -> Step:
        if self.event is None and not self.knobs:
            raise ValueError("a step needs an event or at least one knob")
        return self


class Story(BaseModel):
    """One story: where it sits in the sidebar, the world it starts from, and the path.

    ``title`` is the sidebar group (``"Widget/Purchase"``) and ``name`` the story in it
    (``"Quote ready"``); :attr:`id` is Storybook's ``widget-purchase--quote-ready``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, pattern=r"^[^/]+(/[^/]+)*$")
    name: str = Field(min_length=1)
    state: State = Field(description="The state the path must end in.")
    scenario: str = "zero_credits"
    wallet: Literal["verified", "unverified", "empty"] = "verified"
    config: dict[str, Any] = Field(default_factory=dict, description="WidgetConfig overrides.")
    path: tuple[Step, ...] = ()
    args: StoryArgs = Field(default_factory=StoryArgs)
    tags: tuple[str, ...] = ()
    description: str = ""

    @property
    def id(self) -> str:
        """The stable Storybook-style id: ``<title kebab>--<name kebab>``."""
        return f"{slug(self.title)}--{slug(self.name)}"

    @property
    def path_label(self) -> str:
        """``Widget/Purchase/Quote ready``: the sidebar path and progress label."""
        return f"{self.title}/{self.name}"

    def with_args(self, **overrides: Any) -> Story:
        """The same story with some args changed (validated)."""
        args = StoryArgs.model_validate({**self.args.model_dump(), **overrides})
        return self.model_copy(update={"args": args})

    def arg(self, value: object) -> object:
        """``value`` with an ``"{name}"`` reference replaced by that arg."""
        if isinstance(value, str) and (match := _ARG_REF.match(value)):
            name = match.group(1)
            if name not in StoryArgs.model_fields:
                raise KeyError(f"unknown story arg {name!r}")
            return getattr(self.args, name)
        return value
