"""The ``ai-credits`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _demo(_: argparse.Namespace) -> int:
    """Walk the happy path through the real machine and print states, effects, quotes, diagram."""
    from datetime import UTC, datetime

    from ai_credits import initial_snapshot, step
    from ai_credits.core import events as ev
    from ai_credits.core.models import CreditSummary, WalletInfo
    from ai_credits.diagram import mermaid
    from ai_credits.quote import credit_with_bonus, format_gd, format_usd

    at = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    account = "0x" + "ab" * 20
    path: list[ev.Event] = [
        ev.Connect(at=at),
        ev.WalletConnected(account=account, chain_id=42220, at=at),
        ev.AccountLoaded(
            wallet=WalletInfo(account=account, chain_id=42220, g_balance_wei=50_000 * 10**18,
                              verified=True),
            credit=CreditSummary(), gd_price="0.0001", at=at,
        ),
        ev.EnterAmount(text="20000", at=at),
        ev.Confirm(request_id="demo-1", at=at),
        ev.PaymentSubmitted(tx_hash="0x" + "12" * 32, at=at),
        ev.PaymentRecorded(status="funded", credit=CreditSummary(credited_usd=2_200_000), at=at),
    ]  # fmt: skip
    snapshot = initial_snapshot()
    print(f"start: {snapshot.state.value}")
    for event in path:
        result = step(snapshot, event)
        snapshot = result.snapshot
        effects = ", ".join(e.type for e in result.effects) or "—"
        print(f"  {event.type:<18} → {snapshot.state.value:<20} effects: {effects}")
    print("\nquotes (price 0.0001 cUSD per G$):")
    for gd in (1_000, 10_000, 100_000):
        for verified in (True, False):
            q = credit_with_bonus(gd * 10**18, source="deposit", verified=verified,
                                  gd_price="0.0001")  # fmt: skip
            print(f"  {format_gd(gd * 10**18):>8} G$ verified={verified!s:<5} "
                  f"principal {format_usd(q.principal_usd):>8} bonus {format_usd(q.bonus_usd):>7} "
                  f"total {format_usd(q.total_credit_usd)}")  # fmt: skip
    print("\n" + mermaid())
    return 0


CHAIN_OPTIONS = {
    "vault": "CELO_VAULT_ADDRESS",
    "gd_token": "CELO_GD_SUPERTOKEN_ADDRESS",
    "goodid": "CELO_GOODID_ADDRESS",
    "price_oracle": "CELO_STATIC_ORACLE_ADDRESS",
    "cusd": "CELO_CUSD_ADDRESS",
    "cfa_forwarder": None,
}
"""``dev-backend`` options naming contracts (``--vault``, …) and the Worker setting each mirrors."""


def chain_config_from_args(args: argparse.Namespace) -> Any:
    """The :class:`~ai_credits.chain.ChainConfig` of ``dev-backend --rpc-url URL [--vault …]``:
    Celo mainnet's addresses unless an option names another contract (a local node's)."""
    from ai_credits.chain import ChainConfig

    given = {k: getattr(args, k) for k in CHAIN_OPTIONS if getattr(args, k, None)}
    return ChainConfig(rpc_url=args.rpc_url, **given)


def _dev_backend(args: argparse.Namespace) -> int:
    """Serve the in-memory FixtureBackend over HTTP, speaking the Worker's wire contract."""
    from ai_credits.backends.devserver import serve

    chain = None
    if args.rpc_url:
        from ai_credits.chain import ChainReader, Web3ChainEventSource

        chain = Web3ChainEventSource(ChainReader(chain_config_from_args(args)))
    where = f"http://{args.host}:{args.port}"
    routes = "live + planned routes" if args.planned else "the Worker's live routes"
    reads = f"chain {args.rpc_url}" if args.rpc_url else "no chain"
    print(f"ai-credits dev backend (scenario: {args.scenario or 'empty'}; {routes}; {reads}) "
          f"on {where}", flush=True)  # fmt: skip
    serve(port=args.port, host=args.host, scenario=args.scenario, chain=chain,
          planned=args.planned)  # fmt: skip
    return 0


def host_env(args: argparse.Namespace) -> dict[str, str]:
    """The ``AI_CREDITS_*`` settings of ``host`` / ``serve --rpc-url``, for every worker
    (:func:`ai_credits.host.from_env`); the secret comes from the environment, never argv."""
    import os

    env = {"AI_CREDITS_BACKEND_URL": args.backend_url or "", "AI_CREDITS_STORE": args.store or "",
           "AI_CREDITS_PREFIX": getattr(args, "prefix", "") or ""}  # fmt: skip
    if args.rpc_url:
        env["AI_CREDITS_CHAIN"] = chain_config_from_args(args).model_dump_json()
    if getattr(args, "worker_header", False):
        env["AI_CREDITS_WORKER_HEADER"] = "1"
    shared = bool(args.store) and not args.store.startswith("memory:")
    if shared and not os.environ.get("AI_CREDITS_SECRET"):
        raise SystemExit("error: a shared --store needs AI_CREDITS_SECRET in the environment "
                         "(the same on every worker: it encrypts stored API keys)")
    if getattr(args, "workers", 1) > 1 and not shared:
        raise SystemExit("error: several --workers need a shared --store (redis://…)")
    return env


