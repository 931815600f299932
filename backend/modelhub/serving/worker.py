"""The worker process: loads model files (pickle-based ones run code: never in the API process)
and answers predictions over a pipe, with an LRU cache of loaded models bounded in bytes.

Messages (pickled through `multiprocessing.connection`): the API sends
`(spec, records, columns, probabilities)` and gets back `("ok", result)` or `("error", kind, message,
details)`, kind being `load` (the version cannot be loaded: 503), `input` (the records do not fit the
model: 422) or `predict` (the model failed on valid input: 503).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

NUMERIC = frozenset({int, float, type(None)})
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE
    except OSError:
        return 0


class LoadError(Exception):
    pass


class InputError(Exception):
    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.details = details


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

    def describe(self) -> list[dict[str, Any]]:
        return [{"model_id": k[0], "version": k[1], "bytes": e.size} for k, e in self.entries.items()]


def _inputs(entry: Loaded, records: list[dict[str, Any]], columns: list[str] | None):
    """(DataFrame or None, float array or None): the array when every value is a number."""
    import pandas as pd

    if entry.preprocessing is not None:  # the records hold the raw columns the preprocessing reads
        wanted = list(getattr(entry.preprocessing, "input_columns", None) or columns or [])
    else:
        wanted = entry.features or columns
    if not wanted:
        return pd.DataFrame.from_records(records), None
    for name in wanted:
        for index, record in enumerate(records):
            if name not in record:
                raise InputError(
                    f"records[{index}].{name} is required by the model and missing",
                    [{"field": f"records[{index}].{name}", "record": index, "name": name, "message": "missing"}],
                )
    if entry.preprocessing is None and NUMERIC.issuperset({type(v) for record in records for v in record.values()}):
        import numpy as np

        # one float array (None becomes NaN, as in a DataFrame): 10x faster than from_records
        values = np.array([[record[name] for name in wanted] for record in records], dtype=float)
        if entry.array_ok:
            return None, values
        return pd.DataFrame(values, columns=wanted), values
    return pd.DataFrame.from_records(records, columns=wanted), None


def _same(a, b) -> bool:
    import numpy as np

    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return False


def _plain(values) -> list[Any]:
    out = values.tolist() if hasattr(values, "tolist") else list(values)
    return out


def predict(cache: ModelCache, spec: dict[str, Any], records, columns, probabilities: bool) -> dict[str, Any]:
    started = time.perf_counter()
    entry = cache.get(spec)
    loaded_s = time.perf_counter() - started
    frame, array = _inputs(entry, records, columns)
    try:
        if entry.preprocessing is not None:
            frame = entry.preprocessing.apply(frame)
            if entry.features:
                frame = frame[entry.features]
        predictions = entry.model.predict(frame if frame is not None else array)
    except ValueError as exc:  # wrong value types for this model: the caller's records
        raise InputError(f"the records do not fit the model: {exc}", {"field": "records"}) from exc
    if frame is None:
        frame = array
    elif entry.array_ok is None and array is not None:
        try:
            entry.array_ok = _same(entry.model.predict(array), predictions)
        except Exception:  # noqa: BLE001 - any failure means: keep DataFrames for this model
            entry.array_ok = False
    result: dict[str, Any] = {"predictions": _plain(predictions), "load_s": loaded_s}
    if probabilities:
        if not hasattr(entry.model, "predict_proba"):
            raise InputError(
                f"probabilities asked for but {type(entry.model).__name__} has no predict_proba",
                {"field": "probabilities"},
            )
        result["probabilities"] = _plain(entry.model.predict_proba(frame))
        result["classes"] = entry.classes
    return result


def _warm_imports() -> None:
    with contextlib.suppress(Exception):
        import pandas  # noqa: F401
        import sklearn.base  # noqa: F401
        import skops.io  # noqa: F401


def main(conn, settings) -> None:
    """The worker's loop: one request at a time until the pipe closes or `None` arrives."""
    from modelhub.stores.objects import open_object_store

    cache = ModelCache(open_object_store(settings), settings.serving_cache_bytes, settings.serving_cache_models)
    import warnings

    # the array fast path passes columns in the fitted order, without their names
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    # import the heavy libraries while no request waits (seconds on a busy machine)
    threading.Thread(target=_warm_imports, name="warm-imports", daemon=True).start()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if message == "describe":
            conn.send(("ok", cache.describe()))
            continue
        spec, records, columns, probabilities = message
        try:
            answer = ("ok", predict(cache, spec, records, columns, probabilities))
        except LoadError as exc:
            answer = ("error", "load", str(exc), None)
        except InputError as exc:
            answer = ("error", "input", str(exc), exc.details)
        except Exception as exc:  # noqa: BLE001 - the model's own failure, reported, the worker lives on
            answer = ("error", "predict", f"{type(exc).__name__}: {exc}", None)
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
