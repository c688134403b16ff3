"""Incremental rebuilds for ``ai-credits serve``, each in a fresh interpreter.

A changed story, template or library module must never be rendered by code or data loaded before
the change, so every rebuild runs in a new process.  :func:`main` is started ahead of time as a
*spare* (``python -c``, the watched project first on ``sys.path``): it imports the libraries and
the project's modules that are slow to import (:data:`WARM`: everything but the stories) and
compiles the templates, recording every project file it reads (an audit hook on ``open`` plus the
imported modules' files), prints that list as its first line and waits for one JSON line on
stdin, ``{"changed": [paths relative to the project root]}``.  The server hands a change only to
a spare that has read none of the changed files (else it starts a new one), so nothing stale is
ever rendered.  The spare then works out which parts of the catalogue the change touches
(:func:`plan`), writes them with :func:`catalogue.build.update_catalogue` (only the files whose
bytes change, atomically; a changed story's own pages first, so they reload before the pages made
from every story are done) and prints one JSON line per step: the files changed and removed, the
stories rendered, and at last every project file the process read (a later change to any other
file cannot change the catalogue).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalogue.build import Parts

__all__ = ["PACKAGES", "ROOT", "WARM", "files_read", "main", "plan", "record_reads"]

ROOT = Path(__file__).resolve().parent.parent
"""The project root: ``ai_credits/``, ``catalogue/``, ``stories/``, ``fixtures/`` live here."""

PACKAGES = ("ai_credits", "catalogue", "stories", "fixtures")
"""The project's packages: what ``ai-credits serve`` watches."""

WARM = ("pydantic", "pydantic.plugin._loader", "jinja2", "markupsafe", "transitions",
        "transitions.extensions.diagrams", "coincurve", "ai_credits.core.machine",
        "ai_credits.views", "ai_credits.diagram", "ai_credits.runtime", "fixtures.world",
        "catalogue.site", "catalogue.frames", "catalogue.docs")  # fmt: skip
"""What a spare imports while it waits (then it compiles the templates): every slow import of a
build but the stories (importing any module of ``stories`` imports them all), so a changed story
needs no new spare."""

STORY_HELPERS = {"stories/__init__.py", "stories/model.py", "stories/runner.py"}
"""Modules of ``stories/`` that are not a group of stories: a change there touches every story."""


def _closure(name: str) -> set[str]:
    """``name`` and every catalogue template it extends, includes or imports."""
    from jinja2 import meta

    from catalogue.site import environment

    env = environment()
    assert env.loader is not None
    source = env.loader.get_source(env, name)[0]
    found = {name}
    for child in meta.find_referenced_templates(env.parse(source)):
        if child is not None and child not in found:
            found |= _closure(child)
    return found


