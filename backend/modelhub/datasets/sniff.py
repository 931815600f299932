"""Format, columns and row count of a stored dataset, read back from the object store as a stream.

Nothing loads the whole file: CSV and JSON lines are read line by line (every line is checked and
counted, types are inferred from the first SNIFF_ROWS rows), Parquet through its footer alone.
Every problem is a ValidationFailed on the field `file` that says what is wrong and where.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from modelhub.datasets.schemas import DatasetFormat
from modelhub.errors import ValidationFailed
from modelhub.stores.objects import ObjectStore
from modelhub.transfer.reader import open_seekable, open_stream

SNIFF_ROWS = 1000
MAX_LINE = 1024 * 1024
MAX_COLUMNS = 2000
DELIMITERS = (",", ";", "\t", "|")
EXTENSIONS = {
    ".csv": DatasetFormat.csv,
    ".jsonl": DatasetFormat.jsonl,
    ".ndjson": DatasetFormat.jsonl,
    ".parquet": DatasetFormat.parquet,
    ".pq": DatasetFormat.parquet,
}
INTEGER = re.compile(r"^[+-]?\d+$")
# narrowest first; a column gets the first type every sampled value fits
WIDENING = {("integer", "number"): "number", ("number", "integer"): "number"}


@dataclass
class Sniffed:
    columns: list[dict[str, Any]]
    row_count: int
    options: dict[str, str] = field(default_factory=dict)


def malformed(message: str) -> ValidationFailed:
    return ValidationFailed(message, details={"field": "file"})


def detect_format(head: bytes, filename: str | None, declared: DatasetFormat | None) -> DatasetFormat:
    is_parquet = head.startswith(b"PAR1")
    if declared is not None:
        if (declared is DatasetFormat.parquet) != is_parquet:
            what = "a Parquet file" if is_parquet else "not a Parquet file (no PAR1 magic)"
            raise ValidationFailed(f"format is {declared.value} but the file is {what}", details={"field": "format"})
        return declared
    if is_parquet:
        return DatasetFormat.parquet
    name = (filename or "").lower()
    by_name = EXTENSIONS.get(name[name.rfind(".") :] if "." in name else "")
    if by_name is DatasetFormat.parquet:
        raise malformed("the file is named .parquet but is not a Parquet file (no PAR1 magic)")
    if by_name is not None:
        return by_name
    return DatasetFormat.jsonl if head.lstrip().startswith(b"{") else DatasetFormat.csv


def sniff(store: ObjectStore, key: str, size: int, fmt: DatasetFormat) -> Sniffed:
    if fmt is DatasetFormat.parquet:
        return sniff_parquet(store, key, size)
    with io.TextIOWrapper(open_stream(store, key), encoding="utf-8-sig", newline="") as text:
        lines = bounded_lines(text)
        return sniff_csv(lines) if fmt is DatasetFormat.csv else sniff_jsonl(lines)


def bounded_lines(text: io.TextIOBase) -> Iterator[str]:
    number = 0
    while True:
        try:
            line = text.readline(MAX_LINE + 1)
        except UnicodeDecodeError:
            raise malformed(f"the file is not UTF-8 text (around line {number + 1})") from None
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise malformed(f"line {number} is longer than {MAX_LINE} characters")
        yield line


# -- CSV ---------------------------------------------------------------------------------------
def value_type(value: str) -> str | None:
    if value == "":
        return None
    if INTEGER.match(value):
        return "integer"
    try:
        float(value)
        return "number"
    except ValueError:
        pass
    if value.lower() in ("true", "false"):
        return "boolean"
    if len(value) >= 10 and value[4:5] == "-":
        try:
            datetime.fromisoformat(value)
            return "datetime"
        except ValueError:
            pass
    return "string"


def merge_type(current: str | None, new: str | None) -> str | None:
    if new is None or current == new:
        return current
    if current is None:
        return new
    return WIDENING.get((current, new), "string")


def pick_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def check_header(names: list[str]) -> list[str]:
    names = [n.strip() for n in names]
    if not names or names == [""]:
        raise malformed("the first line must be a header with the column names")
    if len(names) > MAX_COLUMNS:
        raise malformed(f"the file has {len(names)} columns; at most {MAX_COLUMNS} are supported")
    for position, name in enumerate(names, 1):
        if not name:
            raise malformed(f"column {position} of the header has no name")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise malformed(f"the header names these columns more than once: {', '.join(duplicates[:5])}")
    return names


def sniff_csv(lines: Iterator[str]) -> Sniffed:
    first = next(lines, None)
    if first is None:
        raise malformed("the file is empty")
    delimiter = pick_delimiter(first)

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter, strict=True)
    try:
        names = check_header(next(reader))
        types: list[str | None] = [None] * len(names)
        nullable = [False] * len(names)
        rows = 0
        for row in reader:
            if not row:
                continue  # blank line
            if len(row) != len(names):
                raise malformed(f"line {reader.line_num} has {len(row)} fields, the header has {len(names)}")
            if rows < SNIFF_ROWS:
                for i, value in enumerate(row):
                    kind = value_type(value)
                    nullable[i] |= kind is None
                    types[i] = merge_type(types[i], kind)
            rows += 1
    except csv.Error as exc:
        raise malformed(f"line {reader.line_num}: {exc}") from None
    columns = [
        {"name": n, "type": t or "string", "nullable": nullable[i] or t is None}
        for i, (n, t) in enumerate(zip(names, types, strict=True))
    ]
    return Sniffed(columns, rows, {"delimiter": delimiter})


# -- JSON lines --------------------------------------------------------------------------------
def json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def sniff_jsonl(lines: Iterator[str]) -> Sniffed:
    types: dict[str, str | None] = {}
    nullable: dict[str, bool] = {}
    rows = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise malformed(f"line {number} is not valid JSON: {exc}") from None
        except RecursionError:
            raise malformed(f"line {number} nests JSON too deeply") from None
        if not isinstance(record, dict):
            raise malformed(
                f"line {number} is a JSON {type(record).__name__}, not an object: JSON lines has one object per line"
            )
        if rows < SNIFF_ROWS:
            for name in types.keys() - record.keys():
                nullable[name] = True
            for name, value in record.items():
                if name not in types:
                    if len(types) >= MAX_COLUMNS:
                        raise malformed(f"the records have more than {MAX_COLUMNS} distinct fields")
                    types[name], nullable[name] = None, rows > 0
                kind = json_type(value)
                nullable[name] |= kind is None
                current = types[name]
                types[name] = (
                    kind
                    if current is None
                    else current
                    if kind in (None, current)
                    else WIDENING.get((current, kind), "mixed")
                )
        rows += 1
    if rows == 0:
        raise malformed("the file has no records")
    columns = [{"name": n, "type": t or "null", "nullable": nullable[n] or t is None} for n, t in types.items()]
    return Sniffed(columns, rows)


# -- Parquet -----------------------------------------------------------------------------------
def arrow_type(kind) -> str:
    import pyarrow as pa

    checks = (
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_integer, "integer"),
        (lambda t: pa.types.is_floating(t) or pa.types.is_decimal(t), "number"),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), "string"),
        (lambda t: pa.types.is_timestamp(t) or pa.types.is_date(t), "datetime"),
        (lambda t: pa.types.is_list(t) or pa.types.is_large_list(t), "array"),
        (lambda t: pa.types.is_struct(t) or pa.types.is_map(t), "object"),
    )
    return next((name for check, name in checks if check(kind)), str(kind))


def sniff_parquet(store: ObjectStore, key: str, size: int) -> Sniffed:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with open_seekable(store, key, size) as stream:
            metadata = pq.ParquetFile(stream).metadata  # reads the footer only
            schema = metadata.schema.to_arrow_schema()
            rows = metadata.num_rows
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise malformed(f"not a valid Parquet file: {exc}") from None
    if len(schema) > MAX_COLUMNS:
        raise malformed(f"the file has {len(schema)} columns; at most {MAX_COLUMNS} are supported")
    columns = [{"name": f.name, "type": arrow_type(f.type), "nullable": f.nullable} for f in schema]
    return Sniffed(columns, rows)
