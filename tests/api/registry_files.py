"""Small model and dataset files for the registry tests, built in memory (nothing here is ever loaded)."""

from __future__ import annotations

import io
import json
import pickle
import uuid
import zipfile
import zlib


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def onnx_bytes() -> bytes:
    """A ModelProto-shaped protobuf: ir_version, producer, a graph, an opset import."""
    graph = _field(2, b"main") + _field(1, _field(4, b"Relu"))
    return _field(1, 9) + _field(2, b"modelhub-test") + _field(7, graph) + _field(8, _field(2, 17))


def make_files() -> dict[str, tuple[str, bytes]]:
    """name -> (file name, content) for each supported model format."""
    state = pickle.dumps({"weights": [0.1, 0.2], "nonce": uuid.uuid4().hex}, protocol=4)
    return {
        "skops": ("model.skops", zip_bytes({"schema.json": b'{"protocol": 1}', "0.npy": b"\x93NUMPY"})),
        "pickle": ("model.pkl", state),
        "joblib": ("model.joblib", state),
        "joblib-compressed": ("model.bin", zlib.compress(state)),
        "torchscript": (
            "scripted.pt",
            zip_bytes(
                {
                    "archive/data.pkl": state,
                    "archive/constants.pkl": state,
                    "archive/code/__torch__/model.py": b"def forward(self, x): ...",
                    "archive/version": b"3",
                }
            ),
        ),
        "torch_state_dict": (
            "weights.pth",
            zip_bytes({"archive/data.pkl": state, "archive/data/0": b"\0" * 16, "archive/version": b"3"}),
        ),
        "onnx": ("model.onnx", onnx_bytes()),
        "mlflow": (
            "model.zip",
            zip_bytes({"model/MLmodel": b"flavors:\n  python_function: {}\n", "model/model.pkl": state}),
        ),
    }


CSV = b"id,amount,active,when,label\n1,2.5,true,2024-01-02,a\n2,3,false,2024-01-03T10:00:00,\n3,,TRUE,2024-02-01,c\n"
JSONL = (
    b'{"id": 1, "score": 0.5, "tags": ["x"]}\n\n{"id": 2, "score": 1, "extra": {"k": 1}}\n{"id": 3, "score": null}\n'
)


def parquet_bytes() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"id": [1, 2, 3], "price": [1.5, 2.0, None], "name": ["a", "b", "c"]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def multipart(fields: dict[str, str], file: tuple[str, bytes] | None, boundary: str = "modelhub-boundary") -> bytes:
    """A multipart body by hand, so tests can cut it anywhere."""
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    if file:
        filename, data = file
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'.encode()
        out += b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def json_field(value) -> str:
    return json.dumps(value)
