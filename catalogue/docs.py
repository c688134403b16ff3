"""Component docs: a props table per view model, generated from its pydantic JSON schema."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from ai_credits.views import WidgetView
from ai_credits.views.render import COMPONENTS

__all__ = ["FIELD_NOTES", "ComponentDoc", "Prop", "component_docs"]


@dataclass(frozen=True)
class Prop:
    """One row of a props table."""

    name: str
    type: str
    default: str
    required: bool
    description: str


@dataclass(frozen=True)
class ComponentDoc:
    """A component (or the whole widget) and the model it renders from."""

    name: str  # "quote_card", or "widget"
    model: str  # "QuoteCard"
    field: str | None  # the WidgetView field holding it
    description: str
    props: tuple[Prop, ...]


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        items = schema.get("items") or schema.get("prefixItems") or {}
        inner = _type(items) if isinstance(items, dict) else "…"
        return f"{inner}[]"
    return str(kind)


FIELD_NOTES: dict[str, str] = {
    # the same name means the same thing on every card
    "title": "The card's heading (an h3 naming the card's landmark).",
    "label": "The label shown above the value.",
    "message": "Body text, already worded for people.",
    "lines": "Label / value rows (a description list); an emphasised row is the bonus.",
    "actions": "The card's buttons, built from the machine's available events (disabled ones "
    "carry their reason).",
    "note": "A short explanatory caption.",
    "hint": "Help text under the field (aria-describedby).",
    "error": "The inline error for the typed text, or null.",
    "verify_hint": "How to get the GoodID bonus; only for unverified wallets.",
    "settlement_note": "How G$ is settled: the backend handles AntSeed settlement underneath.",
    "first_credit_note": "When the first stream credit is issued (the vault's minimum).",
    "beta": "The beta badge of the streaming feature.",
    "submit": "The form's submit button.",
    "fields": "The form's text fields, each with its value and inline error.",
    "id": "Unique HTML id.",
    "tone": "Status colour and glyph: info, success, warning or error.",
    "text": "The text shown.",
    # WidgetView
    "WidgetView.schema_version": "Version of this view model's schema.",
    "WidgetView.state": "The machine state this view shows (data-state on the root).",
    "WidgetView.test_id": "data-testid of the root: AiCreditsWidget-<state-with-dashes>.",
    "WidgetView.theme": "Colour theme of the render.",
    "WidgetView.steps": "The 4-step progress: connect, buy, copy setup, track usage.",
    "WidgetView.notices": "Alerts at the top, an error summary first (it takes focus).",
    "WidgetView.info_cards": "Extra information cards (credit history, API keys elsewhere).",
    # the cards
    "Hero.headline": "The hero's headline.",
    "Hero.tagline": "One line on what the credits are for.",
    "Hero.bonus_banner": "The GoodID bonus banner (one-time and stream percentages).",
    "NoticeView.focus": "An error summary: focused on render so assistive tech reads it first.",
    "WalletChip.short": "The address shortened as 0x1234…abcd.",
    "WalletChip.full": "The full address (what Copy copies).",
    "WalletChip.network": "The wallet's chain name.",
    "BalanceHero.amount": "The wallet's G$ balance, formatted.",
    "BalanceHero.token": "The token symbol after the amount.",
    "BalanceHero.verified": "GoodID verification badge, when known.",
    "ModeSwitch.legend": "The question the segmented control answers (visually hidden).",
    "ModeSwitch.event": "The event the buttons post (with mode=one_time or stream).",
    "ModeSwitch.selected": "The mode in use.",
    "ModeSwitch.options": "The two modes, each with its bonus note (no figure for unverified "
    "wallets).",
    "AmountForm.text": "The amount exactly as typed (kept on errors).",
    "AmountForm.placeholder": "Example amount shown in the empty field.",
    "AmountForm.presets": "Quick-pick amounts, each with the credit it buys.",
    "AmountForm.preset_event": "The event a preset posts.",
    "AmountForm.preset_legend": "Heading of the presets group.",
    "AmountForm.max_action": "Use Max: the whole G$ balance.",
    "AmountForm.submit": "Get Quote / Update Quote; the field also quotes as the user types.",
    "QuoteCard.total_label": "Label of the total credit (an estimate on a fallback price).",
    "QuoteCard.total": "Total AI credit, bonus included.",
    "PendingCard.spinner": "Whether the three-dot spinner shows (work in progress).",
    "PendingCard.tx_short": "The transaction hash, shortened.",
    "PendingCard.tx_full": "The full transaction hash.",
    "ApiKeyCard.revealed": "Whether the full key is shown now.",
    "ApiKeyCard.can_reveal": "Whether Show Key can reveal it (only right after issue).",
    "SetupSnippets.intro": "What to do with the snippets.",
    "SetupSnippets.base_url": "The OpenAI-compatible base URL the snippets use.",
    "SetupSnippets.model": "The model id the snippets use.",
    "SetupSnippets.snippets": "One copy block per tool (env, Cursor, Continue, Cline, Aider, SDK, "
    "curl).",
    "BalanceCard.available": "Available credit, formatted in the configured unit.",
    "BalanceCard.percent_left": "Share of the last top-up left (the progress bar), or null.",
    "BalanceCard.bar_text": "The progress bar's label.",
    "BalanceCard.low": "Low balance: the bar and warning turn amber.",
    "BalanceCard.warning": "Low- or no-credit warning, or null (out of credit says it in a "
    "notice).",
    "BalanceCard.pending": "Credit on its way (pending funding), or null.",
    "BalanceCard.cached": "The cached label when the backend is down.",
    "UsageTable.caption": "The table's caption (visually hidden).",
    "UsageTable.rows": "Recent requests: model and time, status, cost and in / out tokens.",
    "UsageTable.empty_title": "Shown instead of rows when there are none (or while loading).",
    "UsageTable.empty_hint": "What to do to see the first row.",
    "SpendChart.summary": "Every day's spend in words (the SVG's accessible name).",
    "SpendChart.width": "viewBox width of the SVG.",
    "SpendChart.height": "viewBox height of the SVG.",
    "SpendChart.baseline_y": "y of the bars' baseline.",
    "SpendChart.bars": "One bar per day, with its value drawn above it.",
    "StreamSetupCard.bonus_note": "The stream bonus, for GoodID-verified wallets.",
    "StreamStatusCard.status": "Streaming / Paused / Stopped badge.",
    "StreamStatusCard.accrued_label": "Label of the accrued credit.",
    "StreamStatusCard.accrued": "Credit accrued, formatted.",
    "StreamStatusCard.counter": "The ticking counter (widget.js), or null when frozen / paused.",
    "StreamStatusCard.runs_out": "How long the wallet's G$ lasts at this rate, or null.",
    "StreamStatusCard.message": "What the stream's state means, or null.",
}
"""Descriptions for view-model fields that carry none: ``"Model.field"`` first, then the field
name alone (the same name means the same thing on every card)."""


def _description(model: str, name: str, prop: dict[str, Any],
                 defs: dict[str, dict[str, Any]]) -> str:  # fmt: skip
    """The field's own description, else :data:`FIELD_NOTES`, else the docstring of the model
    the field holds (``header: Header`` → Header's)."""
    own = str(prop.get("description", "")).strip()
    if own:
        return own
    note = FIELD_NOTES.get(f"{model}.{name}") or FIELD_NOTES.get(name)
    if note:
        return note
    for ref in re.findall(r"[A-Z][A-Za-z]+", _type(prop)):
        doc = str(defs.get(ref, {}).get("description", "")).strip()
        if doc:
            return doc.split("\n\n", 1)[0].replace("\n", " ")
    return ""


def _props(schema: dict[str, Any], model: str = "",
           defs: dict[str, dict[str, Any]] | None = None) -> tuple[Prop, ...]:  # fmt: skip
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        default = json.dumps(prop["default"], ensure_ascii=False) if "default" in prop else ""
        rows.append(Prop(name, _type(prop), default, name in required,
                         _description(model, name, prop, defs or {})))  # fmt: skip
    return tuple(rows)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _models_in(annotation: object) -> list[str]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation.__name__]
    return [name for arg in get_args(annotation) for name in _models_in(arg)]


