"""The visual report: ``build/visual-report/index.html`` listing every shot's outcome, with the
expected/actual/diff PNGs of each difference.

Self-contained (inline CSS, relative image links), so it can be opened from a CI artifact. Every
process that compares shots (a plain run, each ``pytest-xdist`` worker, each ``--shard`` job)
writes a JSON *fragment* of its outcomes into ``<report>/fragments/`` and its PNGs beside it;
:func:`merge` turns any number of report directories into one ``index.html``:

    python -m catalogue.visual.report --merge shard-1 shard-2 shard-3 shard-4 --out merged

Under xdist the controller merges its workers' fragments at the end of the run.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "FRAGMENTS",
    "Failure",
    "Outcome",
    "VisualReport",
    "main",
    "merge",
    "read_fragments",
    "write_index",
]

FRAGMENTS = "fragments"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KINDS = ("expected", "actual", "diff")

_CSS = """
body { font: 14px/20px system-ui, sans-serif; margin: 24px; background: #13151C; color: #fff; }
h1 { font-size: 21px; } h2 { font-size: 16px; margin: 32px 0 4px; }
.note { color: #FFB020; } .msg { color: #CCCCCC; margin: 0 0 8px; }
.row { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
figure { margin: 0; } figcaption { color: #808080; font-size: 12px; }
img { border: 1px solid #4D4D4D; max-width: 480px; background:
  repeating-conic-gradient(#2a2a2a 0 25%, #1e1e1e 0 50%) 0 0 / 16px 16px; }
table { border-collapse: collapse; margin-top: 8px; } td { padding: 0 16px 0 0; }
.passed { color: #3DD68C; } .failed { color: #FF5C5C; }
"""


def _slug(label: str) -> str:
    return _UNSAFE.sub("_", label)


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
        return _slug(self.label)

    def summary_line(self) -> str:
        """One line for the terminal summary."""
        note = f" [{self.note}]" if self.note else ""
        return f"{self.label}: {self.message}{note}"


@dataclass(frozen=True)
class Outcome:
    """One shot's result as stored in a fragment (images are file names in the report dir)."""

    label: str
    passed: bool
    message: str = ""
    note: str = ""
    images: tuple[tuple[str, str | None], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The fragment entry."""
        return {"label": self.label, "passed": self.passed, "message": self.message,
                "note": self.note, "images": dict(self.images)}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        """Inverse of :meth:`to_json`."""
        images = data.get("images") or {}
        return cls(str(data["label"]), bool(data["passed"]), str(data.get("message", "")),
                   str(data.get("note", "")), tuple((k, images.get(k)) for k in _KINDS
                                                    if k in images))  # fmt: skip


class VisualReport:
    """Collects this process's outcomes; :meth:`write` stores its fragment and the index."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.failures: list[Failure] = []
        self.passed: list[str] = []
        self.notes: list[str] = []

    def add(self, failure: Failure) -> None:
        """Record a failure (the last one per label wins)."""
        self.failures = [f for f in self.failures if f.label != failure.label] + [failure]
        self.passed = [p for p in self.passed if p != failure.label]

    def add_pass(self, label: str) -> None:
        """Record a shot that matched its baseline."""
        if label not in self.passed:
            self.passed.append(label)
        self.failures = [f for f in self.failures if f.label != label]

    def add_note(self, note: str) -> None:
        """A report-wide note (e.g. a Chromium version mismatch), shown once at the top."""
        if note not in self.notes:
            self.notes.append(note)

    def clear_output(self) -> None:
        """Remove a previous run's report so a stale one is never mistaken for this run's."""
        shutil.rmtree(self.out_dir, ignore_errors=True)

    def write_fragment(self, name: str | None = None) -> Path | None:
        """Write this process's PNGs and ``fragments/<name>.json``; ``None`` when empty."""
        if not (self.failures or self.passed or self.notes):
            return None
        fragments = self.out_dir / FRAGMENTS
        fragments.mkdir(parents=True, exist_ok=True)
        outcomes = [Outcome(label, True) for label in self.passed]
        for failure in self.failures:
            images: list[tuple[str, str | None]] = []
            for kind, data in zip(
                _KINDS, (failure.expected_png, failure.actual_png, failure.diff_png), strict=True
            ):
                file = None
                if data is not None:
                    file = f"{failure.slug}-{kind}.png"
                    (self.out_dir / file).write_bytes(data)
                images.append((kind, file))
            outcomes.append(Outcome(failure.label, False, failure.message, failure.note,
                                    tuple(images)))  # fmt: skip
        path = fragments / f"{name or uuid.uuid4().hex}.json"
        payload = {"notes": self.notes, "shots": [o.to_json() for o in outcomes]}
        path.write_text(json.dumps(payload, indent=1) + "\n")
        return path

    def write(self, name: str | None = None) -> Path | None:
        """Write the fragment, then ``index.html`` from every fragment in the directory (so a
        report shared by several processes lists them all); return the index path."""
        if self.write_fragment(name) is None:
            return None
        return merge([self.out_dir], self.out_dir)


def read_fragments(dirs: Iterable[Path]) -> tuple[list[str], dict[str, tuple[Outcome, Path]]]:
    """Notes and ``{label: (outcome, its directory)}`` of every fragment (a failure wins)."""
    notes: list[str] = []
    shots: dict[str, tuple[Outcome, Path]] = {}
    for directory in dirs:
        for fragment in sorted((Path(directory) / FRAGMENTS).glob("*.json")):
            data = json.loads(fragment.read_text())
            notes += [n for n in data.get("notes", []) if n not in notes]
            for entry in data.get("shots", []):
                outcome = Outcome.from_json(entry)
                known = shots.get(outcome.label)
                if known is None or known[0].passed:  # a failure anywhere wins
                    shots[outcome.label] = (outcome, Path(directory))
    return notes, shots


def merge(dirs: Sequence[Path], out_dir: Path) -> Path | None:
    """Merge the fragments of report directories ``dirs`` into ``out_dir/index.html`` (images
    copied next to it); ``None`` when no fragment was found."""
    notes, shots = read_fragments(dirs)
    if not shots and not notes:
        return None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for outcome, source in shots.values():
        for _, file in outcome.images:
            if file and source.resolve() != out_dir.resolve():
                shutil.copyfile(source / file, out_dir / file)
    return write_index(out_dir, notes, [o for o, _ in shots.values()])


def write_index(out_dir: Path, notes: Sequence[str], outcomes: Sequence[Outcome]) -> Path:
    """Render ``index.html``: differences first (with images), then every shot's outcome."""
    failed = sorted((o for o in outcomes if not o.passed), key=lambda o: o.label)
    sections = []
    for outcome in failed:
        figures = []
        for kind, file in outcome.images:
            if file is None:
                figures.append(f"<figure><figcaption>{kind}: none</figcaption></figure>")
                continue
            figures.append(
                f'<figure><figcaption>{kind}</figcaption><a href="{file}">'
                f'<img src="{file}" alt="{kind} {html.escape(outcome.label)}"></a></figure>'
            )
        note = f'<p class="note">{html.escape(outcome.note)}</p>' if outcome.note else ""
        sections.append(
            f'<section id="{_slug(outcome.label)}"><h2>{html.escape(outcome.label)}</h2>{note}'
            f'<p class="msg">{html.escape(outcome.message)}</p>'
            f'<div class="row">{"".join(figures)}</div></section>'
        )
    rows = "".join(
        f'<tr><td class="{"passed" if o.passed else "failed"}">'
        f"{'passed' if o.passed else 'differs'}</td>"
        f"<td>{html.escape(o.label)}</td></tr>"
        for o in sorted(outcomes, key=lambda o: o.label)
    )
    title = f"{len(failed)} visual difference(s) in {len(outcomes)} shot(s)"
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Visual report: {title}</title><style>{_CSS}</style></head><body>"
        f"<h1>{title}</h1>{''.join(f'<p class=note>{html.escape(n)}</p>' for n in notes)}"
        f"{''.join(sections)}<h2>Every shot</h2><table>{rows}</table></body></html>\n"
    )
    index = Path(out_dir) / "index.html"
    index.write_text(page)
    return index


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m catalogue.visual.report --merge DIR... [--out DIR]``; exit 1 on differences."""
    parser = argparse.ArgumentParser(prog="python -m catalogue.visual.report")
    parser.add_argument("--merge", nargs="+", type=Path, required=True, metavar="DIR",
                        help="report directories (each with fragments/*.json)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("build/visual-report"))
    args = parser.parse_args(argv)
    index = merge(args.merge, args.out)
    if index is None:
        print("no visual report fragments found in " + " ".join(map(str, args.merge)))
        return 2
    _, shots = read_fragments(args.merge)
    failed = sum(not o.passed for o, _ in shots.values())
    print(f"{index}: {len(shots)} shots, {failed} difference(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
