"""A tiny DOM built with the standard library's ``html.parser``, for assertions on rendered HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Node", "normalise", "parse"]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Node:
    """An element: tag, attributes, children and direct text."""

    tag: str
    attrs: dict[str, str | None]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        """This node and every descendant, in document order."""
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with ``tag`` (any when None) and the given attribute values."""
        return [
            n for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]  # fmt: skip

    def text(self, *, skip_hidden: bool = False) -> str:
        """All text inside, whitespace collapsed (``skip_hidden``: leave out aria-hidden)."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            if skip_hidden and node.attrs.get("aria-hidden") == "true":
                return
            parts.extend(node.texts)
            for child in node.children:
                walk(child)

        walk(self)
        return " ".join(" ".join(parts).split())

    def ancestors(self) -> Iterator[Node]:
        """Parents up to the document."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.texts.append(data)


def parse(html: str) -> Node:
    """The document node of ``html``."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACES = re.compile(r"[ \t]*\n\s*")


def normalise(html: str) -> str:
    """Insignificant whitespace removed: one tag per line, no indentation, no blank lines."""
    return _BETWEEN_TAGS.sub(">\n<", _SPACES.sub("\n", html.strip()))
