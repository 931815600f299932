from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class DatasetFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class DatasetForm(BaseModel):
    """The form fields sent beside the file of a new dataset."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
    description: str | None = Field(None, max_length=5000)
    format: DatasetFormat | None = None


class Column(BaseModel):
    name: str
    type: str = Field(description="integer, number, boolean, string, datetime, array, object, mixed, null")
    nullable: bool = False


class DatasetOut(BaseModel):
    id: str
    name: str
    description: str | None = None
    format: DatasetFormat
    filename: str
    content_type: str | None = None
    size: int
    sha256: str
    row_count: int
    columns: list[Column]
    options: dict[str, str] = Field(default_factory=dict, description="how to read it, e.g. the CSV delimiter")
    created_at: str
    created_by: str
    download_path: str
