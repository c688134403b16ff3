"""Backend- and chain-sourced strings render inert; the API key never leaks."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from ai_credits import State
from ai_credits.core import events as ev
from ai_credits.views import build_view, render_page, render_widget
from tests.components import paths as p
from tests.components.html_tree import Node, parse


def _usage(h: str) -> list[ev.Event]:
    return [*p._connect(credit=p.FUNDED, key_prefix=p.KEY_PREFIX),
            ev.UsageLoaded(rows=p.usage_rows(h, extra_model=h), credit=p.FUNDED, at=p.AT)]


def _payment_failed(h: str) -> list[ev.Event]:
    return [*p._connect(), *p._buy()[:2], ev.PaymentFailed(code="x", message=h, at=p.AT)]


def _backend_message(h: str) -> list[ev.Event]:
    return [*p._connect(), *p._buy(),
            ev.PaymentRecorded(status="funded", credit=p.FUNDED, at=p.AT),
            ev.BackendFailed(kind="not_supported", message=h, at=p.AT)]


def _wallet_message(h: str) -> list[ev.Event]:
    return [*p._connect(), ev.EnterAmount(text="20000", at=p.AT),
            ev.Confirm(at=p.AT), ev.WalletRejected(message=h, at=p.AT)]


def _byok(h: str) -> list[ev.Event]:
    return [ev.UseOwnKey(base_url=h, model=h, at=p.AT)]


def _key_prefix(h: str) -> list[ev.Event]:
    return [*p._connect(credit=p.FUNDED, key_prefix=h),
            ev.UsageLoaded(rows=(), credit=p.FUNDED, at=p.AT)]


def _typed_amount(h: str) -> list[ev.Event]:
    return [*p._connect(), ev.EnterAmount(text=h, at=p.AT)]


FIELDS: dict[str, tuple[Callable[[str], list[ev.Event]], bool]] = {
    # name: (path, whether the whole string is shown; a key prefix is shown only masked)
    "usage model": (_usage, True),
    "payment_failed message": (_payment_failed, True),
    "backend_failed message": (_backend_message, True),
    "wallet_rejected message": (_wallet_message, True),
    "byok base URL and model": (_byok, True),
    "key prefix": (_key_prefix, False),
    "typed amount": (_typed_amount, True),
}


def _elements(html: str) -> list[Node]:
    return list(parse(html).iter())


@pytest.mark.parametrize("hostile", p.HOSTILE)
@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_hostile_strings_render_inert(field: str, hostile: str, theme: str) -> None:
    path, whole = FIELDS[field]
    html = str(render_widget(p.replay(path(hostile)), theme=theme))
    nodes = _elements(html)
    assert not [n for n in nodes if n.tag in ("img", "script")]
    assert not [(n.tag, a) for n in nodes for a in n.attrs if a.lower().startswith("on")]
    shown = parse(html).text() + " " + " ".join(
        str(v) for n in nodes for v in n.attrs.values() if v)
    assert (hostile if whole else hostile[:3]) in shown  # it was rendered, as text


def test_the_same_strings_would_inject_without_escaping() -> None:
    """The checks above can fail: raw hostile markup is seen by the parser."""
    nodes = _elements(f"<p>{p.HOSTILE[0]}</p><p>{p.HOSTILE[1]}</p>")
    assert {n.tag for n in nodes} >= {"img", "script"}
    assert any(a.startswith("on") for n in nodes for a in n.attrs)


@pytest.mark.parametrize("story", sorted(p.STORIES))
def test_token_in_html_only_on_the_screen_right_after_issue(story: str) -> None:
    html = p.rendered(story)
    issued = p.snapshot_for(story).api_key
    holds_token = issued is not None and issued.token is not None
    assert (p.TOKEN in html) is (holds_token and story.startswith("payment_confirmed"))


def test_masked_token_is_shown_masked_and_copied_in_full() -> None:
    view = build_view(p.snapshot_for("payment_confirmed"))
    assert view.api_key is not None and view.api_key.masked == "gd_live_…abcd"
    assert view.api_key.value == p.TOKEN and not view.api_key.revealed  # for Copy only
    html = p.rendered("payment_confirmed")
    assert f'data-value="{p.TOKEN}"' in html and f">{p.TOKEN}<" not in html  # not displayed
    env = view.setup.snippets[0]
    assert "gd_live_…abcd" in env.code and p.TOKEN not in env.code
    assert env.copy_code is not None and f"OPENAI_API_KEY={p.TOKEN}" in env.copy_code


@pytest.mark.parametrize("story", sorted(p.STORIES))
def test_token_never_in_repr_str_or_logs(story: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    view = build_view(p.snapshot_for(story))
    render_page(p.snapshot_for(story))
    logging.getLogger("ai_credits").debug("view %r %s", view, view)
    assert p.TOKEN not in repr(view)
    assert p.TOKEN not in str(view)
    assert p.TOKEN not in caplog.text


def test_revealed_view_carries_the_token_only_in_its_json() -> None:
    view = build_view(p.snapshot_for("payment_confirmed_revealed"))
    assert view.api_key is not None and view.api_key.value == p.TOKEN
    assert p.TOKEN in view.model_dump_json()
    assert p.TOKEN not in repr(view.api_key) and p.TOKEN not in repr(view.setup)


def test_token_dropped_once_leaving_confirmation() -> None:
    snapshot = p.snapshot_for("has_credits")
    assert snapshot.state is State.has_credits
    assert p.TOKEN not in p.rendered("has_credits")
    assert "gd_live_…abcd" in p.rendered("has_credits")
