"""The anchors' inputs, generated from a built catalogue: the frames our visual suite shoots.

* ``stories/``: CSF files for the Storybook anchor, one per catalogue title, one story per frame
  (story × theme × viewport), each rendering the frame's widget markup with the widget's CSS and
  JS imported as Storybook would (a bundler import, not a ``<link>``).
* ``frames.json``: the frame files, modes, root selector and browser (the same Chromium with the
  same flags as our harness) for the Playwright Test anchor.

Frames are read, never rebuilt: whatever the catalogue renders is what both anchors get.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

from catalogue.visual.capture import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    ROOT_SELECTOR,
    VIEWPORT_HEIGHT,
    VIEWPORTS,
    Shot,
    frame_path,
)
from catalogue.visual.index import load_story_ids, shots_for

# The frame's page body: the catalogue writes exactly one <main> per frame (its own markup).
MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)


def frames(catalogue: Path) -> list[Shot]:
    """Every story × mode of the catalogue, in the visual suite's order."""
    return shots_for(load_story_ids(catalogue))


def _identifier(text: str) -> str:
    """``bring-your-own-key--dark-mobile`` → ``BringYourOwnKeyDarkMobile`` (a CSF export name)."""
    name = "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", text) if part)
    return name if name[:1].isalpha() else f"S{name}"


def write_stories(catalogue: Path, out: Path) -> int:
    """Write the Storybook anchor's CSF files into ``out``; return how many stories they hold."""
    entries = json.loads((catalogue / "index.json").read_text())["entries"]
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for asset in ("widget.css", "widget.js"):
        shutil.copy(catalogue / "assets" / asset, out / asset)
    by_title: dict[str, list[str]] = defaultdict(list)
    shots = frames(catalogue)
    for shot in shots:
        entry = entries[shot.story_id]
        found = MAIN.search(frame_path(catalogue, shot).read_text())
        if found is None:
            raise ValueError(f"{shot.key}: frame has no <main>")
        html = f'<div class="gw-page" data-viewport="{shot.viewport}">{found.group(0)}</div>'
        name = json.dumps(f"{entry['name']} · {shot.theme} · {shot.viewport}", ensure_ascii=False)
        export = _identifier(shot.key.split("--", 1)[1])
        by_title[entry["title"]].append(
            f"export const {export} = {{ name: {name}, parameters: {{ theme: '{shot.theme}' }}, "
            f"render: () => {json.dumps(html, ensure_ascii=False)} }};"
        )
    for title, stories in by_title.items():
        head = [
            "import './widget.css';",
            "import './widget.js';",
            f"export default {{ title: {json.dumps(title)} }};",
        ]
        name = re.sub(r"[^0-9a-z]+", "-", title.lower()).strip("-")
        (out / f"{name}.stories.js").write_text("\n".join(head + stories) + "\n")
    return len(shots)


def write_frames_json(catalogue: Path, path: Path) -> int:
    """Write the Playwright Test anchor's frame list to ``path``; return how many frames."""
    shots = frames(catalogue)
    listing = {
        "root": ROOT_SELECTOR,
        "chromium": {"path": CHROMIUM_PATH, "args": list(CHROMIUM_ARGS)},
        "frames": [
            {"key": shot.key, "url": frame_path(catalogue, shot).resolve().as_uri(),
             "theme": shot.theme, "width": VIEWPORTS[shot.viewport], "height": VIEWPORT_HEIGHT}
            for shot in shots
        ],
    }  # fmt: skip
    path.write_text(json.dumps(listing, indent=1) + "\n")
    return len(shots)
