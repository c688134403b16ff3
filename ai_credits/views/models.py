"""View models: what the widget shows for one snapshot, already worded and formatted.

:class:`WidgetView` is the only thing the Jinja components see.  Every amount is a formatted
string (made with :mod:`ai_credits.core.quote`), every button an :class:`Action` built from
:func:`ai_credits.available_events`, every optional card ``None`` when the state does not show it.
Hosts with their own front end can take ``WidgetView.model_dump(mode="json")`` (schema:
:func:`ai_credits.views.view_json_schema`).

The API key token is never part of a view unless the snapshot is in ``payment_confirmed`` with
the key revealed; then it sits in :attr:`ApiKeyCard.value`, excluded from ``repr``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Action",
    "ApiKeyCard",
    "Badge",
    "BalanceCard",
    "BalanceHero",
    "ByokCard",
    "CachedLabel",
    "ChartBar",
    "Counter",
    "FormField",
    "Header",
    "Hero",
    "HiddenField",
    "InfoCard",
    "InfoLine",
    "KeyRowView",
    "ModeOption",
    "ModeSwitch",
    "NoticeView",
    "PendingCard",
    "Preset",
    "QuoteCard",
    "SetupSnippets",
    "Snippet",
    "SpendChart",
    "StepView",
    "StreamSetupCard",
    "StreamStatusCard",
    "Tone",
    "UsageRowView",
    "UsageTable",
    "WalletChip",
    "WidgetView",
]

Tone = Literal["info", "success", "warning", "error"]
StepStatus = Literal["pending", "ready", "in_progress", "completed", "needs_attention"]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HiddenField(_View):
    """A hidden ``<input>`` posted with an action (``mode=stream``, ``text=1000``)."""

    name: str
    value: str


class Action(_View):
    """A button: posts ``event=<type>`` (and its hidden fields) in a ``<form method="post">``."""

    id: str = Field(description="Unique HTML id of the button.")
    type: str = Field(description="The user event the button sends.")
    label: str = Field(description="Title Case label.")
    enabled: bool = True
    reason: str | None = Field(default=None, description="Why it is disabled (for everyone).")
    fields: tuple[HiddenField, ...] = ()
    variant: Literal["primary", "secondary"] = "secondary"


class Badge(_View):
    """A status pill."""

    label: str
    tone: Tone


class Header(_View):
    """The header row: title and the chain badge."""

    title: str = "GoodDollar"
    heading_id: str
    chain: Badge


class Hero(_View):
    """The hero copy of the start states."""

    headline: str
    tagline: str
    bonus_banner: str
    actions: tuple[Action, ...] = ()


class StepView(_View):
    """One step of the 4-step progress."""

    label: str
    status: StepStatus
    status_label: str
    current: bool = False


class WalletChip(_View):
    """The connected wallet: short address (copyable full address) and network."""

    short: str
    full: str
    network: str
    actions: tuple[Action, ...] = ()


class BalanceHero(_View):
    """The wallet's G$ balance, large."""

    label: str
    amount: str
    token: str = "G$"
    verified: Badge | None = None


class ModeOption(_View):
    """One side of the one-time / stream switch."""

    value: Literal["one_time", "stream"]
    label: str
    note: str


class ModeSwitch(_View):
    """One-time purchase or monthly stream: a segmented control posting ``choose_mode``."""

    legend: str
    event: str = "choose_mode"
    selected: Literal["one_time", "stream"]
    options: tuple[ModeOption, ...]


class Preset(_View):
    """A quick-pick amount chip, with the bonus it earns."""

    value: str = Field(description="The text posted as the amount.")
    label: str
    note: str | None = None


class AmountForm(_View):
    """The G$ amount field: the text exactly as typed, its error, presets and Max."""

    label: str
    text: str
    placeholder: str
    hint: str
    error: str | None = None
    presets: tuple[Preset, ...] = ()
    preset_event: str = "enter_amount"
    preset_legend: str = "Quick amounts"
    submit: Action
    max_action: Action | None = None
    actions: tuple[Action, ...] = ()


