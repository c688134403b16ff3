"""The published JSON schema of :class:`~ai_credits.views.models.WidgetView`.

``widget-view.schema.json`` next to this module is the committed copy; regenerate it with
``python -m ai_credits.views.schema`` (a test checks it is up to date).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ai_credits.views.models import WidgetView

__all__ = ["SCHEMA_ID", "SCHEMA_PATH", "schema_text", "view_json_schema", "write_schema"]

SCHEMA_PATH = Path(__file__).with_name("widget-view.schema.json")
SCHEMA_ID = "https://gooddollar.org/schemas/ai-credits/widget-view.schema.json"


def view_json_schema() -> dict[str, Any]:
    """The JSON schema (draft 2020-12) of the view model hosts receive as JSON."""
    schema = WidgetView.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    """The schema as the committed file holds it (sorted keys, 2-space indent, final newline)."""
    return json.dumps(view_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Write the schema file; returns its path."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
