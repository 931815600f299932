"""Process handling shared by every managed test server.

Each server runs in its own process group so that stopping it also stops its children, and it
keeps its port and data directory across stop/start so fault tests can bring it back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

CACHE_DIR = Path(os.environ.get("MODELHUB_CACHE", Path.home() / ".cache" / "modelhub"))
REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class ServerExited(RuntimeError):
    """Raised by a readiness check whose process has died: wait_for gives up at once."""


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = predicate()
        except ServerExited:
            raise
        except Exception:
            result = None
        if result:
            return result
        time.sleep(interval)
    tail = ""
    if log and log.exists():
        tail = (
            "\n--- last lines of " + str(log) + " ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        )
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s{tail}")


class ManagedServer:
    """A server process owned by the test run. Subclasses set `name` and implement `command`/`ready`."""

    name = "server"
    startup_timeout = 60.0

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"{self.name}.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    # -- to implement -------------------------------------------------------------------------
    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def ready(self) -> bool:
        return port_open(self.port)

    def prepare(self) -> None:
        """One-time setup before the first start (init a data dir, write config)."""

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            return
        if not getattr(self, "_prepared", False):
            self.prepare()
            self._prepared = True
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.workdir,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        # Lets scripts/test.sh kill the group even if the test process itself dies.
        (self.workdir / f"{self.name}.pgid").write_text(str(self.process.pid))

        def is_ready():
            if self.process.poll() is not None:
                raise ServerExited(f"{self.name} exited with {self.process.returncode} (log: {self.log_path})")
            return self.ready()

        try:
            wait_for(is_ready, self.startup_timeout, self.name, log=self.log_path)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is None:
            return
        stop_process_group(self.process)
        self.process = None
        (self.workdir / f"{self.name}.pgid").unlink(missing_ok=True)


def stop_process_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    # Children may outlive the leader; the group id stays the leader's pid.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)
