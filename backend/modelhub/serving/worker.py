"""The worker process: answers a prediction request from its raw body to its encoded JSON answer,
so the API process only routes, authenticates, resolves the version and passes bytes through.

Messages (pickled through `multiprocessing.connection`): the API sends
`(spec, body, schema, probabilities, options_checked)`: the version to use (`spec`, with the
`schema_key` its input schema is cached under), the request body as sent, that input schema, and
whether the API already applied the body's own `version`/`alias`/`probabilities`. Answers:
- `("ok", response_body, log)`: the answer's JSON bytes and what the prediction log keeps,
  `(n_records, sha256 of the body, first records, their predictions)`, the last two as JSON;
- `("options",)`: the body holds options the API has not applied yet (clients that cannot add a
  query put them there): the API parses the body itself and asks again;
- `("error", kind, message, details)`: kind `load` (503, remembered a moment), `predict` (the model
  failed on valid input: 503) or the code of the client error to raise (400, 413, 422).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from itertools import chain
from operator import itemgetter
from typing import Any

import orjson

from modelhub.errors import ModelHubError, ValidationFailed
from modelhub.serving.cache import Loaded, LoadError, ModelCache
from modelhub.serving.inputs import NUMBERS, RecordChecker, has_options, parse_json, records_from_body

MAX_CHECKERS = 512


class Checkers:
    """Compiled input schemas by (model id, model edit, version): schemas change only with those."""

    def __init__(self, extra_policy: str):
        self.extra_policy = extra_policy
        self.compiled: dict[tuple, RecordChecker | None] = {}

    def get(self, key: tuple, schema: dict[str, Any] | None) -> RecordChecker | None:
        if key not in self.compiled:
            if len(self.compiled) >= MAX_CHECKERS:
                self.compiled.clear()
            self.compiled[key] = RecordChecker.compile(schema, self.extra_policy)
        return self.compiled[key]


def _missing(records: list[dict[str, Any]], wanted: list[str]) -> ValidationFailed:
    """422 naming the first missing field (in the model's order) of the first record lacking it."""
    name, index = next((n, i) for n in wanted for i, r in enumerate(records) if n not in r)
    return ValidationFailed(
        f"records[{index}].{name} is required by the model and missing",
        [{"field": f"records[{index}].{name}", "record": index, "name": name, "message": "missing"}],
    )


def _inputs(entry: Loaded, records: list[dict[str, Any]], columns: list[str] | None, numeric: bool):
    """(DataFrame or None, float array or None): the array when every value is a number (known
    already when `numeric`: the input schema's check said so)."""
    import pandas as pd

    if entry.preprocessing is not None:  # the records hold the raw columns the preprocessing reads
        wanted = list(getattr(entry.preprocessing, "input_columns", None) or columns or [])
    else:
        wanted = entry.features or columns
    if not wanted:
        return pd.DataFrame.from_records(records), None
    try:
        rows = list(map(itemgetter(*wanted), records))  # one C call per record; KeyError: one is missing
    except KeyError:
        raise _missing(records, wanted) from None
    if len(wanted) == 1:
        rows = [(value,) for value in rows]
    if entry.preprocessing is None and (numeric or NUMBERS.issuperset(set(map(type, chain.from_iterable(rows))))):
        import numpy as np

        # one float array (None becomes NaN, as in a DataFrame): 10x faster than from_records
        values = np.array(rows, dtype=float)
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
    return values.tolist() if hasattr(values, "tolist") else list(values)


def predict(entry: Loaded, records, columns, probabilities: bool, numeric: bool = False) -> dict[str, Any]:
    """The answer's fields: predictions, and with `probabilities` the per-class ones and the classes."""
    frame, array = _inputs(entry, records, columns, numeric)
    try:
        if entry.preprocessing is not None:
            frame = entry.preprocessing.apply(frame)
            if entry.features:
                frame = frame[entry.features]
        predictions = entry.model.predict(frame if frame is not None else array)
    except ValueError as exc:  # wrong value types for this model: the caller's records
        raise ValidationFailed(f"the records do not fit the model: {exc}", {"field": "records"}) from exc
    if frame is None:
        frame = array
    elif entry.array_ok is None and array is not None:
        try:
            entry.array_ok = _same(entry.model.predict(array), predictions)
        except Exception:  # noqa: BLE001 - any failure means: keep DataFrames for this model
            entry.array_ok = False
    out: dict[str, Any] = {"predictions": _plain(predictions)}
    if probabilities:
        if not hasattr(entry.model, "predict_proba"):
            raise ValidationFailed(
                f"probabilities asked for but {type(entry.model).__name__} has no predict_proba",
                {"field": "probabilities"},
            )
        out["probabilities"] = _plain(entry.model.predict_proba(frame))
        out["classes"] = entry.classes
    return out


class Answerer:
    """One request from body bytes to answer bytes (the steps the API process used to do)."""

    def __init__(self, cache: ModelCache, settings):
        self.cache = cache
        self.checkers = Checkers(settings.serving_extra_fields)
        self.max_records = settings.serving_max_records
        self.sample = settings.serving_log_sample_records

    def __call__(self, spec: dict[str, Any], raw: bytes, schema, probabilities: bool, options_checked: bool):
        body = parse_json(raw)
        if not options_checked and has_options(body):
            return ("options",)
        checker = self.checkers.get(spec["schema_key"], schema)
        order = checker.properties if checker is not None and checker.properties else None
        key, records = records_from_body(body, self.max_records, order)
        if checker is not None:
            records = checker.check(records, key)
        numeric = checker is not None and checker.numeric
        result = predict(self.cache.get(spec), records, order, probabilities, numeric)
        answer = {
            "predictions": result["predictions"],
            "model_id": spec["model_id"],
            "model_name": spec["model_name"],
            "model_version": spec["version"],
            **({"probabilities": result["probabilities"], "classes": result["classes"]} if probabilities else {}),
        }
        k = self.sample
        inputs, outputs = encode(records[:k]).decode(), encode(result["predictions"][:k]).decode()
        log = (len(records), hashlib.sha256(raw).hexdigest(), inputs, outputs)
        return ("ok", encode(answer), log)


def encode(value: Any) -> bytes:
    """JSON bytes (orjson, 10x faster; NaN becomes null); the standard library for what orjson
    refuses (integers past 64 bits)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":")).encode()


def _warm_imports() -> None:
    with contextlib.suppress(Exception):
        import pandas  # noqa: F401
        import sklearn.base  # noqa: F401
        import skops.io  # noqa: F401


def main(conn, settings) -> None:
    """The worker's loop: one request at a time until the pipe closes or `None` arrives."""
    from modelhub.stores.objects import open_object_store

    answer = Answerer(
        ModelCache(open_object_store(settings), settings.serving_cache_bytes, settings.serving_cache_models), settings
    )
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
        try:
            reply = answer(*message)
        except LoadError as exc:
            reply = ("error", "load", str(exc), None)
        except ModelHubError as exc:  # the caller's request: 400, 413 or 422 with the same body as before
            reply = ("error", exc.code, exc.message, exc.details)
        except Exception as exc:  # noqa: BLE001 - the model's own failure, reported, the worker lives on
            reply = ("error", "predict", f"{type(exc).__name__}: {exc}", None)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
