"""Smoke tests in Debian Chromium: every primitive in both themes, from file:// and over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AS_OF = 1_700_000_000  # the showcase counter: US$1 at AS_OF, +US$0.10 per second
# Record what the page copies, whichever path widget.js takes (clipboard API or execCommand).
RECORD_COPIES = """
window.__copied = [];
if (navigator.clipboard) {
  navigator.clipboard.writeText = (t) => { window.__copied.push(t); return Promise.resolve(); };
}
const exec = document.execCommand.bind(document);
document.execCommand = (cmd, ...rest) => {
  if (cmd === "copy") { window.__copied.push(document.getSelection().toString()); return true; }
  return exec(cmd, ...rest);
};
"""


def render_showcase(env: Environment, **options: Any) -> str:
    context = {"post_url": None, "frozen": False, "animations": True, **options}
    return env.get_template("showcase.html.jinja").render(**context)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def showcase(env: Environment, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("showcase")
    pages = {
        "live": render_showcase(env),
        "frozen": render_showcase(env, frozen=True, animations=False),
    }
    urls = {}
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        urls[name] = path.as_uri()
    return urls


def open_page(
    browser: Any, url: str, width: int = 480, clock_at: float | None = None, **context_options: Any
) -> tuple[Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900}, **context_options)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.add_init_script(RECORD_COPIES)
    if clock_at is not None:
        page.clock.install(time=clock_at)
    page.goto(url)
    page.wait_for_function("document.documentElement.dataset.widgetReady === 'true'")
    return page, outside


@pytest.mark.parametrize("width", [480, 360])
def test_every_primitive_renders_in_both_themes_without_network(
    browser: Any, showcase: dict[str, str], width: int
) -> None:
    page, outside = open_page(browser, showcase["frozen"], width=width)
    assert outside == []
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight)"
    )
    assert {"Inter 400", "Inter 700", "JetBrains Mono 400"} <= {x.replace('"', "") for x in loaded}
    widths = page.eval_on_selector_all(".gw-root", "els => els.map(e => e.offsetWidth)")
    assert widths == ([380, 380] if width == 480 else [360, 360])
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    backgrounds = [
        page.eval_on_selector(f"[data-testid={p}-card]", "e => getComputedStyle(e).backgroundColor")
        for p in ("d", "l")
    ]
    assert backgrounds == ["rgb(30, 31, 38)", "rgb(255, 255, 255)"]
    assert page.evaluate("document.activeElement.id") == "d-summary"  # the error summary
    assert page.is_visible("#d-env-copy") and page.is_visible("#l-addr-copy")  # JS-only controls
    assert page.eval_on_selector("#d-stream", "e => getComputedStyle(e).opacity") == "0.5"
    page.context.close()


def test_copy_buttons_copy_and_confirm_for_two_seconds(
    browser: Any, showcase: dict[str, str]
) -> None:
    page, outside = open_page(browser, showcase["frozen"], clock_at=AS_OF)
    page.click("#d-env-copy")
    page.wait_for_function("document.getElementById('d-env-copy-status').textContent === 'Copied'")
    assert page.inner_text("#d-env-copy").strip() == "✓ Copied"
    page.click("#l-addr-copy")
    page.click("#d-key-copy")
    page.wait_for_function("window.__copied.length === 3")
    assert page.evaluate("window.__copied") == [
        "OPENAI_BASE_URL=http://127.0.0.1/v1\nOPENAI_API_KEY=gd_live_…abcd",
        "0x1234567890abcdef1234567890abcdef1234abcd",
        "gd_live_0123456789abcd",  # the full key, although it is shown masked
    ]
    page.clock.run_for(2100)
    assert page.inner_text("#d-env-copy").strip() == "Copy"
    assert page.text_content("#d-env-copy-status") == ""
    assert outside == []
    page.context.close()


def test_reveal_toggles_the_key_in_place(browser: Any, showcase: dict[str, str]) -> None:
    page, _ = open_page(browser, showcase["frozen"])
    assert page.text_content("#l-key") == "gd_live_…abcd"
    page.click("#l-key-reveal")
    assert page.text_content("#l-key") == "gd_live_0123456789abcd"
    assert page.get_attribute("#l-key-reveal", "aria-label") == "Hide API key"
    assert page.inner_text("#l-key-reveal").strip() == "Hide"
    page.click("#l-key-reveal")
    assert page.text_content("#l-key") == "gd_live_…abcd"
    assert page.url.endswith("frozen.html")  # no form post happened
    page.context.close()


def test_stream_counter_ticks_unless_frozen(browser: Any, showcase: dict[str, str]) -> None:
    live, _ = open_page(browser, showcase["live"], clock_at=AS_OF + 5)
    live.clock.pause_at(AS_OF + 10)
    live.evaluate("window.AiCreditsWidget.tick()")
    counter = "[data-testid=AiCreditsWidget-showcase-dark] [data-stream-counter]"
    assert live.text_content(counter) == "US$2.000000"
    live.clock.run_for(5000)
    assert live.text_content(counter) == "US$2.500000"
    assert live.eval_on_selector(counter, "e => e.closest('[aria-live]')") is None
    live.context.close()
    frozen, _ = open_page(browser, showcase["frozen"], clock_at=AS_OF + 10)
    frozen.clock.run_for(5000)
    frozen.evaluate("window.AiCreditsWidget.tick()")
    assert frozen.text_content(counter) == "US$1.000000"
    frozen.context.close()


@pytest.mark.parametrize(
    ("page_name", "motion", "expected"),
    [
        ("live", "no-preference", "gw-dot"),
        ("live", "reduce", "none"),
        ("frozen", "no-preference", "none"),
    ],
)
def test_spinner_animation_respects_motion_settings(
    browser: Any, showcase: dict[str, str], page_name: str, motion: str, expected: str
) -> None:
    page, _ = open_page(browser, showcase[page_name], reduced_motion=motion)
    names = page.eval_on_selector_all(
        ".gw-spinner__dot", "els => els.map(e => getComputedStyle(e).animationName)"
    )
    assert set(names) == {expected}
    opacities = page.eval_on_selector_all(
        "[data-testid=AiCreditsWidget-showcase-dark] .gw-spinner__dot",
        "els => els.map(e => getComputedStyle(e).opacity)",
    )
    if expected == "none":
        assert opacities == ["0.3", "0.6", "1"]
    page.context.close()


# ------------------------------------------------------------------ posting events to a host

NEXT_STATE = """{% import "layout.jinja" as layout %}{% import "primitives.jinja" as ui %}
{% call layout.root("payment_pending", post_url="/events") %}
{{ ui.notice("info", "Waiting for your wallet…", focus=true, id="next-summary") }}
{% endcall %}"""


@pytest.fixture
def host(env: Environment) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback host: GET / → the showcase posting to /events; POST /events → next state."""
    posted: list[dict[str, Any]] = []
    page = render_showcase(env, post_url="/events", frozen=True).encode()
    fragment = env.from_string(NEXT_STATE).render().encode()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._send(page)

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            assert self.headers["Content-Type"] == "application/json"
            posted.append(json.loads(self.rfile.read(length)))
            self._send(fragment)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", posted
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("click", "expected"),
    [
        ("#d-buy", {"type": "buy_clicked", "amount": "12"}),
        (
            "[data-testid=AiCreditsWidget-showcase-light] .gw-chip >> nth=1",
            {"type": "amount_preset_selected", "amount": "25"},
        ),
        (
            "[data-testid=AiCreditsWidget-showcase-dark] .gw-segment >> nth=1",
            {"type": "mode_changed", "mode": "stream"},
        ),
    ],
)
def test_events_post_as_json_and_the_root_is_replaced(
    browser: Any, host: tuple[str, list[dict[str, Any]]], click: str, expected: dict[str, str]
) -> None:
    url, posted = host
    page = browser.new_page()
    page.goto(url)
    page.wait_for_function("document.documentElement.dataset.widgetReady === 'true'")
    page.click("#l-stream", force=True)  # aria-disabled: must post nothing
    page.click(click)
    page.wait_for_selector("[data-testid=AiCreditsWidget-payment-pending]")
    assert posted == [expected]
    assert page.evaluate("document.activeElement.id") == "next-summary"
    assert page.eval_on_selector(".gw-root >> nth=0", "e => e.hasAttribute('data-js')")
    assert page.url == url  # no navigation: the widget was swapped in place
    page.close()


