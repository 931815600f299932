"""Apache Superset 6 for tests: gunicorn on a free loopback port, SQLite metadata in the work directory.

Superset lives in its own virtualenv (scripts/install/superset.sh, pinned by superset/requirements.lock).
Making a metadata database (`superset db upgrade`, `fab create-admin`, `superset init`) costs ~35 s, so
it is done once per lock file into a seed in the cache (under a lock, like the Keycloak harness's H2
seed); each server copies the seed's SQLite file and starts in a few seconds. Servers made from one
seed share its secret key and admin password (stored in the seed): test-only values.

    server = SupersetServer(tmp_path / "superset")
    server.start()
    server.import_bundle("postgresql://user:pw@127.0.0.1:5432/metrics")
    charts = server.api("GET", "/api/v1/chart/", params={"q": "(page_size:100)"}).json()
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from .base import CACHE_DIR, REPO_ROOT, ManagedServer

INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install" / "superset.sh"
LOCK_FILE = REPO_ROOT / "superset" / "requirements.lock"
IMPORT_SCRIPT = REPO_ROOT / "superset" / "import_bundle.py"
SEED_FORMAT = "1"  # bump when the seed's making changes

CONFIG = """\
# Written by tests/harness/superset.py: a throw-away test server.
SECRET_KEY = {secret!r}
SQLALCHEMY_DATABASE_URI = {database!r}
WTF_CSRF_ENABLED = False  # the tests use the REST API with bearer tokens only
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
CACHE_CONFIG = {{"CACHE_TYPE": "SimpleCache"}}
DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
FEATURE_FLAGS = {{"DASHBOARD_RBAC": False}}
SUPERSET_LOAD_EXAMPLES = False
"""


def superset_venv(install: bool = True) -> Path:
    """The venv for the current lock file; runs the (idempotent, atomic) install script if missing."""
    digest = hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()[:12]
    venv = CACHE_DIR / f"superset-venv-{digest}"
    if (venv / ".modelhub-complete").exists() and (venv / "bin" / "superset").exists():
        return venv
    if not install:
        raise RuntimeError(f"Superset is not installed in {venv}: run {INSTALL_SCRIPT}")
    env = dict(os.environ, MODELHUB_CACHE=str(CACHE_DIR))
    try:
        out = subprocess.run(["bash", str(INSTALL_SCRIPT)], env=env, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"{INSTALL_SCRIPT} failed ({exc.returncode}):\n{exc.stderr[-4000:]}") from exc
    return Path(out.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SupersetServer(ManagedServer):
    name = "superset"
    startup_timeout = 120.0
    admin_user = "admin"

    def __init__(self, workdir: Path, venv: Path | None = None):
        super().__init__(workdir)
        self._venv = Path(venv) if venv else None
        self.database_path = self.workdir / "superset.db"
        self.config_path = self.workdir / "superset_config.py"
        self.secret_key = ""
        self.admin_password = ""
        self._token: str | None = None

    @classmethod
    def install(cls) -> Path:
        return superset_venv()

    @property
    def venv(self) -> Path:
        if self._venv is None:
            self._venv = superset_venv()
        return self._venv

    @property
    def superset_bin(self) -> str:
        return str(self.venv / "bin" / "superset")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- seed ------------------------------------------------------------------------------------------
    def _seed_dir(self) -> Path:
        key = hashlib.sha256(LOCK_FILE.read_bytes() + CONFIG.encode() + SEED_FORMAT.encode()).hexdigest()[:16]
        return CACHE_DIR / "superset-seeds" / key

    def _ensure_seed(self) -> Path:
        seed = self._seed_dir()
        if (seed / "seed.json").exists():
            return seed
        with _file_lock(seed.with_suffix(".lock")):
            if (seed / "seed.json").exists():  # another worker made it while we waited
                return seed
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=seed.parent))
            try:
                secret, password = secrets.token_urlsafe(32), secrets.token_urlsafe(12)
                config = tmp / "superset_config.py"
                config.write_text(CONFIG.format(secret=secret, database=f"sqlite:///{tmp / 'superset.db'}"))
                env = self._cli_env(config, tmp)
                for args in (
                    ["db", "upgrade"],
                    ["fab", "create-admin", "--username", self.admin_user, "--firstname", "Model", "--lastname",
                     "Hub", "--email", "admin@modelhub.invalid", "--password", password],
                    ["init"],
                ):  # fmt: skip
                    self._run([self.superset_bin, *args], env, tmp)
                (tmp / "seed.json").write_text(json.dumps({"secret_key": secret, "admin_password": password}))
                shutil.rmtree(seed, ignore_errors=True)
                tmp.rename(seed)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return seed

    def _run(self, command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
        result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-4000:]
            raise RuntimeError(f"{' '.join(command[1:3])} failed ({result.returncode}):\n{tail}")
        return result

    def _cli_env(self, config: Path, home: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "UV_"))}
        env.update(
            SUPERSET_CONFIG_PATH=str(config),
            SUPERSET_HOME=str(home),
            FLASK_APP="superset",
            PATH=f"{self.venv / 'bin'}:{env.get('PATH', '')}",
            SUPERSET_LOG_LEVEL="warning",
        )
        return env

    # -- ManagedServer ----------------------------------------------------------------------------------
    def prepare(self) -> None:
        seed = self._ensure_seed()
        stored = json.loads((seed / "seed.json").read_text())
        self.secret_key, self.admin_password = stored["secret_key"], stored["admin_password"]
        if not self.database_path.exists():
            shutil.copy(seed / "superset.db", self.database_path)
        self.config_path.write_text(CONFIG.format(secret=self.secret_key, database=f"sqlite:///{self.database_path}"))

    def environment(self) -> dict[str, str]:
        return self._cli_env(self.config_path, self.workdir)

    def command(self) -> list[str]:
        return [
            str(self.venv / "bin" / "gunicorn"),
            "--workers=1",
            "--threads=4",
            "--timeout=120",
            "--no-control-socket",  # else every gunicorn shares ~/.gunicorn/gunicorn.ctl
            f"--bind=127.0.0.1:{self.port}",
            "superset.app:create_app()",
        ]

    def ready(self) -> bool:
        return httpx.get(f"{self.url}/health", timeout=2).status_code == 200

    # -- conveniences ------------------------------------------------------------------------------------
    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return self._run([self.superset_bin, *args], self.environment(), self.workdir)

    def import_bundle(self, metrics_uri: str) -> None:
        """superset/import_bundle.py, as an operator runs it, with the metrics store's URI."""
        env = {**self.environment(), "MODELHUB_SUPERSET_METRICS_URI": metrics_uri}
        result = subprocess.run(
            [str(self.venv / "bin" / "python"), str(IMPORT_SCRIPT), "--superset", self.superset_bin],
            env=env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"import_bundle.py failed ({result.returncode}):\n{(result.stdout + result.stderr)[-4000:]}"
            )

    def token(self) -> str:
        if self._token is None:
            response = httpx.post(
                f"{self.url}/api/v1/security/login",
                json={"username": self.admin_user, "password": self.admin_password, "provider": "db", "refresh": False},
                timeout=30,
            )
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return self._token

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=120, **kwargs)


if __name__ == "__main__":  # make the seed ahead of a test run: python -m tests.harness.superset
    server = SupersetServer(Path(tempfile.mkdtemp(prefix="superset-seed-")))
    print(server._ensure_seed(), file=sys.stderr)
