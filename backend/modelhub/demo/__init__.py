"""The demo catalog (`modelhub seed-demo`): see seed.py. Kept light: `make run` asks `catalog_is_empty`
on every start, before anything heavy (scikit-learn, skops) is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelhub.context import AppContext


def catalog_is_empty(context: AppContext) -> bool:
    return context.metadata.find_one("models", {}) is None
