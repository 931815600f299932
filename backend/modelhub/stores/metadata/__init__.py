"""Metadata store chosen by URI scheme: `sqlite:///path` (embedded) or `mongodb://…`."""

from __future__ import annotations

from modelhub.stores.metadata.base import Filter, Index, MetadataStore, Page, Sort, new_id

__all__ = ["Filter", "Index", "MetadataStore", "Page", "Sort", "new_id", "open_metadata_store"]


def open_metadata_store(uri: str, timeout_s: float = 3.0) -> MetadataStore:
    if uri.startswith("sqlite:///"):
        from modelhub.stores.metadata.sqlite import SQLiteMetadataStore

        return SQLiteMetadataStore(uri.removeprefix("sqlite:///") or ":memory:", timeout_s=timeout_s)
    if uri.startswith(("mongodb://", "mongodb+srv://")):
        from modelhub.stores.metadata.mongo import MongoMetadataStore

        return MongoMetadataStore(uri, timeout_s=timeout_s)
    raise ValueError(f"MODELHUB_METADATA_URI: unsupported scheme in {uri!r} (use sqlite:/// or mongodb://)")
