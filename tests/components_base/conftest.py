"""Fixtures for the component foundation tests: an environment and a tiny HTML inspector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader

from ai_credits.views.environment import create_environment

TEMPLATES = Path(__file__).parent / "templates"
VOID = {"input", "br", "img", "meta", "link", "hr", "source", "area", "base", "col", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)

    def ancestors(self) -> list[Element]:
        node, out = self.parent, []
        while node is not None:
            out.append(node)
            node = node.parent
        return out


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1] if self.stack else None
        el = Element(tag, {k: v or "" for k, v in attrs}, parent=parent)
        if parent:
            parent.children.append(el)
        self.elements.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        for el in self.stack:
            el.text += data


@dataclass
class Html:
    """Parsed markup: every element with its attributes and its text content."""

    source: str
    elements: list[Element]

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        def ok(el: Element) -> bool:
            return all(el.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())

        return [e for e in self.elements if (tag is None or e.tag == tag) and ok(e)]

    def one(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    def by_id(self, ident: str) -> Element:
        return self.one(None, id=ident)

    def with_attr(self, name: str) -> list[Element]:
        return [e for e in self.elements if name in e.attrs]


def parse(source: str) -> Html:
    tree = _Tree()
    tree.feed(source)
    tree.close()
    return Html(source, tree.elements)


@pytest.fixture(scope="session")
def env() -> Environment:
    return create_environment([FileSystemLoader(TEMPLATES)])


MacroRenderer = Callable[..., str]


@pytest.fixture(scope="session")
def render_macro(env: Environment) -> MacroRenderer:
    """``render_macro("badge", "info", "Celo")`` → markup of ``ui.badge("info", "Celo")``."""
    template = env.from_string(
        '{% import "primitives.jinja" as ui %}'
        "{% if body is none %}{{ ui[name](*args, **kwargs) }}"
        "{% else %}{% call ui[name](*args, **kwargs) %}{{ body }}{% endcall %}{% endif %}"
    )

    def render(macro: str, /, *args: Any, body: str | None = None, **kwargs: Any) -> str:
        return template.render(name=macro, args=args, kwargs=kwargs, body=body)

    return render
