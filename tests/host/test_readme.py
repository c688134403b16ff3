"""The README's mounting snippets, run as written: FastAPI, and a Flask app beside the host."""

from __future__ import annotations

import pathlib
import re
from typing import Any

import httpx
import pytest

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
ORIGIN = "http://testserver"


def snippet(name: str) -> str:
    blocks = re.findall(r"```python\n(# readme: (\w+)\n.*?)```", README.read_text(), re.S)
    found = [code for code, tag in blocks if tag == name]
    assert len(found) == 1, f"README has {len(found)} snippets tagged {name!r}"
    return found[0]


def run(name: str) -> Any:
    scope: dict[str, Any] = {"BACKEND_URL": "http://127.0.0.1:9", "RPC_URL": "http://127.0.0.1:9",
                             "STORE_URL": "memory://", "SECRET": "readme", "__name__": "readme"}  # fmt: skip
    exec(compile(snippet(name), f"README.md:{name}", "exec"), scope)
    return scope["app"]


async def widget_under_credits(app: Any) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN)
    page = await client.get("/credits/")
    assert page.status_code == 200 and 'data-state="disconnected"' in page.text
    assert 'data-wallet-url="/credits/wallet"' in page.text
    csrf = re.search(r'data-csrf="([^"]+)"', page.text)
    assert csrf
    answer = await client.post("/credits/event", json={"type": "connect"},
                               headers={"Origin": ORIGIN, "X-CSRF-Token": csrf.group(1)})  # fmt: skip
    assert answer.status_code == 200 and "eth_requestAccounts" in answer.text
    return client


@pytest.mark.parametrize("name", ["fastapi", "flask"])
async def test_the_documented_mount_serves_the_widget(name: str) -> None:
    app = run(name)
    client = await widget_under_credits(app)
    if name == "flask":
        home = await client.get("/")
        assert home.status_code == 200 and 'href="/credits/"' in home.text
    await client.aclose()
