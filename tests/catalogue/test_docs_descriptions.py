"""The docs' props tables describe every field (issue 13, item 8), and the catalogue ships its
icon."""

from __future__ import annotations

import re
from pathlib import Path

from catalogue.docs import FIELD_NOTES, component_docs


def test_every_prop_has_a_description() -> None:
    missing = [f"{d.model}.{p.name}" for d in component_docs() for p in d.props
               if not p.description.strip()]  # fmt: skip
    assert not missing, ("add a Field(description=...) or a catalogue.docs.FIELD_NOTES entry for: "
                         + ", ".join(missing))  # fmt: skip


def test_field_descriptions_come_from_the_model_first() -> None:
    docs = {d.model: d for d in component_docs()}
    rows = {p.name: p.description for p in docs["UsageTable"].props}
    assert rows["rows"] == FIELD_NOTES["UsageTable.rows"]
    widget = {p.name: p.description for p in docs["WidgetView"].props}
    assert widget["header"].startswith("The header row")  # Header's own docstring


def test_docs_pages_fill_the_description_column(site: Path) -> None:
    for page in sorted((site / "docs").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        table = re.search(r'<table class="cat-table" data-testid="props">(.*?)</table>', html, re.S)
        if table is None:
            continue
        for row in re.findall(r"<tr><td><code>.*?</tr>", table.group(1), re.S):
            cells = re.findall(r"<td>(.*?)</td>", row, re.S)
            assert len(cells) == 4 and cells[3].strip(), (page.name, row[:120])


def test_pages_link_the_shipped_icon(site: Path) -> None:
    assert (site / "assets" / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")
    for page in ("index.html", "gallery.html", "docs/index.html"):
        assert 'rel="icon"' in (site / page).read_text(encoding="utf-8"), page
