"""``ai-credits serve`` writes the first story's page before anything else and swaps the full build
in afterwards: the first page must be byte-identical to a full build's, and a rebuild in place
must leave exactly a full build's files (and what the build does not own)."""

from __future__ import annotations

from pathlib import Path

from catalogue.build import build_catalogue, build_first_story
from catalogue.serve import build_in_place


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_first_story_then_in_place_build_equal_a_full_build(tmp_path: Path) -> None:
    full = tmp_path / "full"
    build_catalogue(full, a11y_dir=None)
    expected = files(full)

    out = tmp_path / "out"
    (out / "a11y").mkdir(parents=True)
    (out / "a11y" / "keep.txt").write_text("not owned by the build")
    index = build_first_story(out, a11y_dir=None)
    first = files(out)
    assert index == out / "index.html" and "index.html" in first
    assert len(first) < len(expected) // 4
    for name, data in first.items():
        if name != "a11y/keep.txt":
            assert data == expected[name], name

    build_in_place(out, a11y_dir=None)
    after = files(out)
    assert after.pop("a11y/keep.txt") == b"not owned by the build"
    assert after.keys() == expected.keys()
    assert all(after[k] == expected[k] for k in expected if not k.startswith("coverage"))
    assert not out.with_name("out.next").exists() and not out.with_name("out.old").exists()
