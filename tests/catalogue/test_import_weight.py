"""The render and catalogue path never imports the chain stack or an HTTP client: a build needs
fixture keys and signatures (``ai_credits.ethcrypto``), not web3.  Checked in a fresh interpreter;
and importing the chain stack afterwards still leaves a safe recursion limit (issue 11)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("web3", "eth_account", "py_ecc", "httpx", "aiohttp", "eth_abi", "eth_utils", "eth_keys")


def run(script: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_catalogue_path_imports_no_chain_stack() -> None:
    out = run(f"""
        import sys
        import ai_credits, ai_credits.views, ai_credits.diagram, ai_credits.runtime
        import catalogue.build, stories.runner, fixtures.wallets, fixtures.world
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert out.strip() == "[]"


def test_every_story_runs_without_the_chain_stack() -> None:
    out = run(f"""
        import sys
        from stories import STORIES
        from stories.runner import resolve_all
        resolved = resolve_all(STORIES)  # every story: payments, streams, sign-ins, keys
        assert len(resolved) == len(STORIES)
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """)
    assert out.strip() == "[]"


def test_the_chain_stack_imported_later_still_leaves_a_safe_recursion_limit() -> None:
    out = run("""
        import sys
        before = sys.getrecursionlimit()
        import fixtures.world, catalogue.build
        assert "py_ecc" not in sys.modules
        from ai_credits.chain import CustodialWallet
        CustodialWallet("0x" + "11" * 32)  # imports eth_account, web3 (and py_ecc) now
        import eth_account, py_ecc
        assert "py_ecc" in sys.modules
        print(before, sys.getrecursionlimit())
    """)
    before, after = map(int, out.split())
    assert after == before <= 10_000
