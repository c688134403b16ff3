"""WCAG AA contrast of every colour pair the components use, in both themes."""

from __future__ import annotations

import pytest

from ai_credits.views.theme import DARK, LIGHT, THEMES, ColorTokens, Theme, contrast_ratio

OPAQUE = ("background", "surface", "surface_alt", "input_bg")
TEXT_TOKENS = (
    "text",
    "text_secondary_aa",
    "text_soft_aa",
    "primary_aa",
    "success_aa",
    "warning_aa",
    "error_aa",
)
TINTS = {  # muted background → the text token drawn on it (badges, notices)
    "success_muted": "success_aa",
    "warning_muted": "warning_aa",
    "error_muted": "error_aa",
    "info_muted": "primary_aa",
}
AA_TEXT = 4.5
AA_UI = 3.0  # large text and non-text UI (focus ring, input boundary, progress fill)


def _pairs() -> list[tuple[str, str, str, str | None, float]]:
    """(theme, foreground token, background token, base under a tint, minimum ratio)."""
    pairs: list[tuple[str, str, str, str | None, float]] = []
    for theme in THEMES:
        pairs += [(theme, fg, bg, None, AA_TEXT) for fg in TEXT_TOKENS for bg in OPAQUE]
        for tint, fg in TINTS.items():
            for base in ("surface", "background"):
                pairs.append((theme, fg, tint, base, AA_TEXT))
                pairs.append((theme, "text", tint, base, AA_TEXT))  # notice title and message
        pairs += [
            (theme, "on_primary", "primary_solid", None, AA_TEXT),  # primary button, segment
            (theme, "on_primary", "primary_pressed", None, AA_TEXT),  # hover / pressed
            (theme, "primary_aa", "border", None, AA_UI),  # progress fill on its track
            (theme, "warning_aa", "border", None, AA_UI),  # low-balance progress fill
        ]
        pairs += [(theme, "focus_ring", bg, None, AA_UI) for bg in OPAQUE]
        pairs += [(theme, "border_input", bg, None, AA_UI) for bg in OPAQUE]
        pairs += [(theme, "primary_solid", bg, None, AA_UI) for bg in ("surface", "surface_alt")]
    return pairs


def _color(theme: Theme, token: str) -> str:
    value = getattr(theme.colors, token)
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize(("theme", "fg", "bg", "base", "minimum"), _pairs())
def test_pair_meets_wcag_aa(theme: str, fg: str, bg: str, base: str | None, minimum: float) -> None:
    t = THEMES[theme]
    ratio = contrast_ratio(_color(t, fg), _color(t, bg), _color(t, base) if base else None)
    assert ratio >= minimum, f"{theme}: {fg} on {bg} is {ratio:.2f}:1, needs {minimum}:1"


# Each AA fix: (theme, fixed token, VISUAL.md token it replaces, backgrounds (tint, base), needed,
# minimum ratio before, minimum ratio after) — the figures quoted in ai_credits/views/theme.py.
_BACKS: dict[str, list[tuple[str, str | None]]] = {
    "text": [(bg, None) for bg in OPAQUE],
    "primary_text": [(bg, None) for bg in OPAQUE]
    + [("info_muted", b) for b in ("surface", "background")],
    "error": [(bg, None) for bg in OPAQUE]
    + [("error_muted", b) for b in ("surface", "background")],
    "success": [(bg, None) for bg in OPAQUE]
    + [("success_muted", b) for b in ("surface", "background")],
    "warning": [(bg, None) for bg in OPAQUE]
    + [("warning_muted", b) for b in ("surface", "background")],
    "white": [("on_primary", None)],
}
FIXES = [
    ("dark", "text_secondary_aa", "text_secondary", "text", AA_TEXT, 3.77, 4.60),
    ("dark", "primary_aa", "primary", "primary_text", AA_TEXT, 3.53, 4.65),
    ("dark", "error_aa", "error", "error", AA_TEXT, 3.35, 4.63),
    ("dark", "primary_solid", "primary", "white", AA_TEXT, 3.59, 4.66),
    ("dark", "border_input", "border", "text", AA_UI, 1.76, 3.14),
    ("light", "text_soft_aa", "text_soft", "text", AA_TEXT, 2.54, 4.66),
    ("light", "primary_aa", "primary", "primary_text", AA_TEXT, 1.83, 4.62),
    ("light", "success_aa", "success", "success", AA_TEXT, 1.91, 4.64),
    ("light", "warning_aa", "warning", "warning", AA_TEXT, 1.56, 4.63),
    ("light", "error_aa", "error", "error", AA_TEXT, 3.25, 4.60),
    ("light", "primary_solid", "primary", "white", AA_TEXT, 2.43, 4.69),
    ("light", "focus_ring", "border_focus", "text", AA_UI, 2.20, 3.15),
    ("light", "border_input", "border", "text", AA_UI, 1.29, 3.11),
]


