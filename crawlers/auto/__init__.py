"""`auto` rules: find detail links and the next list page on TRS, Hanweb and generic portals."""

from crawlers.auto.links import discover_detail_links
from crawlers.auto.pagination import discover_next_page

__all__ = ["discover_detail_links", "discover_next_page"]