class InfoLine(_View):
    """A label/value row of a card (``emphasis`` highlights the bonus)."""

    label: str
    value: str
    emphasis: bool = False


class QuoteCard(_View):
    """What a one-time amount buys."""

    title: str
    lines: tuple[InfoLine, ...]
    total_label: str
    total: str
    settlement_note: str
    verify_hint: str | None = None
    price_note: str | None = Field(
        default=None, description="Set when the quote is an estimate (not the oracle price)."
    )
    actions: tuple[Action, ...] = ()


class PendingCard(_View):
    """A wallet or payment step under way: spinner, message, transaction reference."""

    title: str
    message: str
    spinner: bool = True
    lines: tuple[InfoLine, ...] = ()
    tx_short: str | None = None
    tx_full: str | None = None
    actions: tuple[Action, ...] = ()


class KeyRowView(_View):
    """One of the account's keys in the keys panel."""

    key_id: str
    masked: str
    label: str
    status_label: str
    detail: str
    current: bool = False
    actions: tuple[Action, ...] = ()


class ApiKeyCard(_View):
    """The API key: masked by default.  Right after issue the full token is in the view (for
    Copy, and for display once revealed); later only the masked form.  The keys panel lists the
    account's keys with create / rotate / revoke (revoke asks for confirmation)."""

    title: str
    label: str = "API key"
    masked: str | None = Field(default=None, description="Masked key; None before one exists.")
    value: str | None = Field(default=None, repr=False,
                              description="Full token: only in payment_confirmed, for Copy.")
    revealed: bool = False
    can_reveal: bool = False
    note: str
    keys: tuple[KeyRowView, ...] = ()
    confirm: NoticeView | None = Field(default=None, description="The revoke confirmation.")
    actions: tuple[Action, ...] = ()


class Snippet(_View):
    """One copy block of the setup: ``code`` as shown (key masked), ``copy_code`` as copied
    (with the real key) when that differs."""

    id: str
    title: str
    language: Literal["bash", "yaml", "python", "text"]
    code: str = Field(repr=False)
    copy_code: str | None = Field(default=None, repr=False)
    note: str | None = None


class SetupSnippets(_View):
    """Copy-paste setup for coding tools."""

    title: str
    intro: str
    base_url: str
    model: str
    snippets: tuple[Snippet, ...]


class CachedLabel(_View):
    """"cached · as of <time>": the only way a stale balance may be shown."""

    text: str
    as_of: str | None = Field(default=None, description="ISO 8601 time of the figure.")


class BalanceCard(_View):
    """Available AI credit, remaining-credit bar and the low-balance warning."""

    title: str
    label: str
    available: str
    percent_left: int | None = Field(default=None, ge=0, le=100)
    bar_text: str | None = None
    low: bool = False
    warning: str | None = None
    pending: str | None = None
    cached: CachedLabel | None = None
    actions: tuple[Action, ...] = ()


class UsageRowView(_View):
    """One billed request."""

    request_id: str
    model: str
    status: Literal["held", "charged", "released", "refused"]
    status_label: str
    tone: Tone
    cost: str
    cost_kind: str
    tokens: str
    tokens_split: str = Field(
        default="—", description="Prompt / completion tokens: ``812 in / 64 out``."
    )
    time: str
    time_iso: str


class UsageTable(_View):
    """Recent requests (Held / Charged / Released)."""

    title: str
    caption: str
    rows: tuple[UsageRowView, ...]
    empty_title: str | None = None
    empty_hint: str | None = None


class ChartBar(_View):
    """One day's bar; geometry computed in Python, drawn as SVG by the template."""

    x: int
    y: int
    width: int
    height: int
    day: str
    value: str
    label_x: int
    value_label: str = Field(default="", description="Short value drawn above the bar.")
    value_y: int = Field(default=0, description="Baseline of the value label.")


