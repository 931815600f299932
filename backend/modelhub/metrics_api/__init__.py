"""`GET /api/metrics` (bucketed series) and `GET /api/dashboards/…` (the web UI's summaries and links)."""
