"""The static catalogue: every story resolved once through the real runtime, rendered by the real
components into frames (story × theme × viewport), plus a browsable shell, a gallery, coverage
and component docs.  Works from ``file://`` and over HTTP; no request leaves the page's origin.

Output is deterministic (sorted, no timestamps) so a build can be snapshot-tested.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ai_credits.core.states import State
from ai_credits.diagram import mermaid
from ai_credits.views import build_view, render_component, render_widget
from catalogue.coverage import Coverage, Transition, compute_coverage
from catalogue.docs import component_docs, part_of
from catalogue.frames import MODES, THEMES, VIEWPORTS, asset_texts, frame_file, frame_html
from catalogue.panels import context_json, neighbours, template_call, trace_rows
from catalogue.site import render_template
from stories import STORIES, Story, import_path
from stories.runner import ResolvedStory, StoryError, resolve_all

__all__ = ["EVERYTHING", "OWNED", "BuildError", "BuildResult", "Parts", "Update",
           "build_catalogue", "build_first_story", "index_entries", "story_files",
           "update_catalogue"]

OWNED = ("assets", "coverage.html", "docs", "frames", "gallery.html", "index.html",
         "index.json", "story")  # fmt: skip
"""What a build writes (and replaces) under the output directory; anything else is left alone
(e.g. ``a11y/`` written by the visual checks)."""

TABS = (
    ("context", "Context"),
    ("events", "Event path"),
    ("html", "HTML"),
    ("template", "Template call"),
    ("diagram", "Diagram"),
    ("a11y", "Accessibility"),
)


class BuildError(Exception):
    """The catalogue cannot be built (a broken story, duplicate ids); the message is one line."""


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    out: Path
    files: tuple[Path, ...]
    stories: int
    coverage: Coverage

    @property
    def pages(self) -> int:
        """HTML pages written (frames, story pages, gallery, coverage, docs)."""
        return sum(1 for f in self.files if f.suffix == ".html")


@dataclass(frozen=True)
class Parts:
    """Which parts of the catalogue an update writes: frames and pages of some stories (``None``:
    every story), the assets, and the pages made from every story (``index.json``, gallery,
    coverage, docs)."""

    frames: frozenset[str] | None = None
    pages: frozenset[str] | None = None
    assets: bool = True
    shared: bool = True

    @property
    def everything(self) -> bool:
        """Every part: a full build."""
        return self.frames is None and self.pages is None and self.assets and self.shared


EVERYTHING = Parts()


@dataclass(frozen=True)
class Update:
    """What :func:`update_catalogue` did to a served catalogue."""

    out: Path
    changed: tuple[str, ...]
    """Files written because their bytes changed, relative to ``out`` (POSIX)."""
    removed: tuple[str, ...]
    """Files deleted (a story that is gone), relative to ``out``."""
    stories: int
    """Stories whose frames or page were rendered."""
    coverage: Coverage | None = field(default=None, compare=False)

    @property
    def pages(self) -> int:
        """HTML pages changed or removed."""
        return sum(1 for f in (*self.changed, *self.removed) if f.endswith(".html"))


def story_files(story_id: str) -> list[str]:
    """A story's frames and page, relative to the catalogue root."""
    return [*(frame_file(story_id, t, v) for t, v in MODES), f"story/{story_id}.html"]


def index_entries(stories: Sequence[Story]) -> dict[str, Any]:
    """``index.json`` in Storybook's v5 format, every entry tagged ``state:<state>``."""
    entries = {
        s.id: {
            "id": s.id,
            "title": s.title,
            "name": s.name,
            "importPath": import_path(s),
            "type": "story",
            "tags": [*s.tags, f"state:{s.state.value}"],
        }
        for s in stories
    }
    return {"v": 5, "entries": entries}


def _tree(stories: Sequence[Story]) -> list[dict[str, Any]]:
    root: dict[str, Any] = {"children": {}, "stories": []}
    for story in stories:
        node = root
        for part in story.title.split("/"):
            node = node["children"].setdefault(part, {"children": {}, "stories": []})
        node["stories"].append(story)

    def listed(node: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"name": name, "children": listed(child), "stories": child["stories"]}
                for name, child in node["children"].items()]  # fmt: skip

    return listed(root)


