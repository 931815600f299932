from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

RECORDS = {"type": "array", "items": {"type": "object", "additionalProperties": True}, "minItems": 1}
PREDICT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "exactly one of records, dataframe_records, dataframe_split, instances, inputs",
                    "properties": {
                        "records": {**RECORDS, "description": "one object per record: {feature: value}"},
                        "dataframe_records": {**RECORDS, "description": "MLflow: pandas records orient"},
                        "dataframe_split": {
                            "type": "object",
                            "description": "MLflow: pandas split orient",
                            "properties": {
                                "columns": {"type": "array", "items": {"type": "string"}},
                                "data": {"type": "array", "items": {"type": "array", "items": {}}},
                            },
                            "required": ["columns", "data"],
                        },
                        "instances": {
                            "type": "array",
                            "items": {},
                            "description": "MLflow: objects, or lists in the input schema's property order",
                        },
                        "inputs": {"type": "array", "items": {}, "description": "as instances"},
                        "params": {"type": "object", "description": "MLflow inference params: ignored"},
                        "version": {"type": "integer", "minimum": 1},
                        "alias": {"type": "string"},
                        "probabilities": {"type": "boolean"},
                    },
                },
                "example": {"records": [{"income": 42000, "age": 37, "city": "Lyon"}]},
            }
        },
    }
}


class PredictOut(BaseModel):
    predictions: list[Any]
    model_id: str
    model_name: str
    model_version: int
    probabilities: list[list[float]] | None = Field(None, description="with ?probabilities=true: one row per record")
    classes: list[Any] | None = Field(None, description="the class of each probability column")


class PredictionLogEntry(BaseModel):
    time: str
    model_id: str
    model_name: str
    version: int
    caller: str
    source: str
    latency_ms: float
    n_records: int
    inputs_hash: str = Field(description="sha256 of the request body as sent")
    inputs: list[dict[str, Any]] = Field(description="the first MODELHUB_SERVING_LOG_SAMPLE_RECORDS records")
    outputs: list[Any] = Field(description="their predictions")


class PredictionLogOut(BaseModel):
    items: list[PredictionLogEntry]


class ServingStatsOut(BaseModel):
    workers: list[dict[str, Any]]
    worker_restarts: int
    prediction_log: dict[str, int] = Field(description="queued, written, dropped (queue full), failed (store down)")
