"""``ai-credits serve`` as a developer meets it, on a copy of the project's packages:

* ``serve_first_frame_s``: process start until the first story's frame answers 200;
* ``serve_rebuild_one_story_ms``: a story module saved until the reload event for its pages
  arrives (``…_cpu_ms``: CPU of the whole rebuild process, the pages made from every story too);
* ``serve_rebuild_css_ms``: the widget's stylesheet saved until its reload event;
* ``serve_rebuild_widget_template_ms``: a card template saved until its reload event (the slow
  path: the waiting interpreter had compiled that template, so a new one starts).

Medians of :data:`RUNS` edits each, the server left a few seconds between edits to warm its next
interpreter (as between a developer's saves).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from queue import Queue

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ai_credits", "catalogue", "stories", "fixtures")
RUNS = 5
SETTLE_S = 5.0
"""Between two saves: the next rebuild interpreter imports and compiles meanwhile."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, answer.read().decode()


def _events(url: str) -> Iterator[tuple[str, dict[str, object]]]:
    with urllib.request.urlopen(url, timeout=120) as stream:
        event = ""
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                yield event, json.loads(line.removeprefix("data: "))


class _Server:
    def __init__(self, project: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "catalogue", "serve", "--port", str(self.port), "--out",
             str(project / "out")], cwd=project, env={**os.environ, "PYTHONPATH": str(project)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self.queue: Queue[tuple[str, dict[str, object]]] = Queue()

    def first_frame_s(self) -> float:
        while time.perf_counter() - self.started < 60:
            try:
                _, page = _get(f"{self.url}/")
                frame = re.search(r'<iframe[^>]*\ssrc="([^"]+)"', page)
                if frame and _get(f"{self.url}/{frame.group(1)}")[0] == 200:
                    return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.005)
        raise TimeoutError("serve never answered")

    def listen(self) -> None:
        def read() -> None:
            for item in _events(f"{self.url}/__reload"):
                self.queue.put(item)

        threading.Thread(target=read, daemon=True).start()
        _, hello = self.queue.get(timeout=60)
        if not hello["ready"]:
            self.next_rebuilt()

    def next_rebuilt(self) -> tuple[float, dict[str, object]]:
        """When the next rebuild's first step arrived (what a page reloads on), and its last."""
        first = None
        while True:
            kind, data = self.queue.get(timeout=120)
            if kind == "failed":
                raise RuntimeError(f"rebuild failed: {data}")
            if kind == "rebuilt":
                first = first or time.perf_counter()
                if data["done"]:
                    return first, data

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def _edit_s(server: _Server, path: Path, original: str, edited: str, n: int
            ) -> tuple[float, float]:  # fmt: skip
    """Save ``path`` edited (every other run: back to the original); (wall s, CPU ms)."""
    time.sleep(SETTLE_S)
    start = time.perf_counter()
    path.write_text(edited if n % 2 == 0 else original, encoding="utf-8")
    reloaded, data = server.next_rebuilt()
    return reloaded - start, float(data["cpu_ms"])  # type: ignore[arg-type]


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for package in PACKAGES:
            shutil.copytree(ROOT / package, project / package,
                            ignore=shutil.ignore_patterns("__pycache__", "baselines"))  # fmt: skip
        story = project / "stories" / "keys.py"
        css = project / "ai_credits" / "components" / "static" / "css" / "widget.css"
        card = project / "ai_credits" / "components" / "cards" / "quote_card.jinja"
        edits = {
            "story": (story, "Revoking stops every tool", "Revoking stops each tool"),
            "css": (css, "", "/* edited */"),  # appended
            "widget_template": (card, 'data-testid="quote-card"',
                                'data-testid="quote-card" data-edited'),
        }  # fmt: skip
        first: list[float] = []
        timings: dict[str, list[float]] = {name: [] for name in edits}
        cpu: list[float] = []
        for n in range(RUNS):
            shutil.rmtree(project / "out", ignore_errors=True)
            server = _Server(project)
            try:
                first.append(server.first_frame_s())
                if n == 0:  # one server for the edits
                    server.listen()
                    for name, (path, a, b) in edits.items():
                        original = path.read_text(encoding="utf-8")
                        edited = original.replace(a, b, 1) if a else original + b + "\n"
                        for m in range(RUNS):
                            wall, cpu_ms = _edit_s(server, path, original, edited, m)
                            timings[name].append(wall)
                            if name == "story":
                                cpu.append(cpu_ms)
            finally:
                server.stop()
    figures = {"serve_first_frame_s": round(statistics.median(first), 3),
               "serve_rebuild_one_story_cpu_ms": round(statistics.median(cpu))}  # fmt: skip
    for name, walls in timings.items():
        figures[f"serve_rebuild_{name}_ms" if name != "story" else "serve_rebuild_one_story_ms"] = (
            round(statistics.median(walls) * 1000))  # fmt: skip
    return figures


if __name__ == "__main__":
    print(run())
