"""A real Keycloak (the Quarkus distribution from Maven Central) for the test suite.

    kc = KeycloakServer(tmp_path / "kc")          # realm: docker/keycloak/realm-modelhub.json
    kc.start()
    kc.issuer                                      # http://127.0.0.1:PORT/realms/modelhub
    kc.token("datascientist", "password123")       # password grant on modelhub-web
    kc.client_credentials_token()                  # modelhub-pipelines service account

How it stays fast and keeps the cache clean:
- The distribution is unpacked once into the cache by scripts/install/keycloak.sh and never written
  to. Each server gets its own small home in its workdir: bin/kc.sh, conf/, lib/quarkus-run.jar and
  lib/quarkus/ are copied, lib/lib and lib/app (150 MB of jars) are symlinks into the cache, and
  data/ (H2 database, import dir, tmp) is private.
- A "seed" is made once per Keycloak version + realm file (in the cache, under a lock): one cold
  start-dev that re-augments the Quarkus app (~30 s) and imports the realm into a fresh H2 database
  (~20 s), then a clean stop. Later servers copy the seed's augmented lib/quarkus and H2 files, so a
  new server starts like a restart (~15-20 s instead of ~70 s). Servers made from one seed share the
  realm's signing keys and the bootstrap admin's password (stored in the seed).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .base import CACHE_DIR, REPO_ROOT, ManagedServer, free_port

KEYCLOAK_VERSION = os.environ.get("KEYCLOAK_VERSION", "26.4.7")
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install" / "keycloak.sh"
DEFAULT_REALM_FILE = REPO_ROOT / "docker" / "keycloak" / "realm-modelhub.json"
# Build-time options: they are baked into the augmented lib/quarkus, so the seed is keyed on them.
BUILD_OPTIONS = ("--health-enabled=true",)
# The demo realm's confidential client (docker/keycloak/realm-modelhub.json).
PIPELINES_CLIENT_ID = "modelhub-pipelines"
PIPELINES_SECRET = "modelhub-pipelines-secret"


def keycloak_home() -> Path:
    home = CACHE_DIR / f"keycloak-{KEYCLOAK_VERSION}"
    if not (home / "bin" / "kc.sh").exists():
        env = dict(os.environ, MODELHUB_CACHE=str(CACHE_DIR))
        try:
            out = subprocess.run(["bash", str(INSTALL_SCRIPT)], env=env, check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"{INSTALL_SCRIPT} failed ({exc.returncode}):\n{exc.stderr[-4000:]}") from exc
        home = Path(out.stdout.strip().splitlines()[-1])
    return home


def keycloak_java_home(home: Path) -> str:
    """The JDK chosen by the install script (Java 21 if the machine has it, else 17)."""
    override = os.environ.get("MODELHUB_KEYCLOAK_JAVA_HOME")
    if override:
        return override
    recorded = home / "modelhub-java-home"
    if recorded.exists():
        return recorded.read_text().strip()
    return os.environ.get("JAVA_HOME", "")


def decode_jwt(token: str) -> dict:
    """The claims of a JWT, without verifying anything (for assertions in tests)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class KeycloakServer(ManagedServer):
    name = "keycloak"
    startup_timeout = 240.0  # a cold first start on 2 cores (augmentation + import) takes ~70 s
    # Extra JVM flags (kc.sh's JAVA_OPTS_APPEND). C1-only JIT: a seeded start-dev takes ~7-11 s
    # instead of ~12-20 s on 2 cores, with no visible cost for the short runs of a test suite.
    java_opts_append = "-XX:TieredStopAtLevel=1"

    def __init__(
        self, workdir: Path, realm_file: Path = DEFAULT_REALM_FILE, realm: str = "modelhub", use_seed: bool = True
    ):
        super().__init__(workdir)
        self.management_port = free_port()
        while self.management_port == self.port:
            self.management_port = free_port()
        self.realm_file = Path(realm_file)
        self.realm = realm
        self.use_seed = use_seed
        self.kc_home = keycloak_home()
        self.java_home = keycloak_java_home(self.kc_home)
        self.home = self.workdir / "home"
        self.admin_username = "admin"
        self.admin_password = "admin-" + secrets.token_urlsafe(12)

    @classmethod
    def install(cls) -> Path:
        """Download (or reuse) the Keycloak distribution in the cache; returns its home."""
        return keycloak_home()

    # -- URLs ---------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.management_port}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{self.realm}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    # -- per-run home and seed ----------------------------------------------------------------------
    def _make_home(self, quarkus_src: Path, h2_src: Path | None) -> None:
        if self.home.exists():
            shutil.rmtree(self.home)
        (self.home / "bin").mkdir(parents=True)
        (self.home / "lib").mkdir()
        shutil.copy2(self.kc_home / "bin" / "kc.sh", self.home / "bin" / "kc.sh")
        shutil.copytree(self.kc_home / "conf", self.home / "conf")
        shutil.copy2(self.kc_home / "lib" / "quarkus-run.jar", self.home / "lib" / "quarkus-run.jar")
        shutil.copytree(quarkus_src, self.home / "lib" / "quarkus")  # rewritten on re-augmentation
        for shared in ("lib", "app"):  # read-only jars stay in the cache
            (self.home / "lib" / shared).symlink_to(self.kc_home / "lib" / shared)
        for empty in ("providers", "themes", "data/import"):
            (self.home / empty).mkdir(parents=True)
        shutil.copy2(self.realm_file, self.home / "data" / "import" / self.realm_file.name)
        if h2_src is not None:
            shutil.copytree(h2_src, self.home / "data" / "h2")

    def _seed_dir(self) -> Path:
        key = hashlib.sha256()
        for part in (KEYCLOAK_VERSION, self.java_home, " ".join(BUILD_OPTIONS)):
            key.update(part.encode() + b"\0")
        key.update(self.realm_file.read_bytes())
        return CACHE_DIR / f"keycloak-{KEYCLOAK_VERSION}-seeds" / key.hexdigest()[:16]

    def _ensure_seed(self) -> Path:
        seed = self._seed_dir()
        if (seed / "admin.json").exists():
            return seed
        with _file_lock(seed.with_suffix(".lock")):
            if (seed / "admin.json").exists():  # another worker made it while we waited
                return seed
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=seed.parent))
            try:
                seeder = KeycloakServer(tmp / "run", realm_file=self.realm_file, realm=self.realm, use_seed=False)
                seeder.start()
                seeder.stop()  # SIGTERM: Keycloak shuts down and closes the H2 files cleanly
                shutil.move(seeder.home / "lib" / "quarkus", tmp / "quarkus")
                shutil.move(seeder.home / "data" / "h2", tmp / "h2")
                (tmp / "admin.json").write_text(
                    json.dumps({"username": seeder.admin_username, "password": seeder.admin_password})
                )
                shutil.rmtree(tmp / "run")
                tmp.chmod(0o755)
                tmp.rename(seed)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return seed

    # -- ManagedServer --------------------------------------------------------------------------------
    def prepare(self) -> None:
        if self.use_seed:
            seed = self._ensure_seed()
            admin = json.loads((seed / "admin.json").read_text())
            self.admin_username, self.admin_password = admin["username"], admin["password"]
            self._make_home(seed / "quarkus", seed / "h2")
        else:
            self._make_home(self.kc_home / "lib" / "quarkus", None)

    def command(self) -> list[str]:
        return [
            str(self.home / "bin" / "kc.sh"),
            "start-dev",
            *BUILD_OPTIONS,
            "--http-host=127.0.0.1",
            f"--http-port={self.port}",
            f"--http-management-port={self.management_port}",
            "--cache=local",
            # A seeded database already holds the realm; checking the import dir again costs ~5 s.
            *([] if self.use_seed else ["--import-realm"]),
        ]

    def environment(self) -> dict[str, str]:
        # Drop the caller's KC_* settings (a developer's KC_DB would break the dev-file database).
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("KC_") and k not in ("JAVA_OPTS", "JAVA_OPTS_APPEND")
        }
        if self.java_home:
            env["JAVA_HOME"] = self.java_home
        env["KC_BOOTSTRAP_ADMIN_USERNAME"] = self.admin_username
        env["KC_BOOTSTRAP_ADMIN_PASSWORD"] = self.admin_password
        if self.java_opts_append:
            env["JAVA_OPTS_APPEND"] = self.java_opts_append
        return env

    def ready(self) -> bool:
        with urllib.request.urlopen(f"{self.management_url}/health/ready", timeout=2) as resp:
            if resp.status != 200:
                return False
        with urllib.request.urlopen(self.discovery_url, timeout=2) as resp:
            return resp.status == 200

    # -- tokens ---------------------------------------------------------------------------------------
    def _post_form(self, url: str, form: dict[str, str]) -> dict:
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"POST {url} -> {exc.code}: {exc.read().decode(errors='replace')}") from None

    def token_response(
        self, username: str, password: str, client_id: str = "modelhub-web", scope: str = "openid"
    ) -> dict:
        return self._post_form(
            self.token_url,
            {
                "grant_type": "password",
                "client_id": client_id,
                "username": username,
                "password": password,
                "scope": scope,
            },
        )

    def token(self, username: str, password: str, client_id: str = "modelhub-web") -> str:
        """An access token for a realm user (password grant; the client needs direct access grants)."""
        return self.token_response(username, password, client_id)["access_token"]

    def client_credentials_token(self, client_id: str = PIPELINES_CLIENT_ID, secret: str = PIPELINES_SECRET) -> str:
        """An access token for a confidential client's service account."""
        return self._post_form(
            self.token_url, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        )["access_token"]

    def admin_token(self) -> str:
        """A master-realm admin token for the admin REST API ({base_url}/admin/realms/...)."""
        return self._post_form(
            f"{self.base_url}/realms/master/protocol/openid-connect/token",
            {
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": self.admin_username,
                "password": self.admin_password,
            },
        )["access_token"]