def plan(changed: Iterable[str], out: Path) -> tuple[Parts, list[str]]:
    """The parts of the catalogue in ``out`` that ``changed`` (paths relative to :data:`ROOT`)
    touch, and one note per reason, for the log.

    * a story module (``stories/purchase.py``): its stories' frames and pages, plus every page when
      the index (ids, titles, names, order, states) changed, and the shared pages;
    * ``catalogue/static/*`` or the widget's CSS/JS/fonts: the assets only;
    * a catalogue template: the kinds of page that use it (frames, story pages, shared pages);
    * anything else the build read (a library module, a widget template, a fixture): everything.
    """
    from catalogue.build import EVERYTHING, Parts, index_entries
    from stories import STORIES, import_path

    frames: set[str] | None = set()
    pages: set[str] | None = set()
    assets = shared = False
    notes: list[str] = []

    def every() -> tuple[Parts, list[str]]:
        return EVERYTHING, [*notes, "everything"]

    for path in sorted(set(changed)):
        if path.startswith(("catalogue/static/", "ai_credits/components/static/")):
            assets = True
            notes.append(f"assets ({path})")
        elif path.startswith("catalogue/templates/"):
            name = path.removeprefix("catalogue/templates/")
            if name in _closure("frame.html.jinja"):
                frames = None
            if name in _closure("story.html.jinja") | _closure("sidebar.html.jinja"):
                pages = None
            if any(name in _closure(page) for page in
                   ("gallery.html.jinja", "coverage.html.jinja", "docs.html.jinja")):  # fmt: skip
                shared = True
            notes.append(f"template {name}")
        elif path.startswith("stories/") and path.endswith(".py") and path not in STORY_HELPERS:
            ids = {s.id for s in STORIES if import_path(s) == f"./{path}"}
            if frames is not None:
                frames |= ids
            if pages is not None:
                pages |= ids
            shared = True
            notes.append(f"{len(ids)} stories ({path})")
        else:
            return every()
    if shared:  # a story added, removed, renamed or moved: every page's sidebar changes
        try:
            before = json.loads((out / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return every()
        if before != index_entries(STORIES):
            added = {s.id for s in STORIES} - set(before.get("entries", ()))
            frames = None if frames is None else frames | added
            pages = None
    parts = Parts(frames=None if frames is None else frozenset(frames),
                  pages=None if pages is None else frozenset(pages), assets=assets,
                  shared=shared)  # fmt: skip
    return parts, notes


_READ: set[str] = set()
_HOMES = tuple(str(ROOT / package) + os.sep for package in PACKAGES)


def _opened(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and args and isinstance(args[0], (str, os.PathLike)):
        path = os.path.abspath(os.fspath(args[0]))
        if path.startswith(_HOMES):
            _READ.add(path)


def record_reads() -> None:
    """From now on, note every project file this process opens (templates, CSS, fonts, scenarios:
    what no module list shows) for :func:`files_read` (an audit hook: there is no removing it)."""
    if not _RECORDING:
        _RECORDING.append(True)
        sys.addaudithook(_opened)


_RECORDING: list[bool] = []


def files_read() -> list[str]:
    """The project's files this process has read: its modules' sources and the files it opened
    since :func:`record_reads` (absolute paths)."""
    found = set(_READ)
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if name and os.path.abspath(name).startswith(_HOMES):
            found.add(os.path.abspath(name))
    return sorted(found)


def _warm() -> None:
    for name in WARM:
        try:
            importlib.import_module(name)
        except Exception:  # imported again (and reported) by the build
            continue
    try:  # compiling the templates is the slowest part of a small rebuild
        from ai_credits.views.environment import default_environment
        from catalogue.site import environment

        for env in (default_environment(), environment()):
            for name in env.list_templates(filter_func=lambda n: n.endswith(".jinja")):
                env.get_template(name)
    except Exception:  # compiled again (and reported) by the build
        return


def _steps(parts: Parts) -> list[Parts]:
    """``parts`` in the order they are written: a story's own frames and pages first (they show
    the edit), then the pages made from every story (which replay them all)."""
    from catalogue.build import Parts

    if not parts.shared or parts.frames is None or parts.pages is None:
        return [parts]
    return [Parts(frames=parts.frames, pages=parts.pages, assets=parts.assets, shared=False),
            Parts(frames=frozenset(), pages=frozenset(), assets=False, shared=True)]  # fmt: skip


def _rebuild(changed: Sequence[str], out: Path, tell: Callable[[dict[str, Any]], None]) -> None:
    """Write what ``changed`` touches; ``tell`` each step's result as it is written."""
    from catalogue.build import DEFAULT_A11Y_DIR, DEFAULT_TEST_TRACES, update_catalogue
    from catalogue.coverage import load_test_traces

    parts, notes = plan(changed, out)
    steps = _steps(parts)
    for number, step in enumerate(steps, 1):
        update = update_catalogue(out, parts=step, a11y_dir=DEFAULT_A11Y_DIR,
                                  extra_traces=load_test_traces(DEFAULT_TEST_TRACES))  # fmt: skip
        tell({"changed": list(update.changed), "removed": list(update.removed),
              "stories": update.stories, "pages": update.pages, "what": notes,
              "last": number == len(steps)})  # fmt: skip


def _one_line(exc: BaseException) -> str:
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" ({Path(exc.filename).name}:{exc.lineno})"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}{where}"


def main(argv: Sequence[str] | None = None) -> int:
    """Warm up, print what was read, wait for one change on stdin, rebuild what it touches,
    print the result of each step as one JSON line (the last with ``"last": true``) and exit."""
    parser = argparse.ArgumentParser(prog="python -m catalogue.rebuild")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    record_reads()
    _warm()
    try:
        print(json.dumps({"read": files_read()}), flush=True)
    except BrokenPipeError:  # the server stopped meanwhile
        os._exit(0)
    line = sys.stdin.readline()
    if not line.strip():  # the server went away, or discarded this spare
        return 0
    changed = json.loads(line)["changed"]
    started, cpu = time.perf_counter(), time.process_time()

    def tell(result: dict[str, Any]) -> None:
        result["ms"] = round((time.perf_counter() - started) * 1000)
        result["cpu_ms"] = round((time.process_time() - cpu) * 1000)
        if result["last"]:
            result["read"] = files_read()
        print(json.dumps(result), flush=True)

    try:
        _rebuild(changed, args.out, tell)
    except Exception as exc:  # a broken story, a syntax error: one line for the server's log
        tell({"error": _one_line(exc), "last": True})
    # the catalogue is written and the result out: tearing down the interpreter (module by module,
    # collecting a heap of compiled templates and models) would only delay the server's next step
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
