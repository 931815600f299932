"""The demo catalog (`modelhub seed-demo`): see seed.py. Kept light: `make run` asks `needs_seed`
on every start, before anything heavy (scikit-learn, skops) is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelhub.context import AppContext

SEED_STATE = "demo_seed"  # one document, "state": whether the last seed run finished


def catalog_is_empty(context: AppContext) -> bool:
    return context.metadata.find_one("models", {}) is None


def seed_unfinished(context: AppContext) -> bool:
    """A seed run started and did not finish (stopped midway, e.g. by Ctrl-C during `make run`)."""
    context.metadata.register(SEED_STATE)
    state = context.metadata.get(SEED_STATE, "state")
    return state is not None and not state.get("finished")


def needs_seed(context: AppContext) -> bool:
    """What `--if-empty` asks: an empty catalog, or a seed to finish."""
    return catalog_is_empty(context) or seed_unfinished(context)


def mark_seed(context: AppContext, finished: bool) -> None:
    context.metadata.register(SEED_STATE)
    if context.metadata.get(SEED_STATE, "state") is None:
        context.metadata.insert(SEED_STATE, {"_id": "state", "finished": finished})
    else:
        context.metadata.update(SEED_STATE, "state", {"finished": finished})
