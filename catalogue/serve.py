"""``ai-credits serve``: build the catalogue, serve it on localhost, host the live page, and keep
the catalogue up to date while its sources change (like Storybook's dev server).

The first story's page is written before the server starts; the rest is built in the background.
Then every change to a file the build reads is rebuilt in a fresh interpreter
(:mod:`catalogue.rebuild`: only the parts the change touches, only the files whose bytes change)
and announced over Server-Sent Events at ``/__reload``; a small script, added to the pages only as
they are served (never to a static build), reloads a page when it, a frame it shows or the
assets changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import ASGIApp, Scope

from catalogue.build import (
    DEFAULT_A11Y_DIR,
    DEFAULT_TEST_TRACES,
    EVERYTHING,
    Update,
    build_first_story,
    update_catalogue,
)
from catalogue.coverage import load_test_traces
from catalogue.live import create_live_app
from catalogue.rebuild import PACKAGES, ROOT, files_read, record_reads

__all__ = ["DEFAULT_OUT", "RELOAD_PATH", "Reloads", "build_in_place", "create_app", "poll_changes",
           "serve", "watch_changes"]  # fmt: skip

DEFAULT_OUT = Path("build/catalogue")
RELOAD_PATH = "/__reload"
"""The Server-Sent Events endpoint the served pages listen on."""


class Reloads:
    """Finished rebuilds, announced to every open page over Server-Sent Events.

    :meth:`publish` may be called from any thread; each page's stream gets ``hello`` first (this
    server's id: a page that reconnects to a new server reloads), then ``rebuilt`` (the files a
    step of a rebuild changed; ``done`` on its last step) and ``failed`` (a rebuild's one-line
    error) events."""

    def __init__(self) -> None:
        self.server = secrets.token_hex(6)
        self.ready = threading.Event()
        """Set once the whole catalogue is built."""
        self._lock = threading.Lock()
        self._pages: dict[asyncio.Queue[str | None], asyncio.AbstractEventLoop] = {}

    def publish(self, event: str, data: dict[str, Any]) -> None:
        """Send ``event`` with ``data`` (as JSON) to every open page."""
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n"
        with self._lock:
            pages = list(self._pages.items())
        for page, loop in pages:
            with contextlib.suppress(RuntimeError):  # the loop closed: the server is stopping
                loop.call_soon_threadsafe(page.put_nowait, message)

    def close(self) -> None:
        """End every stream (the server is stopping: it waits for open responses)."""
        with self._lock:
            pages = list(self._pages.items())
        for page, loop in pages:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(page.put_nowait, None)

    async def stream(self) -> AsyncIterator[str]:
        """One page's events, a comment every 15 s to keep the connection open."""
        page: asyncio.Queue[str | None] = asyncio.Queue()
        with self._lock:
            self._pages[page] = asyncio.get_running_loop()
        try:
            hello = {"server": self.server, "ready": self.ready.is_set()}
            yield f"retry: 1000\nevent: hello\ndata: {json.dumps(hello)}\n\n"
            while True:
                try:
                    message = await asyncio.wait_for(page.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if message is None:
                    return
                yield message
        finally:
            with self._lock:
                self._pages.pop(page, None)

    async def endpoint(self, _: Request) -> Response:
        """``GET /__reload``."""
        return StreamingResponse(self.stream(), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})  # fmt: skip