def _declared(story: Story) -> list[str]:
    lines = []
    for step in story.path:
        parts = [f"{k.target} = {story.arg(k.value)!r}" for k in step.knobs]
        if step.event is not None:
            data = step.event.model_dump(mode="json", exclude={"type", "at"}, exclude_defaults=True)
            fields = ", ".join(f"{k}={story.arg(v)!r}" for k, v in sorted(data.items()))
            parts.append(f"{step.event.type}({fields})")
        if step.stop_in is not None:
            parts.append(f"stop in {step.stop_in.value}")
        if step.rejected:
            parts.append("must be rejected")
        lines.append(" · ".join(parts))
    return lines


DEFAULT_A11Y_DIR = Path("build") / "visual-catalogue" / "a11y"
"""Where the visual checks (``nox -s visual`` / ``tests``) leave their axe results."""
DEFAULT_TEST_TRACES = Path("build") / "transition-coverage.json"
"""Where the test suite records the transitions it exercised (``tests/transition_recorder``)."""


def _a11y(out: Path, story_id: str, a11y_dir: Path | None) -> dict[str, Any]:
    found = {}
    for theme in THEMES:
        name = f"{story_id}--{theme}.json"
        for folder in (out / "a11y", a11y_dir):
            if folder is not None and (folder / name).is_file():
                found[theme] = json.loads((folder / name).read_text(encoding="utf-8"))
                break
    return found


def _current(sidebar: str, root: str, story_id: str) -> Markup:
    """The pre-rendered sidebar with ``story_id`` marked as the current page."""
    link = f'href="{root}story/{story_id}.html" data-story-link'
    return Markup(sidebar.replace(link, link + ' aria-current="page"', 1))


class _Writer:
    """Writes pages under ``out``.  In ``sync`` mode (a catalogue being served) a file is written
    only when its bytes change, through a temporary file and a rename, so a server reading ``out``
    never sees a half-written page and an unchanged page keeps its mtime."""

    def __init__(self, out: Path, *, sync: bool = False) -> None:
        self.out = out
        self.sync = sync
        self.files: list[Path] = []
        self.changed: list[Path] = []

    def text(self, relative: str, text: str) -> None:
        path = self.out / relative
        self.files.append(path)
        if not self.sync:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.changed.append(path)
            return
        data = text.encode("utf-8")
        try:
            if path.read_bytes() == data:
                return
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".{path.name}.tmp")
        staging.write_bytes(data)
        os.replace(staging, path)
        self.changed.append(path)


def _clean(out: Path) -> None:
    for name in OWNED:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _resolve(stories: Sequence[Story], progress: Callable[[str], None] | None
             ) -> list[ResolvedStory]:  # fmt: skip
    ids = [s.id for s in stories]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BuildError(f"duplicate story ids: {', '.join(duplicates)}")

    def tell(number: int, total: int, story: Story) -> None:
        if progress is not None:
            progress(f"[{number}/{total}] {story.path_label}")

    try:
        return resolve_all(stories, tell)
    except StoryError as exc:
        raise BuildError(str(exc)) from None


def build_catalogue(
    out: Path,
    *,
    stories: Sequence[Story] = STORIES,
    progress: Callable[[str], None] | None = None,
    extra_traces: Iterable[tuple[str, Iterable[Transition]]] = (),
    a11y_dir: Path | None = None,
) -> BuildResult:
    """Build the catalogue into ``out``; raise :class:`BuildError` (one line) for a bad story.

    Axe results are taken from ``out/a11y`` or, failing that, ``a11y_dir`` (the last visual run).
    """
    resolved = _resolve(stories, progress)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    write = _Writer(out)
    coverage = _write_parts(write, [r.story for r in resolved], {r.story.id: r for r in resolved},
                            EVERYTHING, extra_traces, a11y_dir)  # fmt: skip
    assert coverage is not None  # every part was written
    return BuildResult(out, tuple(sorted(write.files)), len(resolved), coverage)


