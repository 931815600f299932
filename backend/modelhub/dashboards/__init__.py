"""Dashboards: the web UI's summaries over the metrics store, and demo history for first start."""
