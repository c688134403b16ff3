"""``python -m ai_credits.views.schema``: regenerate the committed schema file."""

from ai_credits.views.schema import write_schema

print(write_schema())
