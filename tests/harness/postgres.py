"""A throw-away PostgreSQL server (Debian's packages) for the test suite.

    pg = PostgresServer(tmp_path / "pg")
    pg.start()            # initdb on first start, then `postgres -D … -p PORT` as the postgres user
    pg.dsn                # postgresql://modelhub:<password>@127.0.0.1:PORT/modelhub
    pg.dsn_for(pg.create_database("other"))
    pg.stop(); pg.start() # same port, same data

The server runs as the `postgres` OS user when the harness runs as root (initdb and postgres refuse
root) and as the current user otherwise. TCP is bound to 127.0.0.1 only, with scram-sha-256
passwords; the unix socket (trust, for the superuser helpers) sits inside the work directory.
Durability is switched off (fsync, synchronous_commit, full_page_writes): this is a test server.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from .base import CACHE_DIR, REPO_ROOT, ManagedServer

INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install" / "postgres.sh"
OS_USER = "postgres"
SUPERUSER = "postgres"


def postgres_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<major>/bin, installing the packages if there is none."""
    override = os.environ.get("MODELHUB_PG_BINDIR")
    if override:
        return Path(override)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    env = dict(os.environ, MODELHUB_CACHE=str(CACHE_DIR))
    try:
        out = subprocess.run(["bash", str(INSTALL_SCRIPT)], env=env, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"{INSTALL_SCRIPT} failed ({exc.returncode}):\n{exc.stderr[-4000:]}") from exc
    return Path(out.stdout.strip().splitlines()[-1])


