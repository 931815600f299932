"""MinIO (S3 API) for tests: single drive in the workdir, on a free loopback port.

The binary is built from the Go module proxy by scripts/install/minio.sh and cached under
CACHE_DIR/bin. Root credentials are random per instance and kept across stop()/start(), as are the
port and the data in workdir/data. The web console is off (MINIO_BROWSER=off).

    server = MinioServer(tmp_path / "minio")
    server.start()
    server.create_bucket("models")
    client = server.client()          # minio.Minio, if the `minio` package is installed
    server.stop()
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
import string
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .base import CACHE_DIR, REPO_ROOT, ManagedServer, free_port

INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install" / "minio.sh"
REGION = "us-east-1"


def _random_token(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


class MinioServer(ManagedServer):
    name = "minio"
    startup_timeout = 60.0
    host = "127.0.0.1"

    _binary: Path | None = None

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        self.data_dir = self.workdir / "data"
        self.certs_dir = self.workdir / "certs"  # keeps MinIO away from ~/.minio
        self.console_port = free_port()
        while self.console_port == self.port:
            self.console_port = free_port()
        self.access_key = "mh" + _random_token(14).lower()  # MinIO wants >= 3 chars; 16 here
        self.secret_key = _random_token(32)  # MinIO wants >= 8 chars; 32 here
        self.region = REGION

    @classmethod
    def install(cls) -> Path:
        """Build (or reuse) the cached binary; returns its path."""
        if cls._binary is None or not cls._binary.exists():
            env = dict(os.environ, MODELHUB_CACHE=str(CACHE_DIR))
            try:
                out = subprocess.run(["bash", str(INSTALL_SCRIPT)], env=env, check=True, capture_output=True, text=True)
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(f"{INSTALL_SCRIPT} failed ({exc.returncode}):\n{exc.stderr[-4000:]}") from exc
            MinioServer._binary = Path(out.stdout.strip().splitlines()[-1])
        return MinioServer._binary

    # -- addresses --------------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """host:port, as the `minio` client and most S3 settings want it."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    # -- ManagedServer ----------------------------------------------------------------------------
    def prepare(self) -> None:
        self.install()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.certs_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [
            str(self.install()),
            "server",
            str(self.data_dir),
            "--address",
            self.endpoint,
            "--console-address",
            f"{self.host}:{self.console_port}",
            "--certs-dir",
            str(self.certs_dir),
            "--anonymous",
        ]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # never pick up a developer's own MinIO settings
        for key in [k for k in env if k.startswith("MINIO_")]:
            del env[key]
        env.update(
            HOME=str(self.workdir),  # MinIO creates ~/.minio even with --certs-dir
            MINIO_ROOT_USER=self.access_key,
            MINIO_ROOT_PASSWORD=self.secret_key,
            MINIO_BROWSER="off",
            MINIO_UPDATE="off",
            MINIO_REGION=self.region,
        )
        return env

    def ready(self) -> bool:
        # live: the HTTP server is up; cluster: the object layer is initialised and has write quorum
        # (before that, S3 calls answer 503 XMinioServerNotInitialized).
        return self._health("live") and self._health("cluster")

    def _health(self, which: str) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/minio/health/{which}", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    # -- clients ----------------------------------------------------------------------------------
    def client(self, access_key: str | None = None, secret_key: str | None = None):
        """A `minio.Minio` client for this server (the `minio` package must be installed)."""
        from minio import Minio

        return Minio(
            self.endpoint,
            access_key=self.access_key if access_key is None else access_key,
            secret_key=self.secret_key if secret_key is None else secret_key,
            secure=False,
            region=self.region,
        )

    def create_bucket(self, name: str) -> None:
        """Create a bucket (no error if it already exists and is ours)."""
        try:
            client = self.client()
        except ImportError:
            status, body = self.signed_request("PUT", f"/{name}")
            if status != 200 and b"BucketAlreadyOwnedByYou" not in body:
                raise RuntimeError(f"create bucket {name!r}: HTTP {status}: {body[:500]!r}") from None
            return
        if not client.bucket_exists(name):
            client.make_bucket(name)

    def signed_request(self, method: str, path: str, body: bytes = b"", query: str = "") -> tuple[int, bytes]:
        """One AWS SigV4-signed S3 request with the standard library; returns (status, body)."""
        now = dt.datetime.now(dt.UTC)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = now.strftime("%Y%m%d")
        payload_hash = hashlib.sha256(body).hexdigest()
        canonical_uri = urllib.parse.quote(path, safe="/~")
        canonical_query = "&".join(
            f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}"
            for k, v in sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))
        )
        headers = {"host": self.endpoint, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
        signed_headers = ";".join(sorted(headers))
        canonical_headers = "".join(f"{k}:{headers[k]}\n" for k in sorted(headers))
        canonical_request = "\n".join(
            [method, canonical_uri, canonical_query, canonical_headers, signed_headers, payload_hash]
        )
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        key = ("AWS4" + self.secret_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        url = self.url + canonical_uri + (f"?{canonical_query}" if canonical_query else "")
        request = urllib.request.Request(url, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
