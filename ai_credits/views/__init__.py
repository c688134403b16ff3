"""Views: the view model of a snapshot and its Jinja rendering.

``build_view(snapshot)`` gives the :class:`WidgetView` (JSON schema: :func:`view_json_schema`);
``render_widget(snapshot)`` renders it with the package components.
"""

from ai_credits.views.build import build_view
from ai_credits.views.models import WidgetView
from ai_credits.views.render import render_component, render_page, render_widget
from ai_credits.views.schema import view_json_schema

__all__ = [
    "WidgetView",
    "build_view",
    "render_component",
    "render_page",
    "render_widget",
    "view_json_schema",
]
