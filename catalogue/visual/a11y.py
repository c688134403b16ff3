"""Accessibility checks: axe-core on every story x theme, in the same browser as the screenshots.

Serious and critical violations are *blocking*; minor and moderate ones are summarised as
``{rule id: node count}`` for a snapshot, so a new one shows up as a snapshot change. Each result is
also written to ``<catalogue>/a11y/<id>--<theme>.json`` for the catalogue's a11y tab.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .capture import Harness, Progress, Shot

__all__ = [
    "A11Y_CONCURRENCY",
    "A11Y_VIEWPORT",
    "BLOCKING_IMPACTS",
    "A11yResult",
    "axe_harness",
    "axe_script_path",
    "check_accessibility",
    "run_axe",
    "write_results",
]

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
#: axe runs once per story x theme, on the desktop frame.
A11Y_VIEWPORT = "desktop"
#: axe is JavaScript-bound in each renderer, so unlike screenshots two pages in parallel win on 2
#: cores (measured: 431 -> 192 ms per story x theme together with preloading axe in the context).
A11Y_CONCURRENCY = 2
ENSURE_AXE = Path(__file__).with_name("ensure_axe.sh")
RUN_AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return {
    version: r.testEngine.version,
    violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
    })),
  };
}"""


@dataclass(frozen=True)
class A11yResult:
    """axe-core's verdict for one story x theme."""

    story_id: str
    theme: str
    axe_version: str
    violations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``<id>--<theme>``: the file stem of the result and the snapshot's id."""
        return f"{self.story_id}--{self.theme}"

    @property
    def blocking(self) -> list[dict[str, Any]]:
        """Violations with impact serious or critical."""
        return [v for v in self.violations if v.get("impact") in BLOCKING_IMPACTS]

    def non_blocking_summary(self) -> dict[str, int]:
        """``{rule id: node count}`` of the minor/moderate violations (the snapshotted part)."""
        return {
            v["id"]: len(v["nodes"])
            for v in sorted(self.violations, key=lambda v: str(v["id"]))
            if v.get("impact") not in BLOCKING_IMPACTS
        }

    def describe_blocking(self) -> str:
        """Readable lines for the blocking violations (for assertion messages)."""
        lines = [f"{self.key}: {len(self.blocking)} serious/critical axe violation(s)"]
        for v in self.blocking:
            targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({targets}) {v['helpUrl']}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """What the catalogue's a11y tab reads."""
        return {
            "story": self.story_id,
            "theme": self.theme,
            "axe": self.axe_version,
            "blocking": len(self.blocking),
            "violations": self.violations,
        }


def axe_script_path(project_root: Path | None = None) -> Path:
    """Path of the pinned ``axe.min.js``, installing it with ``ensure_axe.sh`` when missing."""
    args = [str(ENSURE_AXE)]
    if project_root is not None:
        args.append(str(project_root / "build" / "axe"))
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return Path(out.strip().splitlines()[-1])


def axe_harness(axe_path: Path, *, concurrency: int = A11Y_CONCURRENCY) -> Harness:
    """A harness whose pages load axe-core before the frame's own scripts (no per-page upload)."""
    return Harness(concurrency=concurrency, init_scripts=[axe_path.read_text()])


async def check_accessibility(
    harness: Harness,
    catalogue_dir: Path,
    story_ids: Iterable[str],
    themes: Iterable[str],
    *,
    axe_path: Path,
    progress: Progress | None = None,
) -> dict[tuple[str, str], A11yResult]:
    """Run axe on each story x theme (desktop frame); keyed by ``(story_id, theme)``.

    Fastest with a harness from :func:`axe_harness`; any other harness gets axe injected per page.
    """
    shots = [Shot(s, t, A11Y_VIEWPORT) for s in story_ids for t in themes]

    async def job(shot: Shot, worker: int) -> A11yResult:
        return await run_axe(harness, catalogue_dir, shot, worker, axe_path=axe_path)

    results = await harness.run(shots, job, progress)
    return {(r.story_id, r.theme): r for r in results}


async def run_axe(
    harness: Harness, catalogue_dir: Path, shot: Shot, worker: int, *, axe_path: Path
) -> A11yResult:
    """axe on ``shot``'s frame, freshly navigated to in the worker's page (injected when the
    harness did not preload it)."""
    page = await harness.open_frame(catalogue_dir, shot, worker)
    if await page.evaluate("typeof axe === 'undefined'"):
        await page.add_script_tag(content=axe_path.read_text())
    raw = await page.evaluate(RUN_AXE_JS)
    return A11yResult(shot.story_id, shot.theme, raw["version"], raw["violations"])


def write_results(catalogue_dir: Path, results: Mapping[tuple[str, str], A11yResult]) -> None:
    """Write ``<catalogue>/a11y/<id>--<theme>.json`` for every result."""
    out = Path(catalogue_dir) / "a11y"
    out.mkdir(parents=True, exist_ok=True)
    for result in results.values():
        text = json.dumps(result.to_json(), indent=2, sort_keys=True)
        (out / f"{result.key}.json").write_text(text + "\n")
