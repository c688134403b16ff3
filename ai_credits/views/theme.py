"""Design tokens of the GoodWidget family as Python data, and the CSS built from them.

This module is the single source of truth for every ``--gw-…`` custom property. The static files
``components/static/css/tokens.css`` and ``fonts.css`` are generated from it
(``python -m ai_credits.views.theme``) and a test checks they are up to date.

Contrast (WCAG 2.x AA) fixes. The VISUAL.md tokens are kept unchanged under their own names (for
borders, icons, fills and brand use); where a token fails as *text* on the backgrounds the widget
uses, a separate ``…-aa`` token carries the text colour. Each fix keeps the hue and moves only HSL
lightness (0.5 % steps), to the first value that reaches 4.5:1 (3:1 for non-text UI) on every
background it is used on (background, surface, surface-alt, input background and, for status and
link colours, their muted tint over surface and background). Minimum ratio over those backgrounds,
before → after (``tests/components_base/test_contrast.py`` checks both figures):

dark  text-secondary-aa  #808080 → #8F8F8F   3.77 → 4.60 (fails on input #252730 and surface)
dark  primary-aa (link)  #1A85FF → #4A9FFF   3.53 → 4.65 (fails on info-muted and input)
dark  error-aa           #F00505 → #FB5555   3.35 → 4.63 (fails everywhere, even on #13151C)
dark  primary-solid      #1A85FF → #006FEE   3.59 → 4.66 (white button text on the fill)
dark  border-input       #4D4D4D → #737373   1.76 → 3.14 (input boundary, 3:1 non-text)
light text-soft-aa       #8F9BB3 → #5F6E8C   2.54 → 4.66
light primary-aa (link)  #00B0FF → #006896   1.83 → 4.62
light success-aa         #13C636 → #0C7921   1.91 → 4.64
light warning-aa         #FFB020 → #935F00   1.56 → 4.63
light error-aa           #F00505 → #C30404   3.25 → 4.60 (4.44 on white, 3.25 on its tint)
light primary-solid      #00B0FF → #007BB2   2.43 → 4.69 (white button text on the fill)
light focus-ring         #00B0FF → #0092D4   2.20 → 3.15 (focus indicator, 3:1 non-text)
light border-input       #D0D9E4 → #728DAE   1.29 → 3.11 (input boundary, 3:1 non-text)

Tokens that already pass keep their value in the ``-aa`` slot (e.g. dark success #13C636, 5.56).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

__all__ = [
    "DARK",
    "FONTS",
    "LIGHT",
    "SCALES",
    "THEMES",
    "ColorTokens",
    "FontFile",
    "Scales",
    "Theme",
    "ThemeName",
    "composite",
    "contrast_ratio",
    "css_variables",
    "font_face_css",
    "get_theme",
    "inline_css",
    "parse_color",
    "relative_luminance",
    "static_dir",
    "stylesheet",
    "token_map",
    "tokens_css",
    "widget_js",
    "write_static_css",
]

ThemeName = Literal["dark", "light"]
RGBA = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class ColorTokens:
    """Semantic colours of one theme; field ``surface_alt`` becomes ``--gw-surface-alt``."""

    background: str
    surface: str
    surface_alt: str
    input_bg: str
    text: str
    text_secondary: str
    text_soft: str
    primary: str
    primary_pressed: str
    border: str
    border_hover: str
    border_focus: str
    success: str
    warning: str
    error: str
    success_muted: str
    warning_muted: str
    error_muted: str
    info_muted: str
    shadow: str
    # AA fixes (see module docstring): use these for text, focus rings and input boundaries.
    text_secondary_aa: str
    text_soft_aa: str
    primary_aa: str
    success_aa: str
    warning_aa: str
    error_aa: str
    primary_solid: str
    on_primary: str
    focus_ring: str
    border_input: str


@dataclass(frozen=True, slots=True)
class Theme:
    """A named colour theme."""

    name: ThemeName
    colors: ColorTokens


@dataclass(frozen=True, slots=True)
class Scales:
    """Theme-independent scales (px unless noted)."""

    space: tuple[int, ...] = (4, 8, 12, 16, 20, 24, 28, 32, 40, 48)
    radius: tuple[tuple[str, int], ...] = (
        ("xs", 4),
        ("sm", 8),
        ("md", 12),
        ("lg", 16),
        ("xl", 20),
        ("2xl", 24),
        ("pill", 9999),
    )
    # name, font size, line height
    type: tuple[tuple[str, int, int], ...] = (
        ("caption", 12, 16),
        ("label", 14, 20),
        ("body", 16, 24),
        ("lg", 18, 26),
        ("xl", 20, 30),
        ("2xl", 24, 36),
        ("title", 21, 28),
        ("heading", 26, 32),
        ("display", 34, 40),
    )
    weight: tuple[tuple[str, int], ...] = (
        ("regular", 400),
        ("medium", 500),
        ("semibold", 600),
        ("bold", 700),
    )
    font_sans: str = '"Avenir Next", Inter, system-ui, sans-serif'
    font_mono: str = '"JetBrains Mono", ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'
    widget_width: int = 380
    frame_width: int = 480
    mobile_width: int = 360


_STATUS = {"success": "#13C636", "warning": "#FFB020", "error": "#F00505"}
_MUTED = {
    "success_muted": "rgba(19,198,54,.15)",
    "warning_muted": "rgba(255,176,32,.18)",
    "error_muted": "rgba(240,5,5,.15)",
    "info_muted": "rgba(26,133,255,.20)",
}

DARK = Theme(
    name="dark",
    colors=ColorTokens(
        background="#13151C",
        surface="#1E1F26",
        surface_alt="#171C2B",
        input_bg="#252730",
        text="#FFFFFF",
        text_secondary="#808080",
        text_soft="#CCCCCC",
        primary="#1A85FF",
        primary_pressed="#0068DF",
        border="#4D4D4D",
        border_hover="#666666",
        border_focus="#1A85FF",
        **_STATUS,
        **_MUTED,
        shadow="rgba(3,7,18,.68)",
        text_secondary_aa="#8F8F8F",
        text_soft_aa="#CCCCCC",
        primary_aa="#4A9FFF",
        success_aa="#13C636",
        warning_aa="#FFB020",
        error_aa="#FB5555",
        primary_solid="#006FEE",
        on_primary="#FFFFFF",
        focus_ring="#1A85FF",
        border_input="#737373",
    ),
)

LIGHT = Theme(
    name="light",
    colors=ColorTokens(
        background="#F8F9FB",
        surface="#FFFFFF",
        surface_alt="#EDF5FC",
        input_bg="#FFFFFF",
        text="#0D182D",
        text_secondary="#4F606F",
        text_soft="#8F9BB3",
        primary="#00B0FF",
        primary_pressed="#006493",
        border="#D0D9E4",
        border_hover="#BDCAD6",
        border_focus="#00B0FF",
        **_STATUS,
        **_MUTED,
        shadow="rgba(0,176,255,.10)",
        text_secondary_aa="#4F606F",
        text_soft_aa="#5F6E8C",
        primary_aa="#006896",
        success_aa="#0C7921",
        warning_aa="#935F00",
        error_aa="#C30404",
        primary_solid="#007BB2",
        on_primary="#FFFFFF",
        focus_ring="#0092D4",
        border_input="#728DAE",
    ),
)

THEMES: Mapping[str, Theme] = {"dark": DARK, "light": LIGHT}
SCALES = Scales()


def get_theme(theme: str | Theme) -> Theme:
    """Return the theme for a name (``"dark"``/``"light"``) or the theme itself."""
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except KeyError:
        raise ValueError(f"unknown theme {theme!r}; expected one of {sorted(THEMES)}") from None


# --------------------------------------------------------------------------- tokens → CSS


def _scale_tokens(scales: Scales) -> Iterator[tuple[str, str]]:
    for index, px in enumerate(scales.space, start=1):
        yield f"--gw-space-{index}", f"{px}px"
    for name, px in scales.radius:
        yield f"--gw-radius-{name}", f"{px}px"
    for name, size, line in scales.type:
        yield f"--gw-font-size-{name}", f"{size}px"
        yield f"--gw-line-height-{name}", f"{line}px"
    for name, weight in scales.weight:
        yield f"--gw-font-weight-{name}", str(weight)
    yield "--gw-font-sans", scales.font_sans
    yield "--gw-font-mono", scales.font_mono
    yield "--gw-widget-width", f"{scales.widget_width}px"
    yield "--gw-frame-width", f"{scales.frame_width}px"
    yield "--gw-mobile-width", f"{scales.mobile_width}px"


def token_map(theme: str | Theme, scales: Scales = SCALES) -> dict[str, str]:
    """Every custom property of ``theme`` (colours, then scales) as ``{"--gw-name": value}``."""
    colors = get_theme(theme).colors
    tokens = {
        "--gw-" + field.name.replace("_", "-"): str(getattr(colors, field.name))
        for field in dataclasses.fields(colors)
    }
    tokens.update(_scale_tokens(scales))
    return tokens


def css_variables(theme: str | Theme) -> str:
    """The declarations (``--gw-x: value;``, one per line, indented) for one theme."""
    return "\n".join(f"  {name}: {value};" for name, value in token_map(theme).items())


def tokens_css(default: str | Theme = "dark") -> str:
    """Both themes as CSS; ``default`` applies to a ``.gw-root`` with no ``data-theme``.

    The other theme applies to ``[data-theme=…]`` and to a ``.gw-root`` inside such an ancestor
    (unless the root itself names a theme).
    """
    first = get_theme(default)
    second = LIGHT if first.name == "dark" else DARK
    return (
        "/* Generated by ai_credits.views.theme: do not edit. */\n"
        f'.gw-root,\n[data-theme="{first.name}"] {{\n{css_variables(first)}\n}}\n\n'
        f'[data-theme="{second.name}"],\n'
        f'[data-theme="{second.name}"] .gw-root:not([data-theme="{first.name}"]) {{\n'
        f"{css_variables(second)}\n}}\n"
    )


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True, slots=True)
class FontFile:
    """One shipped woff2 file (latin subset, OFL) under ``components/static/fonts``."""

    family: str
    weight: int
    filename: str


FONTS: tuple[FontFile, ...] = (
    *(FontFile("Inter", w, f"inter-latin-{w}-normal.woff2") for w in (400, 500, 600, 700)),
    FontFile("JetBrains Mono", 400, "jetbrains-mono-latin-400-normal.woff2"),
)

_LATIN_RANGE = (
    "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, "
    "U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD"
)


def font_face_css(src: Callable[[FontFile], str]) -> str:
    """``@font-face`` rules for :data:`FONTS`; ``src(font)`` gives the url() argument."""
    rules = [
        "@font-face {\n"
        f'  font-family: "{font.family}";\n'
        "  font-style: normal;\n"
        "  font-display: swap;\n"
        f"  font-weight: {font.weight};\n"
        f'  src: url("{src(font)}") format("woff2");\n'
        f"  unicode-range: {_LATIN_RANGE};\n"
        "}\n"
        for font in FONTS
    ]
    return "/* Generated by ai_credits.views.theme: do not edit. Fonts: SIL OFL 1.1. */\n" + (
        "\n".join(rules)
    )


# --------------------------------------------------------------------------- static assets


def static_dir() -> Path:
    """Directory of the shipped static assets (``css/``, ``js/``, ``fonts/``)."""
    return Path(str(resources.files("ai_credits"))) / "components" / "static"


@functools.cache
def _read_text(relative: str) -> str:
    return (static_dir() / relative).read_text(encoding="utf-8")


@functools.cache
def _font_data_url(filename: str) -> str:
    data = (static_dir() / "fonts" / filename).read_bytes()
    return "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")


def widget_js() -> str:
    """The behaviour script (``static/js/widget.js``), for inlining in a ``<script>``."""
    return _read_text("js/widget.js")


@functools.cache
def stylesheet(static_url: str) -> str:
    """Full CSS (fonts, tokens of both themes, components), fonts served from ``static_url``.

    ``static_url`` is the URL prefix under which ``components/static`` is served, e.g.
    ``"/static/ai-credits"`` → fonts at ``/static/ai-credits/fonts/…``.
    """
    prefix = static_url.rstrip("/")
    fonts = font_face_css(lambda font: f"{prefix}/fonts/{font.filename}")
    return "\n".join((fonts, tokens_css(), _read_text("css/widget.css")))


@functools.cache
def _inline_css(theme_name: str) -> str:
    fonts = font_face_css(lambda font: _font_data_url(font.filename))
    return "\n".join((fonts, tokens_css(theme_name), _read_text("css/widget.css")))


def inline_css(theme: str | Theme = "dark") -> str:
    """Self-contained CSS with fonts embedded as ``data:`` URLs (works from ``file://``).

    ``theme`` is the default for roots without ``data-theme``; both themes are always included.
    """
    return _inline_css(get_theme(theme).name)


def write_static_css(directory: Path | None = None) -> list[Path]:
    """(Re)generate ``css/tokens.css`` and ``css/fonts.css`` from the tokens; returns the paths."""
    css_dir = (directory or static_dir()) / "css"
    outputs = {
        css_dir / "tokens.css": tokens_css(),
        css_dir / "fonts.css": font_face_css(lambda font: f"../fonts/{font.filename}"),
    }
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    return list(outputs)


# --------------------------------------------------------------------------- contrast

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_RGB = re.compile(r"rgba?\(\s*([^)]*)\)")


def parse_color(color: str) -> RGBA:
    """Parse ``#rgb``, ``#rrggbb``, ``rgb(r,g,b)`` or ``rgba(r,g,b,a)`` into (r, g, b, alpha)."""
    text = color.strip()
    if match := _HEX.fullmatch(text):
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(ch * 2 for ch in digits)
        r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
        return (float(r), float(g), float(b), 1.0)
    if match := _RGB.fullmatch(text):
        parts = [p.strip() for p in match.group(1).split(",")]
        if len(parts) in (3, 4):
            channels = [float(p) for p in parts[:3]]
            alpha = float(parts[3]) if len(parts) == 4 else 1.0
            if all(0 <= c <= 255 for c in channels) and 0 <= alpha <= 1:
                return (channels[0], channels[1], channels[2], alpha)
    raise ValueError(f"unsupported colour {color!r}")


def composite(top: str | RGBA, under: str | RGBA) -> RGBA:
    """Alpha-composite ``top`` over an opaque ``under`` colour."""
    fg = parse_color(top) if isinstance(top, str) else top
    bg = parse_color(under) if isinstance(under, str) else under
    if bg[3] < 1:
        raise ValueError("the colour underneath must be opaque")
    a = fg[3]
    return (
        fg[0] * a + bg[0] * (1 - a),
        fg[1] * a + bg[1] * (1 - a),
        fg[2] * a + bg[2] * (1 - a),
        1.0,
    )


def relative_luminance(color: str | RGBA) -> float:
    """WCAG 2.x relative luminance of an opaque colour."""
    rgba = parse_color(color) if isinstance(color, str) else color

    def channel(value: float) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str, base: str | None = None) -> float:
    """WCAG contrast ratio of text ``fg`` on ``bg`` (1.0 … 21.0).

    A translucent ``bg`` (e.g. a muted status tint) is composited over the opaque ``base``
    first; a translucent ``fg`` is composited over the resulting background.
    """
    back = parse_color(bg)
    if back[3] < 1:
        if base is None:
            raise ValueError(f"translucent background {bg!r} needs an opaque base colour")
        back = composite(back, base)
    front = parse_color(fg)
    if front[3] < 1:
        front = composite(front, back)
    hi, lo = sorted((relative_luminance(front), relative_luminance(back)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


if __name__ == "__main__":  # pragma: no cover - developer tool
    for written in write_static_css():
        print(f"wrote {written}")
