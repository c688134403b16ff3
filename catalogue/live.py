"""The live host: the reference for embedding the library in a Python web app (ASGI/Starlette).

One runtime ``Session`` per visitor (cookie), driving the widget against a fixture world (or a
``WorkerBackend``).  The widget's buttons and forms post ``event=<type>`` plus fields; without
JavaScript the page posts and is redirected back, with JavaScript ``widget.js`` posts JSON and
swaps in the returned widget root.  A developer panel outside the widget bills a request and
moves the clock.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from markupsafe import Markup
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ai_credits.backends.fixture import FixtureBackend
from ai_credits.backends.worker import WorkerBackend
from ai_credits.core import events as ev
from ai_credits.core.states import State
from ai_credits.runtime import Session
from ai_credits.views import render_widget
from ai_credits.views.theme import static_dir
from catalogue.site import render_template
from fixtures.world import World, build_world
from stories.runner import BILL_BODY

__all__ = ["COOKIE", "create_live_app"]

COOKIE = "ai_credits_live"
MAX_VISITORS = 200


@dataclass
class Visitor:
    """One browser: its fixture world (chain, clock, fixture backend) and runtime session."""

    world: World
    session: Session
    theme: str = "dark"
    slow_receipts: bool = False  # dev tool: stop in payment_pending until "Check Again"


def create_live_app(backend_url: str | None = None, *, prefix: str = "/live") -> Starlette:
    """The live page as an ASGI app, to mount at ``prefix``."""
    visitors: OrderedDict[str, Visitor] = OrderedDict()

    def new_visitor() -> Visitor:
        world = build_world("zero_credits")
        if not backend_url:
            return Visitor(world, world.session)
        # A real credits service, with the fixture MemoryChain wallet.
        session = Session(backend=WorkerBackend(backend_url),
                          wallet=world.chain.wallet(world.account), clock=world.clock)  # fmt: skip
        return Visitor(world, session)

    def visitor(request: Request) -> tuple[str, Visitor]:
        vid = request.cookies.get(COOKIE, "")
        if vid not in visitors:
            vid = secrets.token_urlsafe(16)
            visitors[vid] = new_visitor()
            while len(visitors) > MAX_VISITORS:
                visitors.popitem(last=False)
        visitors.move_to_end(vid)
        return vid, visitors[vid]

    def done(request: Request, vid: str, body: Response | None = None) -> Response:
        response = body or RedirectResponse(f"{prefix}/", status_code=303)
        response.set_cookie(COOKIE, vid, httponly=True, samesite="lax")
        return response

    def widget(v: Visitor) -> str:
        return str(render_widget(v.session.snapshot, theme=v.theme,
                                 post_url=f"{prefix}/event"))  # fmt: skip

    async def page(request: Request) -> Response:
        vid, v = visitor(request)
        if request.query_params.get("theme") in ("dark", "light"):
            v.theme = request.query_params["theme"]
        snapshot = v.session.snapshot
        html = render_template("live.html.jinja", prefix=prefix, theme=v.theme,
                               widget=Markup(widget(v)),
                               state=snapshot.state.value, backend_url=backend_url,
                               slow=v.slow_receipts,
                               now=v.world.clock().isoformat())  # fmt: skip
        return done(request, vid, HTMLResponse(html))

    async def event(request: Request) -> Response:
        vid, v = visitor(request)
        is_json = request.headers.get("content-type", "").startswith("application/json")
        # A plain form posts application/x-www-form-urlencoded (no multipart parser needed).
        data: dict[str, Any] = dict(await request.json()) if is_json else dict(
            parse_qsl((await request.body()).decode(), keep_blank_values=True))  # fmt: skip
        kind = str(data.pop("event", data.pop("type", "")))
        if kind not in ev.USER_EVENTS:  # the browser may send user events only
            return done(request, vid, Response(f"unknown event {kind!r}", status_code=400))
        try:
            parsed = ev.parse_event({**data, "type": kind, "at": v.world.clock().isoformat()})
        except ValidationError as exc:
            return done(request, vid, Response(f"bad event: {exc.error_count()} error(s)",
                                               status_code=400))  # fmt: skip
        pending = v.session.snapshot.state is State.payment_pending
        stop_in = State.payment_pending if v.slow_receipts and not pending else None
        await v.session.send(parsed, stop_in=stop_in)
        return done(request, vid, HTMLResponse(widget(v)) if is_json else None)

    async def refresh(v: Visitor) -> None:
        if v.session.snapshot.state.value in _REFRESHABLE:
            await v.session.send(ev.Refresh(at=v.world.clock()))

    async def bill(request: Request) -> Response:
        vid, v = visitor(request)
        token = v.session.keys.token
        backend = v.session.backend
        if token is not None and isinstance(backend, FixtureBackend | WorkerBackend):
            await backend.chat_completion(token.reveal(), BILL_BODY)
            await refresh(v)
        return done(request, vid)

    async def advance(request: Request) -> Response:
        vid, v = visitor(request)
        v.world.clock.advance(86_400)
        await refresh(v)
        return done(request, vid)

    async def slow(request: Request) -> Response:
        vid, v = visitor(request)
        v.slow_receipts = not v.slow_receipts
        return done(request, vid)

    async def reset(request: Request) -> Response:
        vid, _ = visitor(request)
        visitors[vid] = new_visitor()
        return done(request, vid)

    return Starlette(routes=[
        Route("/", page),
        Route("/event", event, methods=["POST"]),
        Route("/dev/bill", bill, methods=["POST"]),
        Route("/dev/advance", advance, methods=["POST"]),
        Route("/dev/slow", slow, methods=["POST"]),
        Route("/dev/reset", reset, methods=["POST"]),
        Mount("/static", StaticFiles(directory=static_dir())),
    ])  # fmt: skip


_REFRESHABLE = frozenset({"has_credits", "usage_empty", "usage_active", "low_balance",
                          "insufficient_ai_credits", "streaming_active", "payment_pending"})
"""States in which ``refresh`` reloads what the widget shows (see the machine table)."""