def _field_models() -> dict[str, str]:
    """WidgetView field → the name of the part model it holds."""
    found: dict[str, str] = {}
    for field_name, info in WidgetView.model_fields.items():
        models = _models_in(info.annotation)
        if models:
            found[field_name] = models[0]
    return found


def component_docs() -> list[ComponentDoc]:
    """``widget`` (the :class:`WidgetView` itself) then one doc per component template."""
    schema = WidgetView.model_json_schema()
    defs: dict[str, dict[str, Any]] = schema.get("$defs", {})
    fields = _field_models()
    docs = [ComponentDoc("widget", "WidgetView", None, (WidgetView.__doc__ or "").strip(),
                         _props(schema, "WidgetView", defs))]  # fmt: skip
    for name in COMPONENTS:
        candidates = (_camel(name), _camel(name) + "View", _camel(name) + "Card")
        model = next((m for m in candidates if m in defs), None)
        if model is None:
            docs.append(ComponentDoc(name, "—", None, "No view model found.", ()))
            continue
        field = next((f for f, m in sorted(fields.items()) if m == model), None)
        docs.append(ComponentDoc(name, model, field, str(defs[model].get("description", "")),
                                 _props(defs[model], model, defs)))  # fmt: skip
    return docs


def part_of(view: BaseModel, field: str | None) -> Any:
    """The view part a component renders (first item of a tuple field), or ``None``."""
    if field is None:
        return None
    value = getattr(view, field, None)
    if isinstance(value, tuple):
        return value[0] if value else None
    return value
