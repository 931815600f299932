"""Objects in any S3-compatible server (MinIO, versitygw, AWS) through the `minio` client.

Uploads stream in 8 MiB multipart parts to a temporary key; the finished object is then
copied server-side to its key with its sha256 as metadata and the temporary key removed, so
an object is visible only once complete and always carries its checksum. Only generic S3
calls are used, so any S3 server will do.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator

import urllib3
from minio import Minio
from minio.commonconfig import REPLACE, ComposeSource, CopySource
from minio.error import MinioException, S3Error

from modelhub.errors import DependencyUnavailable, NotFound
from modelhub.stores.objects.base import CHUNK_SIZE, HashingReader, ObjectInfo, ObjectStore, SourceFailed, check_key

PART_SIZE = 8 * 1024 * 1024
MISSING = {"NoSuchKey", "NoSuchObject", "NoSuchUpload", "NoSuchBucket"}  # the bucket appears on first write


class S3ObjectStore(ObjectStore):
    def __init__(
        self,
        bucket: str,
        prefix: str,
        endpoint: str,
        access_key: str,
        secret_key: str,
        secure: bool = False,
        region: str | None = None,
        timeout_s: float = 3.0,
    ):
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s * 10),
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
            maxsize=16,
        )
        self.client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._bucket_ready = False

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _call(self, work, key: str | None = None):
        try:
            return work()
        except S3Error as exc:
            if exc.code in MISSING:
                raise NotFound(f"object {key} not found") from exc
            raise DependencyUnavailable(self.component, f"object store refused: {exc.code} {exc.message}") from exc
        except SourceFailed as exc:
            raise exc.__cause__ from None
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise DependencyUnavailable(self.component, f"object store unavailable: {exc}") from exc

    def ensure_bucket(self) -> None:
        if not self._bucket_ready:

            def work():
                if not self.client.bucket_exists(self.bucket):
                    self.client.make_bucket(self.bucket)

            self._call(work)
            self._bucket_ready = True

    def put(
        self,
        key: str,
        chunks: Iterable[bytes],
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> ObjectInfo:
        name = self._name(key)
        self.ensure_bucket()
        reader = HashingReader(chunks, max_size)
        staging = f"{self.prefix}.staging/{uuid.uuid4().hex}"
        kind = content_type or "application/octet-stream"
        try:
            self._call(
                lambda: self.client.put_object(
                    self.bucket, staging, reader, length=-1, part_size=PART_SIZE, content_type=kind
                )
            )
            info = ObjectInfo(key, reader.size, reader.hexdigest, content_type)
            metadata = {"sha256": info.sha256, "Content-Type": kind}
            if reader.size > 5 * 1024**3:  # a single server-side copy stops at 5 GiB
                copy = lambda: self.client.compose_object(  # noqa: E731
                    self.bucket, name, [ComposeSource(self.bucket, staging)], metadata=metadata
                )
            else:
                copy = lambda: self.client.copy_object(  # noqa: E731
                    self.bucket,
                    name,
                    CopySource(self.bucket, staging),
                    metadata=metadata,
                    metadata_directive=REPLACE,
                )
            self._call(copy)
        finally:
            # Left behind only when the server vanished mid-upload; `.staging/` keys are never listed.
            with contextlib.suppress(MinioException, urllib3.exceptions.HTTPError, OSError):
                self.client.remove_object(self.bucket, staging)
        return info

    def get(self, key: str, start: int | None = None, end: int | None = None) -> Iterator[bytes]:
        name = self._name(key)
        offset = start or 0
        length = 0 if end is None else end - offset + 1
        response = self._call(lambda: self.client.get_object(self.bucket, name, offset=offset, length=length), key)
        return self._stream(response)

    @staticmethod
    def _stream(response) -> Iterator[bytes]:
        try:
            yield from response.stream(CHUNK_SIZE)
        finally:
            response.close()
            response.release_conn()

    def head(self, key: str) -> ObjectInfo | None:
        name = self._name(key)
        try:
            stat = self._call(lambda: self.client.stat_object(self.bucket, name), key)
        except NotFound:
            return None
        metadata = {k.lower(): v for k, v in (stat.metadata or {}).items()}
        return ObjectInfo(key, stat.size or 0, metadata.get("x-amz-meta-sha256"), stat.content_type, stat.last_modified)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        try:
            objects = self._call(
                lambda: list(self.client.list_objects(self.bucket, prefix=self.prefix + prefix, recursive=True))
            )
        except NotFound:
            return
        for obj in objects:
            key = obj.object_name[len(self.prefix) :]
            if key.startswith(".staging/"):
                continue
            info = self.head(key)
            if info is not None:
                yield info

    def delete(self, key: str) -> None:
        name = self._name(key)
        with contextlib.suppress(NotFound):
            self._call(lambda: self.client.remove_object(self.bucket, name), key)

    def ping(self) -> None:
        self._call(lambda: self.client.bucket_exists(self.bucket))
