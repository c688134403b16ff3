"""The diff report is self-contained: relative links to PNGs written beside index.html."""

from __future__ import annotations

from pathlib import Path

from catalogue.visual.report import Failure, VisualReport, main, merge


def test_report_writes_index_and_images_only_when_something_failed(tmp_path: Path) -> None:
    report = VisualReport(tmp_path / "report")
    assert report.write() is None and not (tmp_path / "report").exists()
    report.add(Failure("a--dark-mobile", "3 pixels differ", b"A", b"E", b"D"))
    report.add(Failure("b/odd name", "size", b"A2", None, None, note="Chromium differs"))
    report.add_note("Chromium version mismatch: x")
    index = report.write()
    assert index == tmp_path / "report" / "index.html"
    text = index.read_text()
    for name in (
        "a--dark-mobile-expected.png",
        "a--dark-mobile-actual.png",
        "a--dark-mobile-diff.png",
    ):
        assert f'src="{name}"' in text
        assert (index.parent / name).is_file()
    assert 'src="b_odd_name-actual.png"' in text and "expected: none" in text
    assert "Chromium version mismatch: x" in text and "2 visual difference(s)" in text
    assert "/" not in text.split('src="')[1].split('"')[0]  # relative, same directory


def test_stale_report_is_cleared(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "old.png").write_bytes(b"x")
    VisualReport(out).clear_output()
    assert not out.exists()


def test_fragments_of_several_processes_merge_into_one_index(tmp_path: Path) -> None:
    first, second = VisualReport(tmp_path / "a"), VisualReport(tmp_path / "b")
    first.add_pass("x--dark-mobile")
    first.add(Failure("y--dark-mobile", "2 pixels differ", b"A", b"E", b"D"))
    second.add_pass("y--dark-mobile")  # the same shot passing elsewhere: the difference wins
    second.add_pass("z--light-desktop")
    second.add_note("Chromium version mismatch: z")
    first.write_fragment("gw0")
    second.write_fragment("gw1")

    index = merge([tmp_path / "a", tmp_path / "b"], tmp_path / "merged")
    assert index is not None
    text = index.read_text()
    assert "1 visual difference(s) in 3 shot(s)" in text
    assert "Chromium version mismatch: z" in text
    assert (tmp_path / "merged" / "y--dark-mobile-diff.png").read_bytes() == b"D"
    for label in ("x--dark-mobile", "y--dark-mobile", "z--light-desktop"):
        assert f"<td>{label}</td>" in text
    assert main(["--merge", str(tmp_path / "b"), "--out", str(tmp_path / "only-b")]) == 0
    assert main(["--merge", str(tmp_path / "a"), "--out", str(tmp_path / "only-a")]) == 1
    assert main(["--merge", str(tmp_path / "nothing")]) == 2