def _host(args: argparse.Namespace) -> int:
    """Serve :func:`ai_credits.host.create_app` alone (uvicorn, ``--workers`` processes)."""
    import os

    import uvicorn

    if not args.backend_url:
        raise SystemExit("error: host needs --backend-url")
    os.environ.update(host_env(args))
    print(f"ai-credits host on http://{args.host}:{args.port}{args.prefix or ''}/ "
          f"(backend {args.backend_url}; chain {args.rpc_url or 'Celo (forno)'}; store "
          f"{args.store or 'memory'}; {args.workers} worker(s))", flush=True)  # fmt: skip
    uvicorn.run("ai_credits.host:from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="warning")  # fmt: skip
    return 0


def add_host_args(parser: argparse.ArgumentParser) -> None:
    """``--rpc-url``, ``--store`` and the contract options shared by ``host`` and ``serve``."""
    parser.add_argument("--rpc-url", default=None,
                        help="the node to read balances and receipts from (a real wallet pays)")
    parser.add_argument("--store", default=None,
                        help="session store: memory:// (default) or redis://host:port/db")
    for option, setting in CHAIN_OPTIONS.items():
        parser.add_argument("--" + option.replace("_", "-"), dest=option, default=None,
                            help=f"contract address on the node (the Worker's {setting})"
                            if setting else "CFAv1Forwarder address on the node")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(prog="ai-credits", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="walk the machine's happy path in the terminal")
    demo.set_defaults(handler=_demo)
    dev = commands.add_parser(
        "dev-backend", help="serve the fixture backend over HTTP with the Worker's wire contract"
    )
    dev.add_argument("--port", type=int, default=8787)
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--scenario", default=None, help="a scenario name from fixtures/scenarios")
    dev.add_argument("--rpc-url", default=None,
                     help="credit like the Worker from this node: vault events, GoodID, oracle")
    for option, setting in CHAIN_OPTIONS.items():
        dev.add_argument("--" + option.replace("_", "-"), dest=option, default=None,
                         help=f"contract address on the node (the Worker's {setting})"
                         if setting else "CFAv1Forwarder address on the node (flow rates)")
    dev.add_argument("--planned", action="store_true",
                     help="also serve the planned routes (keys, quote, requests, chat)")
    dev.set_defaults(handler=_dev_backend)
    host = commands.add_parser(
        "host", help="the embeddable host alone: the widget with a browser wallet, for real"
    )
    host.add_argument("--port", type=int, default=8000)
    host.add_argument("--host", default="127.0.0.1")
    host.add_argument("--backend-url", default=None, help="the credits backend (Worker) URL")
    host.add_argument("--prefix", default="", help="the path the app is served under")
    host.add_argument("--workers", type=int, default=1, help="worker processes (redis store)")
    host.add_argument("--worker-header", action="store_true",
                      help="answer with X-AiCredits-Worker: <pid> (tests)")
    add_host_args(host)
    host.set_defaults(handler=_host)
    _add_catalogue_commands(commands)
    return parser


def _catalogue_cli() -> Any:
    """The catalogue's CLI module, imported only when a catalogue command runs."""
    return importlib.import_module("catalogue.cli")


def _add_catalogue_commands(commands: Any) -> None:
    """``catalogue build --out DIR`` and ``serve [--port] [--backend-url]`` (see ``catalogue``)."""
    catalogue = commands.add_parser("catalogue", help="the component catalogue")
    sub = catalogue.add_subparsers(dest="catalogue_command", required=True)
    build = sub.add_parser("build", help="build the static catalogue")
    build.add_argument("--out", type=Path, default=Path("build/catalogue"))
    build.add_argument("--quiet", action="store_true", help="no progress lines")
    build.set_defaults(handler=lambda a: int(_catalogue_cli().build_command(a)))
    serve = commands.add_parser("serve", help="build the catalogue, serve it and the live page")
    serve.add_argument("--port", type=int, default=6006)
    serve.add_argument("--backend-url", default=None,
                       help="credits backend URL (default: in-memory fixtures)")
    serve.add_argument("--out", type=Path, default=Path("build/catalogue"))
    serve.add_argument("--no-watch", dest="watch", action="store_false",
                       help="build once: no rebuild and page reload when the sources change")
    add_host_args(serve)
    serve.set_defaults(handler=lambda a: int(_catalogue_cli().serve_command(a)))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ai-credits`` command."""
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
