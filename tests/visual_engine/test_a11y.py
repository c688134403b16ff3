"""axe-core runs in the frames: serious/critical findings block, the rest are summarised."""

from __future__ import annotations

import json
from pathlib import Path

from catalogue.visual.a11y import (
    A11yResult,
    axe_script_path,
    check_accessibility,
    write_results,
)
from catalogue.visual.capture import Harness

BAD_FRAME = """<!doctype html><html lang="en"><head><title>bad</title></head><body><main>
<div data-testid="AiCreditsWidget-broken">
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <button type="button"></button>
  <p style="color:#777;background:#808080">unreadable</p>
</div></main>
<script>document.documentElement.dataset.widgetReady = 'true';</script></body></html>"""


async def test_axe_separates_blocking_from_snapshotted_findings(
    tmp_path: Path, fake_catalogue_dir: Path
) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "broken--dark-desktop.html").write_text(BAD_FRAME)
    axe = axe_script_path()
    async with Harness(concurrency=1) as harness:
        bad = await check_accessibility(harness, tmp_path, ["broken"], ["dark"], axe_path=axe)
        good = await check_accessibility(
            harness, fake_catalogue_dir, ["widget--low-balance"], ["light"], axe_path=axe
        )
    broken = bad[("broken", "dark")]
    assert {v["id"] for v in broken.blocking} >= {"image-alt", "button-name", "color-contrast"}
    assert "image-alt" in broken.describe_blocking()
    low = good[("widget--low-balance", "light")]
    assert low.blocking == []
    assert low.non_blocking_summary() == {"heading-order": 1}

    write_results(tmp_path, bad)
    written = json.loads((tmp_path / "a11y" / "broken--dark.json").read_text())
    assert written["blocking"] == len(broken.blocking) and written["axe"] == broken.axe_version


def test_summary_counts_nodes_per_rule_and_ignores_blocking_impacts() -> None:
    result = A11yResult(
        "s", "dark", "4.x",
        [
            {"id": "region", "impact": "moderate", "nodes": [{}, {}]},
            {"id": "color-contrast", "impact": "serious", "nodes": [{}]},
            {"id": "aria-x", "impact": "minor", "nodes": [{}]},
        ],
    )  # fmt: skip
    assert result.non_blocking_summary() == {"aria-x": 1, "region": 2}
    assert [v["id"] for v in result.blocking] == ["color-contrast"]
