"""The search page's query string as a `SearchQuery`, shared by the page, its .xlsx export
and the API, so the three find the same documents."""

from __future__ import annotations

from dataclasses import dataclass

from fairwatch.web.dates import parse_day
from storage.errors import InvalidQuery
from storage.search.base import AGGREGATIONS, SearchQuery


@dataclass
class SearchParams:
    q: str = ""
    kind: str = ""
    platform: str = ""
    region: str = ""
    source: str = ""
    standard: str = ""
    sector: str = ""  # analyzers.sectors ids, comma-separated
    grade: str = ""  # grades, comma-separated
    flagged: str = ""  # "" any, "1" flagged only, "0" not flagged
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    after: str = ""

    def query(self, *, size: int) -> SearchQuery:
        def many(value: str) -> list[str]:
            return [v for v in value.replace("，", ",").split(",") if v.strip()]

        if self.flagged not in ("", "1", "0"):
            raise InvalidQuery("must be 1, 0 or empty", field="flagged", value=self.flagged)
        query = SearchQuery(
            text=self.q.strip(),
            kinds=many(self.kind),
            platforms=many(self.platform),
            regions=many(self.region),
            source_ids=many(self.source),
            standards=many(self.standard),
            sectors=many(self.sector),
            grades=many(self.grade),
            flagged=None if self.flagged == "" else self.flagged == "1",
            date_from=parse_day(self.date_from, "from"),
            date_to=parse_day(self.date_to, "to"),
            sort=self.sort or "relevance",
            size=size,
            after=self.after or None,
            aggregations=list(AGGREGATIONS),
        )
        query.validate()
        return query
