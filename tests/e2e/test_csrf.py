"""Cross-site request forgery against the live host, in a real browser (issue 11, item 6).

A page on another port of the same host is same-*site*: Chromium sends the visitor's
``SameSite=Lax`` cookie with its requests.  Without the origin and token checks, four no-cors POSTs
from it bought credits and revealed the key in the visitor's session.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from catalogue.live import COOKIE

ROOT = '[data-testid^="AiCreditsWidget-"]'
ATTACK = """<!doctype html><title>attack</title><script>
(async () => {
  const target = "%(target)s";
  const bodies = ["event=connect", "event=enter_amount&text=20000", "event=confirm",
                  "event=reveal_key"];
  for (const body of bodies) {
    await fetch(target, {method: "POST", mode: "no-cors", credentials: "include",
                         headers: {"content-type": "application/x-www-form-urlencoded"},
                         body}).catch(() => {});
  }
  document.title = "done";
})();
</script>"""
FORM = """<!doctype html><title>form</title>
<form method="post" action="%(target)s"><input name="event" value="connect"></form>
<script>document.forms[0].submit()</script>"""


@pytest.fixture(scope="module")
def attacker(server: str) -> Iterator[str]:
    """Another origin on the same host: serves the attack pages."""
    target = f"{server}/live/event"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = FORM if self.path.startswith("/form") else ATTACK
            body = (page % {"target": target}).encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(10)


def state(page: Page, name: str) -> None:
    expect(page.locator(ROOT)).to_have_attribute("data-state", name)


def test_a_page_on_another_port_cannot_drive_the_visitors_session(
    browser: Browser, server: str, attacker: str
) -> None:
    context = browser.new_context()
    visitor = context.new_page()
    visitor.goto(f"{server}/live/")
    state(visitor, "disconnected")
    cookie = next(c["value"] for c in context.cookies(server) if c["name"] == COOKIE)

    statuses: list[int] = []

    def seen(response: Response) -> None:
        if response.url.endswith("/live/event"):
            statuses.append(response.status)

    context.on("response", seen)
    evil = context.new_page()
    evil.goto(attacker)
    evil.wait_for_function("document.title === 'done'")
    assert statuses == [403, 403, 403, 403]

    # a cross-site form post (top-level navigation) is refused and leaves the cookie alone
    evil.goto(f"{attacker}/form")
    evil.wait_for_url(f"{server}/live/event")
    assert statuses[-1] == 403
    assert "Refused" in evil.content()
    assert next(c["value"] for c in context.cookies(server) if c["name"] == COOKIE) == cookie

    visitor.reload()
    state(visitor, "disconnected")  # nothing was bought, nothing revealed
    # and the real page still works, with its token
    visitor.locator(ROOT).get_by_role("button", name="Connect Wallet").click()
    state(visitor, "connected_empty")
    context.close()