class SpendChart(_View):
    """Spend per day (charged cost; holds count at their estimate)."""

    title: str
    summary: str
    width: int
    height: int
    baseline_y: int
    bars: tuple[ChartBar, ...]


class NoticeView(_View):
    """An error, warning, info or success message; error summaries take focus."""

    id: str
    tone: Tone
    title: str
    message: str = ""
    focus: bool = False
    actions: tuple[Action, ...] = ()


class Counter(_View):
    """A ticking credit counter: ``base + rate × (now − as_of)`` in the browser (not live)."""

    text: str
    base_micro: int
    rate_micro_per_s: str
    as_of: int
    decimals: int = 4


class StreamSetupCard(_View):
    """Monthly stream set-up (beta)."""

    title: str
    beta: Badge
    lines: tuple[InfoLine, ...]
    bonus_note: str
    first_credit_note: str
    verify_hint: str | None = None
    settlement_note: str | None = Field(
        default=None, description="How G$ is settled; shown with a stream quote."
    )
    actions: tuple[Action, ...] = ()


class StreamStatusCard(_View):
    """A running, paused or stopped stream."""

    title: str
    beta: Badge
    status: Badge
    lines: tuple[InfoLine, ...]
    accrued_label: str
    accrued: str
    counter: Counter | None = None
    first_credit_note: str | None = None
    runs_out: str | None = None
    runs_out_soon: bool = Field(
        default=False, description="The wallet's G$ runs out within a week: a warning."
    )
    message: str | None = None
    actions: tuple[Action, ...] = ()


class InfoCard(_View):
    """A titled card of label/value rows: credit history, credit owed, where keys come from."""

    key: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="Stable id (test id, anchors).")
    title: str
    message: str = ""
    lines: tuple[InfoLine, ...] = ()
    actions: tuple[Action, ...] = ()


class FormField(_View):
    """One text field of a form: its value as typed, and its inline error."""

    name: str = Field(pattern=r"^[a-z_]+$")
    label: str
    value: str = ""
    kind: Literal["text", "url", "password"] = "text"
    placeholder: str = ""
    hint: str | None = None
    error: str | None = None


class ByokCard(_View):
    """Bring your own key: the provider, key and model the setup uses instead of credits."""

    title: str
    message: str
    lines: tuple[InfoLine, ...] = ()
    fields: tuple[FormField, ...] = ()
    submit: Action | None = None
    actions: tuple[Action, ...] = ()


class WidgetView(_View):
    """Everything the widget shows for one snapshot (the templates see nothing else)."""

    schema_version: Literal[1] = 1
    state: str
    test_id: str
    theme: Literal["dark", "light"]
    header: Header
    hero: Hero | None = None
    steps: tuple[StepView, ...]
    notices: tuple[NoticeView, ...] = ()
    wallet: WalletChip | None = None
    balance_hero: BalanceHero | None = None
    mode_switch: ModeSwitch | None = None
    amount_form: AmountForm | None = None
    quote: QuoteCard | None = None
    stream_setup: StreamSetupCard | None = None
    pending: PendingCard | None = None
    stream_status: StreamStatusCard | None = None
    byok: ByokCard | None = None
    balance: BalanceCard | None = None
    api_key: ApiKeyCard | None = None
    setup: SetupSnippets | None = None
    usage: UsageTable | None = None
    chart: SpendChart | None = None
    info_cards: tuple[InfoCard, ...] = ()
    more_actions: tuple[Action, ...] = Field(
        default=(), description="Actions that belong to no card (shown at the end)."
    )
    actions: tuple[Action, ...] = Field(
        default=(), description="Every button the state offers, wherever it is shown."
    )

    def __str__(self) -> str:
        return f"WidgetView(state={self.state!r})"
