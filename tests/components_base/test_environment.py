"""The shared Jinja environment: escaping, strictness, caching, loaders, helpers."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader, Environment, UndefinedError

from ai_credits.views.environment import (
    choice,
    create_environment,
    default_environment,
    html_id,
)

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def dict_env() -> Environment:
    templates = {name: "{{ x }}" for name in ("a.html", "a.jinja", "a.txt", "a.xml")}
    return create_environment([DictLoader(templates)])


@pytest.mark.parametrize("name", ["a.html", "a.jinja", "a.txt", "a.xml"])
def test_files_autoescape(dict_env: Environment, name: str) -> None:
    out = dict_env.get_template(name).render(x=HOSTILE)
    assert out == "&lt;img src=x onerror=alert(1)&gt;"


def test_strings_autoescape(dict_env: Environment) -> None:
    assert "<img" not in dict_env.from_string("{{ x }}").render(x=HOSTILE)


def test_missing_variable_raises(dict_env: Environment) -> None:
    with pytest.raises(UndefinedError):
        dict_env.from_string("{{ missing }}").render()
    with pytest.raises(UndefinedError):
        dict_env.from_string("{{ x.missing ~ '' }}").render(x={})


def test_blocks_are_trimmed(dict_env: Environment) -> None:
    assert dict_env.from_string("  {% if true %}\nyes\n  {% endif %}\n").render() == "yes\n"


def test_default_environment_is_created_once() -> None:
    assert default_environment() is default_environment()
    assert create_environment() is not create_environment()


def test_extra_loaders_come_first_and_package_templates_remain() -> None:
    env = create_environment([DictLoader({"layout.jinja": "host override"})])
    assert env.get_template("layout.jinja").render() == "host override"
    assert "macro" not in env.get_template("primitives.jinja").render()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("API key", "api-key"),
        ("buy_clicked", "buy_clicked"),
        ("12 amount", "gw-12-amount"),
        ("", "gw-id"),
        ('"><script>', "script"),
        ("Ünïcode!", "n-code"),
    ],
)
def test_html_id_is_safe_and_deterministic(value: str, expected: str) -> None:
    assert html_id(value) == expected


def test_choice_accepts_listed_values_only() -> None:
    assert choice("info", ("info", "error"), "kind") == "info"
    with pytest.raises(ValueError, match="kind must be one of"):
        choice(HOSTILE, ("info", "error"), "kind")
    with pytest.raises(ValueError):
        choice(None, ("info",), "kind")


def test_globals_inline_our_assets(env: Environment) -> None:
    out = env.from_string(
        "<style>{{ gw_inline_css() }}</style><script>{{ gw_widget_js() }}</script>"
    )
    html = out.render()
    assert "@font-face" in html and "window.AiCreditsWidget" in html
    assert "&lt;" not in html.split("<script>")[1]  # the script is not escaped
