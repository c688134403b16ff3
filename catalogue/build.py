"""The static catalogue: every story resolved once through the real runtime, rendered by the real
components into frames (story × theme × viewport), plus a browsable shell, a gallery, coverage
and component docs.  Works from ``file://`` and over HTTP; no request leaves the page's origin.

Output is deterministic (sorted, no timestamps) so a build can be snapshot-tested.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ai_credits.core.states import State
from ai_credits.diagram import mermaid
from ai_credits.views import build_view, render_component, render_widget
from catalogue.coverage import Coverage, Transition, compute_coverage
from catalogue.docs import component_docs, part_of
from catalogue.frames import MODES, THEMES, VIEWPORTS, frame_file, frame_html, write_assets
from catalogue.panels import context_json, neighbours, template_call, trace_rows
from catalogue.site import render_template
from stories import STORIES, Story, import_path
from stories.runner import ResolvedStory, StoryError, resolve_all

__all__ = ["OWNED", "BuildError", "BuildResult", "build_catalogue", "build_first_story",
           "index_entries"]

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
    def __init__(self, out: Path) -> None:
        self.out = out
        self.files: list[Path] = []

    def text(self, relative: str, text: str) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.files.append(path)


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
    a11y = {r.story.id: _a11y(out, r.story.id, a11y_dir) for r in resolved}
    _clean(out)
    write = _Writer(out)
    write.files += write_assets(out)
    coverage = compute_coverage(resolved, extra_traces)
    first = _first_of_state([r.story for r in resolved])
    sidebars = _sidebars([r.story for r in resolved])
    for number, r in enumerate(resolved):
        _write_story(write, r, number, first, sidebars, a11y[r.story.id])

    gallery = [{"state": s.value, "story": next(r.story for r in resolved if r.story.id == i),
                "frame": frame_file(i, "dark", "desktop")} for s, i in
               sorted(first.items(), key=lambda kv: list(State).index(kv[0]))]  # fmt: skip
    write.text("gallery.html", render_template("gallery.html.jinja", root="", items=gallery))
    names = {r.story.id: r.story.path_label for r in resolved}
    write.text("coverage.html", render_template(
        "coverage.html.jinja", root="", summary=coverage.summary(), names=names,
        states=[(s.value, ids) for s, ids in coverage.states.items()],
        transitions=list(coverage.transitions.items())))  # fmt: skip
    _write_docs(write, resolved)
    write.text("index.json", json.dumps(index_entries([r.story for r in resolved]), indent=2,
                                        ensure_ascii=False) + "\n")  # fmt: skip
    return BuildResult(out, tuple(sorted(write.files)), len(resolved), coverage)


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
                 sidebars: dict[str, str], a11y: dict[str, Any]) -> None:  # fmt: skip
    """A story's frames and page (and ``index.html`` for the first story)."""
    story = r.story
    html: dict[str, str] = {}
    for theme in THEMES:
        widget = render_widget(r.snapshot, theme=theme, frozen=True)
        html[theme] = str(widget)
        for viewport in VIEWPORTS:
            write.text(frame_file(story.id, theme, viewport),
                       frame_html(widget, title=story.path_label, theme_name=theme,
                                  viewport=viewport))  # fmt: skip
    context = {
        "story": story, "themes": THEMES, "viewports": VIEWPORTS, "tabs": TABS,
        "frames": {f"{t}-{v}": frame_file(story.id, t, v) for t, v in MODES},
        "context": context_json(r.snapshot), "args": story.args.model_dump(mode="json"),
        "declared": _declared(story), "trace": trace_rows(r), "html": html,
        "calls": {t: template_call(story.id, t) for t in THEMES},
        "mermaid": mermaid(story.state), "near": neighbours(story.state, first),
        "a11y": a11y,
    }  # fmt: skip
    for root, page in (("../", f"story/{story.id}.html"), ("", "index.html")):
        if page == "index.html" and number != 0:
            continue
        tree_html = _current(sidebars[root], root, story.id)
        write.text(page, render_template("story.html.jinja", root=root, tree=tree_html,
                                         **context))  # fmt: skip


def build_first_story(out: Path, *, stories: Sequence[Story] = STORIES,
                      a11y_dir: Path | None = None) -> Path:  # fmt: skip
    """Only what the catalogue's first page needs, fast: the assets, ``index.html`` and the first
    story's page and frames (each byte-identical to a full build's; the sidebar already lists
    every story).  Nothing else in ``out`` is touched.  Returns ``out / "index.html"``."""
    if not stories:
        raise BuildError("no stories")
    if len({s.id for s in stories}) != len(stories):
        _resolve(stories, None)  # raises the BuildError naming the duplicates, resolving nothing
    (resolved,) = _resolve(stories[:1], None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write = _Writer(out)
    write_assets(out)
    _write_story(write, resolved, 0, _first_of_state(stories), _sidebars(stories),
                 _a11y(out, resolved.story.id, a11y_dir))  # fmt: skip
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
