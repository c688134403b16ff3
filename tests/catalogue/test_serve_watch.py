"""``ai-credits serve`` watches the sources: an edit is rebuilt (only what it touches) and announced
over Server-Sent Events so open pages reload.  A real server process on a copy of the project's
packages, real files, real sockets; every wait ends on an event, never on a sleep."""

from __future__ import annotations

import argparse
import json
import queue
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalogue.build import EVERYTHING, Parts, build_catalogue, update_catalogue
from catalogue.rebuild import PACKAGES, plan
from catalogue.serve import create_app, poll_changes
from stories import STORIES, import_path
from tests.processes import free_port, spawn, stop

ROOT = Path(__file__).resolve().parents[2]
WAIT = 180  # seconds: a loaded 2-core machine, a rebuild in a fresh interpreter


class Events:
    """The server's reload events, read by a background thread from ``/__reload``."""

    def __init__(self, url: str) -> None:
        self.queue: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.client = httpx.Client(timeout=httpx.Timeout(10, read=None))
        self.thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self.thread.start()

    def _read(self, url: str) -> None:
        try:
            with self.client.stream("GET", url) as stream:
                event = ""
                for line in stream.iter_lines():
                    if line.startswith("event: "):
                        event = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        self.queue.put((event, json.loads(line.removeprefix("data: "))))
        except httpx.HTTPError:
            return

    def next(self, *kinds: str) -> tuple[str, dict[str, Any]]:
        """The next event of one of ``kinds`` (others skipped); fails after :data:`WAIT`."""
        while True:
            try:
                kind, data = self.queue.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"no {'/'.join(kinds)} event from the server")
            if kind in kinds:
                return kind, data

    def rebuilt(self) -> list[list[str]]:
        """The files changed by each step of the next rebuild, until its last."""
        steps = []
        while True:
            _, data = self.next("rebuilt")
            steps.append(data["changed"])
            if data["done"]:
                return steps

    def close(self) -> None:
        self.client.close()


