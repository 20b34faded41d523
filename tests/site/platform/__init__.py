"""Platform-like fixture pages (see server.py)."""
