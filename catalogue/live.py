"""The live host: the reference for embedding the library in a Python web app (ASGI/Starlette).

One runtime ``Session`` per visitor (cookie), driving the widget against a fixture world (or a
``WorkerBackend``).  The widget's buttons and forms post ``event=<type>`` plus fields; without
JavaScript the page posts and is redirected back, with JavaScript ``widget.js`` posts JSON and
swaps in the returned widget root.  A developer panel outside the widget bills a request and
moves the clock.

Every state-changing route (each ``POST``) is guarded against cross-site request forgery: a
``Sec-Fetch-Site`` other than ``same-origin``/``none`` or an ``Origin`` other than the page's own is
refused with 403 (a page on another port of the same host is same-*site*, so ``SameSite=Lax``
cookies alone do not stop it), and so is a request without the visitor's per-session token — the
``csrf_token`` hidden field this host adds to every form, or the ``X-CSRF-Token`` header
``widget.js`` sends.  A refused request never creates a session or touches the cookie.  Bodies are
capped (413), decoded strictly (JSON through :func:`ai_credits.safejson.loads`), and anything
malformed is a 400 with a plain sentence, never a 500.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ai_credits.backends.errors import BackendError
from ai_credits.backends.fixture import FixtureBackend
from ai_credits.core import events as ev
from ai_credits.core.states import State
from ai_credits.host import guard
from ai_credits.runtime import Session
from ai_credits.views import render_widget
from ai_credits.views.theme import static_dir
from catalogue.site import render_template
from fixtures.world import World, build_world
from stories.runner import BILL_BODY

__all__ = ["COOKIE", "CSRF_FIELD", "CSRF_HEADER", "MAX_BODY_BYTES", "create_live_app"]

COOKIE = "ai_credits_live"
MAX_VISITORS = 200
CSRF_FIELD = guard.CSRF_FIELD
CSRF_HEADER = guard.CSRF_HEADER
MAX_BODY_BYTES = guard.MAX_BODY_BYTES
# The checks are the embeddable host's (ai_credits.host.guard): one implementation for both.
_Refused = guard.Refused
_plain = guard.plain
with_csrf_fields = guard.with_csrf_fields


@dataclass
class Visitor:
    """One browser: its fixture world (chain, clock, fixture backend) and runtime session."""

    world: World
    session: Session
    theme: str = "dark"
    slow_receipts: bool = False  # dev tool: stop in payment_pending until "Check Again"
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


FAVICON = Path(__file__).parent / "static" / "favicon.svg"
"""The catalogue's icon, also the live page's (a page without one asks for /favicon.ico)."""


async def favicon(_: Request) -> Response:
    """``GET <prefix>/favicon.svg``."""
    return Response(FAVICON.read_bytes(), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip


def _is_worker(backend: object) -> bool:
    """A :class:`WorkerBackend` (imported only when the live page talks to a real one)."""
    worker = sys.modules.get("ai_credits.backends.worker")
    return worker is not None and isinstance(backend, worker.WorkerBackend)


def create_live_app(backend_url: str | None = None, *, prefix: str = "/live") -> Starlette:
    """The live page as an ASGI app, to mount at ``prefix``."""
    visitors: OrderedDict[str, Visitor] = OrderedDict()

    def new_visitor() -> Visitor:
        world = build_world("zero_credits")
        if not backend_url:
            return Visitor(world, world.session)
        # A real credits service, with the fixture MemoryChain wallet (httpx only then).
        from ai_credits.backends.worker import WorkerBackend

        session = Session(backend=WorkerBackend(backend_url),
                          wallet=world.chain.wallet(world.account), clock=world.clock)  # fmt: skip
        return Visitor(world, session)

    def visitor(request: Request) -> tuple[str, Visitor]:
        """The visitor of a page view, created on the first visit (GET only)."""
        vid = request.cookies.get(COOKIE, "")
        if vid not in visitors:
            vid = secrets.token_urlsafe(16)
            visitors[vid] = new_visitor()
            while len(visitors) > MAX_VISITORS:
                visitors.popitem(last=False)
        visitors.move_to_end(vid)
        return vid, visitors[vid]

    async def guarded(request: Request) -> tuple[str, Visitor, dict[str, Any], bool]:
        """A state-changing request's visitor, fields and JSON-ness — or :class:`_Refused`.

        Checked before anything changes: same origin, a known session (a POST never creates
        one, so a forged POST cannot replace the visitor's cookie), a body within bounds, and the
        session's token in the header or the form.
        """
        guard.check_same_origin(request)
        vid = request.cookies.get(COOKIE, "")
        v = visitors.get(vid)
        if v is None:
            raise _Refused(403, "Refused: no session. Reload the page and try again.")
        data, is_json = await guard.form_or_json(request)
        guard.check_token(request, data, v.csrf)
        visitors.move_to_end(vid)
        return vid, v, data, is_json

    def done(request: Request, vid: str, body: Response | None = None) -> Response:
        response = body or RedirectResponse(f"{prefix}/", status_code=303)
        response.set_cookie(COOKIE, vid, httponly=True, samesite="lax")
        return response

    def widget(v: Visitor, *, csrf: bool = True) -> str:
        html = str(render_widget(v.session.snapshot, theme=v.theme,
                                 post_url=f"{prefix}/event"))  # fmt: skip
        return with_csrf_fields(html, v.csrf) if csrf else html

    async def page(request: Request) -> Response:
        vid, v = visitor(request)
        if request.query_params.get("theme") in ("dark", "light"):
            v.theme = request.query_params["theme"]
        snapshot = v.session.snapshot
        html = render_template("live.html.jinja", prefix=prefix, theme=v.theme,
                               widget=Markup(widget(v, csrf=False)),
                               state=snapshot.state.value, backend_url=backend_url,
                               slow=v.slow_receipts,
                               now=v.world.clock().isoformat())  # fmt: skip
        return done(request, vid, HTMLResponse(with_csrf_fields(html, v.csrf)))

    async def event(request: Request) -> Response:
        try:
            vid, v, data, is_json = await guarded(request)
        except _Refused as refused:
            return _plain(refused.status, refused.message)
        kind = str(data.pop("event", data.pop("type", "")))[:40]
        if kind not in ev.USER_EVENTS:  # the browser may send user events only
            return _plain(400, f"Bad request: unknown event {kind!r}.")
        try:
            parsed = ev.parse_event({**data, "type": kind, "at": v.world.clock().isoformat()})
        except ValidationError as exc:
            return _plain(400, f"Bad request: the event has {exc.error_count()} invalid field(s).")
        pending = v.session.snapshot.state is State.payment_pending
        stop_in = State.payment_pending if v.slow_receipts and not pending else None
        await v.session.send(parsed, stop_in=stop_in)
        return done(request, vid, HTMLResponse(widget(v)) if is_json else None)

    async def refresh(v: Visitor) -> None:
        if v.session.snapshot.state.value in _REFRESHABLE:
            await v.session.send(ev.Refresh(at=v.world.clock()))

    async def bill(request: Request) -> Response:
        try:
            vid, v, _, _ = await guarded(request)
        except _Refused as refused:
            return _plain(refused.status, refused.message)
        token = v.session.keys.token
        backend = v.session.backend
        if token is not None and (isinstance(backend, FixtureBackend) or _is_worker(backend)):
            # e.g. not enough credit: the widget then shows what is left
            with contextlib.suppress(BackendError):
                await backend.chat_completion(token.reveal(), BILL_BODY)
            await refresh(v)
        return done(request, vid)

    async def advance(request: Request) -> Response:
        try:
            vid, v, _, _ = await guarded(request)
        except _Refused as refused:
            return _plain(refused.status, refused.message)
        v.world.clock.advance(86_400)
        await refresh(v)
        return done(request, vid)

    async def slow(request: Request) -> Response:
        try:
            vid, v, _, _ = await guarded(request)
        except _Refused as refused:
            return _plain(refused.status, refused.message)
        v.slow_receipts = not v.slow_receipts
        return done(request, vid)

    async def reset(request: Request) -> Response:
        try:
            vid, v, _, _ = await guarded(request)
        except _Refused as refused:
            return _plain(refused.status, refused.message)
        visitors[vid] = new_visitor()
        visitors[vid].csrf = v.csrf  # the open page's forms stay valid
        return done(request, vid)

    return Starlette(routes=[
        Route("/", page),
        Route("/event", event, methods=["POST"]),
        Route("/dev/bill", bill, methods=["POST"]),
        Route("/dev/advance", advance, methods=["POST"]),
        Route("/dev/slow", slow, methods=["POST"]),
        Route("/dev/reset", reset, methods=["POST"]),
        Route("/favicon.svg", favicon),
        Mount("/static", StaticFiles(directory=static_dir())),
    ])  # fmt: skip


_REFRESHABLE = frozenset({"has_credits", "usage_empty", "usage_active", "low_balance",
                          "insufficient_ai_credits", "streaming_active", "payment_pending"})
"""States in which ``refresh`` reloads what the widget shows (see the machine table)."""
