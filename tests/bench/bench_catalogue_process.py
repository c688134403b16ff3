"""Whole-process figures: ``python -m catalogue build`` start to exit, and ``ai-credits serve``
until its first page answers with the first story.

:func:`whole_process` is also how the Storybook anchor is measured (``tests/bench/anchors``), so
``catalogue_build_process_cpu_s`` and ``anchor_storybook_build_cpu_s`` are the same measurement:
user + sys CPU of the process and every descendant, including those that outlive their parent
(Storybook leaves esbuild service processes behind), wall time to exit, and peak RSS of the
largest single process.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 3
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


@dataclass(frozen=True)
class ProcessUsage:
    """What one whole process (with its descendants) cost."""

    wall_s: float
    cpu_s: float
    rss_mib: float


def _set_child_subreaper(on: bool) -> None:
    """Make orphaned descendants ours to reap (Linux), so their CPU is counted too."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)


def _adopted_children(known: set[int]) -> list[int]:
    """Our children not started by us: descendants of a finished child, re-parented to us."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in known:
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:  # field 4: ppid
                found.append(int(entry.name))
    return found


def whole_process(cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None,
                  ) -> ProcessUsage:  # fmt: skip
    """Run ``cmd`` to completion (output discarded, failure raised) and measure it whole."""
    known = {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}
    _set_child_subreaper(True)
    try:
        # stderr to a file, not a pipe: a descendant holding the pipe open would stretch the wall
        with tempfile.TemporaryFile() as errors:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                    stderr=errors)  # fmt: skip
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            usages = [usage]
            while adopted := _adopted_children(known):
                usages += [os.wait4(pid, 0)[2] for pid in adopted]
            errors.seek(0)
            stderr = errors.read()[-4000:].decode(errors="replace")
    finally:
        _set_child_subreaper(False)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=stderr)
    return ProcessUsage(
        wall_s=round(wall, 3),
        cpu_s=round(sum(u.ru_utime + u.ru_stime for u in usages), 3),
        rss_mib=round(max(u.ru_maxrss for u in usages) / 1024, 1),  # Linux: KiB
    )


def median_usage(runs: Sequence[ProcessUsage]) -> ProcessUsage:
    """Each figure's median over ``runs``."""
    return ProcessUsage(*(statistics.median(getattr(r, f) for r in runs)
                          for f in ("wall_s", "cpu_s", "rss_mib")))  # fmt: skip


def catalogue_build_cmd(out: Path) -> list[str]:
    """Build every story × mode frame (what the visual suite and the Storybook anchor get)."""
    return [sys.executable, "-m", "catalogue", "build", "--out", str(out), "--quiet"]


def _build(out: Path) -> ProcessUsage:
    whole_process(catalogue_build_cmd(out), cwd=ROOT)  # warm-up: OS caches, .pyc
    return median_usage([whole_process(catalogue_build_cmd(out), cwd=ROOT) for _ in range(RUNS)])


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
        build = _build(Path(tmp) / "build")
        frames = len(list((Path(tmp) / "build" / "frames").glob("*.html")))
        first = statistics.median(_serve_first_page_s(Path(tmp) / f"serve{n}") for n in range(3))
    return {"catalogue_build_process_cpu_s": build.cpu_s,
            "catalogue_build_process_wall_s": build.wall_s,
            "catalogue_build_process_rss_mib": build.rss_mib,
            "catalogue_build_frames": frames,
            "serve_first_page_s": first}  # fmt: skip


if __name__ == "__main__":
    print(run())
