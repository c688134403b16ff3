"""The committed contract artefacts match the committed Solidity sources."""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import shutil
import subprocess

import pytest

from ai_credits.chain import (
    CREATE_FLOW_SELECTOR,
    DELETE_FLOW_SELECTOR,
    GDDEPOSITED_TOPIC,
    STREAMUPDATED_TOPIC,
    TRANSFER_AND_CALL_SELECTOR,
    UPDATE_FLOW_SELECTOR,
)
from ai_credits.chain.abi import selector, topic

HERE = pathlib.Path(__file__).parent / "contracts"
ROOT = HERE.parent.parent.parent
ARTIFACTS = json.loads((HERE / "artifacts.json").read_text())
PINNED = re.search(r'SOLC_VERSION="([0-9.]+)"', (HERE / "ensure_solc.sh").read_text())


def test_recorded_source_hashes_match_the_sources() -> None:
    sources = sorted(p.name for p in HERE.glob("*.sol"))
    assert sorted(ARTIFACTS["sources"]) == sources
    for name in sources:
        digest = hashlib.sha256((HERE / name).read_bytes()).hexdigest()
        assert ARTIFACTS["sources"][name]["sha256"] == digest, f"{name} changed: recompile"


def test_solc_version_is_the_pinned_one_everywhere() -> None:
    assert PINNED is not None
    version = PINNED.group(1)
    assert ARTIFACTS["solc_version"].startswith(version + "+")
    assert f'SOLC_VERSION = "{version}"' in (HERE / "compile.mjs").read_text()
    for name in ARTIFACTS["sources"]:
        assert f"pragma solidity {version};" in (HERE / name).read_text()


def _abi_signatures(contract: str, kind: str) -> set[str]:
    return {
        f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
        for item in ARTIFACTS["contracts"][contract]["abi"]
        if item["type"] == kind
    }


def test_stand_ins_expose_the_real_signatures() -> None:
    token = {selector(s) for s in _abi_signatures("TestGoodDollar", "function")}
    assert TRANSFER_AND_CALL_SELECTOR in token
    forwarder = {selector(s) for s in _abi_signatures("TestFlowForwarder", "function")}
    assert {CREATE_FLOW_SELECTOR, UPDATE_FLOW_SELECTOR, DELETE_FLOW_SELECTOR} <= forwarder
    assert "getFlowrate(address,address,address)" in _abi_signatures("TestFlowForwarder", "function")
    vault_events = {topic(s) for s in _abi_signatures("TestCreditsVault", "event")}
    assert {GDDEPOSITED_TOPIC, STREAMUPDATED_TOPIC} <= vault_events
    assert {
        "FirstDepositBelowMinimum()",
        "StreamRateBelowMinimum()",
        "MissingBuyerAddress()",
        "ZeroAmount()",
    } <= _abi_signatures("TestCreditsVault", "error")
    assert "getWhitelistedRoot(address)" in _abi_signatures("TestGoodId", "function")


@pytest.mark.skipif(
    not (ROOT / "build" / "solc" / "node_modules" / "solc").is_dir() or not shutil.which("node"),
    reason="solc-js not installed: run tests/chain/contracts/ensure_solc.sh",
)
def test_recompiling_reproduces_the_artefacts_byte_for_byte() -> None:
    result = subprocess.run(
        ["node", str(HERE / "compile.mjs"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
