"""The web console: review queue, documents, search, exports, operations, statistics, and
the JSON API under /api/. `create_app` builds it; `fairwatch serve` runs it."""

from fairwatch.web.app import create_app

__all__ = ["create_app"]
