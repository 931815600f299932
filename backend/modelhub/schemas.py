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
