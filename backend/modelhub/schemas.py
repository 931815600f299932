"""Shapes shared by every domain: the paginated list and the error body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from modelhub.stores.metadata import Page

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int | None = None
    next_cursor: str | None = None

    @classmethod
    def of(cls, page: Page, convert: Callable[[dict[str, Any]], T]) -> PageOut[T]:
        return cls(items=[convert(doc) for doc in page.items], total=page.total, next_cursor=page.next_cursor)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorBody


def form_properties(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON Schema properties with its `$defs` inlined, for hand-written multipart bodies
    in OpenAPI (a `#/$defs/...` reference would point nowhere there)."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                return inline({**definitions[ref.removeprefix("#/$defs/")], **siblings})
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema["properties"])
