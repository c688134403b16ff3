"""The dev server's wire corners, checked with raw HTTP over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ai_credits.backends.devserver import BackgroundServer
from ai_credits.backends.fixture import FixtureBackend

from .conftest import WEI, A, FakeChain

pytestmark = pytest.mark.usefixtures("dev_server")


@pytest.fixture
async def http(
    dev_server: BackgroundServer, fixture_backend: FixtureBackend
) -> AsyncIterator[httpx.AsyncClient]:
    dev_server.app.state.backend = fixture_backend
    async with httpx.AsyncClient(base_url=dev_server.url) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/nope"),
        ("POST", "/health"),
        ("DELETE", f"/v1/accounts/{A}/profile"),
        ("GET", "/v1/celo/events/record"),
        ("PUT", "/v1/auth/api-keys"),
    ],
)
async def test_unknown_path_or_method_is_404_not_found(
    http: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await http.request(method, path)
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/health", "/anything/at/all", "/v1/chat/completions"])
async def test_options_is_204_with_cors(http: httpx.AsyncClient, path: str) -> None:
    response = await http.options(path)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"not json", {"content-type": "application/json"}),
        (b'{"txHash": "0x' + b"1" * 64 + b'"}', {}),  # no content type
        (b'{"txHash": "0x' + b"1" * 64 + b'"}', {"content-type": "text/plain"}),
    ],
)
async def test_record_with_non_json_body_is_500(
    http: httpx.AsyncClient, content: bytes, headers: dict[str, str]
) -> None:
    response = await http.post("/v1/celo/events/record", content=content, headers=headers)
    assert response.status_code == 500
    assert isinstance(response.json()["error"], str)
    assert response.headers["access-control-allow-origin"] == "*"


async def test_record_with_neither_form_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/celo/events/record", json={"foo": 1})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["formErrors"] and error["fieldErrors"] == {}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=2.5", "limit"),
        ("offset=-1", "offset"),
        ("source=gift", "source"),
        ("fundingStatus=x", "fundingStatus"),
        ("from=yesterday", "from"),
    ],
)
async def test_credit_history_query_validation_shape(
    http: httpx.AsyncClient, query: str, field: str
) -> None:
    response = await http.get(f"/v1/accounts/{A}/credit-history?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"formErrors", "fieldErrors"}
    assert field in body["error"]["fieldErrors"]


async def test_rerecord_is_500_cannot_fund(http: httpx.AsyncClient, chain: FakeChain) -> None:
    tx = chain.deposit(A, WEI)
    assert (await http.post("/v1/celo/events/record", json={"txHash": tx})).status_code == 200
    again = await http.post("/v1/celo/events/record", json={"txHash": tx})
    assert again.status_code == 500
    assert again.json() == {"error": "cannot fund credit with status funded"}


async def test_undefined_keys_are_omitted(http: httpx.AsyncClient) -> None:
    profile = (await http.get(f"/v1/accounts/{A}/profile")).json()["profile"]
    assert "lastStreamCreditAt" not in profile
    assert None not in profile.values()
    assert profile["totalPrincipalUsd"] == "0" and profile["totalGDStreamedWei"] == "0"


async def test_planned_routes_status_codes(
    http: httpx.AsyncClient, fixture_backend: FixtureBackend
) -> None:
    nonce = await http.post("/v1/auth/nonce", json={"account": A})
    assert nonce.status_code == 201
    assert (await http.get("/v1/auth/api-keys")).status_code == 401
    token = fixture_backend.issue_key_for(A).token.get_secret_value()
    by_header = await http.get("/v1/auth/api-keys", headers={"x-api-key": token})
    assert by_header.status_code == 200 and by_header.json()["account"] == A
    missing = await http.get("/v1/requests/req_x", headers={"authorization": f"Bearer {token}"})
    assert missing.status_code == 404 and missing.json() == {"error": "request not found"}
    listing = await http.get("/v1/requests?limit=5", headers={"x-api-key": token})
    assert listing.json() == {"account": A, "items": []}
    fixture_backend.planned_endpoints = False
    gone = await http.post("/v1/auth/nonce", json={"account": A})
    assert gone.status_code == 404 and gone.json() == {"error": "not found"}
