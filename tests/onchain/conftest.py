"""One anvil node per test session with the test contracts deployed over JSON-RPC; every test
runs inside an ``evm_snapshot`` that is reverted afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.onchain.node import TIMINGS, AnvilNode, Deployed, deploy


@pytest.fixture(scope="session")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilNode]:
    """A running anvil (installed from npm on first use). Never skipped: failure is an error."""
    node = AnvilNode.start(tmp_path_factory.mktemp("anvil"))
    yield node
    node.stop()


@pytest.fixture(scope="session")
def deployed_once(anvil: AnvilNode) -> Deployed:
    return deploy(anvil)


@pytest.fixture
def chain(deployed_once: Deployed) -> Iterator[Deployed]:
    """The deployment; whatever a test changes on the node is reverted afterwards."""
    snapshot = deployed_once.node.snapshot()
    yield deployed_once
    deployed_once.node.revert(snapshot)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS.start_s:
        terminalreporter.write_line(
            f"anvil: install {TIMINGS.install_s:.2f}s, start {TIMINGS.start_s:.2f}s"
        )
