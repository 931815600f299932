"""Object store chosen by URI scheme: `file:///dir` (embedded) or `s3://bucket[/prefix]`."""

from __future__ import annotations

from modelhub.stores.objects.base import ObjectInfo, ObjectStore

__all__ = ["ObjectInfo", "ObjectStore", "open_object_store"]


def open_object_store(settings) -> ObjectStore:
    uri: str = settings.objects_uri
    if uri.startswith("file://"):
        from modelhub.stores.objects.local import LocalObjectStore

        return LocalObjectStore(uri.removeprefix("file://"))
    if uri.startswith("s3://"):
        from modelhub.stores.objects.s3 import S3ObjectStore

        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        return S3ObjectStore(
            bucket,
            prefix,
            endpoint=settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
            region=settings.s3_region,
            timeout_s=settings.dependency_timeout_s,
        )
    raise ValueError(f"MODELHUB_OBJECTS_URI: unsupported scheme in {uri!r} (use file:// or s3://)")
