"""Component docs: a props table per view model, generated from its pydantic JSON schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from ai_credits.views import WidgetView
from ai_credits.views.render import COMPONENTS

__all__ = ["ComponentDoc", "Prop", "component_docs"]


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


def _props(schema: dict[str, Any]) -> tuple[Prop, ...]:
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        default = json.dumps(prop["default"], ensure_ascii=False) if "default" in prop else ""
        rows.append(Prop(name, _type(prop), default, name in required,
                         str(prop.get("description", ""))))  # fmt: skip
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
                         _props(schema))]  # fmt: skip
    for name in COMPONENTS:
        candidates = (_camel(name), _camel(name) + "View", _camel(name) + "Card")
        model = next((m for m in candidates if m in defs), None)
        if model is None:
            docs.append(ComponentDoc(name, "—", None, "No view model found.", ()))
            continue
        field = next((f for f, m in sorted(fields.items()) if m == model), None)
        docs.append(ComponentDoc(name, model, field, str(defs[model].get("description", "")),
                                 _props(defs[model])))  # fmt: skip
    return docs


def part_of(view: BaseModel, field: str | None) -> Any:
    """The view part a component renders (first item of a tuple field), or ``None``."""
    if field is None:
        return None
    value = getattr(view, field, None)
    if isinstance(value, tuple):
        return value[0] if value else None
    return value