INHERITED = """{% import "layout.jinja" as layout %}{% import "primitives.jinja" as ui %}
{% call layout.document("Themes", theme=page_theme) %}
{% call layout.root("plain", theme=root_theme) %}{% call ui.card("x", testid="c") %}{% endcall %}
{% endcall %}{% endcall %}"""


@pytest.mark.parametrize(
    ("page_theme", "root_theme", "surface"),
    [
        ("light", None, "rgb(255, 255, 255)"),  # a root inherits the host page's theme
        ("dark", None, "rgb(30, 31, 38)"),
        ("light", "dark", "rgb(30, 31, 38)"),  # the root's own theme wins
        ("dark", "light", "rgb(255, 255, 255)"),
    ],
)
def test_theme_cascade(
    browser: Any,
    env: Environment,
    tmp_path: Path,
    page_theme: str,
    root_theme: str | None,
    surface: str,
) -> None:
    path = tmp_path / "themes.html"
    html = env.from_string(INHERITED).render(page_theme=page_theme, root_theme=root_theme)
    path.write_text(html, encoding="utf-8")
    page, outside = open_page(browser, path.as_uri())
    assert page.eval_on_selector("[data-testid=c]", "e => getComputedStyle(e).backgroundColor") == (
        surface
    )
    assert outside == []
    page.context.close()
