"""A local Airflow 3 beside ModelHub, for `make run`: api-server, scheduler and dag-processor, each
in a process group of its own, SQLite + LocalExecutor, in its own virtualenv (scripts/install/airflow.sh).

    python -m modelhub.orchestration.local prepare --workdir DIR
        creates the secrets and the admin password (kept in DIR), prints them as shell exports
        for ModelHub (MODELHUB_AIRFLOW_URL/USERNAME/PASSWORD)
    python -m modelhub.orchestration.local run --workdir DIR --venv VENV --dags FOLDER --port P
        migrates the database, starts the three processes, waits; SIGTERM/SIGINT stops them all

`environment()` is the one description of how ModelHub runs Airflow: the test harness
(tests/harness/airflow.py) builds its processes' environment with it too. What each setting is
for is in docs/servers-airflow.md; the reasons for the DAG-processing ones in docs/orchestration.md.

Stopping follows what the harness learned: Airflow runs each task in a process group of its own
and a task only runs its operator's on_kill() on SIGTERM, so the task groups are ended first
(SIGTERM, then SIGKILL after a grace), then scheduler and dag-processor, then the api-server, and
at last any process still carrying this instance's tag in its environment.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

INSTANCE_TAG = "MODELHUB_AIRFLOW_INSTANCE"
ADMIN_USER = "admin"
DROPPED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
TASK_KILL_GRACE_S = 3.0


def kept_running(command: list[str]) -> list[str]:
    """`command` started again whenever it exits. Airflow 3.3's dag-processor exits for good on some
    database races, e.g. a DAG file deleted while its parse result is saved ("UPDATE statement on
    table 'dag' expected to update 1 row(s); 0 were matched"), after which no new DAG would appear.
    Without a trap, the loop's shell dies with its process group on SIGTERM like the command does."""
    loop = 'while :; do "$@"; echo "$0 exited with status $?; starting it again in 1 s" >&2; sleep 1; done'
    return ["bash", "-c", loop, " ".join(command[1:2]) or command[0], *command]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_secrets(workdir: Path) -> dict[str, str]:
    """Kept in the workdir so that every process, and every restart, signs and decrypts alike."""
    path = workdir / "secrets.json"
    if not path.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        data = {
            "fernet_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "secret_key": secrets.token_urlsafe(32),
            "jwt_secret": secrets.token_urlsafe(64),  # >= 64 bytes for HS512
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out)
    return json.loads(path.read_text())


def admin_password(passwords_file: Path, default: str | None = None) -> str:
    """The simple auth manager's password of the admin user, created once."""
    if passwords_file.exists():
        return json.loads(passwords_file.read_text())[ADMIN_USER]
    password = default or secrets.token_urlsafe(18)
    passwords_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(json.dumps({ADMIN_USER: password}) + "\n")
    return password


def environment(
    base: dict[str, str],
    *,
    venv: Path,
    workdir: Path,
    home: Path,
    dags_folder: Path,
    db_path: Path,
    port: int,
    passwords_file: Path,
    instance_id: str,
    worker_log_port: int,
    trigger_log_port: int,
) -> dict[str, str]:
    """The environment of every Airflow process (and of `airflow` CLI calls) of one instance."""
    env = {k: v for k, v in base.items() if not k.startswith("AIRFLOW") and k not in DROPPED}
    keys = load_secrets(workdir)
    env.update(
        {
            "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
            INSTANCE_TAG: instance_id,
            # setproctitle would overwrite the environment block (and so our tag) with titles.
            "SPT_NOENV": "1",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{db_path}",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
            "AIRFLOW__API__SECRET_KEY": keys["secret_key"],
            "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file),
            # Tasks (Task SDK) talk back to the api-server: without this they call localhost:8080.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            # New files (a new shard) are found within 5 s (default 300 s).
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(workdir / "dag-bundles"),
            # A task's supervisor notices its task has exited only at its next heartbeat (5 s).
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(worker_log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(trigger_log_port),
            "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
        }
    )
    return env


def modelhub_dag_settings() -> dict[str, str]:
    """How ModelHub's generated shards want to be parsed (docs/orchestration.md): ModelHub touches
    a shard when one of its specs changes, so the periodic re-parse of unchanged files can be rare."""
    return {"AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "300"}


# -- processes ----------------------------------------------------------------------------------
def proc_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, pgid, start time in clock ticks) for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), int(fields[2]), fields[19])
    return table


def descendants(roots: set[int]) -> dict[int, tuple[int, str]]:
    """pid -> (pgid, start time) of every process below `roots` (roots included)."""
    table = proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {}, [pid for pid in roots if pid in table]
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found[pid] = (table[pid][1], table[pid][2])
        todo.extend(children.get(pid, []))
    return found


def pids_with_env(tag: bytes) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue
        if tag in environ.split(b"\0"):
            pids.append(int(entry))
    return pids


def signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pids: set[int]) -> bool:
    table = proc_table()
    return any(pid in table for pid in pids)


