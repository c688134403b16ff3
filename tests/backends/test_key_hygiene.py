"""API keys: only their hash is stored; the token never shows in reprs, errors or logs."""

from __future__ import annotations

import hashlib
import logging
import pickle

import pytest

from ai_credits.backends.errors import Unauthorised
from ai_credits.backends.fixture import FixtureBackend

from .conftest import A, Harness

HI = [{"role": "user", "content": "hi"}]


async def test_key_never_logged_or_shown(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await harness.fund(A, 1, verified=False)
    token = await harness.api_key(label="ci")
    listing = await harness.backend.list_api_keys(token)
    await harness.backend.chat_completion(token, {"messages": HI, "max_tokens": 3})
    await harness.backend.usage(token)
    await harness.backend.revoke_api_key(token, listing.api_keys[0].id)
    with pytest.raises(Unauthorised) as info:
        await harness.backend.list_api_keys(token)
    # a library logger line that (wrongly) contained a key would be scrubbed too
    logging.getLogger("ai_credits.backends.worker").warning("leak attempt %s", token)
    secret_part = token[len("gd_live_") :]
    assert caplog.records, "the HTTP client logged nothing; the check would be vacuous"
    assert secret_part not in caplog.text
    for shown in (repr(harness.backend), repr(harness.fixture), repr(info.value), str(info.value)):
        assert secret_part not in shown


async def test_only_the_hash_is_stored(fixture_backend: FixtureBackend) -> None:
    issued = fixture_backend.issue_key_for(A)
    token = issued.token.get_secret_value()
    assert fixture_backend.keys.stored_hashes == {hashlib.sha256(token.encode()).hexdigest()}
    stored = pickle.dumps(fixture_backend.keys)
    assert token[len("gd_live_") :].encode() not in stored
    assert token[-4:] in issued.api_key.token_prefix  # the masked form is all that is kept
    assert token[len("gd_live_") :] not in repr(issued) and token not in str(issued)
    assert issued.to_wire()["token"] == token  # … but the one-time answer carries it


async def test_tokens_nonces_and_ids_are_deterministic(fixture_backend: FixtureBackend) -> None:
    import random

    other = FixtureBackend(clock=fixture_backend.clock, rng=random.Random(7))
    first = fixture_backend.issue_key_for(A).token.get_secret_value()
    second = other.issue_key_for(A).token.get_secret_value()
    assert first == second
    assert first != fixture_backend.issue_key_for(A).token.get_secret_value()
