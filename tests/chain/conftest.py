"""Fixtures of the chain tests: one eth-tester deployment per module, rolled back per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.wallets import UNVERIFIED, VERIFIED
from tests.chain.evm import Deployment, G, deploy


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    """The four test-only contracts deployed once per module on an in-process py-evm chain,
    with the fixture accounts funded: VERIFIED (100 000 G$, GoodID), UNVERIFIED (5 G$)."""
    d = deploy()
    d.fund(VERIFIED.address, g_wei=100_000 * G, verified=True)
    d.fund(UNVERIFIED.address, g_wei=5 * G)
    return d


@pytest.fixture
def evm(deployment: Deployment) -> Iterator[Deployment]:
    """The deployment, with every change a test makes reverted afterwards (eth-tester snapshot)."""
    snapshot = deployment.tester.take_snapshot()
    yield deployment
    deployment.tester.revert_to_snapshot(snapshot)
