"""The worker's model cache: model files streamed from the object store, checked against their
sha256 and loaded (pickle-based formats run code: only ever in a worker process), least recently
used evicted past a byte and a count bound."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except OSError:
        return 0


class LoadError(Exception):
    """This version cannot be loaded (503 for its model only)."""


class Loaded:
    def __init__(self, model: Any, preprocessing: Any, size: int):
        self.model = model
        self.preprocessing = preprocessing
        self.size = size
        names = getattr(model, "feature_names_in_", None)
        self.features = [str(n) for n in names] if names is not None else None
        self.classes = [c.item() if hasattr(c, "item") else c for c in getattr(model, "classes_", [])] or None
        # Whether the model answers the same from a plain float array in feature order as from a
        # DataFrame (4x faster for small batches: no pandas validation). Unknown until the first
        # all-numeric batch, which is predicted both ways; False for e.g. ColumnTransformers by name.
        self.array_ok: bool | None = None if preprocessing is None else False


def _preprocessing(spec: dict[str, Any]) -> Any:
    """P1's FittedPreprocessing from the version's preprocessing JSON, when it carries one."""
    data = spec.get("preprocessing")
    if not data:
        return None
    try:
        from modelhub.pipelines.preprocessing import FittedPreprocessing
    except ImportError as exc:
        raise LoadError(f"the version carries a preprocessing but this release cannot apply it ({exc})") from exc
    for factory in ("from_dict", "from_json"):
        if hasattr(FittedPreprocessing, factory):
            import json

            arg = data if factory == "from_dict" else json.dumps(data)
            return getattr(FittedPreprocessing, factory)(arg)
    return FittedPreprocessing(**data)


class ModelCache:
    """Loaded models keyed by (model id, version, sha256), least recently used evicted past the bounds."""

    def __init__(self, objects, max_bytes: int, max_models: int):
        self.objects = objects
        self.max_bytes = max_bytes
        self.max_models = max_models
        self.entries: OrderedDict[tuple, Loaded] = OrderedDict()

    def get(self, spec: dict[str, Any]) -> Loaded:
        key = (spec["model_id"], spec["version"], spec["sha256"])
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            return entry
        entry = self._load(spec)
        self.entries[key] = entry
        while len(self.entries) > 1 and (
            len(self.entries) > self.max_models or sum(e.size for e in self.entries.values()) > self.max_bytes
        ):
            self.entries.popitem(last=False)
        return entry

    def _load(self, spec: dict[str, Any]) -> Loaded:
        from modelhub.jobs.api import JobError
        from modelhub.jobs.batch_scoring import load_model

        before = rss_bytes()
        fd, name = tempfile.mkstemp(prefix="modelhub-serving-", suffix="." + spec["format"])
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                for chunk in self.objects.get(spec["object_key"]):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != spec["sha256"]:
                raise LoadError("the stored file does not match the version's sha256")
            try:
                model = load_model(Path(name), spec["format"])
            except JobError as exc:
                raise LoadError(str(exc)) from exc
            except Exception as exc:
                raise LoadError(f"the file cannot be loaded: {type(exc).__name__}: {exc}") from exc
            if not hasattr(model, "predict"):
                raise LoadError(f"the file holds a {type(model).__name__}, which has no predict()")
            try:
                preprocessing = _preprocessing(spec)
            except LoadError:
                raise
            except Exception as exc:  # a bad preprocessing document is this version's problem
                raise LoadError(f"the version's preprocessing cannot be read: {exc}") from exc
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
        return Loaded(model, preprocessing, max(spec.get("size") or 0, rss_bytes() - before))
