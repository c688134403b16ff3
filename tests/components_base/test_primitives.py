"""Each primitive macro renders accessible, escaped markup that works without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup

from .conftest import Element, Html, MacroRenderer, parse

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "' autofocus onfocus='alert(1)",
]


def _form_of(el: Element) -> Element:
    forms = [a for a in el.ancestors() if a.tag == "form"]
    assert forms, f"<{el.tag}> is not inside a form"
    return forms[0]


# ------------------------------------------------------------------ buttons


def test_enabled_button_is_a_plain_form_post(render_macro: MacroRenderer) -> None:
    html = parse(render_macro("button", "Buy AI Credits", "buy_clicked"))
    btn = html.one("button")
    assert (btn.attrs["type"], btn.attrs["name"], btn.attrs["value"]) == (
        "submit",
        "event",
        "buy_clicked",
    )
    form = _form_of(btn)
    assert form.attrs["method"] == "post" and "action" not in form.attrs
    assert "aria-disabled" not in btn.attrs and btn.text.strip() == "Buy AI Credits"


def test_button_posts_custom_name_value_to_the_callers_action(render_macro: MacroRenderer) -> None:
    html = parse(
        render_macro(
            "button", "Pay", "pay", name="event", value="pay_once", form_action="/widget/events"
        )
    )
    assert html.one("button").attrs["value"] == "pay_once"
    assert _form_of(html.one("button")).attrs["action"] == "/widget/events"


def test_button_inside_a_caller_form_adds_no_form(render_macro: MacroRenderer) -> None:
    assert "<form" not in render_macro("button", "Pay", "pay", form=False)


def test_disabled_button_explains_itself_and_posts_nothing(render_macro: MacroRenderer) -> None:
    html = parse(
        render_macro(
            "button",
            "Buy AI Credits",
            "buy",
            enabled=False,
            disabled_reason="Enter an amount first",
        )
    )
    btn = html.one("button")
    assert btn.attrs["aria-disabled"] == "true"
    assert btn.attrs["type"] == "button" and "name" not in btn.attrs and "value" not in btn.attrs
    reason = html.by_id(btn.attrs["aria-describedby"])
    assert reason.text.strip() == "Enter an amount first"
    assert "disabled" not in btn.attrs  # stays focusable so the reason can be reached


def test_disabled_button_without_reason(render_macro: MacroRenderer) -> None:
    btn = parse(render_macro("button", "Buy", "buy", enabled=False)).one("button")
    assert btn.attrs["aria-disabled"] == "true" and "aria-describedby" not in btn.attrs


@pytest.mark.parametrize("variant", ["primary", "secondary"])
def test_button_variants(render_macro: MacroRenderer, variant: str) -> None:
    btn = parse(render_macro("button", "Go", "go", variant=variant, compact=True)).one("button")
    assert btn.attrs["class"].split() == [
        "gw-button",
        f"gw-button--{variant}",
        "gw-button--compact",
    ]


# ------------------------------------------------------------------ copy controls

COPY_CASES = [
    (
        "address",
        ("0x1234…abcd", "0x1234567890abcdef1234567890abcdef12345678"),
        {},
        "Copy wallet address",
    ),
    (
        "code_block",
        ("env", "Environment variables", "OPENAI_API_KEY=k"),
        {},
        "Copy Environment variables",
    ),
    (
        "code_block",
        ("curl", "curl", "curl …"),
        {"copy_label": "Copy curl command"},
        "Copy curl command",
    ),
    ("secret", ("api-key", "API key", "gd_live_…abcd"), {"value": "gd_live_x"}, "Copy API key"),
]


@pytest.mark.parametrize(("macro", "args", "kwargs", "name"), COPY_CASES)
def test_copy_buttons_have_names_and_a_hidden_status(
    render_macro: MacroRenderer,
    macro: str,
    args: tuple[str, ...],
    kwargs: dict[str, Any],
    name: str,
) -> None:
    html = parse(render_macro(macro, *args, **kwargs))
    (btn,) = [b for b in html.find("button") if "data-status" in b.attrs]
    assert btn.attrs["aria-label"] == name and btn.attrs["type"] == "button"
    status = html.by_id(btn.attrs["data-status"])
    assert status.attrs["role"] == "status" and "gw-visually-hidden" in status.attrs["class"]
    assert status.text == ""
    assert "data-requires-js" in btn.attrs
    if "data-copy-target" in btn.attrs:
        html.by_id(btn.attrs["data-copy-target"])
    else:
        assert btn.attrs["data-copy-text"] == args[1]


def test_code_block_keeps_text_verbatim_and_is_scrollable_by_keyboard(
    render_macro: MacroRenderer,
) -> None:
    text = "line 1\n  indented <b>&amp;</b>\n"
    html = parse(render_macro("code_block", "snippet", "Snippet", text))
    pre = html.by_id("snippet")
    assert pre.tag == "pre" and pre.attrs["tabindex"] == "0"
    assert pre.text == text


def test_secret_is_masked_until_revealed(render_macro: MacroRenderer) -> None:
    masked = parse(
        render_macro(
            "secret",
            "k",
            "API key",
            "gd_live_…abcd",
            value="gd_live_full",
            reveal_action="api_key_revealed",
        )
    )
    code = masked.by_id("k")
    assert code.text == "gd_live_…abcd" and code.attrs["data-value"] == "gd_live_full"
    reveal = masked.by_id("k-reveal")
    assert (reveal.attrs["type"], reveal.attrs["name"], reveal.attrs["value"]) == (
        "submit",
        "event",
        "api_key_revealed",
    )
    assert reveal.attrs["aria-label"] == "Reveal API key"
    shown = parse(
        render_macro(
            "secret",
            "k",
            "API key",
            "gd_live_…abcd",
            value="gd_live_full",
            revealed=True,
            hide_action="api_key_hidden",
        )
    )
    assert shown.by_id("k").text == "gd_live_full"
    assert shown.by_id("k-reveal").attrs["aria-label"] == "Hide API key"
    assert shown.by_id("k-reveal").attrs["value"] == "api_key_hidden"


def test_secret_without_value_never_contains_the_key(render_macro: MacroRenderer) -> None:
    html = parse(render_macro("secret", "k", "API key", "gd_live_…abcd"))
    assert "data-value" not in html.by_id("k").attrs
    assert not [b for b in html.find("button") if "data-status" in b.attrs]  # nothing to copy


# ------------------------------------------------------------------ notices, badges


@pytest.mark.parametrize(
    ("kind", "glyph", "word"),
    [
        ("success", "✓", "Success"),
        ("error", "✕", "Error"),
        ("warning", "⚠", "Warning"),
        ("info", "ℹ", "Information"),
    ],
)
def test_notice_glyph_and_spoken_kind(
    render_macro: MacroRenderer, kind: str, glyph: str, word: str
) -> None:
    html = parse(render_macro("notice", kind, "Title", "Message"))
    box = html.one("div", class_=f"gw-notice gw-notice--{kind}")
    glyph_el = html.one("span", class_="gw-notice__glyph")
    assert glyph_el.text == glyph and glyph_el.attrs["aria-hidden"] == "true"
    assert html.one("span", class_="gw-visually-hidden").text == f"{word}: "
    assert "tabindex" not in box.attrs and "role" not in box.attrs


def test_focused_notice_is_an_error_summary(render_macro: MacroRenderer) -> None:
    html = parse(
        render_macro(
            "notice", "error", "Payment failed", "Transaction cancelled", focus=True, id="summary"
        )
    )
    box = html.by_id("summary")
    assert box.attrs["tabindex"] == "-1" and "data-autofocus" in box.attrs
    assert "Payment failed" in html.by_id(box.attrs["aria-labelledby"]).text


@pytest.mark.parametrize(("kind", "role"), [("error", "alert"), ("info", "status")])
def test_live_notice_roles(render_macro: MacroRenderer, kind: str, role: str) -> None:
    box = parse(render_macro("notice", kind, "T", live=True)).find("div")[0]
    assert box.attrs["role"] == role


def test_notice_body_from_caller(render_macro: MacroRenderer) -> None:
    out = render_macro("notice", "error", "T", body=Markup("<em>retry</em>"))
    assert '<div class="gw-notice__body"><em>retry</em></div>' in out


@pytest.mark.parametrize("kind", ["success", "warning", "error", "info"])
def test_badge(render_macro: MacroRenderer, kind: str) -> None:
    span = parse(render_macro("badge", kind, "Celo")).one("span")
    assert span.attrs["class"] == f"gw-badge gw-badge--{kind}" and span.text == "Celo"


# ------------------------------------------------------------------ stepper, progress, amount

STEPS = [
    {"label": "Approve G$", "status": "completed"},
    {"label": "Send payment", "status": "in_progress", "detail": "Waiting for Celo…"},
    {"label": "Issue key", "status": "pending"},
    {"label": "Ready", "status": "ready"},
    {"label": "Retry", "status": "needs_attention"},
]


def test_stepper_marks_the_current_step_and_names_every_status(render_macro: MacroRenderer) -> None:
    html = parse(render_macro("stepper", STEPS, label="Payment progress"))
    ol = html.one("ol")
    assert ol.attrs["aria-label"] == "Payment progress"
    items = html.find("li")
    assert [i.attrs.get("aria-current") for i in items] == [None, "step", None, None, "step"]
    statuses = [s.text for s in html.find("span", class_="gw-step__status")]
    assert statuses == ["Completed", "In progress", "Pending", "Ready", "Needs attention"]
    markers = html.find("span", class_="gw-step__marker")
    assert all(m.attrs["aria-hidden"] == "true" for m in markers)
    assert [m.text for m in markers] == ["✓", "2", "3", "4", "!"]


def test_stepper_current_can_be_explicit(render_macro: MacroRenderer) -> None:
    steps = [
        {"label": "A", "status": "ready", "current": True},
        {"label": "B", "status": "pending"},
    ]
    items = parse(render_macro("stepper", steps)).find("li")
    assert [i.attrs.get("aria-current") for i in items] == ["step", None]


@pytest.mark.parametrize(("given", "shown"), [(42, "42"), (150, "100"), (-5, "0"), (33.9, "33")])
def test_progress_is_a_labelled_clamped_progress_element(
    render_macro: MacroRenderer, given: float, shown: str
) -> None:
    bar = parse(render_macro("progress", given, low=True, value_text="$0.40 left")).one("progress")
    assert (bar.attrs["value"], bar.attrs["max"]) == (shown, "100")
    assert bar.attrs["aria-label"] == "Remaining credit"
    assert bar.attrs["aria-valuetext"] == "$0.40 left"
    assert "gw-progress--low" in bar.attrs["class"]


def test_token_amount(render_macro: MacroRenderer) -> None:
    html = parse(render_macro("token_amount", "1.2K", "G$", "lg", label="Balance"))
    assert html.one("span", class_="gw-amount__value").text == "1.2K"
    assert html.one("span", class_="gw-amount__token").text == "G$"
    assert "gw-amount--lg" in html.find("span")[0].attrs["class"]


def test_stream_counter_is_not_a_live_region(render_macro: MacroRenderer) -> None:
    el = parse(render_macro("stream_counter", "US$1.000000", 1_000_000, "3.5", 1_700_000_000)).one(
        "span"
    )
    assert (el.attrs["data-base-micro"], el.attrs["data-rate-micro-per-s"]) == ("1000000", "3.5")
    assert el.attrs["data-as-of"] == "1700000000" and "aria-live" not in el.attrs


def test_spinner_has_a_spoken_label(render_macro: MacroRenderer) -> None:
    html = parse(render_macro("spinner", "Waiting for confirmation…"))
    assert html.find("span")[0].attrs["role"] == "status"
    assert len(html.find("span", class_="gw-spinner__dot", aria_hidden="true")) == 3
    assert html.one("span", class_="gw-visually-hidden").text == "Waiting for confirmation…"


# ------------------------------------------------------------------ fields, choices, table


def test_field_is_labelled_and_reports_its_error(render_macro: MacroRenderer) -> None:
    html = parse(
        render_macro(
            "field",
            "amount",
            "Amount",
            value="0",
            error="Enter more than 0",
            hint="Minimum 1 G$",
            suffix="G$",
            inputmode="decimal",
            required=True,
        )
    )
    inp = html.one("input")
    assert html.one("label").attrs["for"] == inp.attrs["id"] == "gw-field-amount"
    assert inp.attrs["aria-invalid"] == "true" and inp.attrs["value"] == "0"
    described = [html.by_id(i).text for i in inp.attrs["aria-describedby"].split()]
    assert described == ["G$", "Minimum 1 G$", "✕ Enter more than 0"]


def test_valid_field_has_no_error_state(render_macro: MacroRenderer) -> None:
    inp = parse(render_macro("field", "amount", "Amount")).one("input")
    assert "aria-invalid" not in inp.attrs and "aria-describedby" not in inp.attrs


@pytest.mark.parametrize("macro", ["presets", "segmented"])
def test_choice_groups_post_event_and_value(render_macro: MacroRenderer, macro: str) -> None:
    options = [{"value": 10, "label": "$10", "note": "+10%"}, {"value": 25, "label": "$25"}]
    html = parse(render_macro(macro, options, "amount_preset_selected", selected="25"))
    hidden = html.one("input", type="hidden")
    assert (hidden.attrs["name"], hidden.attrs["value"]) == ("event", "amount_preset_selected")
    buttons = html.find("button")
    assert [b.attrs["aria-pressed"] for b in buttons] == ["false", "true"]
    assert all(b.attrs["type"] == "submit" for b in buttons)
    assert html.one("legend").text.strip()
    assert _form_of(buttons[0]).attrs["method"] == "post"


def test_table_has_caption_headers_and_empty_state(render_macro: MacroRenderer) -> None:
    cols = [{"key": "model", "label": "Model"}, {"key": "cost", "label": "Cost", "numeric": True}]
    html = parse(render_macro("table", "Recent usage", cols, [{"model": "m", "cost": "$0.01"}]))
    assert html.one("caption").text == "Recent usage"
    assert [th.attrs["scope"] for th in html.find("th")] == ["col", "col"]
    assert html.find("td")[1].attrs["class"] == "gw-num"
    empty = parse(render_macro("table", "Recent usage", cols, [], empty_text="No usage yet."))
    assert empty.one("td").attrs["colspan"] == "2" and empty.one("td").text == "No usage yet."


def test_card_is_a_named_section(render_macro: MacroRenderer) -> None:
    html = parse(render_macro("card", "Your balance", testid="BalanceCard", body="<p>x</p>"))
    section = html.one("section")
    assert section.attrs["data-testid"] == "BalanceCard"
    assert html.by_id(section.attrs["aria-labelledby"]).tag == "h2"


def test_visually_hidden(render_macro: MacroRenderer) -> None:
    assert parse(render_macro("visually_hidden", "x")).one("span").attrs["class"] == (
        "gw-visually-hidden"
    )


# ------------------------------------------------------------------ hostile input

# macro → (positional args, keyword args); every string in them is replaced in turn.
CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "card": (("T",), {"testid": "t", "id": "i", "body": "b"}),
    "button": (("L", "a"), {"form_action": "/x", "testid": "t", "id": "i"}),
    "disabled_button": (("L", "a"), {"enabled": False, "disabled_reason": "r", "id": "i"}),
    "badge": (("info", "t"), {}),
    "notice": (("error", "t", "m"), {"id": "i", "focus": True}),
    "stepper": (([{"label": "l", "status": "pending", "detail": "d"}],), {"label": "x"}),
    "token_amount": (("1", "G$"), {"label": "l"}),
    "stream_counter": (("t", 1, "r", 2), {}),
    "address": (("s", "f"), {"id": "i", "label": "l"}),
    "code_block": (("i", "l", "t"), {"copy_label": "c"}),
    "copy_button": (("i", "l"), {"text": "t"}),
    "secret": (("i", "l", "m"), {"value": "v", "reveal_action": "r", "form_action": "/f"}),
    "spinner": (("l",), {}),
    "progress": ((1,), {"label": "l", "value_text": "v"}),
    "table": (("c", [{"key": "k", "label": "l"}], [{"k": "v"}]), {"empty_text": "e"}),
    "field": (
        ("n", "l"),
        {
            "value": "v",
            "id": "i",
            "error": "e",
            "hint": "h",
            "placeholder": "p",
            "autocomplete": "a",
            "suffix": "s",
        },
    ),
    "presets": (
        ([{"value": "v", "label": "l", "note": "n"}], "a"),
        {"selected": "v", "legend": "g", "name": "n"},
    ),
    "segmented": (([{"value": "v", "label": "l"}], "a", "v"), {"legend": "g", "name": "n"}),
    "visually_hidden": (("t",), {}),
}
ENUMS = {  # arguments that must be one of a few values: hostile input fails loudly (tested below)
    ("badge", (0, 0)),
    ("notice", (0, 0)),
}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, (*path, k))]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in _paths(v, (*path, i))]
    return []


def _replace(value: Any, path: tuple[Any, ...], new: str) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in value.items()}
    items = [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(value)]
    return tuple(items) if isinstance(value, tuple) else items


HOSTILE_CASES = [
    (macro, path)
    for macro, call in CALLS.items()
    for path in _paths(call)
    if (macro, path) not in ENUMS
    and not (path[0] == 0 and macro == "stepper" and path[-1] == "status")
    and not (macro == "table" and path[-1] == "key")  # keys are code, not content
    and not (macro == "table" and len(path) == 4 and path[1] == 2)  # row keys follow column keys
]


def _assert_inert(html: Html, hostile: str) -> None:
    assert not html.find("img") and not html.find("script"), html.source
    for el in html.elements:
        assert not [a for a in el.attrs if a.startswith("on") or a == "autofocus"], html.source
    assert hostile not in html.source


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize(("macro", "path"), HOSTILE_CASES, ids=str)
def test_hostile_strings_render_escaped(
    render_macro: MacroRenderer, macro: str, path: tuple[Any, ...], hostile: str
) -> None:
    args, kwargs = _replace(CALLS[macro], path, hostile)
    name = "button" if macro == "disabled_button" else macro
    html = parse(render_macro(name, *args, **kwargs))
    _assert_inert(html, hostile)


@pytest.mark.parametrize(
    ("macro", "args", "kwargs"),
    [
        ("badge", ("<img>", "t"), {}),
        ("notice", ("oops", "t"), {}),
        ("button", ("L", "a"), {"variant": "<b>"}),
        ("token_amount", ("1", "G$"), {"size": "huge"}),
        ("stepper", ([{"label": "l", "status": "done"}],), {}),
        ("field", ("n", "l"), {"type": "hidden"}),
        ("field", ("n", "l"), {"inputmode": "<x>"}),
    ],
)
def test_enumerated_arguments_reject_unknown_values(
    render_macro: MacroRenderer, macro: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="must be one of"):
        render_macro(macro, *args, **kwargs)
