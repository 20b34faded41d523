"""Errors of the application layer (the CLI turns them into exit codes).

FairwatchError
└── CrawlError   a crawl could not be run at all (a site that fails is a failed run,
                 not an exception)
"""

from __future__ import annotations


class FairwatchError(Exception):
    """Base class of errors raised by the fairwatch application package."""


class CrawlError(FairwatchError):
    """A crawl could not be run, or was interrupted before it finished."""
