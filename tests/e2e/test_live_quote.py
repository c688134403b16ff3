"""Live quote on the live page: typing an amount quotes it (debounced in widget.js), the machine
stays the judge, and the disabled Buy button says what is really missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ai_credits.views.actions import QUOTE_FIRST

ROOT = '[data-testid^="AiCreditsWidget-"]'


@pytest.fixture()
def live(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/live/")
    page.locator(ROOT).get_by_role("button", name="Connect Wallet").click()
    expect(page.locator(ROOT)).to_have_attribute("data-state", "connected_empty")
    yield page
    context.close()


def _buy(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(ROOT).get_by_role("button", name="Buy AI Credits")


def test_typing_a_valid_amount_quotes_it_and_enables_buy(live: Page) -> None:
    page = live
    expect(_buy(page)).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#gw-action-confirm-reason")).to_have_text(QUOTE_FIRST)
    field = page.locator("#gw-amount")
    field.click()
    field.press_sequentially("20000", delay=40)  # no Enter, no Get Quote
    expect(page.locator(ROOT)).to_have_attribute("data-state", "quote_ready")
    expect(page.get_by_test_id("quote-card")).to_contain_text("20,000.00 G$")
    expect(_buy(page)).not_to_have_attribute("aria-disabled", "true")
    # the field kept the text, the focus and the caret: typing goes on where it was
    expect(field).to_have_value("20000")
    expect(field).to_be_focused()
    field.press_sequentially("0", delay=40)
    expect(page.get_by_test_id("quote-card")).to_contain_text("200,000.00 G$")
    expect(field).to_have_value("200000")


def test_text_typed_while_a_quote_is_on_its_way_is_kept_and_quoted(live: Page) -> None:
    page = live
    field = page.locator("#gw-amount")
    field.click()
    # a pause longer than the debounce between keys: several quotes go out while typing
    field.press_sequentially("12345", delay=600)
    expect(page.get_by_test_id("quote-card")).to_contain_text("12,345.00 G$")
    expect(field).to_have_value("12345")


def test_a_bad_amount_shows_its_message_live_and_buy_says_it(live: Page) -> None:
    page = live
    field = page.locator("#gw-amount")
    field.click()
    field.press_sequentially("1,000", delay=40)
    error = page.locator("#gw-amount-error")
    expect(error).to_contain_text("thousands separators")
    expect(page.locator(ROOT)).to_have_attribute("data-state", "connected_empty")
    expect(page.locator("#gw-action-confirm-reason")).to_have_text(
        error.inner_text().removeprefix("✕ ").strip())
    expect(field).to_have_value("1,000")


def test_enter_still_submits_at_once(live: Page) -> None:
    page = live
    page.fill("#gw-amount", "20000")
    page.press("#gw-amount", "Enter")
    expect(page.locator(ROOT)).to_have_attribute("data-state", "quote_ready")
    expect(_buy(page)).not_to_have_attribute("aria-disabled", "true")


def test_without_javascript_get_quote_posts_the_form(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/live/")
    page.locator(ROOT).get_by_role("button", name="Connect Wallet").click()
    expect(page.locator(ROOT)).to_have_attribute("data-state", "connected_empty")
    page.fill("#gw-amount", "20000")
    page.locator(ROOT).get_by_role("button", name="Get Quote").click()
    expect(page.locator(ROOT)).to_have_attribute("data-state", "quote_ready")
    context.close()