def _worst(theme: Theme, token: str, backs: str) -> float:
    return min(
        contrast_ratio(_color(theme, token), _color(theme, bg), _color(theme, b) if b else None)
        for bg, b in _BACKS[backs]
    )


@pytest.mark.parametrize(
    ("theme", "fixed", "original", "backs", "needed", "before", "after"), FIXES
)
def test_each_fix_was_needed_and_works(
    theme: str, fixed: str, original: str, backs: str, needed: float, before: float, after: float
) -> None:
    t = THEMES[theme]
    assert _worst(t, original, backs) < needed  # the VISUAL.md token really fails
    assert round(_worst(t, original, backs), 2) == before
    assert round(_worst(t, fixed, backs), 2) == after >= needed


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_tokens_without_a_documented_fix_keep_their_value(theme: Theme) -> None:
    fixed = {(t, f) for t, f, *_ in FIXES}
    unchanged = {
        "text_secondary_aa": "text_secondary",
        "text_soft_aa": "text_soft",
        "primary_aa": "primary",
        "success_aa": "success",
        "warning_aa": "warning",
        "error_aa": "error",
        "focus_ring": "border_focus",
    }
    for aa, original in unchanged.items():
        if (theme.name, aa) not in fixed:
            assert getattr(theme.colors, aa) == getattr(theme.colors, original), aa


@pytest.mark.parametrize(
    ("fg", "bg", "base", "expected"),
    [
        ("#000000", "#FFFFFF", None, 21.0),
        ("#FFF", "#ffffff", None, 1.0),
        ("#FFFFFF", "#000", None, 21.0),  # symmetric
        ("#808080", "#1E1F26", None, 4.16),
        ("#767676", "#FFFFFF", None, 4.54),  # the classic lightest AA grey on white
        ("rgba(0,0,0,.5)", "#FFFFFF", None, 3.98),  # translucent text composited first
        ("#F00505", "rgba(240,5,5,.15)", "#FFFFFF", 3.42),  # text on a tint over white
        ("rgb(255, 255, 255)", "rgba(0,0,0,1)", None, 21.0),
    ],
)
def test_contrast_ratio(fg: str, bg: str, base: str | None, expected: float) -> None:
    assert round(contrast_ratio(fg, bg, base), 2) == expected


@pytest.mark.parametrize(
    ("fg", "bg", "base"),
    [
        ("#GGG", "#FFF", None),
        ("red", "#FFF", None),
        ("#FFF", "rgba(0,0,0,.5)", None),  # translucent background needs a base
        ("#FFF", "rgba(0,0,0,.5)", "rgba(0,0,0,.5)"),  # base must be opaque
        ("rgba(300,0,0,1)", "#FFF", None),
    ],
)
def test_contrast_ratio_rejects_what_it_cannot_measure(fg: str, bg: str, base: str | None) -> None:
    with pytest.raises(ValueError):
        contrast_ratio(fg, bg, base)


def test_every_color_token_parses() -> None:
    for theme in THEMES.values():
        for name in ColorTokens.__dataclass_fields__:
            contrast_ratio(_color(theme, name), "#000000", "#000000")
