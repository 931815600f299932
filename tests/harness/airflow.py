"""Airflow 3.3 for tests: api-server + scheduler + dag-processor on a free loopback port.

Airflow lives in its own virtualenv (scripts/install/airflow.sh, pinned by airflow/requirements.lock):
its pins clash with the app's. Metadata is SQLite in the workdir and tasks run with LocalExecutor.
Each of the three processes runs in its own process group; stop() ends them all, and also any process
that they left behind in another group (Airflow puts every task in a group of its own), found by a tag
in its environment. stop() then start() brings it back on the same port with the same database.

    server = AirflowServer(tmp_path / "airflow", dags_folder)
    server.start()
    server.wait_for_dag("my_dag")
    server.unpause("my_dag")
    run_id = server.trigger("my_dag", conf={"x": 1})["dag_run_id"]
    assert server.wait_for_run("my_dag", run_id)["state"] == "success"
    print(server.task_log("my_dag", run_id, "my_task"))
    server.stop()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from modelhub.orchestration import local as local_airflow

from .base import (
    CACHE_DIR,
    REPO_ROOT,
    ManagedServer,
    ServerExited,
    free_port,
    port_open,
    stop_process_group,
    wait_for,
)

INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install" / "airflow.sh"
LOCK_FILE = REPO_ROOT / "airflow" / "requirements.lock"
INSTANCE_TAG = local_airflow.INSTANCE_TAG


def airflow_venv(install: bool = True) -> Path:
    """The venv for the current lock file; runs the (idempotent, atomic) install script if missing."""
    digest = hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()[:12]
    venv = CACHE_DIR / f"airflow-venv-{digest}"
    if (venv / ".modelhub-complete").exists() and (venv / "bin" / "airflow").exists():
        return venv
    if not install:
        raise RuntimeError(f"Airflow is not installed in {venv}: run {INSTALL_SCRIPT}")
    env = dict(os.environ, MODELHUB_CACHE=str(CACHE_DIR))
    out = subprocess.run(["bash", str(INSTALL_SCRIPT)], env=env, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def _distinct_free_ports(count: int, taken: set[int]) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in taken and port not in ports:
            ports.append(port)
    return ports


class AirflowError(RuntimeError):
    pass


class AirflowServer(ManagedServer):
    """The api-server is the managed process; scheduler and dag-processor run beside it."""

    name = "airflow-api-server"
    startup_timeout = 180.0
    admin_user = "admin"
    admin_password = "modelhub-admin"
    task_kill_grace = 3.0  # seconds between SIGTERM (operator on_kill) and SIGKILL of running tasks at stop()

    def __init__(
        self,
        workdir: Path,
        dags_folder: Path,
        *,
        triggerer: bool = False,
        extra_env: dict[str, str] | None = None,
        venv: Path | None = None,
    ):
        super().__init__(workdir)
        self.dags_folder = Path(dags_folder).resolve()
        self.home = self.workdir / "airflow-home"
        self.db_path = self.workdir / "airflow.db"
        self.passwords_file = self.workdir / "simple_auth_manager_passwords.json"
        self.with_triggerer = triggerer
        self.extra_env = dict(extra_env or {})
        self._venv = Path(venv) if venv else None
        # The scheduler's and triggerer's log servers would take fixed ports 8793/8794 otherwise.
        self.worker_log_port, self.trigger_log_port = _distinct_free_ports(2, {self.port})
        self.instance_id = uuid.uuid4().hex
        self.extra_processes: dict[str, subprocess.Popen] = {}
        self._token: tuple[str, float] | None = None
        self._started_at: dt.datetime | None = None
        self._warm_up: _Request | None = None

    # -- configuration ------------------------------------------------------------------------
    @property
    def venv(self) -> Path:
        if self._venv is None:
            self._venv = airflow_venv()
        return self._venv

    @property
    def airflow_bin(self) -> str:
        return str(self.venv / "bin" / "airflow")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v2"

    @property
    def execution_api_server_url(self) -> str:
        return f"{self.url}/execution/"

    def environment(self) -> dict[str, str]:
        """The same environment `make run` gives its Airflow (modelhub.orchestration.local), plus extra_env."""
        env = local_airflow.environment(
            dict(os.environ),
            venv=self.venv,
            workdir=self.workdir,
            home=self.home,
            dags_folder=self.dags_folder,
            db_path=self.db_path,
            port=self.port,
            passwords_file=self.passwords_file,
            instance_id=self.instance_id,
            worker_log_port=self.worker_log_port,
            trigger_log_port=self.trigger_log_port,
        )
        env.update(self.extra_env)
        return env

    # -- processes ----------------------------------------------------------------------------
    def command(self) -> list[str]:
        return [self.airflow_bin, "api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"]

    def extra_commands(self) -> dict[str, list[str]]:
        # The api-server reads task logs from the shared local log folder: no log server needed.
        commands = {
            "airflow-scheduler": [self.airflow_bin, "scheduler", "--skip-serve-logs"],
            "airflow-dag-processor": local_airflow.kept_running([self.airflow_bin, "dag-processor"]),
        }
        if self.with_triggerer:
            commands["airflow-triggerer"] = [self.airflow_bin, "triggerer", "--skip-serve-logs"]
        return commands

    def prepare(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.dags_folder.mkdir(parents=True, exist_ok=True)
        if not self.passwords_file.exists():
            self.passwords_file.write_text(json.dumps({self.admin_user: self.admin_password}) + "\n")
        result = self.cli("db", "migrate", timeout=300)
        if result.returncode != 0:
            raise AirflowError(f"airflow db migrate failed ({result.returncode}):\n{result.stdout[-4000:]}")

    def start(self) -> None:
        if self.running:
            return
        if self.extra_processes:  # the api-server died but not the rest: start clean
            self.stop()
        if not getattr(self, "_prepared", False):
            self.prepare()
            self._prepared = True
        self._token = None
        # Health counts a job alive by its last heartbeat: only heartbeats after this start count.
        self._started_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        env = self.environment()
        try:
            for name, cmd in self.extra_commands().items():
                with (self.workdir / f"{name}.log").open("ab") as log:
                    self.extra_processes[name] = subprocess.Popen(
                        cmd,
                        cwd=self.workdir,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                # Lets scripts/test.sh kill the group even if the test process itself dies.
                (self.workdir / f"{name}.pgid").write_text(str(self.extra_processes[name].pid))
        except Exception:
            self.stop()
            raise
        self._warm_up = None
        super().start()  # starts the api-server, waits for ready(), and calls stop() on failure
        try:
            self._warm_up.join()
            if self._warm_up.error:
                raise AirflowError(f"GET /execution/health failed: {self._warm_up.error}")
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        processes = dict(self.extra_processes)
        if self.process is not None:
            processes[self.name] = self.process
        leaders = {p.pid for p in processes.values()}
        # Tasks run in process groups of their own (and BashOperator starts yet another session):
        # note them before their parents go and end them first, while the api-server still takes
        # their final state. A task only runs its operator's on_kill() on SIGTERM and goes on (and
        # the scheduler's LocalExecutor waits for running tasks), so SIGKILL follows after a grace.
        before = local_airflow.descendants(leaders)
        task_groups = {pgid for pgid, _ in before.values()} - leaders
        for pgid in task_groups:
            local_airflow.signal_group(pgid, signal.SIGTERM)
        task_pids = {pid: start for pid, (pgid, start) in before.items() if pgid in task_groups}
        deadline = time.monotonic() + self.task_kill_grace
        while task_pids and time.monotonic() < deadline and _alive(task_pids):
            time.sleep(0.1)
        for pgid in task_groups:
            local_airflow.signal_group(pgid, signal.SIGKILL)
        # Then scheduler (its LocalExecutor waits for running tasks) and dag-processor, then the api-server.
        threads = [
            threading.Thread(target=stop_process_group, args=(p,), daemon=True)
            for n, p in processes.items()
            if n != self.name
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.process is not None:
            self._stop_api_server(self.process)
        self.process = None
        self.extra_processes.clear()
        self._kill_strays(before)
        for name in processes:  # a stale group id must not send scripts/test.sh after a reused one
            (self.workdir / f"{name}.pgid").unlink(missing_ok=True)
        self._token = None

    def _stop_api_server(self, process: subprocess.Popen, grace: float = 10.0) -> None:
        """Uvicorn closes its port within a fraction of a second of SIGTERM, and then the interpreter
        takes 2-4 s more to tear down; once the port is closed and the app shut down, don't wait for that."""
        if process.poll() is None:
            local_airflow.signal_group(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            closed_at = None
            while process.poll() is None and time.monotonic() < deadline:
                if closed_at is None and not port_open(self.port):
                    closed_at = time.monotonic()
                if closed_at is not None and time.monotonic() - closed_at > 0.5:
                    break
                time.sleep(0.05)
        stop_process_group(process, grace=0)

    def _kill_strays(self, known: dict[int, tuple[int, str]]) -> None:
        """Kill what is left: processes seen under ours before the stop, and any with our tag."""
        tag = f"{INSTANCE_TAG}={self.instance_id}".encode()
        for _ in range(3):
            table = local_airflow.proc_table()
            found = {pid for pid, (_, _, start) in table.items() if pid in known and known[pid][1] == start}
            found |= {pid for pid in local_airflow.pids_with_env(tag) if pid != os.getpid()}
            if not found:
                return
            for pgid in {table[pid][1] for pid in found if pid in table} & {g for g, _ in known.values()}:
                local_airflow.signal_group(pgid, signal.SIGKILL)  # and whatever they started in their groups since
            for pid in found:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)

    def ready(self) -> bool:
        for name, process in self.extra_processes.items():
            if process.poll() is not None:
                log = self.workdir / f"{name}.log"
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log.exists() else ""
                raise ServerExited(f"{name} exited with {process.returncode} (log: {log})\n{tail}")
        if self._warm_up is None:
            if not port_open(self.port):
                return False
            # The execution API (what tasks call) builds its versioned routes (cadwyn) on its first
            # request, blocking the api-server's event loop for 5-8 s: have that done while the
            # scheduler starts rather than in the first task run (and the test's requests behind it).
            self._warm_up = _Request(self, "GET", "/execution/health")
            self._warm_up.start()
        health = self.health()
        components = ["scheduler", "dag_processor"] + (["triggerer"] if self.with_triggerer else [])
        if health.get("metadatabase", {}).get("status") != "healthy":
            return False
        for component in components:
            info = health.get(component) or {}
            beat = info.get(f"latest_{component}_heartbeat")
            if info.get("status") != "healthy" or not beat:
                return False
            if dt.datetime.fromisoformat(beat) < self._started_at:  # a job of an earlier start
                return False
        return True

    # -- REST -----------------------------------------------------------------------------------
    def health(self) -> dict:
        return self.request("GET", "/api/v2/monitor/health", auth=False)

    def token(self) -> str:
        """A JWT for the admin user (cached for an hour; tokens last 24 h by default)."""
        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        body = self.request(
            "POST", "/auth/token", {"username": self.admin_user, "password": self.admin_password}, auth=False
        )
        self._token = (body["access_token"], time.monotonic() + 3600)
        return self._token[0]

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        auth: bool = True,
        params: dict | None = None,
        timeout: float = 30.0,
    ):
        """JSON in, JSON out. `path` is relative to the server root ("/api/v2/dags")."""
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise AirflowError(f"{method} {path} -> {err.code}: {detail}") from None
        return json.loads(raw) if raw else None

    def dag(self, dag_id: str) -> dict:
        return self.request("GET", f"/api/v2/dags/{dag_id}")

    def wait_for_dag(self, dag_id: str, timeout: float = 60.0) -> dict:
        """Until the dag-processor has parsed the file and the DAG is visible through REST."""
        return wait_for(lambda: self.dag(dag_id), timeout, f"dag {dag_id}", interval=0.5, log=self._dag_processor_log)

    def unpause(self, dag_id: str) -> dict:
        return self.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict | None = None, **fields) -> dict:
        """A manual run now; returns the DAG run (its id is `dag_run_id`). `logical_date` is required (null ok)."""
        body = {"logical_date": None, "conf": conf or {}, **fields}
        return self.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)

    def dag_run(self, dag_id: str, run_id: str) -> dict:
        return self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}")

    def wait_for_run(
        self, dag_id: str, run_id: str, timeout: float = 120.0, states: tuple[str, ...] = ("success", "failed")
    ) -> dict:
        def finished():
            run = self.dag_run(dag_id, run_id)
            return run if run["state"] in states else None

        return wait_for(
            finished, timeout, f"dag run {dag_id}/{run_id}", interval=0.25, log=self.workdir / "airflow-scheduler.log"
        )

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        run = urllib.parse.quote(run_id, safe="")
        return self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run}/taskInstances")["task_instances"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
        """The task's log as text. Needs Accept: application/json (text/plain answers 406)."""
        run = urllib.parse.quote(run_id, safe="")
        body = self.request(
            "GET",
            f"/api/v2/dags/{dag_id}/dagRuns/{run}/taskInstances/{task_id}/logs/{try_number}",
            params={"full_content": "true"},
        )
        content = body.get("content")
        if isinstance(content, str):
            return content
        lines = []
        for item in content or []:  # structured log lines: {"event": ..., "timestamp": ..., ...}
            if isinstance(item, dict):
                lines.append(str(item.get("event", "")))
            else:
                lines.append(str(item))
        return "\n".join(lines)

    def import_errors(self) -> list[dict]:
        return self.request("GET", "/api/v2/importErrors")["import_errors"]

    # -- CLI ------------------------------------------------------------------------------------
    def cli(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
        """Run `airflow ARGS` against this instance (same home, DB and settings); never raises on exit code."""
        return subprocess.run(
            [self.airflow_bin, *args],
            cwd=self.workdir,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )

    @property
    def _dag_processor_log(self) -> Path:
        return self.workdir / "airflow-dag-processor.log"


class _Request(threading.Thread):
    def __init__(self, server: AirflowServer, method: str, path: str):
        super().__init__(daemon=True)
        self.server, self.method, self.path = server, method, path
        self.error: Exception | None = None

    def run(self):
        try:
            self.server.request(self.method, self.path, auth=False, timeout=120)
        except Exception as err:
            self.error = err


def _alive(known: dict[int, str]) -> bool:
    table = local_airflow.proc_table()
    return any(pid in table and table[pid][2] == start and _state(pid) != "Z" for pid, start in known.items())


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"
