"""One contract for every object backend (local directory and S3 on a real MinIO)."""

from __future__ import annotations

import hashlib
import os

import pytest

from modelhub.errors import BadRequest, NotFound, PayloadTooLarge

pytestmark = pytest.mark.servers


def chunks(total: int, size: int = 256 * 1024, seed: bytes = b"x"):
    block = hashlib.sha256(seed).digest() * (size // 32)
    sent = 0
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


def test_put_streams_and_reports_size_and_sha256(object_store):
    data = b"".join(chunks(3 * 1024 * 1024 + 17))
    info = object_store.put("models/m1/v1/model.skops", chunks(3 * 1024 * 1024 + 17), "application/zip")
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    head = object_store.head("models/m1/v1/model.skops")
    assert (head.size, head.sha256, head.content_type) == (info.size, info.sha256, "application/zip")
    assert object_store.read_bytes("models/m1/v1/model.skops") == data


def test_large_upload_goes_through_in_parts(object_store):
    total = 20 * 1024 * 1024 + 3  # more than two multipart parts on S3
    info = object_store.put("big/file.bin", chunks(total, seed=b"big"))
    assert info.size == total
    assert object_store.head("big/file.bin").sha256 == info.sha256
    assert sum(len(c) for c in object_store.get("big/file.bin")) == total


def test_byte_ranges(object_store):
    object_store.put_bytes("r/a.txt", b"0123456789")
    assert b"".join(object_store.get("r/a.txt", 2, 5)) == b"2345"
    assert b"".join(object_store.get("r/a.txt", 7)) == b"789"
    assert b"".join(object_store.get("r/a.txt", 0, 0)) == b"0"


def test_missing_object(object_store):
    assert object_store.head("nope/x") is None
    with pytest.raises(NotFound):
        b"".join(object_store.get("nope/x"))
    object_store.delete("nope/x")  # deleting a missing key is fine


def test_replace_is_atomic_and_list_by_prefix(object_store):
    object_store.put_bytes("ds/1/data.csv", b"a,b\n1,2\n")
    object_store.put_bytes("ds/1/data.csv", b"a,b\n3,4\n")
    object_store.put_bytes("ds/2/data.csv", b"x")
    object_store.put_bytes("other/file", b"y")
    assert object_store.read_bytes("ds/1/data.csv") == b"a,b\n3,4\n"
    listed = {info.key: info.size for info in object_store.list("ds/")}
    assert listed == {"ds/1/data.csv": 8, "ds/2/data.csv": 1}
    assert object_store.delete_prefix("ds/") == 2
    assert list(object_store.list("ds/")) == []
    assert [i.key for i in object_store.list("")] == ["other/file"]


def test_over_limit_upload_leaves_nothing(object_store):
    before = {i.key for i in object_store.list("")}
    with pytest.raises(PayloadTooLarge):
        object_store.put("limit/too-big.bin", chunks(9 * 1024 * 1024), max_size=6 * 1024 * 1024)
    assert object_store.head("limit/too-big.bin") is None
    assert {i.key for i in object_store.list("")} == before


def test_failed_stream_leaves_nothing_and_keeps_old_version(object_store):
    object_store.put_bytes("keep/me", b"old")

    def broken():
        yield b"new data"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        object_store.put("keep/me", broken())
    assert object_store.read_bytes("keep/me") == b"old"
    assert [i.key for i in object_store.list("keep/")] == ["keep/me"]


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "a/../../b", "/abs/path", "a//b", "./a", "a/./b", "", "a\\b", "a/\x00b", ".hidden"]
)
def test_path_traversal_and_bad_keys_refused(object_store, key):
    with pytest.raises(BadRequest):
        object_store.put_bytes(key, b"nope")
    with pytest.raises(BadRequest):
        object_store.head(key)


def test_local_store_cannot_escape_its_root(tmp_path):
    from modelhub.stores.objects.local import LocalObjectStore

    store = LocalObjectStore(tmp_path / "root")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    for key in ["../secret.txt", "../../secret.txt", "data/../../secret.txt"]:
        with pytest.raises(BadRequest):
            b"".join(store.get(key))
    os.symlink(tmp_path, tmp_path / "root" / "data" / "link")
    with pytest.raises(NotFound):
        b"".join(store.get("link/secret.txt"))


def test_s3_refuses_wrong_credentials(minio, tmp_path):
    from modelhub.config import Settings
    from modelhub.errors import DependencyUnavailable
    from modelhub.stores.objects import open_object_store

    def store(access_key: str, secret_key: str):
        return open_object_store(
            Settings(
                _env_file=None,
                data_dir=tmp_path,
                objects_uri="s3://credentials-check",
                s3_endpoint=minio.endpoint,
                s3_access_key=access_key,
                s3_secret_key=secret_key,
            )
        )

    store(minio.access_key, minio.secret_key).put_bytes("kept", b"data")
    for access_key, secret_key in [(minio.access_key, "wrong-secret-123"), ("nobody-here", minio.secret_key)]:
        intruder = store(access_key, secret_key)
        with pytest.raises(DependencyUnavailable, match=r"SignatureDoesNotMatch|InvalidAccessKeyId"):
            intruder.read_bytes("kept")
        with pytest.raises(DependencyUnavailable):
            intruder.put_bytes("planted", b"x")
    assert store(minio.access_key, minio.secret_key).head("planted") is None
