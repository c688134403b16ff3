"""Command line of the catalogue: ``build --out DIR`` and ``serve [--port] [--no-watch] …``.

Used by ``python -m catalogue`` and by ``ai-credits catalogue build`` / ``ai-credits serve``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["add_build_args", "add_serve_args", "build_command", "main", "serve_command"]


def add_build_args(parser: argparse.ArgumentParser) -> None:
    """``--out DIR`` and ``--quiet``."""
    parser.add_argument("--out", type=Path, default=Path("build/catalogue"),
                        help="output directory (default: build/catalogue)")  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def add_serve_args(parser: argparse.ArgumentParser) -> None:
    """``--port``, ``--backend-url``, ``--out``, ``--no-watch``."""
    parser.add_argument("--port", type=int, default=6006)
    parser.add_argument("--backend-url", default=None,
                        help="a credits backend (Worker) URL; default: in-memory fixtures")
    parser.add_argument("--out", type=Path, default=Path("build/catalogue"))
    parser.add_argument("--no-watch", dest="watch", action="store_false",
                        help="build once: no rebuild and page reload when the sources change")


def build_command(args: argparse.Namespace) -> int:
    """Build; a broken story is one line on stderr and exit status 1."""
    from catalogue.build import (
        DEFAULT_A11Y_DIR,
        DEFAULT_TEST_TRACES,
        BuildError,
        build_catalogue,
    )
    from catalogue.coverage import load_test_traces

    try:
        result = build_catalogue(args.out, progress=None if args.quiet else print,
                                 a11y_dir=DEFAULT_A11Y_DIR,
                                 extra_traces=load_test_traces(DEFAULT_TEST_TRACES))  # fmt: skip
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    cov = result.coverage.summary()
    print(f"built {result.stories} stories, {result.pages} pages into {args.out} · states "
          f"{cov['states_covered']}/{cov['states_total']} · transitions by stories "
          f"{cov['transitions_by_stories']}/{cov['transitions_total']}, with the test suite "
          f"{cov['transitions_covered']}/{cov['transitions_total']}")  # fmt: skip
    return 0


def serve_command(args: argparse.Namespace) -> int:
    """Build and serve (blocks)."""
    from catalogue.build import BuildError
    from catalogue.serve import serve

    live = None
    if getattr(args, "rpc_url", None) or getattr(args, "store", None):
        # the real thing: a browser wallet paying on the node, visitors in the store
        import os

        from ai_credits.cli import host_env
        from ai_credits.host import from_env

        if not args.backend_url:
            print("error: serve --rpc-url/--store needs --backend-url", file=sys.stderr)
            return 2
        os.environ.update({**host_env(args), "AI_CREDITS_PREFIX": "/live"})
        live = from_env()
    try:
        serve(args.port, args.backend_url, args.out, live=live, watch=getattr(args, "watch", True))
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m catalogue build|serve``."""
    parser = argparse.ArgumentParser(prog="python -m catalogue")
    commands = parser.add_subparsers(dest="command", required=True)
    add_build_args(commands.add_parser("build", help="build the static catalogue"))
    add_serve_args(commands.add_parser("serve", help="build, serve and host the live page"))
    args = parser.parse_args(argv)
    return build_command(args) if args.command == "build" else serve_command(args)
