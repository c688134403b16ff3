"""The embeddable host in-process over ASGI: the fixture world's backend and in-memory chain, an
httpx client standing in for a browser tab, and a helper that plays the page's wallet."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ai_credits.chain import ChainConfig
from ai_credits.host import MemoryStore, SessionStore, create_app
from fixtures.world import World, build_world

ORIGIN = "http://testserver"
_REQUEST = re.compile(r'data-wallet-request="([^"]*)"')
_CSRF = re.compile(r'data-csrf="([^"]*)"')
_STATE = re.compile(r'data-state="([a-z_]+)"')


@dataclass
class Tab:
    """One browser tab: the host's last answer, and the wallet request it carried."""

    client: httpx.AsyncClient
    world: World
    html: str = ""

    @property
    def state(self) -> str:
        found = _STATE.search(self.html)
        assert found, self.html[:400]
        return found.group(1)

    @property
    def request(self) -> dict[str, Any] | None:
        found = _REQUEST.search(self.html)
        return json.loads(html.unescape(found.group(1))) if found else None

    @property
    def csrf(self) -> str:
        found = _CSRF.search(self.html)
        assert found
        return found.group(1)

    async def open(self, path: str = "/") -> Tab:
        answer = await self.client.get(path)
        assert answer.status_code == 200, answer.text
        self.html = answer.text
        return self

    async def post(self, url: str, body: dict[str, Any], *, status: int = 200) -> httpx.Response:
        answer = await self.client.post(url, json=body, headers={"Origin": ORIGIN,
                                                                  "X-CSRF-Token": self.csrf})  # fmt: skip
        assert answer.status_code == status, answer.text
        if status == 200:
            self.html = answer.text
        return answer

    async def send(self, event: str, **fields: Any) -> Tab:
        await self.post("/event", {"type": event, **fields})
        return self

    async def approve(self, request: dict[str, Any] | None = None) -> Tab:
        """Do what the wallet request asks, on the in-memory chain, and report it: the request
        of this page, or ``request``, one handed out earlier (a prompt the user signs late)."""
        request = request or self.request
        assert request is not None, f"no wallet request in {self.state}"
        rid, kind = request["request_id"], request["kind"]
        wallet = self.world.chain.wallet(self.world.account)
        if kind == "connect":
            await self.post("/wallet", {"request_id": rid, "kind": kind,
                                        "account": self.world.account, "chain_id": "0xa4ec"})  # fmt: skip
        elif kind == "send_transaction":
            amount = int(request["tx"]["data"][74:138], 16)  # transferAndCall(vault, amount, …)
            tx_hash = await wallet.send_purchase(payer=self.world.account,
                                                 buyer=self.world.account, amount_wei=amount)  # fmt: skip
            await self.post("/wallet", {"request_id": rid, "kind": kind, "tx_hash": tx_hash})
        elif kind == "sign_message":
            signature = await wallet.sign_message(self.world.account, request["message"])
            await self.post("/wallet", {"request_id": rid, "kind": kind, "signature": signature})
        else:
            await self.post("/wallet", {"request_id": rid, "kind": kind})
        return self

    async def reject(self, code: int = 4001) -> Tab:
        request = self.request
        assert request is not None
        await self.post("/wallet", {"request_id": request["request_id"], "kind": request["kind"],
                                    "error": {"code": code, "message": "User rejected."}})  # fmt: skip
        return self


@pytest.fixture
def world() -> World:
    return build_world("zero_credits")


def host_app(world: World, store: SessionStore | None = None, **kwargs: Any) -> Any:
    return create_app(backend=world.backend, reads=world.chain.wallet(world.account),
                      chain=ChainConfig(), clock=world.clock,
                      store=store if store is not None else MemoryStore(), **kwargs)  # fmt: skip


def client_for(app: Any, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN,
                             cookies=cookies)  # fmt: skip


@pytest.fixture
async def tab(world: World) -> AsyncIterator[Tab]:
    async with client_for(host_app(world)) as client:
        yield await Tab(client, world).open()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running redis-server (never skipped: missing is a failure)."""
    from tests.host.redis_server import RedisServer

    server = RedisServer.start(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()
