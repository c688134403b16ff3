"""Whole-process figures: ``python -m catalogue build`` start to exit (CPU from the OS accounting of
the child), and ``ai-credits serve`` until its first page answers with the first story."""

from __future__ import annotations

import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 3


def _build_cpu_s(out: Path) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "catalogue", "build", "--out", str(out), "--quiet"],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return round(statistics.median(cpu), 3), round(statistics.median(wall), 3)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_first_page_s(out: Path) -> float:
    port = _free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "catalogue", "serve", "--port", str(port),
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        while time.perf_counter() - start < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as answer:
                    if b"<iframe" in answer.read():
                        return round(time.perf_counter() - start, 3)
            except OSError:
                time.sleep(0.01)
        raise TimeoutError("serve never answered")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cpu, wall = _build_cpu_s(Path(tmp) / "build")
        first = statistics.median(_serve_first_page_s(Path(tmp) / f"serve{n}") for n in range(3))
    return {"catalogue_build_process_cpu_s": cpu, "catalogue_build_process_wall_s": wall,
            "serve_first_page_s": first}  # fmt: skip


if __name__ == "__main__":
    print(run())
