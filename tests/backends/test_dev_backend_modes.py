"""``ai-credits dev-backend`` serves what the live Worker serves unless asked for more, and
WorkerBackend tells the two apart by probing without side effects; block tags travel as strings."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from ai_credits.backends import BackendRejected, Capabilities, WorkerBackend
from ai_credits.backends.devserver import BackgroundServer, create_app, dev_backend, start_in_thread
from ai_credits.cli import build_parser

from .conftest import A


@pytest.fixture(params=[False, True], ids=["default", "planned"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[bool, BackgroundServer]]:
    server = start_in_thread(create_app(dev_backend(planned=request.param)))
    yield request.param, server
    server.stop()


async def test_default_is_live_routes_only_and_planned_adds_the_rest(
    served: tuple[bool, BackgroundServer],
) -> None:
    planned, server = served
    async with WorkerBackend(server.url, retries=0) as worker:
        assert await worker.capabilities() == Capabilities.all(planned)
        assert (await worker.profile(A)).account == A  # live routes either way
    backend = server.app.state.backend
    assert backend.keys.keys_of(A) == [] and backend.ledger.reservations(A) == []  # probes: no trace
    async with httpx.AsyncClient(base_url=server.url) as http:
        quote = await http.post("/v1/credits/quote", json={"messages": [{"role": "user",
                                                                          "content": "hi"}]})  # fmt: skip
    assert quote.status_code == (200 if planned else 404)


def test_the_command_line_defaults_to_the_live_worker() -> None:
    parser = build_parser()
    assert parser.parse_args(["dev-backend"]).planned is False
    args = parser.parse_args(["dev-backend", "--planned", "--rpc-url", "http://127.0.0.1:8545",
                              "--vault", "0x" + "11" * 20])  # fmt: skip
    assert args.planned and args.vault == "0x" + "11" * 20 and args.price_oracle is None


@pytest.mark.parametrize(
    ("from_block", "to_block", "sent"),
    [
        (100, "latest", ("0x64", "latest")),
        ("0x64", 200, ("0x64", "0xc8")),
        ("100", "200", ("100", "200")),
        ("latest", "latest", ("latest", "latest")),
    ],
)
async def test_record_account_events_sends_block_tags_as_strings(
    from_block: int | str, to_block: int | str, sent: tuple[str, str]
) -> None:
    bodies: list[dict[str, str]] = []

    def worker(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        echo = {"account": body["account"], "fromBlock": body["fromBlock"],
                "toBlock": body["toBlock"], "events": []}  # fmt: skip
        return httpx.Response(200, json=echo)

    async with WorkerBackend("http://w.test", transport=httpx.MockTransport(worker)) as backend:
        result = await backend.record_account_events(A, from_block, to_block)
    assert bodies == [{"account": A, "fromBlock": sent[0], "toBlock": sent[1]}]
    assert (result.from_block, result.to_block) == sent


@pytest.mark.parametrize("bad", [-1, "0x", "12a", "earliest", 1.5, True])
async def test_a_block_the_worker_would_refuse_is_never_sent(bad: object) -> None:
    def worker(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    async with WorkerBackend("http://w.test", transport=httpx.MockTransport(worker)) as backend:
        with pytest.raises(BackendRejected) as caught:
            await backend.record_account_events(A, bad)  # type: ignore[arg-type]
    assert "fromBlock" in caught.value.field_errors
