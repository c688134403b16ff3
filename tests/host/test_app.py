"""The embeddable host over ASGI: the wallet bridge's requests and answers, one payment per
intent across workers sharing a store, the key sealed in the store, and the CSRF / body guards."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from ai_credits.host import MemoryStore, RedisStore
from ai_credits.host.record import load_record
from fixtures.world import World
from tests.host.conftest import ORIGIN, Tab, client_for, host_app

FULL_KEY = re.compile(r"gd_live_[0-9a-f]{64}")


async def buy(tab: Tab, amount: str = "20000") -> Tab:
    await tab.send("connect")
    assert tab.state == "connecting" and tab.request and tab.request["method"] == "eth_requestAccounts"
    await tab.approve()
    assert tab.state == "connected_empty" and tab.request is None
    await tab.send("enter_amount", text=amount)
    assert tab.state == "quote_ready"
    await tab.send("confirm")
    assert tab.state == "awaiting_signature"
    assert tab.request and tab.request["method"] == "eth_sendTransaction"
    return tab


async def test_connect_buy_sign_in_and_see_the_key(tab: Tab, world: World) -> None:
    assert tab.state == "disconnected"
    await buy(tab)
    await tab.approve()  # the hash: receipt → record → funded → the key's sign-in
    assert tab.state == "signing_in" and tab.request and tab.request["method"] == "personal_sign"
    await tab.approve()
    assert tab.state == "payment_confirmed" and tab.request is None
    await tab.send("reveal_key")
    assert FULL_KEY.search(tab.html)


async def test_the_store_never_holds_a_key_in_clear_and_another_worker_reads_it(
    world: World,
) -> None:
    store = MemoryStore()
    first, second = host_app(world, store, secret="s3cret"), host_app(world, store, secret="s3cret")
    async with client_for(first) as one:
        tab = await Tab(one, world).open()
        await buy(tab)
        await (await tab.approve()).approve()
        assert tab.state == "payment_confirmed"
        cookies = one.cookies
    ((_, stored),) = store._items.items()
    assert not FULL_KEY.search(stored.data)  # sealed, and the snapshot's copy removed
    record = load_record(stored.data)
    assert record.sealed and record.key_shown and record.snapshot.api_key
    assert record.snapshot.api_key.token is None
    async with client_for(second, cookies) as two:
        other = await Tab(two, world).open()
        assert other.state == "payment_confirmed"
        await other.send("reveal_key")  # the token, back from the store on another worker
        assert FULL_KEY.search(other.html)
        await other.send("view_usage")
        assert other.state == "usage_empty"  # usage loaded with the key from the store


async def test_a_wrong_secret_loses_the_key_not_the_session(world: World) -> None:
    store = MemoryStore()
    async with client_for(host_app(world, store, secret="a")) as one:
        tab = await buy(await Tab(one, world).open())
        await (await tab.approve()).approve()
        cookies = one.cookies
    async with client_for(host_app(world, store, secret="b"), cookies) as two:
        other = await Tab(two, world).open()
        assert other.state == "payment_confirmed"
        await other.send("reveal_key")
        assert not FULL_KEY.search(other.html)


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_two_workers_two_tabs_one_buy_one_transaction_request(
    world: World, kind: str, request: pytest.FixtureRequest
) -> None:
    store = MemoryStore() if kind == "memory" else RedisStore(
        request.getfixturevalue("redis_url"), namespace=f"two-tabs-{id(world)}")  # fmt: skip
    workers = [host_app(world, store, secret="k"), host_app(world, store, secret="k")]
    async with client_for(workers[0]) as one:
        tab = await Tab(one, world).open()
        await tab.send("connect")
        await tab.approve()
        await tab.send("enter_amount", text="20000")
        tabs = [tab]
        for app in workers * 3:  # six tabs on two workers, same visitor
            client = client_for(app, one.cookies)
            tabs.append(await Tab(client, world).open())
        await asyncio.gather(*(t.send("confirm") for t in tabs))
        handed = [t.request for t in tabs if t.request is not None]
        assert len(handed) == 1 and handed[0]["method"] == "eth_sendTransaction"
        assert {t.state for t in tabs} == {"awaiting_signature"}
        for t in tabs:  # a reload never hands the transaction out again
            await t.open()
            assert t.request is None
        for t in tabs[1:]:
            await t.client.aclose()
    await store.aclose()


async def test_the_wallet_rejects(tab: Tab) -> None:
    await buy(tab, "15000")
    await tab.reject(4001)
    assert tab.state == "quote_ready" and "Transaction cancelled" in tab.html
    assert 'value="15000"' in tab.html


async def test_a_stale_or_mismatched_answer_is_refused(tab: Tab) -> None:
    await buy(tab)
    rid = tab.request["request_id"]  # type: ignore[index]
    await tab.post("/wallet", {"request_id": "w999", "kind": "send_transaction",
                               "tx_hash": "0x" + "11" * 32}, status=409)  # fmt: skip
    await tab.post("/wallet", {"request_id": rid, "kind": "sign_message",
                               "signature": "0x" + "11" * 65}, status=400)  # fmt: skip
    await tab.post("/wallet", {"request_id": rid, "kind": "send_transaction",
                               "tx_hash": "not a hash"}, status=400)  # fmt: skip
    await tab.post("/wallet", {"kind": "chain_changed"}, status=400)


async def timed_out_purchase(
    client: httpx.AsyncClient, world: World
) -> tuple[Tab, dict[str, Any]]:
    """A 20,000 G$ purchase whose transaction request the page never answered in time (the
    host's ``wallet_timeout_s`` is 60 s), and that request: its prompt may still be signed."""
    tab = await buy(await Tab(client, world).open())
    request = tab.request
    assert request is not None
    world.clock.advance(30)
    await tab.open()
    assert tab.state == "awaiting_signature"
    world.clock.advance(31)
    await tab.open()
    assert tab.state == "payment_failed" and tab.request is None
    assert "Check your wallet before paying again" in tab.html
    return tab, request


def credited(world: World) -> int:
    return world.backend.ledger.credited(world.account.lower())


async def test_an_unanswered_transaction_request_times_out_and_is_never_paid_again(
    world: World,
) -> None:
    async with client_for(host_app(world, wallet_timeout_s=60)) as client:
        tab, _ = await timed_out_purchase(client, world)
        # the wallet's prompt may still be open and signed later: no second transfer is offered
        assert "Pay 20,000.00 G$ Again" not in tab.html
        await tab.send("pay_again")
        await tab.open()  # a reload
        assert tab.state == "payment_failed" and tab.request is None
        assert world.chain.total_deposited(world.account) == 0


async def test_a_hash_reported_after_the_request_timed_out_is_that_intents_payment(
    world: World,
) -> None:
    async with client_for(host_app(world, wallet_timeout_s=60)) as client:
        tab, request = await timed_out_purchase(client, world)
        await tab.send("enter_amount", text="5000")  # the user moves on meanwhile
        assert tab.state == "quote_ready"
        # the user signs the old prompt after all: the page reports its hash late
        await tab.approve(request)
        assert tab.state == "signing_in"
        await tab.approve()
        assert tab.state == "payment_confirmed"
        assert world.chain.total_deposited(world.account) == 20_000 * 10**18
        assert credited(world) == 25_300_000
        (entry,) = world.backend.ledger.entries(world.account.lower())
        tx_hash = entry.tx_hash
        report = {"request_id": request["request_id"], "kind": "send_transaction",
                  "tx_hash": tx_hash}  # fmt: skip
        await tab.post("/wallet", report, status=409)  # the same hash reported twice
        assert credited(world) == 25_300_000


async def test_a_late_hash_that_arrives_during_the_next_purchase_is_still_credited(
    world: World,
) -> None:
    async with client_for(host_app(world, wallet_timeout_s=60)) as client:
        tab, old_request = await timed_out_purchase(client, world)
        await tab.send("enter_amount", text="5000")
        await tab.send("confirm")  # a new, explicit purchase: its own prompt
        assert tab.state == "awaiting_signature" and tab.request
        new_request = tab.request
        await tab.approve(old_request)
        assert tab.state == "awaiting_signature"  # the new purchase is untouched
        assert credited(world) == 25_300_000
        # the user signs the new prompt too: its own hash settles the new purchase
        await tab.approve(new_request)
        assert tab.state == "signing_in"
        await tab.approve()
        assert tab.state == "payment_confirmed"
        assert world.chain.total_deposited(world.account) == 25_000 * 10**18
        assert credited(world) == 25_300_000 + 6_325_000


async def test_account_switch_in_the_wallet_cancels_the_pending_transaction(tab: Tab) -> None:
    await buy(tab)
    await tab.post("/wallet", {"kind": "accounts_changed", "accounts": ["0x" + "cd" * 20]})
    assert tab.state not in ("awaiting_signature", "payment_pending")
    assert tab.request is None or tab.request["kind"] != "send_transaction"


async def test_posts_are_guarded(tab: Tab, world: World) -> None:
    client = tab.client
    ok_headers = {"Origin": ORIGIN, "X-CSRF-Token": tab.csrf}
    body = {"type": "connect"}
    assert (await client.post("/event", json=body, headers={"Origin": ORIGIN})).status_code == 403
    assert (await client.post("/event", json=body, headers={**ok_headers,
            "Origin": "http://127.0.0.1:9"})).status_code == 403  # fmt: skip
    assert (await client.post("/event", json=body, headers={**ok_headers,
            "Sec-Fetch-Site": "same-site"})).status_code == 403  # fmt: skip
    big = {"type": "enter_amount", "text": "1" * 70_000}
    assert (await client.post("/event", json=big, headers=ok_headers)).status_code == 413
    deep = "[" * 5000 + "]" * 5000
    assert (await client.post("/wallet", content=deep, headers={
        **ok_headers, "content-type": "application/json"})).status_code == 400  # fmt: skip
    assert (await client.post("/event", json={"type": "wallet_connected"},
                              headers=ok_headers)).status_code == 400  # fmt: skip
    async with client_for(host_app(world)) as stranger:  # a POST never creates a session
        answer = await stranger.post("/event", json=body, headers={"Origin": ORIGIN})
        assert answer.status_code == 403 and "set-cookie" not in answer.headers
    # a plain form post (no JS) works with the hidden field, and redirects back
    form = await client.post("/event", data={"event": "connect", "csrf_token": tab.csrf},
                             headers={"Origin": ORIGIN})  # fmt: skip
    assert form.status_code == 303


async def test_mounted_at_a_prefix_the_page_links_under_it(world: World) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    outer = Starlette(routes=[Mount("/credits", host_app(world))])
    async with client_for(outer) as client:
        page = await client.get("/credits/")
        assert page.status_code == 200
        assert 'data-post-url="/credits/event"' in page.text
        assert 'data-wallet-url="/credits/wallet"' in page.text
        assert "/credits/static/js/widget.js" in page.text
        assert (await client.get("/credits/static/js/widget.js")).status_code == 200
        cookie = page.headers["set-cookie"]
        assert "Path=/credits" in cookie and "HttpOnly" in cookie


def test_a_shared_store_needs_a_secret(world: World, redis_url: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        host_app(world, RedisStore(redis_url))