class LocalAirflow:
    def __init__(self, workdir: Path, venv: Path, dags_folder: Path, port: int):
        self.workdir = workdir.resolve()
        self.venv = venv
        self.dags_folder = dags_folder.resolve()
        self.port = port
        self.instance_id = uuid.uuid4().hex
        self.passwords_file = self.workdir / "simple_auth_manager_passwords.json"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = environment(
            dict(os.environ),
            venv=venv,
            workdir=self.workdir,
            home=self.workdir / "airflow-home",
            dags_folder=self.dags_folder,
            db_path=self.workdir / "airflow.db",
            port=port,
            passwords_file=self.passwords_file,
            instance_id=self.instance_id,
            worker_log_port=free_port(),
            trigger_log_port=free_port(),
        )
        self.env.update(modelhub_dag_settings())

    @property
    def airflow(self) -> str:
        return str(self.venv / "bin" / "airflow")

    def migrate(self) -> None:
        (self.workdir / "airflow-home").mkdir(parents=True, exist_ok=True)
        admin_password(self.passwords_file)
        with (self.workdir / "airflow-migrate.log").open("ab") as log:
            result = subprocess.run(
                [self.airflow, "db", "migrate"], env=self.env, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if result.returncode != 0:
            raise SystemExit(f"airflow db migrate failed; see {self.workdir / 'airflow-migrate.log'}")

    def start(self) -> None:
        commands = {
            "api-server": [
                self.airflow,
                "api-server",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            # The api-server reads task logs from the shared local log folder: no log server needed.
            "scheduler": [self.airflow, "scheduler", "--skip-serve-logs"],
            "dag-processor": kept_running([self.airflow, "dag-processor"]),
        }
        for name, command in commands.items():
            with (self.workdir / f"airflow-{name}.log").open("ab") as log:
                self.processes[name] = subprocess.Popen(
                    command,
                    cwd=self.workdir,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )

    def warm_up(self, timeout: float = 180.0) -> bool:
        """Wait for the api-server, and make the execution API build its routes (5-8 s on the event
        loop) now rather than during the first task."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes.values()):
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/execution/health", timeout=120):
                    return True
            except OSError:
                time.sleep(0.5)
        return False

    def stop(self) -> None:
        leaders = {p.pid for p in self.processes.values()}
        before = descendants(leaders)
        task_groups = {pgid for pgid, _ in before.values()} - leaders
        for pgid in task_groups:
            signal_group(pgid, signal.SIGTERM)
        task_pids = {pid for pid, (pgid, _) in before.items() if pgid in task_groups}
        deadline = time.monotonic() + TASK_KILL_GRACE_S
        while task_pids and time.monotonic() < deadline and _alive(task_pids):
            time.sleep(0.1)
        for pgid in task_groups:
            signal_group(pgid, signal.SIGKILL)
        # Scheduler and dag-processor together, then the api-server (tasks report their end to it).
        for names in (("scheduler", "dag-processor"), ("api-server",)):
            group = [self.processes[n] for n in names if n in self.processes]
            for process in group:
                signal_group(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            closed_at = None
            while time.monotonic() < deadline and any(p.poll() is None for p in group):
                if names == ("api-server",):
                    # uvicorn closes its port at once; the interpreter then takes 2-4 s to tear down
                    closed_at = closed_at or (None if _port_open(self.port) else time.monotonic())
                    if closed_at and time.monotonic() - closed_at > 0.5:
                        break
                time.sleep(0.1)
            for process in group:
                signal_group(process.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)
        tag = f"{INSTANCE_TAG}={self.instance_id}".encode()
        for pid in pids_with_env(tag):
            if pid != os.getpid():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _prepare(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir).resolve()
    load_secrets(workdir)
    password = admin_password(workdir / "simple_auth_manager_passwords.json")
    for name, value in (
        ("MODELHUB_AIRFLOW_URL", f"http://127.0.0.1:{args.port}"),
        ("MODELHUB_AIRFLOW_USERNAME", ADMIN_USER),
        ("MODELHUB_AIRFLOW_PASSWORD", password),
    ):
        print(f"export {name}={shlex.quote(value)}")
    return 0


def _run(args: argparse.Namespace) -> int:
    airflow = LocalAirflow(Path(args.workdir), Path(args.venv), Path(args.dags), args.port)
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        airflow.migrate()
        if stopping:
            return 0
        airflow.start()
        if not airflow.warm_up():
            print(f"Airflow did not start; see the logs in {airflow.workdir}", file=sys.stderr, flush=True)
            return 1
        (airflow.workdir / "ready").write_text(str(os.getpid()))
        while not stopping:
            for name, process in airflow.processes.items():
                if process.poll() is not None:
                    print(f"airflow {name} exited ({process.returncode}); see {airflow.workdir}", file=sys.stderr)
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        (airflow.workdir / "ready").unlink(missing_ok=True)
        airflow.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modelhub.orchestration.local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="create secrets and the admin password; print exports")
    prepare.add_argument("--workdir", required=True)
    prepare.add_argument("--port", type=int, default=8080)
    prepare.set_defaults(run=_prepare)
    run = commands.add_parser("run", help="run api-server, scheduler and dag-processor until SIGTERM")
    run.add_argument("--workdir", required=True)
    run.add_argument("--venv", required=True)
    run.add_argument("--dags", required=True)
    run.add_argument("--port", type=int, default=8080)
    run.set_defaults(run=_run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
