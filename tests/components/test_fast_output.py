"""Autoescaped output is compiled to ``escape_output``: the same text as ``markupsafe.escape``."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup, escape

from ai_credits.views.environment import create_environment, escape_output
from tests.components.paths import HOSTILE


class _Html:
    def __html__(self) -> str:
        return "<b>own markup</b>"


class _Text:
    def __str__(self) -> str:
        return "<i>&'\"</i>"


VALUES: list[object] = [
    *HOSTILE,
    "",
    "plain",
    "a & b < c > d ' e \" f",
    "Ünïcode → ✓ … &amp;",
    "x" * 5000 + "<",
    Markup("<em>safe</em>"),
    Markup(""),
    0,
    -42,
    True,
    False,
    1.5,
    None,
    _Html(),
    _Text(),
    ("<tuple>",),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_escape_output_writes_what_markupsafe_escape_writes(value: object) -> None:
    assert escape_output(value) == str(escape(value))


SOURCE = """\
{%- macro box(v) -%}<b title="{{ v }}">{{ caller() }}</b>{%- endmacro -%}
{%- set block %}<s>{{ x }}</s>{% endset -%}
{{ x }}|{{ n }}|{{ m }}|{{ x ~ n }}|{{ x|upper }}|{{ [x, n] }}|{{ none }}|{{ block }}
{% call box(x) %}{{ x }}{% endcall %}
{% for i in [x, m, n] %}{{ i }};{% endfor %}
{% autoescape false %}{{ x }}{% endautoescape %}
"""


def _stock() -> Environment:
    """Jinja's own code generator with the package's settings."""
    return Environment(
        loader=DictLoader({"t.jinja": SOURCE}),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@pytest.mark.parametrize("x", HOSTILE)
def test_templates_render_exactly_as_with_jinjas_code_generator(x: str) -> None:
    ours = create_environment([DictLoader({"t.jinja": SOURCE})])
    context = {"x": x, "n": 7, "m": Markup("<i>kept</i>")}
    out = ours.get_template("t.jinja").render(**context)
    assert out == _stock().get_template("t.jinja").render(**context)
    assert "<i>kept</i>" in out and x in out  # Markup stays, `autoescape false` is raw
    assert out.count(x) == 1  # … and every other occurrence is escaped


def test_autoescaped_output_compiles_to_the_fast_path() -> None:
    env = create_environment()
    code = env.compile("{{ x }}{% autoescape false %}{{ y }}{% endautoescape %}", raw=True)
    assert "environment.gw_escape(" in code
    assert "str(" in code  # the `autoescape false` block keeps Jinja's own output
    assert "escape(" not in code.replace("environment.gw_escape(", "")
