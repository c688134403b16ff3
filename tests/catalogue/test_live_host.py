"""The live host at its HTTP boundary (issue 11): every state-changing request needs the page's
origin and the visitor's token (6), bad bodies are a plain 400 (7), an overlong amount is an inline
error, not a 400 (4)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from catalogue.live import COOKIE, CSRF_FIELD, CSRF_HEADER, create_live_app

ORIGIN = "http://testserver"
FORM = {"content-type": "application/x-www-form-urlencoded", "origin": ORIGIN,
        "sec-fetch-site": "same-origin"}  # fmt: skip
JSON = {"content-type": "application/json", "origin": ORIGIN, "sec-fetch-site": "same-origin"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[Mount("/live", create_live_app(prefix="/live"))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as test_client:
        yield test_client


async def visit(client: httpx.AsyncClient) -> str:
    """Open the page; returns the token its forms carry."""
    page = await client.get("/live/")
    assert page.status_code == 200
    tokens = set(re.findall(rf'name="{CSRF_FIELD}" value="([^"]+)"', page.text))
    assert len(tokens) == 1
    assert page.text.count("<form") == page.text.count(f'name="{CSRF_FIELD}"')  # every form
    return tokens.pop()


async def state(client: httpx.AsyncClient) -> str:
    found = re.search(r'data-state="([a-z_]+)"', (await client.get("/live/")).text)
    assert found is not None
    return found.group(1)


async def test_the_page_posts_with_its_token_and_works(client: httpx.AsyncClient) -> None:
    token = await visit(client)
    answer = await client.post("/live/event", content=f"event=connect&{CSRF_FIELD}={token}",
                         headers=FORM)  # fmt: skip
    assert answer.status_code == 303
    assert await state(client) == "connected_empty"
    answer = await client.post("/live/event", json={"type": "enter_amount", "text": "20000"},
                         headers={**JSON, CSRF_HEADER: token})  # fmt: skip
    assert answer.status_code == 200 and 'data-state="quote_ready"' in answer.text
    assert f'name="{CSRF_FIELD}" value="{token}"' in answer.text  # the swapped-in forms too


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-site"},  # another port of the same host
        {"sec-fetch-site": "cross-site"},
        {"origin": "http://127.0.0.1:9999"},
        {"origin": "null"},
        {"origin": "http://testserver.evil"},
    ],
)
async def test_a_request_from_another_origin_is_refused_even_with_the_token(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    token = await visit(client)
    answer = await client.post("/live/event", content=f"event=connect&{CSRF_FIELD}={token}",
                         headers={**FORM, **headers})  # fmt: skip
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/plain")
    assert "set-cookie" not in answer.headers
    assert await state(client) == "disconnected"


@pytest.mark.parametrize("route", ["/live/event", "/live/dev/bill", "/live/dev/advance",
                                   "/live/dev/slow", "/live/dev/reset"])  # fmt: skip
@pytest.mark.parametrize("token", ["", "wrong"])
async def test_every_state_changing_route_needs_the_token(
    client: httpx.AsyncClient, route: str, token: str
) -> None:
    await visit(client)
    answer = await client.post(route, content=f"event=connect&{CSRF_FIELD}={token}", headers=FORM)
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
    assert await state(client) == "disconnected"


async def test_a_post_without_a_session_is_refused_and_sets_no_cookie(client: httpx.AsyncClient) -> None:
    answer = await client.post("/live/event", content="event=connect", headers=FORM)
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
    assert COOKIE not in client.cookies


async def test_a_forged_post_does_not_replace_the_visitors_cookie(client: httpx.AsyncClient) -> None:
    await visit(client)
    cookie = client.cookies[COOKIE]
    forged = await client.post("/live/event", content="event=connect",
                         headers={**FORM, "origin": "http://127.0.0.1:1", "cookie": ""})  # fmt: skip
    assert forged.status_code == 403 and "set-cookie" not in forged.headers
    assert client.cookies[COOKIE] == cookie


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[1, 2]", "application/json"),
        (b'"connect"', "application/json"),
        (b"{not json", "application/json"),
        (b"[" * 30_000 + b"]" * 30_000, "application/json"),  # under the 64 KiB cap
        (b"event=connect&text=\xff\xfe", "application/x-www-form-urlencoded"),
        (b"event=enter_amount&text=%FF", "application/x-www-form-urlencoded"),
        (b'{"type": "enter_amount", "text": ["x"]}', "application/json"),
        (b'{"type": "nope"}', "application/json"),
    ],
    ids=["list", "string", "invalid", "deep", "non-utf8", "bad-percent", "wrong-type", "unknown"],
)
async def test_bad_bodies_are_a_plain_400(client: httpx.AsyncClient, body: bytes, content_type: str) -> None:
    token = await visit(client)
    answer = await client.post("/live/event", content=body, headers={
        **FORM, "content-type": content_type, CSRF_HEADER: token})  # fmt: skip
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text.startswith("Bad request") and "Traceback" not in answer.text


async def test_an_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    token = await visit(client)
    answer = await client.post("/live/event", content=b"event=connect&x=" + b"a" * 100_000,
                         headers={**FORM, CSRF_HEADER: token})  # fmt: skip
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/plain")


async def test_an_overlong_amount_is_shown_inline_not_a_400(client: httpx.AsyncClient) -> None:
    token = await visit(client)
    await client.post("/live/event", json={"type": "connect"}, headers={**JSON, CSRF_HEADER: token})
    answer = await client.post("/live/event", json={"type": "enter_amount", "text": "9" * 500},
                         headers={**JSON, CSRF_HEADER: token})  # fmt: skip
    assert answer.status_code == 200
    assert "That amount is too large." in answer.text
