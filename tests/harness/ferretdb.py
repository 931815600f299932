"""FerretDB v1.24.2 (MongoDB wire protocol, SQLite backend) for tests, on a free loopback port.

The binary is built from the Go module proxy by scripts/install/ferretdb.sh (an embedded-FerretDB
main in scripts/servers/ferretdb) and cached under CACHE_DIR/bin. Data lives in workdir/data and
survives stop()/start(), which also keeps the port.

    server = FerretDBServer(tmp_path / "ferretdb")
    server.start()
    client = pymongo.MongoClient(server.uri)
    ...
    server.stop()
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
from pathlib import Path

from .base import CACHE_DIR, REPO_ROOT, ManagedServer

INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install" / "ferretdb.sh"

_OP_MSG = 2013
# BSON {"ping": 1, "$db": "admin"}
_PING_ELEMENTS = b"\x10ping\x00" + struct.pack("<i", 1) + b"\x02$db\x00" + struct.pack("<i", 6) + b"admin\x00"
_PING_DOC = struct.pack("<i", 4 + len(_PING_ELEMENTS) + 1) + _PING_ELEMENTS + b"\x00"


def raw_ping(host: str, port: int, timeout: float = 2.0) -> bool:
    """Send a MongoDB OP_MSG `ping` without any driver; True if the server answered ok: 1."""
    body = struct.pack("<I", 0) + b"\x00" + _PING_DOC  # flagBits, section kind 0, document
    header = struct.pack("<iiii", 16 + len(body), 1, 0, _OP_MSG)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(header + body)
        head = _recv_exact(sock, 16)
        length, _request_id, _response_to, opcode = struct.unpack("<iiii", head)
        if opcode != _OP_MSG or not 21 <= length <= 16 * 1024 * 1024:
            return False
        reply = _recv_exact(sock, length - 16)
    document = reply[5:]  # flagBits (4) + section kind (1)
    # the reply carries ok as a double (FerretDB, MongoDB) or, rarely, an int32
    return b"\x01ok\x00" + struct.pack("<d", 1.0) in document or b"\x10ok\x00" + struct.pack("<i", 1) in document


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            raise ConnectionError("connection closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class FerretDBServer(ManagedServer):
    name = "ferretdb"
    startup_timeout = 60.0
    host = "127.0.0.1"

    _binary: Path | None = None

    def __init__(self, workdir: Path):
        super().__init__(workdir)
        self.data_dir = self.workdir / "data"

    @classmethod
    def install(cls) -> Path:
        """Build (or reuse) the cached binary; returns its path."""
        if cls._binary is None or not cls._binary.exists():
            env = dict(os.environ, MODELHUB_CACHE=str(CACHE_DIR))
            try:
                out = subprocess.run(["bash", str(INSTALL_SCRIPT)], env=env, check=True, capture_output=True, text=True)
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(f"{INSTALL_SCRIPT} failed ({exc.returncode}):\n{exc.stderr[-4000:]}") from exc
            FerretDBServer._binary = Path(out.stdout.strip().splitlines()[-1])
        return FerretDBServer._binary

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def uri(self) -> str:
        return f"mongodb://{self.host}:{self.port}/"

    def prepare(self) -> None:
        self.install()
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [str(self.install()), "-listen", self.address, "-sqlite-dir", str(self.data_dir)]

    def ready(self) -> bool:
        # The port is bound before the accept loop runs, so an open port alone proves nothing.
        return raw_ping(self.host, self.port, timeout=1.0)

    def client(self, **kwargs):
        """A pymongo client for this server (pymongo must be installed)."""
        import pymongo

        kwargs.setdefault("serverSelectionTimeoutMS", 5000)
        return pymongo.MongoClient(self.uri, **kwargs)
