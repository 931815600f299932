"""Streaming multipart parsing, byte ranges and model-format rules, without HTTP."""

from __future__ import annotations

import io

import pytest

from modelhub.errors import BadRequest, PayloadTooLarge, RangeNotSatisfiable, UnsupportedMediaType, ValidationFailed
from modelhub.transfer.download import parse_range
from modelhub.transfer.multipart import FilePart, FormField, MultipartReader, display_filename, safe_filename
from modelhub.versions.formats import ModelFormat, detect
from tests.api.registry_files import make_files, multipart

CONTENT_TYPE = "multipart/form-data; boundary=modelhub-boundary"


def test_file_chunks_come_out_while_the_body_is_still_arriving():
    data = b"x" * (3 * 1024 * 1024)
    body = multipart({"notes": "hi"}, ("big.bin", data))
    received: list[int] = []

    def arriving():  # 64 KiB at a time, as a server hands it over
        for start in range(0, len(body), 65536):
            received.append(start)
            yield body[start : start + 65536]

    parts = iter(MultipartReader(arriving(), CONTENT_TYPE))
    field = next(parts)
    assert isinstance(field, FormField) and (field.name, field.value) == ("notes", "hi")
    file = next(parts)
    assert isinstance(file, FilePart) and file.filename == "big.bin"
    first = next(file.chunks)
    assert 1024 * 1024 <= len(first) < 2 * 1024 * 1024
    assert len(received) * 65536 < len(body) / 2  # most of the body has not been read yet
    assert len(first) + sum(len(c) for c in file.chunks) == len(data)
    assert next(parts, None) is None


def test_cut_and_malformed_bodies():
    body = multipart({}, ("m.bin", b"abc" * 100))
    with pytest.raises(BadRequest) as cut:
        for part in MultipartReader([body[:-30]], CONTENT_TYPE):
            if isinstance(part, FilePart):
                b"".join(part.chunks)
    assert cut.value.details == {"field": "file"}
    with pytest.raises(UnsupportedMediaType):
        MultipartReader([body], "application/json")
    with pytest.raises(PayloadTooLarge):
        list(MultipartReader([multipart({"notes": "n" * 70000}, None)], CONTENT_TYPE))
    with pytest.raises(BadRequest):
        list(
            MultipartReader(
                [b"--modelhub-boundary\r\nContent-Disposition: form-data\r\n\r\nx\r\n--modelhub-boundary--"],
                CONTENT_TYPE,
            )
        )


def test_file_names():
    assert display_filename("C:\\Users\\me\\model v2.pkl") == "model v2.pkl"
    assert safe_filename("../../etc/passwd", "model") == "passwd"
    assert safe_filename("..", "model") == "model"
    assert safe_filename("modèle final.pkl", "model") == "mod_le_final.pkl"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", (0, 0)),
        ("bytes=2-", (2, 9)),
        ("bytes=-3", (7, 9)),
        ("bytes=-30", (0, 9)),
        ("bytes=4-400", (4, 9)),
        ("lines=1-2", None),
        ("bytes=0-1,3-4", None),
    ],
)
def test_ranges(header, expected):
    assert parse_range(header, 10) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=5-2", "bytes=x-1", "bytes=-", "bytes=-0"])
def test_unsatisfiable_ranges(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 10)


def test_format_rules():
    files = make_files()

    def run(kind_or_file, declared=None, filename=None):
        name, data = files[kind_or_file] if isinstance(kind_or_file, str) else kind_or_file
        return detect(io.BytesIO(data), len(data), filename or name, declared)

    assert run("pickle") is ModelFormat.pickle
    assert run("pickle", filename="model.joblib") is ModelFormat.joblib
    assert run("pickle", filename="no-extension") is ModelFormat.pickle
    assert run("joblib-compressed") is ModelFormat.joblib
    assert run(("x", b"\x08\x01"), ModelFormat.other) is ModelFormat.other
    onnx_name, onnx = files["onnx"]
    with pytest.raises(ValidationFailed, match=r"named \.onnx"):
        run((onnx_name, onnx[:-2]))  # the last field runs past the end of the file
    with pytest.raises(ValidationFailed) as wrong:
        run("mlflow", ModelFormat.skops)
    assert wrong.value.details["field"] == "format" and wrong.value.details["detected"] == ["mlflow"]


def test_a_part_name_outside_latin1_is_bad_input():
    """Found by schemathesis: a field name like 'Ā' made python-multipart raise UnicodeEncodeError."""
    from modelhub.errors import BadRequest
    from modelhub.transfer.multipart import header_options

    with pytest.raises(BadRequest) as err:
        header_options('form-data; name="Ā"', "content-disposition")
    assert err.value.details == {"field": "content-disposition"}
