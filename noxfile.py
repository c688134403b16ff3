"""Every developer and CI task. `nox -s catalogue` builds and serves the catalogue; `nox -s tests`
runs everything CI checks (lint, types, the whole pytest suite incl. EVM, browser and visual tests)."""

from __future__ import annotations

import hashlib
import os
import pathlib
import shutil

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

ROOT = pathlib.Path(__file__).parent
PYTHON = "3.11"
CHROMIUM = "/usr/bin/chromium"


def _install_once(session: nox.Session, *args: str) -> None:
    """``pip install *args`` unless this very venv already had it with the same pyproject.toml.

    A stamp in the venv records the hash of pyproject.toml and the arguments after a successful
    install; a warm start with nothing changed skips pip (seconds) and goes straight to work.  A
    new venv, an edited pyproject.toml, other arguments, a failed install, ``nox -N`` (recreate)
    or ``AI_CREDITS_REINSTALL=1`` all install again.  Code needs no reinstall: it is editable.
    """
    venv = getattr(session.virtualenv, "location", None)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update("\0".join(args).encode())
    stamp = pathlib.Path(venv, ".ai-credits-installed") if venv else None
    scripts = pathlib.Path(venv or ".", "Scripts" if os.name == "nt" else "bin")
    fresh = (
        stamp is not None
        and stamp.is_file()
        and stamp.read_text() == digest.hexdigest()
        and (scripts / ("ai-credits.exe" if os.name == "nt" else "ai-credits")).exists()
        and not os.environ.get("AI_CREDITS_REINSTALL")
    )
    if fresh:
        session.log("dependencies up to date (pyproject.toml unchanged): pip skipped")
        return
    session.install(*args)
    if stamp is not None:
        stamp.write_text(digest.hexdigest())


def _install(session: nox.Session) -> None:
    _install_once(session, "-e", ".[dev]")


def _ensure_system_tools(session: nox.Session) -> None:
    """Debian's Chromium for browser tests, redis-server for the host's shared session store;
    Node for solc/axe/anvil (all from package registries; anvil, the local EVM node of
    tests/onchain, comes as an npm platform package)."""
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append("chromium")
    if shutil.which("npm") is None:
        missing += ["nodejs", "npm"]
    if shutil.which("redis-server") is None:  # the host's shared session store (tests/onchain)
        missing.append("redis-server")
    if missing:
        session.run("apt-get", "update", "-q", external=True)
        session.run("apt-get", "install", "-y", "-q", *missing, external=True)
    for script in (
        "tests/chain/contracts/ensure_solc.sh",
        "tests/onchain/ensure_anvil.sh",
        "catalogue/visual/ensure_axe.sh",
    ):
        if (ROOT / script).exists():
            session.run("bash", script, external=True)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the library, the catalogue, stories and tests."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", "ai_credits", "catalogue", "stories", "fixtures", "tests")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the library."""
    _install(session)
    session.run("mypy", "--strict", "ai_credits")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Everything CI checks: lint, types, and the whole pytest suite."""
    _install(session)
    _ensure_system_tools(session)
    session.run("ruff", "check", "ai_credits", "catalogue", "stories", "fixtures", "tests")
    session.run("mypy", "--strict", "ai_credits")
    session.run("pytest", "-q", *session.posargs)


@nox.session(python=PYTHON)
def visual(session: nox.Session) -> None:
    """Screenshots of every story × mode against the baselines, and axe on every story × theme;
    build/visual-report/index.html lists every shot. Takes pytest arguments: `-- -n 2`
    (pytest-xdist workers, one browser each), `-- --shard 2/4` (one job of a CI matrix)."""
    _install(session)
    _ensure_system_tools(session)
    session.run("pytest", "-q", "tests/visual", *session.posargs)


@nox.session(name="update-baselines", python=PYTHON)
def update_baselines(session: nox.Session) -> None:
    """Accept the current rendering: rewrite the screenshot and a11y baselines (review the diff)."""
    _install(session)
    _ensure_system_tools(session)
    session.run("pytest", "-q", "tests/visual", "--snapshot-update", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Write build/bench.json and print it, each figure beside its anchor (``nox -s anchors``)."""
    _install(session)
    _ensure_system_tools(session)
    session.run("python", "-m", "tests.bench")


@nox.session(python=PYTHON)
def anchors(session: nox.Session) -> None:
    """What the bench compares with: Storybook 10 and Playwright Test on the same frames, from npm
    (pinned by tests/bench/anchors/*/package-lock.json), into build/anchors.json; ``nox -s bench``
    prints them beside our figures. Slow (~12 min on 2 cores); never part of ``nox -s tests``."""
    _install(session)
    _ensure_system_tools(session)
    for project in ("storybook", "playwright-test"):
        # the browser is Debian's Chromium, as in our suite; Playwright's own download is skipped
        session.run("npm", "ci", "--no-audit", "--no-fund", "--prefix",
                    f"tests/bench/anchors/{project}", external=True,
                    env={"PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"})  # fmt: skip
    session.run("python", "-m", "tests.bench.anchors.run", *session.posargs)


@nox.session(python=PYTHON)
def catalogue(session: nox.Session) -> None:
    """The main job: build and serve the catalogue and the live host (in-memory fixture backend
    by default; ``nox -s catalogue -- --backend-url http://127.0.0.1:8787`` for a real one).
    Runtime dependencies only, installed once per pyproject.toml (see :func:`_install_once`)."""
    _install_once(session, "-e", ".")
    session.run("ai-credits", "serve", *session.posargs)


@nox.session(name="dev-backend", python=PYTHON)
def dev_backend(session: nox.Session) -> None:
    """The fixture backend over HTTP on port 8787, speaking the Worker's wire contract."""
    _install(session)
    session.run("ai-credits", "dev-backend", *session.posargs)