class _DevFiles(StaticFiles):
    """The catalogue as the dev server serves it: every page with the reload script, nothing
    cached without asking (a rebuilt asset is fetched again on reload)."""

    def __init__(self, directory: Path, script: str) -> None:
        super().__init__(directory=directory, html=True)
        self.script = f"<script>\n{script}</script>\n"

    def file_response(self, full_path: PathLike, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:  # fmt: skip
        if str(full_path).endswith(".html"):
            html = Path(full_path).read_text(encoding="utf-8")
            at = html.rfind("</body>")
            at = len(html) if at < 0 else at
            return HTMLResponse(html[:at] + self.script + html[at:], status_code=status_code,
                                headers={"cache-control": "no-cache"})  # fmt: skip
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = "no-cache"
        return response


def create_app(catalogue_dir: Path, backend_url: str | None = None, live: ASGIApp | None = None,
               reloads: Reloads | None = None) -> Starlette:  # fmt: skip
    """The static catalogue at ``/`` and the live host at ``/live/``: the fixture world's live
    page, or ``live`` (e.g. :func:`ai_credits.host.create_app`: a browser wallet on a node).

    With ``reloads``, pages get the reload script and ``/__reload`` streams the rebuilds."""

    async def live_slash(_: object) -> Response:
        return RedirectResponse("/live/", status_code=307)

    routes = [Route("/live", live_slash),
              Mount("/live", live or create_live_app(backend_url, prefix="/live"))]  # fmt: skip
    if reloads is None:
        routes.append(Mount("/", StaticFiles(directory=catalogue_dir, html=True)))
    else:
        script = (Path(__file__).parent / "static" / "reload.js").read_text(encoding="utf-8")
        routes += [Route(RELOAD_PATH, reloads.endpoint),
                   Mount("/", _DevFiles(catalogue_dir, script))]  # fmt: skip
    return Starlette(routes=routes)


def build_in_place(out: Path, a11y_dir: Path | None = DEFAULT_A11Y_DIR) -> Update:
    """A full build into ``out`` while it is being served: each file written only if its bytes
    change, through a temporary file renamed over it, so a server reading ``out`` never sees a
    half-written page; files of stories that are gone are removed, ``a11y/`` is left alone."""
    return update_catalogue(out, parts=EVERYTHING, a11y_dir=a11y_dir,
                            extra_traces=load_test_traces(DEFAULT_TEST_TRACES))  # fmt: skip


# -- watching -----------------------------------------------------------------------------------


def poll_changes(roots: Sequence[Path], stop: threading.Event,
                 interval: float = 0.3) -> Iterator[set[Path]]:  # fmt: skip
    """Batches of files created, modified or deleted under ``roots`` since this call (mtime and
    size, every ``interval`` seconds) until ``stop`` is set: the fallback without watchfiles."""

    def scan() -> dict[Path, tuple[int, int]]:
        seen: dict[Path, tuple[int, int]] = {}
        pending = [*roots]
        while pending:
            try:
                entries = list(os.scandir(pending.pop()))
            except OSError:
                continue
            for entry in entries:
                if entry.name == "__pycache__" or entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                else:
                    stat = entry.stat()
                    seen[Path(entry.path)] = (stat.st_mtime_ns, stat.st_size)
        return seen

    def batches(before: dict[Path, tuple[int, int]]) -> Iterator[set[Path]]:
        while not stop.wait(interval):
            now = scan()
            changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
            before = now
            if changed:
                yield changed

    return batches(scan())  # listed now, not at the first next()


def watch_changes(roots: Sequence[Path], stop: threading.Event) -> Iterator[set[Path]]:
    """Batches of changed files under ``roots`` until ``stop`` is set: OS notifications through
    watchfiles (what uvicorn's ``--reload`` uses), or :func:`poll_changes` without it."""
    try:
        import watchfiles
    except ImportError:
        yield from poll_changes(roots, stop)
        return
    for changes in watchfiles.watch(*roots, stop_event=stop, debounce=400, step=30):
        yield {Path(path) for _, path in changes}


class _Spare:
    """A fresh interpreter waiting for the next change (:mod:`catalogue.rebuild`)."""

    def __init__(self, out: Path) -> None:
        # the project this server watches comes first (not whatever the working directory holds)
        start = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                 "from catalogue.rebuild import main; sys.exit(main())")  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-c", start, "--out", str(out.resolve())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self._read: set[Path] | None = None

    def read(self) -> set[Path]:
        """The project files the spare has read (waits until it is warm)."""
        if self._read is None:
            assert self.process.stdout is not None
            line = self.process.stdout.readline()
            try:
                self._read = {Path(p) for p in json.loads(line)["read"]}
            except (ValueError, KeyError):  # it died: never fresh
                self._read = {ROOT}
        return self._read

    def rebuild(self, changed: Sequence[str],
                step: Callable[[dict[str, Any]], None]) -> dict[str, Any]:  # fmt: skip
        """Hand over the change; ``step`` gets each step's result but the last, which is returned
        (``{"error": ...}`` if the process died)."""
        self.read()
        assert self.process.stdin is not None and self.process.stdout is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.write(json.dumps({"changed": list(changed)}) + "\n")
            self.process.stdin.close()
        result: dict[str, Any] | None = None
        for line in self.process.stdout:
            if line.startswith("{"):
                result = json.loads(line)
                if result is not None and result.get("last"):
                    break
                step(result or {})
                result = None
        self.process.stdout.close()
        self.process.wait()  # it exits right after its last line
        if result is None:
            return {"error": f"the rebuild process exited with status {self.process.returncode}"}
        return result

    def discard(self) -> None:
        """Stop it (it has read a file that changed since, or the server stops)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class _Progress:
    """One rebuild's steps as they come: each announced at once, all of them summed for the log."""

    def __init__(self, reloads: Reloads) -> None:
        self.reloads = reloads
        self.started = time.perf_counter()
        self.files: list[str] = []
        self.pages = self.stories = 0

    def ms(self) -> int:
        """Since the change was taken up."""
        return round((time.perf_counter() - self.started) * 1000)

    def step(self, result: dict[str, Any]) -> None:
        """A step is written: pages showing its files reload now."""
        changed = [*result["changed"], *result["removed"]]
        self.files += changed
        self.pages += result["pages"]
        self.stories += result["stories"]
        self.reloads.publish("rebuilt", {"changed": changed, "ms": self.ms(),
                                         "cpu_ms": result["cpu_ms"],
                                         "done": bool(result.get("last"))})  # fmt: skip