@dataclass
class Served:
    url: str
    project: Path
    out: Path
    log: Path

    def events(self) -> Events:
        events = Events(f"{self.url}/__reload")
        _, hello = events.next("hello")
        if not hello["ready"]:  # the first full build is still running: its event comes next
            events.rebuilt()
        return events

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.project / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def mtimes(self) -> dict[str, int]:
        return {p.relative_to(self.out).as_posix(): p.stat().st_mtime_ns
                for p in self.out.rglob("*") if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``python -m catalogue serve`` on a copy of the packages (the edits never touch the repo)."""
    project = tmp_path_factory.mktemp("project")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, project / package,
                        ignore=shutil.ignore_patterns("__pycache__", "baselines"))  # fmt: skip
    port, out, log = free_port(), project / "out", project / "serve.log"
    # -P: the copy on PYTHONPATH comes first, not the repository in the working directory
    process = spawn([sys.executable, "-P", "-m", "catalogue", "serve", "--port", str(port),
                     "--out", str(out)], f"http://127.0.0.1:{port}/", log,
                    env={"PYTHONPATH": str(project)})  # fmt: skip
    try:
        yield Served(f"http://127.0.0.1:{port}", project, out, log)
    finally:
        stop(process)


def test_served_pages_carry_the_reload_script_and_the_files_do_not(served: Served) -> None:
    served.events().close()
    page = httpx.get(f"{served.url}/").text
    assert 'new EventSource("/__reload")' in page
    assert page.index("EventSource") < page.index("</body>")
    assert "__reload" not in (served.out / "index.html").read_text(encoding="utf-8")
    assert "__reload" not in (served.out / "assets" / "shell.js").read_text(encoding="utf-8")


def test_a_story_edit_rebuilds_its_module_and_reloads_only_its_page(served: Served) -> None:
    keys = [s.id for s in STORIES if import_path(s) == "./stories/keys.py"]
    page = "story/widget-keys--revoke-asks-first.html"
    events = served.events()
    before = served.mtimes()
    served.edit("stories/keys.py", "Revoking stops every tool", "Revoking stops each tool")
    steps = events.rebuilt()
    events.close()
    # its own pages first (the reload), then the pages made from every story; frames and every
    # other page: the same bytes
    assert steps == [[page], []]
    assert "Revoking stops each tool" in httpx.get(f"{served.url}/{page}").text
    after = served.mtimes()
    assert {name for name in after if after[name] != before.get(name)} == {page}
    assert f"rebuilt {len(keys)} stories: 1 file changed (1 page) in" in served.log.read_text()


def test_a_widget_template_edit_reloads_the_frames_and_docs_that_show_it(served: Served) -> None:
    events = served.events()
    before = served.mtimes()
    served.edit("ai_credits/components/cards/quote_card.jinja", 'data-testid="quote-card"',
                'data-testid="quote-card" data-edited')  # fmt: skip
    (changed_files,) = events.rebuilt()
    events.close()
    changed = set(changed_files)
    frame = "frames/widget-purchase--quote-ready-one-time-verified--dark-desktop.html"
    assert {frame, "docs/quote_card.html"} <= changed
    assert "data-edited" in httpx.get(f"{served.url}/{frame}").text
    untouched = {"frames/widget-connect--disconnected--dark-desktop.html",
                 "docs/wallet_chip.html", "coverage.html", "index.json"}  # fmt: skip
    assert not changed & untouched
    after = served.mtimes()
    assert {name for name in after if after[name] != before.get(name)} == changed


def test_a_catalogue_template_edit_rebuilds_the_story_pages_not_the_frames(served: Served) -> None:
    events = served.events()
    served.edit("catalogue/templates/story.html.jinja", "{% block body %}",
                "{% block body %}<!-- edited -->")  # fmt: skip
    (changed_files,) = events.rebuilt()
    events.close()
    changed = set(changed_files)
    assert changed == {"index.html", *(f"story/{s.id}.html" for s in STORIES)}
    assert "<!-- edited -->" in httpx.get(f"{served.url}/").text


def test_a_broken_story_is_reported_and_its_fix_rebuilds(served: Served) -> None:
    events = served.events()
    served.edit("stories/keys.py", "STORIES: tuple[Story, ...] = (", "STORIES = ((")
    kind, failed = events.next("rebuilt", "failed")
    assert kind == "failed" and "SyntaxError" in failed["error"] and "keys.py" in failed["error"]
    served.edit("stories/keys.py", "STORIES = ((", "STORIES: tuple[Story, ...] = (")
    kind, _ = events.next("rebuilt", "failed")
    assert kind == "rebuilt"
    events.rebuilt()  # the rest of that rebuild
    events.close()
    assert "error: rebuild after a change to stories/keys.py failed: SyntaxError" in (
        served.log.read_text())


def test_chromium_reloads_the_page_that_changed_and_leaves_the_others(served: Served) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.conftest import ARGS, CHROMIUM

    edited = f"{served.url}/story/widget-keys--keys-panel.html?theme=light&viewport=mobile"
    other = f"{served.url}/story/widget-connect--disconnected.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pages = [browser.new_page(), browser.new_page()]
            for page, url in zip(pages, (edited, other), strict=True):
                page.goto(url)
                expect(page.locator("html[data-reload=listening]")).to_have_count(1)
                page.evaluate("window.notReloaded = true")
            served.edit("stories/keys.py", "Every key of the wallet,", "Every key of the wallet "
                        "(edited),")  # fmt: skip
            expect(pages[0].get_by_text("Every key of the wallet (edited)")).to_be_visible(
                timeout=WAIT * 1000)  # fmt: skip
            assert pages[0].evaluate("window.notReloaded") is None
            assert pages[0].url == edited  # the theme and viewport kept
            assert pages[0].locator("#cat-frame").get_attribute("src") == (
                "../frames/widget-keys--keys-panel--light-mobile.html")
            expect(pages[1].locator("html[data-reload-seen]")).to_have_count(1)  # had the news
            assert pages[1].evaluate("window.notReloaded") is True
        finally:
            browser.close()


# -- the parts, without a server ---------------------------------------------------------------


def test_serve_and_a_warm_rebuild_process_import_no_chain_stack() -> None:
    from tests.catalogue.test_import_weight import HEAVY, run

    out = run(f"""
        import sys
        import catalogue.cli, catalogue.serve
        from catalogue import rebuild
        rebuild._warm()  # what a spare imports and compiles before a change arrives
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert out.strip() == "[]"


def test_the_plan_of_each_kind_of_change(site: Path) -> None:
    keys = frozenset(s.id for s in STORIES if import_path(s) == "./stories/keys.py")
    assert plan(["stories/keys.py"], site)[0] == Parts(frames=keys, pages=keys, assets=False)
    assert plan(["catalogue/static/shell.css"], site)[0] == Parts(
        frames=frozenset(), pages=frozenset(), assets=True, shared=False)  # fmt: skip
    frame_template = plan(["catalogue/templates/frame.html.jinja"], site)[0]
    assert frame_template == Parts(frames=None, pages=frozenset(), assets=False, shared=False)
    base = plan(["catalogue/templates/base.html.jinja"], site)[0]
    assert base == Parts(frames=frozenset(), pages=None, assets=False, shared=True)
    for everything in ("ai_credits/core/machine.py", "ai_credits/components/widget.jinja",
                       "fixtures/scenarios/verified.json", "stories/runner.py"):  # fmt: skip
        assert plan([everything], site)[0] == EVERYTHING, everything
    assert plan(["stories/keys.py"], site.parent / "no-catalogue-here")[0] == EVERYTHING


def test_an_update_of_an_up_to_date_catalogue_writes_nothing(tmp_path: Path) -> None:
    build_catalogue(tmp_path, stories=STORIES[:3])
    (tmp_path / "frames" / "stale--dark-desktop.html").write_text("a story that is gone")
    update = update_catalogue(tmp_path, stories=STORIES[:3], parts=EVERYTHING)
    assert update.changed == () and update.removed == ("frames/stale--dark-desktop.html",)
    update = update_catalogue(tmp_path, stories=STORIES[:2],
                              parts=Parts(frames=frozenset(), pages=frozenset()))  # fmt: skip
    assert set(update.removed) == {f"frames/{STORIES[2].id}--{m}.html" for m in (
        "dark-mobile", "dark-desktop", "light-mobile", "light-desktop")} | {
        f"story/{STORIES[2].id}.html"}  # fmt: skip
    assert "index.json" in update.changed


def test_polling_finds_created_modified_and_deleted_files(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("1")
    (tmp_path / "gone.txt").write_text("1")
    stopped = threading.Event()
    batches = poll_changes([tmp_path], stopped, interval=0.01)
    (tmp_path / "kept.txt").write_text("22")
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "new.txt").write_text("1")
    assert next(batches) == {tmp_path / "kept.txt", tmp_path / "gone.txt",
                             tmp_path / "sub" / "new.txt"}  # fmt: skip
    stopped.set()
    assert list(batches) == []


async def test_without_watching_there_is_no_script_and_no_event_stream(site: Path) -> None:
    transport = httpx.ASGITransport(app=create_app(site))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert "EventSource" not in (await client.get("/")).text
        assert (await client.get("/__reload")).status_code == 404


def test_no_watch_flag_on_both_command_lines() -> None:
    from ai_credits.cli import build_parser
    from catalogue import cli

    assert build_parser().parse_args(["serve", "--no-watch"]).watch is False
    assert build_parser().parse_args(["serve"]).watch is True
    parser = argparse.ArgumentParser()
    cli.add_serve_args(parser)
    assert parser.parse_args(["--no-watch"]).watch is False
