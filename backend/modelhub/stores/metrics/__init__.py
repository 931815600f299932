"""Metrics store (time series points) over SQLAlchemy Core: `sqlite:///…` or `postgresql://…`."""

from modelhub.stores.metrics.store import MetricPoint, MetricsStore, SeriesPoint, open_metrics_store

__all__ = ["MetricPoint", "MetricsStore", "SeriesPoint", "open_metrics_store"]
