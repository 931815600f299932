"""Which kind of model file an upload is, told from its bytes alone: nothing is ever unpickled,
imported or executed (DESIGN.md section 7). See docs/registry.md for the rules.

The content decides; the file name only breaks a tie the content cannot (joblib vs plain pickle)
and a declared `format` must agree with what the content shows, except `other`, which is stored
as-is and never loaded by ModelHub.
"""

from __future__ import annotations

import zipfile
from enum import StrEnum
from typing import BinaryIO

from modelhub.errors import ValidationFailed


class ModelFormat(StrEnum):
    skops = "skops"  # scikit-learn, safe to load (skops.io)
    joblib = "joblib"  # scikit-learn via joblib: pickle, executes code on load
    pickle = "pickle"  # executes code on load
    torchscript = "torchscript"
    torch_state_dict = "torch_state_dict"  # torch.save of a state dict (zip); load with weights_only
    onnx = "onnx"
    mlflow = "mlflow"  # a zipped MLflow model directory (MLmodel file at its root)
    other = "other"  # stored unchecked; ModelHub never loads it


# Formats whose loading runs code from the file: loaded only in a worker process, never the API.
EXECUTES_CODE = frozenset({ModelFormat.joblib, ModelFormat.pickle})

EXTENSIONS = {
    ".skops": {ModelFormat.skops},
    ".joblib": {ModelFormat.joblib},
    ".pkl": {ModelFormat.pickle, ModelFormat.joblib},
    ".pickle": {ModelFormat.pickle, ModelFormat.joblib},
    ".pt": {ModelFormat.torchscript, ModelFormat.torch_state_dict},
    ".pth": {ModelFormat.torchscript, ModelFormat.torch_state_dict},
    ".onnx": {ModelFormat.onnx},
}

# Compressed streams joblib writes (zlib, gzip, bz2, xz, lzma, lz4).
COMPRESSED_MAGIC = (
    b"\x78\x01",
    b"\x78\x5e",
    b"\x78\x9c",
    b"\x78\xda",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"]\x00\x00",
    b"\x04\x22\x4d\x18",
)
MAX_PROTOBUF_FIELDS = 100_000


def _zip_formats(names: list[str]) -> tuple[set[ModelFormat], str]:
    def at_top(name: str) -> bool:  # at the root, or one directory down (a zipped folder)
        return any(n == name or (n.endswith("/" + name) and n.count("/") == 1) for n in names)

    if at_top("MLmodel"):
        return {ModelFormat.mlflow}, "a zip archive with an MLmodel file (MLflow model)"
    if "schema.json" in names:
        return {ModelFormat.skops}, "a zip archive with schema.json (skops)"
    if at_top("data.pkl"):
        scripted = any(len(p := n.split("/")) > 2 and p[1] == "code" for n in names) or at_top("constants.pkl")
        if scripted:
            return {ModelFormat.torchscript}, "a PyTorch archive with code/ (TorchScript)"
        return {ModelFormat.torch_state_dict}, "a PyTorch archive without code/ (torch.save, state dict)"
    return set(), "a zip archive that is neither an MLflow model, a skops file nor a PyTorch archive"


def _varint(stream: BinaryIO) -> int | None:
    result = shift = 0
    for _ in range(10):
        byte = stream.read(1)
        if not byte:
            return None
        result |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return result
        shift += 7
    return None


def looks_like_onnx(stream: BinaryIO, size: int) -> bool:
    """A light structural check of an ONNX ModelProto without the onnx package (not a dependency:
    its checker loads the whole model into memory): the top level parses as protobuf fields up to
    the last byte, with ir_version (field 1, varint) and a graph (field 7, length-delimited)."""
    stream.seek(0)
    seen: set[int] = set()
    for _ in range(MAX_PROTOBUF_FIELDS):
        if stream.tell() == size:
            break
        tag = _varint(stream)
        if tag is None:
            return False
        field, wire = tag >> 3, tag & 7
        if field == 0 or (field == 1 and wire != 0) or (field == 7 and wire != 2):
            return False
        if wire == 0:
            if _varint(stream) is None:
                return False
        elif wire in (1, 2, 5):
            length = {1: 8, 5: 4}.get(wire) or _varint(stream)
            if length is None or stream.tell() + length > size:
                return False
            stream.seek(length, 1)
        else:
            return False
        seen.add(field)
    return stream.tell() == size and {1, 7} <= seen


def content_formats(stream: BinaryIO, size: int) -> tuple[set[ModelFormat], str]:
    """The formats the bytes are consistent with, and what they look like in words."""
    stream.seek(0)
    head = stream.read(16)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                return _zip_formats(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            return set(), f"a damaged zip archive ({exc})"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return {ModelFormat.pickle, ModelFormat.joblib}, f"a pickle stream (protocol {head[1]})"
    if head.startswith(COMPRESSED_MAGIC):
        return {ModelFormat.joblib}, "a compressed stream (compressed joblib)"
    if head[:1] == b"\x08" and looks_like_onnx(stream, size):
        return {ModelFormat.onnx}, "a protobuf ModelProto (ONNX)"
    return set(), "none of the known model formats"


def extension(filename: str | None) -> str:
    name = (filename or "").lower()
    return name[name.rfind(".") :] if "." in name else ""


def detect(stream: BinaryIO, size: int, filename: str | None, declared: ModelFormat | None) -> ModelFormat:
    if declared is ModelFormat.other:
        return declared
    found, description = content_formats(stream, size)
    if declared is not None:
        if declared not in found:
            raise ValidationFailed(
                f"format is {declared.value} but the file is {description}",
                details={"field": "format", "declared": declared.value, "detected": sorted(found)},
            )
        return declared
    named = EXTENSIONS.get(extension(filename), set())
    if len(found) > 1 and named & found:
        found = found & named
    if len(found) > 1:  # a plain pickle stream not named .joblib
        found = {ModelFormat.pickle}
    if found:
        return found.pop()
    hint = f" although it is named {extension(filename)}" if named else ""
    raise ValidationFailed(
        f"cannot tell the model format: the file is {description}{hint}; send the field 'format' "
        f"({', '.join(f.value for f in ModelFormat)}), 'other' to store it unchecked",
        details={"field": "format"},
    )
