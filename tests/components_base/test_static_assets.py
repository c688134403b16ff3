"""Shipped static assets: tokens, fonts, no external URLs, script size, CSS builders."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from ai_credits.views import theme
from ai_credits.views.theme import DARK, FONTS, LIGHT, SCALES, font_face_css, static_dir

STATIC = static_dir()
CSS_DIR = STATIC / "css"
COMPONENTS = STATIC.parent

# VISUAL.md's colour table, verbatim: the tokens must keep these values.
VISUAL = {
    "background": ("#13151C", "#F8F9FB"),
    "surface": ("#1E1F26", "#FFFFFF"),
    "surface_alt": ("#171C2B", "#EDF5FC"),
    "input_bg": ("#252730", "#FFFFFF"),
    "text": ("#FFFFFF", "#0D182D"),
    "text_secondary": ("#808080", "#4F606F"),
    "text_soft": ("#CCCCCC", "#8F9BB3"),
    "primary": ("#1A85FF", "#00B0FF"),
    "primary_pressed": ("#0068DF", "#006493"),
    "border": ("#4D4D4D", "#D0D9E4"),
    "border_hover": ("#666666", "#BDCAD6"),
    "border_focus": ("#1A85FF", "#00B0FF"),
    "success": ("#13C636", "#13C636"),
    "warning": ("#FFB020", "#FFB020"),
    "error": ("#F00505", "#F00505"),
    "success_muted": ("rgba(19,198,54,.15)",) * 2,
    "warning_muted": ("rgba(255,176,32,.18)",) * 2,
    "error_muted": ("rgba(240,5,5,.15)",) * 2,
    "info_muted": ("rgba(26,133,255,.20)",) * 2,
    "shadow": ("rgba(3,7,18,.68)", "rgba(0,176,255,.10)"),
}


@pytest.mark.parametrize("token", sorted(VISUAL))
def test_colour_tokens_match_visual_md(token: str) -> None:
    assert (getattr(DARK.colors, token), getattr(LIGHT.colors, token)) == VISUAL[token]


def test_scales_match_visual_md() -> None:
    tokens = theme.token_map("dark")
    assert [tokens[f"--gw-space-{i}"] for i in range(1, 11)] == [
        f"{px}px" for px in (4, 8, 12, 16, 20, 24, 28, 32, 40, 48)
    ]
    assert tokens["--gw-radius-md"] == "12px" and tokens["--gw-radius-pill"] == "9999px"
    assert (tokens["--gw-font-size-title"], tokens["--gw-line-height-title"]) == ("21px", "28px")
    assert (tokens["--gw-font-size-display"], tokens["--gw-line-height-display"]) == (
        "34px",
        "40px",
    )
    assert tokens["--gw-font-sans"].startswith('"Avenir Next", Inter,')
    assert (
        tokens["--gw-widget-width"],
        tokens["--gw-frame-width"],
        tokens["--gw-mobile-width"],
    ) == ("380px", "480px", "360px")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("tokens.css", theme.tokens_css()),
        ("fonts.css", font_face_css(lambda font: f"../fonts/{font.filename}")),
    ],
)
def test_generated_css_is_up_to_date(filename: str, expected: str) -> None:
    on_disk = (CSS_DIR / filename).read_text(encoding="utf-8")
    assert on_disk == expected, f"run: python -m ai_credits.views.theme  ({filename} is stale)"


def _blocks(css: str) -> dict[str, str]:
    """selector → declarations of the top-level rules in tokens.css."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return {m[1].strip(): m[2] for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css)}


@pytest.mark.parametrize("which", [DARK, LIGHT], ids=["dark", "light"])
def test_tokens_css_declares_every_token_for_each_theme(which: theme.Theme) -> None:
    blocks = _blocks((CSS_DIR / "tokens.css").read_text(encoding="utf-8"))
    (selector,) = [s for s in blocks if f'[data-theme="{which.name}"]' in s.split(",\n")]
    declared = dict(re.findall(r"(--gw-[a-z0-9-]+):\s*([^;]+);", blocks[selector]))
    assert declared == theme.token_map(which)
    assert len(declared) > 60