def _rebuild_loop(out: Path, reloads: Reloads, changes: queue.Queue[set[Path] | None],
                  log: Callable[[str], None]) -> None:  # fmt: skip
    # what the build reads: a change to anything else cannot change the catalogue
    read = {Path(p) for p in files_read()}
    broken = False  # after a failed rebuild every change is tried (a fix may be a new file)
    spare = _Spare(out)
    try:
        while (batch := changes.get()) is not None:
            while True:  # everything saved meanwhile goes into this rebuild
                try:
                    more = changes.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    return
                batch |= more
            relevant = sorted(p for p in batch if broken or p in read)
            if not relevant:
                continue
            progress = _Progress(reloads)
            if spare.read() & set(relevant):  # it has loaded a file that changed since
                spare.discard()
                spare = _Spare(out)
            names = [p.relative_to(ROOT).as_posix() for p in relevant]
            result = spare.rebuild(names, progress.step)
            spare = _Spare(out)  # warms up for the next change
            read |= {Path(p) for p in result.get("read", ())}
            broken = "error" in result
            if broken:
                log(f"error: rebuild after a change to {', '.join(names)} failed: "
                    f"{result['error']}")  # fmt: skip
                reloads.publish("failed", {"error": result["error"]})
                continue
            progress.step(result)
            log(f"rebuilt {_count(progress.stories, 'story', 'stories')}: "
                f"{_count(len(progress.files), 'file', 'files')} changed "
                f"({_count(progress.pages, 'page', 'pages')}) in {progress.ms()} ms "
                f"({result['cpu_ms']} ms CPU; {'; '.join(result['what'])})")  # fmt: skip
    finally:
        spare.discard()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _build_and_watch(out: Path, reloads: Reloads | None, listening: threading.Event,
                     stop: threading.Event, log: Callable[[str], None]) -> None:  # fmt: skip
    changes: queue.Queue[set[Path] | None] = queue.Queue()
    if reloads is not None:  # watch from now on: an edit during the first build is not lost

        def watch() -> None:
            roots = [ROOT / p for p in PACKAGES if (ROOT / p).is_dir()]
            for batch in watch_changes(roots, stop):
                changes.put(batch)
            changes.put(None)

        threading.Thread(target=watch, name="catalogue-watch", daemon=True).start()
    # the server starts first: it would share the interpreter (the GIL) with the build
    listening.wait(timeout=10)
    try:
        update = build_in_place(out)
    except Exception as exc:  # shown, never fatal: the first page stays served
        log(f"error: the catalogue build failed: {exc}")
    else:
        log(f"built {_count(update.stories, 'story', 'stories')} "
            f"({_count(update.pages, 'page', 'pages')} changed) into {out}")
        if reloads is not None:
            reloads.publish("rebuilt", {"changed": [*update.changed, *update.removed],
                                        "done": True})  # fmt: skip
    if reloads is not None:
        reloads.ready.set()
        _rebuild_loop(out, reloads, changes, log)


def serve(port: int = 6006, backend_url: str | None = None, out: Path = DEFAULT_OUT,
          host: str = "127.0.0.1", live: ASGIApp | None = None,
          watch: bool = True) -> None:  # fmt: skip
    """Write the first story's page, start serving, build the rest meanwhile, then (``watch``)
    rebuild what each change to the sources touches and reload the pages showing it; serve until
    interrupted.  The first page is up in well under a second; the whole catalogue follows."""
    import uvicorn

    if watch:
        record_reads()  # what the first build reads is what a change must touch to matter
    build_first_story(out, a11y_dir=DEFAULT_A11Y_DIR)
    print(f"catalogue: http://{host}:{port}/   live: http://{host}:{port}/live/ "
          f"(first story ready; building the rest{'; watching for changes' if watch else ''})",
          flush=True)  # fmt: skip
    reloads = Reloads() if watch else None
    stop = threading.Event()

    def log(line: str) -> None:
        print(line, flush=True)

    listening = threading.Event()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            listening.set()

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if reloads is not None:
                reloads.close()  # open event streams would hold the shutdown forever
            super().handle_exit(sig, frame)

    threading.Thread(target=_build_and_watch, args=(out, reloads, listening, stop, log),
                     name="catalogue-build", daemon=True).start()  # fmt: skip
    config = uvicorn.Config(create_app(out, backend_url, live, reloads), host=host, port=port,
                            log_level="warning", timeout_graceful_shutdown=2)  # fmt: skip
    try:
        Server(config).run()
    finally:
        stop.set()
