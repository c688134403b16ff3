"""``ai-credits serve``: build the catalogue, serve it on localhost, and host the live page."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from catalogue.build import DEFAULT_A11Y_DIR, DEFAULT_TEST_TRACES, build_catalogue
from catalogue.coverage import load_test_traces
from catalogue.live import create_live_app

__all__ = ["DEFAULT_OUT", "create_app", "serve"]

DEFAULT_OUT = Path("build/catalogue")


def create_app(catalogue_dir: Path, backend_url: str | None = None,
               live: ASGIApp | None = None) -> Starlette:  # fmt: skip
    """The static catalogue at ``/`` and the live host at ``/live/``: the fixture world's live
    page, or ``live`` (e.g. :func:`ai_credits.host.create_app`: a browser wallet on a node)."""

    async def live_slash(_: object) -> Response:
        return RedirectResponse("/live/", status_code=307)

    return Starlette(routes=[
        Route("/live", live_slash),
        Mount("/live", live or create_live_app(backend_url, prefix="/live")),
        Mount("/", StaticFiles(directory=catalogue_dir, html=True)),
    ])  # fmt: skip


def serve(port: int = 6006, backend_url: str | None = None, out: Path = DEFAULT_OUT,
          host: str = "127.0.0.1", live: ASGIApp | None = None) -> None:  # fmt: skip
    """Build into ``out``, print the URL, serve until interrupted."""
    import uvicorn

    result = build_catalogue(out, progress=print, a11y_dir=DEFAULT_A11Y_DIR,
                             extra_traces=load_test_traces(DEFAULT_TEST_TRACES))  # fmt: skip
    print(f"built {result.stories} stories, {result.pages} pages into {out}")
    print(f"catalogue: http://{host}:{port}/   live: http://{host}:{port}/live/", flush=True)
    uvicorn.run(create_app(out, backend_url, live), host=host, port=port, log_level="warning")