def test_dark_is_the_default_and_light_wins_on_request() -> None:
    css = theme.tokens_css()
    assert css.index('.gw-root,\n[data-theme="dark"]') < css.index('[data-theme="light"]')
    light_first = theme.tokens_css("light")
    assert light_first.index('.gw-root,\n[data-theme="light"]') < light_first.index(
        '[data-theme="dark"]'
    )
    with pytest.raises(ValueError):
        theme.tokens_css("sepia")


SHIPPED_TEXT = [
    *sorted(p for p in STATIC.rglob("*") if p.suffix in {".css", ".js", ".html"}),
    COMPONENTS / "primitives.jinja",
    COMPONENTS / "layout.jinja",
]


@pytest.mark.parametrize("path", SHIPPED_TEXT, ids=lambda p: p.name)
def test_no_external_urls_in_shipped_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(?i)(https?:|//[a-z0-9.-]+\.[a-z]{2,}|@import)", text), path
    for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
        assert target.startswith("../fonts/"), f"{path.name}: url({target})"


def test_font_files_are_woff2_and_all_referenced() -> None:
    fonts_css = (CSS_DIR / "fonts.css").read_text(encoding="utf-8")
    referenced = set(re.findall(r'url\("\.\./fonts/([^"]+)"\)', fonts_css))
    shipped = {p.name for p in (STATIC / "fonts").glob("*.woff2")}
    assert referenced == shipped == {f.filename for f in FONTS}
    for name in shipped:
        data = (STATIC / "fonts" / name).read_bytes()
        assert data[:4] == b"wOF2" and len(data) > 10_000, name
    families = set(re.findall(r'font-family: "([^"]+)"', fonts_css))
    assert families == {"Inter", "JetBrains Mono"}
    assert {f.weight for f in FONTS if f.family == "Inter"} == {400, 500, 600, 700}


@pytest.mark.parametrize("licence", ["OFL-Inter.txt", "OFL-JetBrainsMono.txt"])
def test_font_licences_ship_with_the_fonts(licence: str) -> None:
    text = (STATIC / "fonts" / licence).read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text


def test_widget_script_is_small_and_inlinable() -> None:
    js = (STATIC / "js" / "widget.js").read_bytes()
    # 16 KiB: behaviours, live quoting and the EIP-1193 wallet bridge, still small to inline
    assert len(js) < 16 * 1024, f"widget.js is {len(js)} bytes"
    assert b"</script" not in js.lower()
    assert theme.widget_js() == js.decode("utf-8")


def test_stylesheet_points_fonts_at_the_static_url() -> None:
    css = theme.stylesheet("/static/ai-credits/")
    for font in FONTS:
        assert f'url("/static/ai-credits/fonts/{font.filename}")' in css
    assert "../fonts/" not in css
    assert ".gw-card" in css and "--gw-primary-aa" in css


def test_inline_css_embeds_the_exact_font_bytes() -> None:
    css = theme.inline_css()
    embedded = re.findall(r'url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)', css)
    assert len(embedded) == len(FONTS)
    for font, data in zip(FONTS, embedded, strict=True):
        assert base64.b64decode(data) == (STATIC / "fonts" / font.filename).read_bytes()
    assert theme.inline_css("dark") is css  # cached
    assert theme.inline_css("light").index('.gw-root,\n[data-theme="light"]') > 0
    with pytest.raises(ValueError):
        theme.inline_css("blue")


def test_write_static_css_regenerates_the_files(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    written = theme.write_static_css(tmp_path)
    assert [p.name for p in written] == ["tokens.css", "fonts.css"]
    for path in written:
        assert path.read_text(encoding="utf-8") == (CSS_DIR / path.name).read_text(encoding="utf-8")


def test_scales_object_is_frozen() -> None:
    with pytest.raises(AttributeError):
        SCALES.widget_width = 400  # type: ignore[misc]