def update_catalogue(
    out: Path,
    *,
    stories: Sequence[Story] = STORIES,
    parts: Parts = EVERYTHING,
    extra_traces: Iterable[tuple[str, Iterable[Transition]]] = (),
    a11y_dir: Path | None = None,
) -> Update:
    """Bring a catalogue that is being served up to date: write only ``parts``, each file only
    when its bytes change and atomically (a temporary file renamed over it), and delete the files
    of stories that are gone (with every part: any file a full build would not write).

    With :data:`EVERYTHING` the result is byte for byte a full build's; files outside
    :data:`OWNED` (``a11y/``) are left alone.  Raises :class:`BuildError` for a bad story."""
    out = Path(out)
    ids = [s.id for s in stories]
    if len(set(ids)) != len(ids):
        _resolve(stories, None)  # raises the BuildError naming the duplicates, resolving nothing
    # the shared pages show every story; otherwise only the stories written are replayed
    wanted = stories if parts.shared else [s for s in stories if _renders(parts, s.id)]
    resolved = {r.story.id: r for r in _resolve(wanted, None)}
    before = _indexed_ids(out)
    out.mkdir(parents=True, exist_ok=True)
    write = _Writer(out, sync=True)
    coverage = _write_parts(write, stories, resolved, parts, extra_traces, a11y_dir)
    removed: list[Path] = []
    if parts.everything:
        written = set(write.files)
        for name in OWNED:
            top = out / name
            for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
                if path.is_file() and path not in written:
                    path.unlink()
                    removed.append(path)
    else:
        for gone in sorted(before - set(ids)):
            for relative in story_files(gone):
                if (out / relative).is_file():
                    (out / relative).unlink()
                    removed.append(out / relative)
    return Update(out, tuple(sorted(p.relative_to(out).as_posix() for p in write.changed)),
                  tuple(p.relative_to(out).as_posix() for p in removed),
                  sum(1 for s in stories if _renders(parts, s.id)), coverage)  # fmt: skip


def _renders(parts: Parts, story_id: str) -> bool:
    """Whether ``parts`` include a frame or the page of ``story_id``."""
    return any(ids is None or story_id in ids for ids in (parts.frames, parts.pages))