class PostgresServer(ManagedServer):
    name = "postgres"
    startup_timeout = 60.0

    def __init__(self, workdir: Path, user: str = "modelhub", password: str | None = None, database: str = "modelhub"):
        super().__init__(workdir)
        self.bin_dir = postgres_bin_dir()
        self.major = self.bin_dir.parent.name
        self.user = user
        self.password = password or secrets.token_urlsafe(16)
        self.database = database
        self.superuser_password = secrets.token_urlsafe(16)
        self._as_root = os.geteuid() == 0
        self._private_root: Path | None = None
        self.root = self.workdir  # where data/ and the socket live; see _choose_root()

    @classmethod
    def install(cls) -> Path:
        """Find (or apt-install) PostgreSQL; returns its bin directory."""
        return postgres_bin_dir()

    # -- paths and URLs ---------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def dsn_for(self, database: str, user: str | None = None, password: str | None = None) -> str:
        user = user or self.user
        password = self.password if password is None else password
        credentials = f"{quote(user, safe='')}:{quote(password, safe='')}"
        return f"postgresql://{credentials}@127.0.0.1:{self.port}/{quote(database, safe='')}"

    @property
    def dsn(self) -> str:
        return self.dsn_for(self.database)

    @property
    def superuser_dsn(self) -> str:
        return self.dsn_for("postgres", SUPERUSER, self.superuser_password)

    @property
    def timescaledb_available(self) -> bool:
        """True when the timescaledb extension is installed (it is then preloaded by this server)."""
        return Path(f"/usr/share/postgresql/{self.major}/extension/timescaledb.control").is_file()

    # -- helpers -------------------------------------------------------------------------------------
    def _os_user_prefix(self) -> list[str]:
        return ["runuser", "-u", OS_USER, "--"] if self._as_root else []

    def _run_as_postgres(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        kwargs.setdefault("check", True)
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        try:
            return subprocess.run(self._os_user_prefix() + args, cwd="/", **kwargs)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({exc.returncode}):\n{exc.stdout}\n{exc.stderr}") from exc

    def _chown(self, path: Path) -> None:
        if self._as_root:
            shutil.chown(path, OS_USER, OS_USER)

    def _choose_root(self) -> None:
        """Use the work directory unless the postgres user cannot reach it.

        pytest's tmp_path lives under /tmp/pytest-of-root (mode 0700), which the postgres user cannot
        enter; the data directory then goes to a private /tmp/modelhub-pg-* directory, removed at exit.
        A unix socket path is also limited to 107 bytes.
        """
        self._chown(self.workdir)
        reachable = subprocess.run([*self._os_user_prefix(), "test", "-w", str(self.workdir)], cwd="/").returncode == 0
        if reachable and len(str(self.workdir / "sock" / f".s.PGSQL.{self.port}.lock")) < 100:
            self.root = self.workdir
            return
        self._private_root = Path(tempfile.mkdtemp(prefix="modelhub-pg-"))
        self._private_root.chmod(0o755)
        self._chown(self._private_root)
        self.root = self._private_root
        (self.workdir / "postgres-data-location.txt").write_text(f"{self.root}\n")
        atexit.register(self._remove_private_root)

    def _remove_private_root(self) -> None:
        if self._private_root and not self.running:
            shutil.rmtree(self._private_root, ignore_errors=True)

    # -- ManagedServer --------------------------------------------------------------------------------
    def prepare(self) -> None:
        self._choose_root()
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.socket_dir.mkdir(exist_ok=True)
        self._chown(self.socket_dir)
        pwfile = self.root / "superuser.pw"
        pwfile.write_text(self.superuser_password + "\n")
        self._chown(pwfile)
        try:
            self._run_as_postgres(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        # Only 127.0.0.1 over TCP, with passwords; local socket trust for the superuser helpers.
        (self.data_dir / "pg_hba.conf").write_text(
            "# TYPE  DATABASE  USER  ADDRESS        METHOD\n"
            "local   all       all                  trust\n"
            "host    all       all   127.0.0.1/32   scram-sha-256\n"
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "logging_collector": "off",
        }
        if self.timescaledb_available:
            settings["shared_preload_libraries"] = "'timescaledb'"
            settings["timescaledb.telemetry_level"] = "off"
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# --- ModelHub test server ---\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # Role and database before the first start, in single-user mode (one statement per line).
        password = self.password.replace("'", "''")
        sql = (
            f"CREATE ROLE \"{self.user}\" LOGIN CREATEDB PASSWORD '{password}';\n"
            f'CREATE DATABASE "{self.database}" OWNER "{self.user}";\n'
        )
        single = self._run_as_postgres(
            [str(self.bin_dir / "postgres"), "--single", "-D", str(self.data_dir), "postgres"], input=sql
        )
        if " ERROR: " in single.stderr or " FATAL: " in single.stderr:  # single-user mode exits 0 regardless
            raise RuntimeError(f"creating role/database failed:\n{single.stderr}")

    # The process group gets SIGTERM from the base class. For the postmaster SIGTERM is a *smart*
    # shutdown that waits for every client to disconnect, and its backends run in process groups of
    # their own (postgres calls setsid for each child), so an idle client connection would hold the
    # stop for the whole grace period and end in SIGKILL. This small sh wrapper, the group leader,
    # turns SIGTERM into SIGINT (fast shutdown: ends sessions, checkpoints, exits in well under 1 s).
    _WRAPPER = (
        '"$0" "$@" & pid=$!\n'
        "trap 'kill -INT $pid 2>/dev/null' TERM INT\n"
        "wait $pid; status=$?\n"
        "while kill -0 $pid 2>/dev/null; do wait $pid; status=$?; done\n"
        "exit $status\n"
    )

    def command(self) -> list[str]:
        # Not runuser here: runuser stays as a watching parent and, on SIGTERM, sleeps 2 s and then
        # SIGKILLs its child (" ...killed."). setpriv execs, so the wrapper leads the process group.
        prefix = []
        if self._as_root:
            prefix = ["setpriv", f"--reuid={OS_USER}", f"--regid={OS_USER}", "--init-groups", "--"]
        postgres = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port)]
        return [*prefix, "sh", "-c", self._WRAPPER, *postgres]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")
        env.pop("PGDATA", None)
        return env

    def ready(self) -> bool:
        result = subprocess.run(
            [str(self.bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1"],
            cwd="/",
        )
        return result.returncode == 0

    # -- conveniences -------------------------------------------------------------------------------
    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the unix socket; returns psql's unaligned output."""
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            cwd="/",
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str, owner: str | None = None) -> str:
        """Create a database owned by the application role (default); returns the name (see dsn_for)."""
        owner = owner or self.user
        quoted = '"' + name.replace('"', '""') + '"'
        self.psql(f'CREATE DATABASE {quoted} OWNER "{owner}"')
        return name
