"""The registry through a real HTTP server (uvicorn) on FerretDB and MinIO: a streamed upload in
several parts, a client that goes away mid-upload, and a ranged download."""

from __future__ import annotations

import hashlib
import socket
import time

import pytest

pytestmark = pytest.mark.servers


def test_streamed_upload_cut_upload_and_ranged_download(served_app):
    headers = served_app.login("datascientist", "password123")
    created = served_app.http.post(
        "/api/models", json={"name": "served-model", "framework": "pytorch"}, headers=headers
    )
    assert created.status_code == 201, created.text
    data = b"\x80\x04" + bytes(range(256)) * (12 * 4096)  # ~12 MiB: several S3 parts' worth of chunks

    def body():  # sent chunk by chunk (chunked transfer encoding), never as one buffer
        yield b'--b\r\nContent-Disposition: form-data; name="notes"\r\n\r\nstreamed\r\n'
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="state.pkl"\r\n\r\n'
        for start in range(0, len(data), 256 * 1024):
            yield data[start : start + 256 * 1024]
        yield b"\r\n--b--\r\n"

    multipart = {**headers, "Content-Type": "multipart/form-data; boundary=b"}
    uploaded = served_app.http.post("/api/models/served-model/versions", content=body(), headers=multipart)
    assert uploaded.status_code == 201, uploaded.text
    version = uploaded.json()
    assert version["sha256"] == hashlib.sha256(data).hexdigest() and version["size"] == len(data)

    # a client that disconnects half-way: no record, and the store holds no new object
    token = headers["Authorization"]
    head = (
        "POST /api/models/served-model/versions HTTP/1.1\r\nHost: test\r\n"
        f"Authorization: {token}\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {len(data) + 500}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", served_app.port)) as sock:
        sock.sendall(head + b'--b\r\nContent-Disposition: form-data; name="file"; filename="cut.pkl"\r\n\r\n')
        sock.sendall(data[: len(data) // 2])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        listed = served_app.http.get("/api/models/served-model/versions", headers=headers).json()
        if listed["total"] == 1:
            break
        time.sleep(0.2)
    assert listed["total"] == 1 and [v["version"] for v in listed["items"]] == [1]

    ranged = served_app.http.get(
        "/api/models/served-model/versions/latest/artifact", headers={**headers, "Range": "bytes=1000-1999"}
    )
    assert ranged.status_code == 206 and ranged.content == data[1000:2000]
    assert ranged.headers["x-checksum-sha256"] == version["sha256"]
    whole = served_app.http.get(version["artifact_path"], headers=headers)
    assert hashlib.sha256(whole.content).hexdigest() == version["sha256"]
