"""The layers depend in one direction: core ← adapters ← runtime; core ← views. Checked on the
import statements of every module, so a shortcut across layers fails here, not in review."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "ai_credits"

IO_MODULES = {"httpx", "web3", "eth_account", "eth_abi", "starlette", "uvicorn", "socket",
              "asyncio", "aiohttp", "urllib", "http", "requests", "subprocess", "jinja2",
              "random", "time", "os"}  # fmt: skip

RULES: dict[str, set[str]] = {
    # package: what it must never import (top-level module or ai_credits sub-package)
    "core": IO_MODULES | {"ai_credits.backends", "ai_credits.chain", "ai_credits.runtime",
                          "ai_credits.views"},
    "backends": {"ai_credits.runtime", "ai_credits.views", "ai_credits.chain"},
    "chain": {"ai_credits.runtime", "ai_credits.views", "ai_credits.backends"},
    "views": {"ai_credits.backends", "ai_credits.chain", "ai_credits.runtime", "httpx", "web3"},
    "runtime": {"ai_credits.views"},
}  # fmt: skip


def imports_of(path: pathlib.Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def violates(name: str, banned: set[str]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("package", sorted(RULES))
def test_layers_import_only_downwards(package):
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in imports_of(path)
        if violates(name, RULES[package])
    }
    assert not offenders


def test_the_rule_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import httpx\nfrom ai_credits.views import render_widget\n")
    assert {n for n in imports_of(bad) if violates(n, RULES["core"])} == {
        "httpx", "ai_credits.views"}
