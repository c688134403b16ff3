"""The static catalogue: Storybook's index, frames per story × mode, shell pages, determinism."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ai_credits.core import events as ev
from ai_credits.core.states import State
from catalogue.build import BuildError, BuildResult, build_catalogue
from catalogue.frames import MODES
from stories import STORIES, Step, Story

ROOT = Path(__file__).resolve().parents[2]


def _manifest(result: BuildResult) -> dict[str, str]:
    return {f.relative_to(result.out).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()[:16]
            for f in result.files}


def test_index_json_is_storybook_v5_with_state_tags(site: Path) -> None:
    index = json.loads((site / "index.json").read_text())
    assert index["v"] == 5
    assert list(index["entries"]) == [s.id for s in STORIES]
    for story in STORIES:
        entry = index["entries"][story.id]
        assert entry == {"id": story.id, "title": story.title, "name": story.name,
                         "importPath": entry["importPath"], "type": "story",
                         "tags": [*story.tags, f"state:{story.state.value}"]}
        assert (ROOT / entry["importPath"]).is_file()


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.id)
def test_a_frame_per_story_and_mode_marks_its_state(site: Path, story: Story) -> None:
    for theme, viewport in MODES:
        html = (site / "frames" / f"{story.id}--{theme}-{viewport}.html").read_text()
        state = story.state.value
        assert f'data-testid="AiCreditsWidget-{state.replace("_", "-")}"' in html
        assert f'data-state="{state}"' in html and "data-frozen" in html
        assert f'data-theme="{theme}"' in html
        assert '<script src="../assets/widget.js">' in html  # sets data-widget-ready


def test_no_resource_is_loaded_from_another_host(built: BuildResult) -> None:
    remote = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//""")
    for path in built.files:
        if path.suffix in (".html", ".css", ".js"):
            assert not remote.search(path.read_text()), path


def test_shell_pages_exist_and_show_each_part(site: Path) -> None:
    page = (site / "story" / "widget-purchase--quote-ready-one-time-verified.html").read_text()
    for needle in ('id="cat-filter"', 'data-set-theme="light"', 'data-set-viewport="mobile"',
                   'id="panel-context"', 'id="panel-events"', 'id="panel-html"', 'id="panel-template"',
                   'id="panel-diagram"', 'id="panel-a11y"', "stateDiagram-v2",
                   'render_widget(snapshot, theme=&#34;dark&#34;', "&lt;section class=&#34;gw-root",
                   'aria-current="page"', '&#34;state&#34;: &#34;quote_ready&#34;'):
        assert needle in page, needle
    assert (site / "index.html").read_text().count('aria-current="page"') == 1
    gallery = (site / "gallery.html").read_text()
    assert gallery.count("<iframe") == len(State)
    coverage = (site / "coverage.html").read_text()
    states = len(State)
    assert f"{states}/{states}" in coverage and "✗" in coverage and "✓" in coverage
    docs = (site / "docs" / "quote_card.html").read_text()
    assert "QuoteCard" in docs and "settlement_note" in docs


def test_masked_api_key_never_lands_in_the_context(site: Path) -> None:
    page = (site / "story" / "widget-purchase--payment-confirmed.html").read_text()
    assert "(masked in the catalogue)" in page


def test_build_is_deterministic(built: BuildResult, tmp_path: Path) -> None:
    again = build_catalogue(tmp_path / "again")
    assert _manifest(again) == _manifest(built)


def test_build_keeps_files_it_does_not_own(tmp_path: Path) -> None:
    a11y = tmp_path / "a11y" / "widget-connect--disconnected--dark.json"
    a11y.parent.mkdir()
    a11y.write_text(json.dumps({"story": "x", "theme": "dark", "axe": "4.10", "blocking": 0,
                                "violations": [{"id": "region", "impact": "moderate",
                                                "help": "Content in landmarks", "nodes": []}]}))
    build_catalogue(tmp_path, stories=STORIES[:1])
    assert a11y.is_file()
    assert "Content in landmarks" in (tmp_path / "story" / "widget-connect--disconnected.html").read_text()


def test_snapshot_of_index_and_files(built: BuildResult, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert json.loads((built.out / "index.json").read_text()) == snapshot(name="index")
    assert _manifest(built) == snapshot(name="manifest")


BROKEN = Story(title="Broken", name="Buy before connecting", state=State.awaiting_signature,
               path=(Step(event=ev.Confirm()),))


def test_broken_story_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as info:
        build_catalogue(tmp_path, stories=(*STORIES[:2], BROKEN))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("story 'broken--buy-before-connecting' (Broken/Buy before connecting)")
    assert "'confirm' is not valid in state 'disconnected'" in message


def test_progress_lines(tmp_path: Path) -> None:
    lines: list[str] = []
    build_catalogue(tmp_path, stories=STORIES[:3], progress=lines.append)
    assert lines == [f"[{n}/3] {s.path_label}" for n, s in enumerate(STORIES[:3], 1)]


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="duplicate story ids: widget-connect--disconnected"):
        build_catalogue(tmp_path, stories=(STORIES[0], STORIES[0]))


def test_cli_builds_and_reports_a_broken_story_without_traceback(tmp_path: Path) -> None:
    code = ("import sys; from catalogue import cli, build; from tests.catalogue.test_build import BROKEN;"
            "build.STORIES = (BROKEN,); import catalogue.build as b;"
            "orig = b.build_catalogue;"
            "b.build_catalogue = lambda out, progress=None, **kw: orig(out, stories=(BROKEN,), progress=progress, **kw);"
            f"sys.exit(cli.main(['build', '--out', r'{tmp_path}', '--quiet']))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "Traceback" not in run.stderr
    assert run.stderr.startswith("error: story 'broken--buy-before-connecting'")


def test_ai_credits_catalogue_build_command(tmp_path: Path) -> None:
    from ai_credits.cli import main

    assert main(["catalogue", "build", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "index.json").is_file() and (tmp_path / "index.html").is_file()
