"""``ai-credits serve``: build the catalogue, serve it on localhost, and host the live page."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from catalogue.build import (
    DEFAULT_A11Y_DIR,
    DEFAULT_TEST_TRACES,
    OWNED,
    BuildResult,
    build_catalogue,
    build_first_story,
)
from catalogue.coverage import load_test_traces
from catalogue.live import create_live_app

__all__ = ["DEFAULT_OUT", "build_in_place", "create_app", "serve"]

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


def build_in_place(out: Path, a11y_dir: Path | None = DEFAULT_A11Y_DIR) -> BuildResult:
    """A full build into a staging directory beside ``out``, then each owned entry swapped in
    (two renames each), so a server reading ``out`` never sees a half-written catalogue."""
    out = Path(out)
    staging, trash = out.with_name(out.name + ".next"), out.with_name(out.name + ".old")
    for folder in (staging, trash):
        shutil.rmtree(folder, ignore_errors=True)
    a11y = out / "a11y" if (out / "a11y").is_dir() else a11y_dir
    result = build_catalogue(staging, a11y_dir=a11y,
                             extra_traces=load_test_traces(DEFAULT_TEST_TRACES))  # fmt: skip
    trash.mkdir(parents=True)
    out.mkdir(parents=True, exist_ok=True)
    for name in OWNED:
        if (out / name).exists():
            (out / name).rename(trash / name)
        if (staging / name).exists():
            (staging / name).rename(out / name)
    shutil.rmtree(trash, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return result


def serve(port: int = 6006, backend_url: str | None = None, out: Path = DEFAULT_OUT,
          host: str = "127.0.0.1", live: ASGIApp | None = None) -> None:  # fmt: skip
    """Write the first story's page, start serving, build the rest meanwhile; serve until
    interrupted.  The first page is up in well under a second; the whole catalogue follows."""
    import uvicorn

    build_first_story(out, a11y_dir=DEFAULT_A11Y_DIR)
    print(f"catalogue: http://{host}:{port}/   live: http://{host}:{port}/live/ "
          f"(first story ready; building the rest)", flush=True)  # fmt: skip

    def build_rest() -> None:
        try:
            result = build_in_place(out)
        except Exception as exc:  # shown, never fatal: the first page stays served
            print(f"error: the catalogue build failed: {exc}", flush=True)
            return
        print(f"built {result.stories} stories, {result.pages} pages into {out}", flush=True)

    threading.Thread(target=build_rest, name="catalogue-build", daemon=True).start()
    uvicorn.run(create_app(out, backend_url, live), host=host, port=port, log_level="warning")
