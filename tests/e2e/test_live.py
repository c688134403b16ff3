"""End to end on the live page: a real browser drives the widget through the runtime host."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

ROOT = '[data-testid^="AiCreditsWidget-"]'


@pytest.fixture()
def live(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(f"{server}/live/")
    yield page
    context.close()
    assert all(u.startswith(server) for u in urls), urls


def state(page: Page, name: str) -> None:
    expect(page.locator(ROOT)).to_have_attribute("data-state", name)


def click(page: Page, name: str | re.Pattern[str]) -> None:
    page.locator(ROOT).get_by_role("button", name=name).first.click()


def test_buy_once_reveal_copy_and_see_usage(live: Page) -> None:
    page = live
    state(page, "disconnected")
    click(page, "Connect Wallet")
    state(page, "connected_empty")
    click(page, re.compile("One-Time"))
    page.fill("#gw-amount", "20000")
    click(page, "Get Quote")
    state(page, "quote_ready")
    expect(page.locator(ROOT)).to_contain_text("You pay with G$")
    # with slow receipts the host shows the pending payment until the user checks again
    page.get_by_test_id("dev-panel").get_by_role("button", name="Slow receipts").click()
    click(page, "Buy AI Credits")
    state(page, "payment_pending")
    expect(page.locator(ROOT).get_by_role("button", name="Buy AI Credits")).to_have_attribute(
        "aria-disabled", "true")  # a second submit is impossible
    click(page, "Check Again")
    state(page, "payment_confirmed")
    click(page, "Reveal API key")
    key = page.locator("#gw-api-key")
    expect(key).to_have_text(re.compile(r"^gd_live_[0-9a-f]{20,}$"))
    click(page, "Copy API key")
    expect(page.locator("#gw-api-key-copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == key.inner_text()
    click(page, "View Balance and Usage")
    state(page, "usage_empty")
    page.get_by_test_id("dev-panel").get_by_role("button", name="Bill a request").click()
    state(page, "usage_active")
    expect(page.locator(ROOT)).to_contain_text(re.compile("Charged|Held"))


def test_stream_start_pause_resume_stop(live: Page) -> None:
    page = live
    click(page, "Connect Wallet")
    click(page, re.compile("Monthly Stream"))
    state(page, "streaming_setup")
    page.fill("#gw-amount", "30000")
    click(page, re.compile("Get Quote|Update Stream|Update Quote"))
    click(page, "Start Stream")
    state(page, "streaming_active")
    page.get_by_test_id("dev-panel").get_by_role("button", name="Advance 1 day").click()
    state(page, "streaming_active")
    click(page, "Pause Stream")
    state(page, "streaming_paused")
    click(page, "Resume Stream")
    state(page, "streaming_active")
    click(page, "Stop Stream")
    state(page, "streaming_stopped")


@pytest.mark.parametrize("text", ["1,000", "abc", ""])
def test_bad_amounts_show_their_message_and_stay(live: Page, text: str) -> None:
    page = live
    click(page, "Connect Wallet")
    state(page, "connected_empty")
    page.fill("#gw-amount", text)
    click(page, "Get Quote")
    state(page, "connected_empty")
    expect(page.locator("#gw-amount")).to_have_value(text)
    error = page.locator(ROOT).locator("[id$='-error'], .gw-field__error, [role=alert]").first
    expect(error).to_be_visible()
    expect(error).not_to_have_text("")


def test_without_javascript_forms_post_and_redirect(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/live/")
    click(page, "Connect Wallet")
    page.wait_for_url(f"{server}/live/")
    state(page, "connected_empty")
    context.close()