def _indexed_ids(out: Path) -> set[str]:
    """The story ids of the catalogue already in ``out`` (none when there is none)."""
    try:
        entries = json.loads((out / "index.json").read_text(encoding="utf-8"))["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return set(entries)


def _write_parts(write: _Writer, stories: Sequence[Story], resolved: dict[str, ResolvedStory],
                 parts: Parts, extra_traces: Iterable[tuple[str, Iterable[Transition]]],
                 a11y_dir: Path | None) -> Coverage | None:  # fmt: skip
    """Write ``parts`` of the catalogue of ``stories``; ``resolved`` holds (at least) every story
    a written part shows.  Returns the coverage when the shared pages were written."""
    if parts.assets:
        for name, text in sorted(asset_texts().items()):
            write.text(f"assets/{name}", text)
    first = _first_of_state(stories)
    sidebars = _sidebars(stories) if parts.pages is None or parts.pages else {}
    for number, story in enumerate(stories):
        frames = parts.frames is None or story.id in parts.frames
        page = parts.pages is None or story.id in parts.pages
        if frames or page:  # (the sidebar and neighbours of a page still list every story)
            a11y = _a11y(write.out, story.id, a11y_dir)
            _write_story(write, resolved[story.id], number, first, sidebars, a11y,
                         frames=frames, page=page)  # fmt: skip
    if not parts.shared:
        return None
    every = [resolved[s.id] for s in stories]
    coverage = compute_coverage(every, extra_traces)
    gallery = [{"state": s.value, "story": next(r.story for r in every if r.story.id == i),
                "frame": frame_file(i, "dark", "desktop")} for s, i in
               sorted(first.items(), key=lambda kv: list(State).index(kv[0]))]  # fmt: skip
    write.text("gallery.html", render_template("gallery.html.jinja", root="", items=gallery))
    names = {r.story.id: r.story.path_label for r in every}
    write.text("coverage.html", render_template(
        "coverage.html.jinja", root="", summary=coverage.summary(), names=names,
        states=[(s.value, ids) for s, ids in coverage.states.items()],
        transitions=list(coverage.transitions.items())))  # fmt: skip
    _write_docs(write, every)
    write.text("index.json", json.dumps(index_entries(stories), indent=2,
                                        ensure_ascii=False) + "\n")  # fmt: skip
    return coverage


def _first_of_state(stories: Sequence[Story]) -> dict[State, str]:
    first: dict[State, str] = {}
    for story in stories:
        first.setdefault(story.state, story.id)
    return first


def _sidebars(stories: Sequence[Story]) -> dict[str, str]:
    tree = _tree(stories)
    return {root: render_template("sidebar.html.jinja", tree=tree, root=root)
            for root in ("", "../")}  # fmt: skip


def _write_story(write: _Writer, r: ResolvedStory, number: int, first: dict[State, str],
                 sidebars: dict[str, str], a11y: dict[str, Any], *, frames: bool = True,
                 page: bool = True) -> None:  # fmt: skip
    """A story's frames and page (and ``index.html`` for the first story)."""
    story = r.story
    html: dict[str, str] = {}
    for theme in THEMES:
        widget = render_widget(r.snapshot, theme=theme, frozen=True)
        html[theme] = str(widget)
        for viewport in VIEWPORTS if frames else ():
            write.text(frame_file(story.id, theme, viewport),
                       frame_html(widget, title=story.path_label, theme_name=theme,
                                  viewport=viewport))  # fmt: skip
    if not page:
        return
    context = {
        "story": story, "themes": THEMES, "viewports": VIEWPORTS, "tabs": TABS,
        "frames": {f"{t}-{v}": frame_file(story.id, t, v) for t, v in MODES},
        "context": context_json(r.snapshot), "args": story.args.model_dump(mode="json"),
        "declared": _declared(story), "trace": trace_rows(r), "html": html,
        "calls": {t: template_call(story.id, t) for t in THEMES},
        "mermaid": mermaid(story.state), "near": neighbours(story.state, first),
        "a11y": a11y,
    }  # fmt: skip
    for root, name in (("../", f"story/{story.id}.html"), ("", "index.html")):
        if name == "index.html" and number != 0:
            continue
        tree_html = _current(sidebars[root], root, story.id)
        write.text(name, render_template("story.html.jinja", root=root, tree=tree_html,
                                         **context))  # fmt: skip


def build_first_story(out: Path, *, stories: Sequence[Story] = STORIES,
                      a11y_dir: Path | None = None) -> Path:  # fmt: skip
    """Only what the catalogue's first page needs, fast: the assets, ``index.html`` and the first
    story's page and frames (each byte-identical to a full build's; the sidebar already lists
    every story).  Nothing else in ``out`` is touched, nor a file whose bytes are already right.
    Returns ``out / "index.html"``."""
    if not stories:
        raise BuildError("no stories")
    if len({s.id for s in stories}) != len(stories):
        _resolve(stories, None)  # raises the BuildError naming the duplicates, resolving nothing
    (resolved,) = _resolve(stories[:1], None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _write_parts(_Writer(out, sync=True), stories, {resolved.story.id: resolved},
                 Parts(frames=frozenset({resolved.story.id}),
                       pages=frozenset({resolved.story.id}), shared=False),
                 (), a11y_dir)  # fmt: skip
    return out / "index.html"


def _write_docs(write: _Writer, resolved: Sequence[ResolvedStory]) -> None:
    docs = component_docs()
    views = [(r.story, build_view(r.snapshot, theme="dark")) for r in resolved]
    write.text("docs/index.html", render_template("docs.html.jinja", root="../", docs=docs,
                                                  doc=None, example=None))  # fmt: skip
    for doc in docs:
        example = None
        for story, view in views:
            part = part_of(view, doc.field)
            if part is not None:
                example = {"story": story, "html": render_component(doc.name, part)}
                break
        write.text(f"docs/{doc.name}.html", render_template(
            "docs.html.jinja", root="../", docs=docs, doc=doc, example=example))  # fmt: skip
