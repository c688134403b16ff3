"""Run every benchmark module (``tests/bench/bench_*.py``), write ``build/bench.json`` and print it.

Each module exposes ``run() -> dict[str, float]``; keys are flat and global.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent.parent


def main() -> int:
    figures: dict[str, float] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"tests.bench.{path.stem}")
        print(f"bench: {path.stem} …", file=sys.stderr, flush=True)
        figures.update(module.run())
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dict(sorted(figures.items())), indent=2)
    out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
