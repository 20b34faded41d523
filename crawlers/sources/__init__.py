"""Source files: schema, line-aware YAML loading and validation."""

from crawlers.sources.errors import (
    MissingPlaceholderError,
    SourceConfigError,
    SourceError,
    SourceProblem,
    UnknownSourceError,
)
from crawlers.sources.loader import SourceSet, fill_placeholders, load_source_file, load_sources
from crawlers.sources.schema import SourceConfig

__all__ = [
    "MissingPlaceholderError",
    "SourceConfig",
    "SourceConfigError",
    "SourceError",
    "SourceProblem",
    "SourceSet",
    "UnknownSourceError",
    "fill_placeholders",
    "load_source_file",
    "load_sources",
]
