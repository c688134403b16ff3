"""The visual diff report: ``build/visual-report/index.html`` plus expected/actual/diff PNGs.

Self-contained (inline CSS, relative image links), so it can be opened from a CI artifact.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Failure", "VisualReport"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

_CSS = """
body { font: 14px/20px system-ui, sans-serif; margin: 24px; background: #13151C; color: #fff; }
h1 { font-size: 21px; } h2 { font-size: 16px; margin: 32px 0 4px; }
.note { color: #FFB020; } .msg { color: #CCCCCC; margin: 0 0 8px; }
.row { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
figure { margin: 0; } figcaption { color: #808080; font-size: 12px; }
img { border: 1px solid #4D4D4D; max-width: 480px; background:
  repeating-conic-gradient(#2a2a2a 0 25%, #1e1e1e 0 50%) 0 0 / 16px 16px; }
"""


@dataclass(frozen=True)
class Failure:
    """One failing story x mode."""

    label: str
    message: str
    actual_png: bytes
    expected_png: bytes | None = None
    diff_png: bytes | None = None
    note: str = ""

    @property
    def slug(self) -> str:
        """File-name-safe form of the label."""
        return _UNSAFE.sub("_", self.label)

    def summary_line(self) -> str:
        """One line for the terminal summary."""
        note = f" [{self.note}]" if self.note else ""
        return f"{self.label}: {self.message}{note}"


class VisualReport:
    """Collects failures; :meth:`write` renders the report directory."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.failures: list[Failure] = []
        self.notes: list[str] = []

    def add(self, failure: Failure) -> None:
        """Record a failure (the last one per label wins)."""
        self.failures = [f for f in self.failures if f.label != failure.label] + [failure]

    def add_note(self, note: str) -> None:
        """A report-wide note (e.g. a Chromium version mismatch), shown once at the top."""
        if note not in self.notes:
            self.notes.append(note)

    def clear_output(self) -> None:
        """Remove a previous run's report so a stale one is never mistaken for this run's."""
        shutil.rmtree(self.out_dir, ignore_errors=True)

    def write(self) -> Path | None:
        """Write ``index.html`` and the PNGs when there are failures; return the index path."""
        if not self.failures:
            return None
        self.out_dir.mkdir(parents=True, exist_ok=True)
        sections = []
        for failure in sorted(self.failures, key=lambda f: f.label):
            figures = []
            for kind, data in (
                ("expected", failure.expected_png),
                ("actual", failure.actual_png),
                ("diff", failure.diff_png),
            ):
                if data is None:
                    figures.append(f"<figure><figcaption>{kind}: none</figcaption></figure>")
                    continue
                name = f"{failure.slug}-{kind}.png"
                (self.out_dir / name).write_bytes(data)
                figures.append(
                    f'<figure><figcaption>{kind}</figcaption><a href="{name}">'
                    f'<img src="{name}" alt="{kind} {html.escape(failure.label)}"></a></figure>'
                )
            note = f'<p class="note">{html.escape(failure.note)}</p>' if failure.note else ""
            sections.append(
                f'<section id="{failure.slug}"><h2>{html.escape(failure.label)}</h2>{note}'
                f'<p class="msg">{html.escape(failure.message)}</p>'
                f'<div class="row">{"".join(figures)}</div></section>'
            )
        notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in self.notes)
        index = self.out_dir / "index.html"
        index.write_text(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Visual report: {len(self.failures)} difference(s)</title>"
            f"<style>{_CSS}</style></head><body>"
            f"<h1>{len(self.failures)} visual difference(s)</h1>{notes}"
            f"{''.join(sections)}</body></html>\n"
        )
        return index
