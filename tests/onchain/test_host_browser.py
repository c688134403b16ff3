"""End to end on real parts: anvil with the test contracts, ``ai-credits dev-backend --rpc-url
--planned`` reading it, ``ai-credits host`` under uvicorn with TWO worker processes sharing one
redis-server, and Debian's Chromium with a test EIP-1193 provider (injected by Playwright) that
forwards to anvil's unlocked accounts.

Buy → the wallet request reaches the provider → mined → credited → key → usage; the wallet
rejects; the page reloads mid-payment onto the other worker; Buy twice across two tabs — and on
anvil exactly one transfer (``GdDeposited`` logs of the payer).  Nothing here skips: a missing
redis-server, anvil or Chromium fails.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from web3 import Web3

from stories.runner import BILL_BODY
from tests.e2e.conftest import ARGS, CHROMIUM
from tests.host.redis_server import RedisServer
from tests.onchain.node import Deployed, G, rpc
from tests.processes import free_port, spawn, stop

expect.set_options(timeout=20_000)

ROOT = '[data-testid^="AiCreditsWidget-"]'
DEPOSITED = "0x6454b818b49bb83ba0718319446613da4d728cec1497d68360bcefe367a3143b"
TIMINGS: dict[str, float] = {}

PROVIDER = """
(() => {
  const listeners = {};
  window.ethereum = {
    isTestProvider: true,
    request: async ({ method, params }) => {
      const answer = await window.__wallet(method, params || []);
      if (answer.error) {
        const e = new Error(answer.error.message);
        e.code = answer.error.code;
        throw e;
      }
      return answer.result;
    },
    on: (name, fn) => { (listeners[name] = listeners[name] || []).push(fn); },
    removeListener: () => {},
  };
})();
"""


@dataclass
class Stack:
    chain: Deployed
    backend_url: str
    host_url: str
    browser: Browser
    sends: list[str] = field(default_factory=list)  # eth_sendTransaction calls the provider made

    def deposits(self, account: str) -> int:
        """Transfers into the vault from ``account`` on anvil (GdDeposited logs)."""
        topic = "0x" + "0" * 24 + account[2:].lower()
        logs = rpc(self.chain.node.url, "eth_getLogs", [{
            "fromBlock": "0x0", "toBlock": "latest", "address": self.chain.vault.address,
            "topics": [DEPOSITED, topic]}])  # fmt: skip
        return len(logs)


@pytest.fixture(scope="module")
def stack(deployed_once: Deployed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian Chromium is required at {CHROMIUM} (apt-get install chromium)")
    logs = tmp_path_factory.mktemp("host-e2e")
    started = time.monotonic()
    redis = RedisServer.start(logs)
    TIMINGS["redis start"] = redis.start_s
    cfg = deployed_once.config
    contracts = ["--rpc-url", cfg.rpc_url, "--vault", cfg.vault, "--gd-token", cfg.gd_token,
                 "--goodid", cfg.goodid, "--price-oracle", str(cfg.price_oracle),
                 "--cusd", cfg.cusd, "--cfa-forwarder", cfg.cfa_forwarder]  # fmt: skip
    cli = [sys.executable, "-m", "ai_credits.cli"]
    t = time.monotonic()
    backend_port = free_port()
    backend = spawn([*cli, "dev-backend", "--port", str(backend_port), "--planned", *contracts],
                     f"http://127.0.0.1:{backend_port}/health", logs / "dev-backend.log")
    TIMINGS["dev-backend start"] = time.monotonic() - t
    t = time.monotonic()
    host_port = free_port()
    host = spawn(
        [*cli, "host", "--port", str(host_port), "--backend-url", f"http://127.0.0.1:{backend_port}",
         "--store", redis.url, "--workers", "2", "--worker-header", *contracts],
        f"http://127.0.0.1:{host_port}/static/js/widget.js", logs / "host.log",
        env={"AI_CREDITS_SECRET": "e2e-secret-shared-by-both-workers",
             "AI_CREDITS_RECEIPT_WAIT_S": "2"},
    )  # fmt: skip
    TIMINGS["host (2 workers) start"] = time.monotonic() - t
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            TIMINGS["stack ready"] = time.monotonic() - started
            yield Stack(deployed_once, f"http://127.0.0.1:{backend_port}",
                        f"http://127.0.0.1:{host_port}", browser)
            browser.close()
    finally:
        stop(host)
        stop(backend)
        redis.stop()


_next_account = iter(range(1, 10))


def payer(stack: Stack) -> str:
    """A fresh unlocked anvil account with 100 000 G$, GoodID-verified (the test vault prices
    G$ at $0.0001: a first deposit of $1 is 10 000 G$)."""
    account = Web3.to_checksum_address(rpc(stack.chain.node.url, "eth_accounts")[next(_next_account)])
    stack.chain.fund(account, celo_wei=0, g_wei=100_000 * G, verified=True)
    return account


def wallet_context(stack: Stack, account: str, *, reject: Callable[[], bool] = lambda: False,
                   storage: Any = None) -> BrowserContext:  # fmt: skip
    """A browser context whose window.ethereum forwards to anvil as ``account``."""
    context = stack.browser.new_context(storage_state=storage)
    node = stack.chain.node.url

    def wallet(_: Any, method: str, params: list[Any]) -> dict[str, Any]:
        if method in ("eth_requestAccounts", "eth_accounts"):
            return {"result": [account]}
        if method == "eth_chainId":
            return {"result": hex(42220)}
        if method == "wallet_switchEthereumChain":
            return {"result": None}
        if method == "eth_sendTransaction":
            if reject():
                return {"error": {"code": 4001, "message": "User rejected the request."}}
            stack.sends.append(account)
        try:
            return {"result": rpc(node, method, params)}
        except RuntimeError as exc:
            return {"error": {"code": -32000, "message": str(exc)}}

    context.expose_binding("__wallet", wallet)
    context.add_init_script(PROVIDER)
    return context


def state(page: Page, name: str) -> None:
    expect(page.locator(ROOT)).to_have_attribute("data-state", name)


def button(page: Page, name: str | re.Pattern[str]) -> Any:
    return page.locator(ROOT).get_by_role("button", name=name).first


def to_quote(page: Page, amount: str = "20000") -> None:
    """Connect (the provider answers eth_requestAccounts) and type an amount."""
    state(page, "disconnected")
    button(page, "Connect Wallet").click()
    state(page, "connected_empty")
    page.fill("#gw-amount", amount)
    page.press("#gw-amount", "Enter")
    state(page, "quote_ready")


def test_buy_with_a_browser_wallet_then_key_and_usage(stack: Stack) -> None:
    account = payer(stack)
    context = wallet_context(stack, account)
    page = context.new_page()
    t = time.monotonic()
    page.goto(stack.host_url + "/")
    to_quote(page)
    before = len(stack.sends)
    button(page, "Buy AI Credits").click()
    # the transaction goes to the provider → anvil mines it → the dev server records it from
    # the node → credited → the key's sign-in (personal_sign) → the key, shown once
    state(page, "payment_confirmed")
    TIMINGS["connect → credited → key"] = time.monotonic() - t
    assert stack.sends[before:] == [account]
    assert stack.deposits(account) == 1
    key = page.locator("#gw-api-key")
    token = key.get_attribute("data-value") or ""
    if not token.startswith("gd_live_"):
        button(page, "Reveal API key").click()
        token = key.inner_text()
    assert re.fullmatch(r"gd_live_[0-9a-f]{64}", token)
    # bill a request with the key, then the usage view (another request, any worker: the
    # key comes back from the store, decrypted)
    billed = httpx.post(stack.backend_url + "/v1/chat/completions", json=BILL_BODY,
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    assert billed.status_code == 200, billed.text
    button(page, "View Balance and Usage").click()
    state(page, "usage_active")
    expect(page.locator(ROOT)).to_contain_text("Charged")
    TIMINGS["happy path total"] = time.monotonic() - t
    context.close()


def test_the_wallet_rejects(stack: Stack) -> None:
    account = payer(stack)
    context = wallet_context(stack, account, reject=lambda: True)
    page = context.new_page()
    page.goto(stack.host_url + "/")
    to_quote(page, "15000")
    button(page, "Buy AI Credits").click()
    state(page, "quote_ready")
    expect(page.locator(ROOT)).to_contain_text("Transaction cancelled")
    expect(page.locator("#gw-amount")).to_have_value("15000")  # the amount is kept
    assert stack.deposits(account) == 0
    context.close()


def test_reload_mid_payment_lands_on_the_other_worker(stack: Stack) -> None:
    account = payer(stack)
    context = wallet_context(stack, account)
    page = context.new_page()
    workers: list[str] = []
    page.on("response", lambda r: workers.append(r.headers.get("x-aicredits-worker", "")))
    page.goto(stack.host_url + "/")
    to_quote(page)
    stack.chain.node.set_automine(False)  # the transaction waits in the mempool
    try:
        button(page, "Buy AI Credits").click()
        state(page, "payment_confirming")  # sent, not mined within the host's wait: re-check
        paid_on = workers[-1]
        storage = context.storage_state()
        # reload: a new connection carrying the same session, until the other worker answers
        for _ in range(30):
            other = wallet_context(stack, account, storage=storage)
            reloaded = other.new_page()
            answer = reloaded.goto(stack.host_url + "/")
            assert answer is not None
            if answer.headers.get("x-aicredits-worker") != paid_on:
                break
            other.close()
        else:
            pytest.fail("every reload landed on the same worker")
        state(reloaded, "payment_confirming")
        expect(reloaded.locator(ROOT)).to_contain_text("confirm")
        rpc(stack.chain.node.url, "evm_mine")
    finally:
        stack.chain.node.set_automine(True)
    button(reloaded, "Check Again").click()
    state(reloaded, "payment_confirmed")
    assert stack.deposits(account) == 1
    assert stack.sends.count(account) == 1
    context.close()
    other.close()


def test_buy_twice_across_two_tabs_makes_one_transfer(stack: Stack) -> None:
    account = payer(stack)
    context = wallet_context(stack, account)
    first = context.new_page()
    first.goto(stack.host_url + "/")
    to_quote(first)
    second = context.new_page()
    second.goto(stack.host_url + "/")  # the same visitor, from the shared store
    state(second, "quote_ready")
    # both tabs click Buy at once (and the first one twice): the two POSTs race, on either
    # worker; the store's compare-and-set lets one create the wallet request
    buys: list[str] = []
    context.on("request", lambda r: buys.append(r.url) if r.method == "POST"
               and '"confirm"' in (r.post_data or "") else None)  # fmt: skip
    button(first, "Buy AI Credits").dblclick(no_wait_after=True)
    button(second, "Buy AI Credits").click(no_wait_after=True)
    deadline = time.monotonic() + 30
    while not any(tab.locator(ROOT).get_attribute("data-state") == "payment_confirmed"
                  for tab in (first, second)):  # fmt: skip
        assert time.monotonic() < deadline, "neither tab reached payment_confirmed"
        first.wait_for_timeout(100)
    time.sleep(1.0)  # a second transaction, if any, would have reached the provider by now
    for tab in (first, second):
        tab.reload()
        expect(tab.locator(ROOT)).not_to_have_attribute("data-state", "quote_ready")
    assert len(buys) >= 2, buys  # both tabs did post Buy
    TIMINGS["two tabs: Buy posts"] = len(buys)
    TIMINGS["two tabs: transfers made"] = stack.deposits(account)
    assert stack.sends.count(account) == 1
    assert stack.deposits(account) == 1
    context.close()


def test_no_wallet_in_the_page_says_so_and_offers_byok(stack: Stack) -> None:
    context = stack.browser.new_context()  # no window.ethereum
    page = context.new_page()
    page.goto(stack.host_url + "/")
    state(page, "disconnected")
    expect(page.locator("[data-no-wallet]")).to_contain_text("No wallet found in this browser")
    expect(button(page, "Connect Wallet")).to_have_attribute("aria-disabled", "true")
    button(page, "Use My Own Key").click()
    state(page, "byok")
    context.close()


def test_report_timings(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\nhost e2e: " + ", ".join(f"{k} {v:.2f}" for k, v in TIMINGS.items()))
