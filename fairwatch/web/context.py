"""The console's live parts, built once per app: database, search index, settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fairwatch.settings import Settings
from storage.db import Database
from storage.search.base import SearchIndex


@dataclass
class Console:
    settings: Settings
    db: Database
    index: SearchIndex
    sources_dir: Path

    def close(self) -> None:
        self.index.close()
