"""A real redis-server for the test suite, on a free port, persistence off.

The test setup installs Debian's ``redis-server`` with apt (``noxfile.py``); a machine without it
fails the tests that need it, loudly — they never skip.
"""

from __future__ import annotations

import pathlib
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

import pytest

from tests.processes import free_port, stop


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    url: str
    log: pathlib.Path
    start_s: float

    @classmethod
    def start(cls, workdir: pathlib.Path, *, timeout: float = 20.0) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is required (apt-get install redis-server; nox -s tests "
                        "installs it)")
        port = free_port()
        log = workdir / f"redis-{port}.log"
        started = time.monotonic()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(workdir)],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        while True:
            if process.poll() is not None:
                pytest.fail(f"redis-server exited with {process.returncode}: {log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() - started > timeout:
                process.kill()
                pytest.fail(f"redis-server did not answer on port {port}")
            time.sleep(0.05)
        return cls(process, f"redis://127.0.0.1:{port}/0", log, time.monotonic() - started)

    def stop(self) -> None:
        stop(self.process)
