"""Superset's configuration in the compose stack (SUPERSET_CONFIG_PATH): everything from the environment."""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]  # no default: Superset refuses its built-in one
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_DATABASE_URI"]
# Behind nginx or a TLS proxy: trust X-Forwarded-* for the scheme and host of generated links.
ENABLE_PROXY_FIX = True
WTF_CSRF_ENABLED = True
TALISMAN_ENABLED = False  # the proxy in front sets the security headers
FEATURE_FLAGS = {"DASHBOARD_RBAC": True}
# Small deployments: no Redis cache or Celery for Superset itself (a Redis can be added, docs/deploy.md).
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = CACHE_CONFIG
