"""The source file schema: one YAML file per source in config/sources/.

Every model rejects unknown keys, so a typo such as `politness:` is an error that names the
file, line and field instead of a silently ignored setting. The reference for each field is
its `description`; docs and `fairwatch config check` read them from here.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from crawlers.browser.rules import PLATFORMS, AdRules
from crawlers.sources.schedule import Schedule, cron_fields

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
# Placeholders filled in at load time (for example the address of the local fixture site).
PLACEHOLDER = re.compile(r"\{(site)\}")
DEFAULT_ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_url(value: str) -> str:
    if PLACEHOLDER.match(value):
        return value
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected an http:// or https:// URL, received {value!r}")
    return value


Url = Annotated[str, AfterValidator(_check_url)]


class LinkRule(_Strict):
    """How to find detail-page links on a list page when `auto` is not good enough."""

    css: str = Field(description="CSS selector of the <a> elements (or their containers).")
    pattern: str | None = Field(None, description="Regular expression the absolute URL must match.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


class NextLinkPagination(_Strict):
    style: Literal["next_link"] = "next_link"
    selector: str = Field("auto", description="CSS selector of the next-page link, or `auto`.")
    max_pages: int = Field(20, ge=1, le=10_000, description="Stop after this many list pages.")


class TemplatePagination(_Strict):
    style: Literal["template"]
    template: str = Field(
        description="Page URL relative to the start URL with {n} for the page number, "
        "e.g. index_{n}.html (TRS portals number the second page 1).",
    )
    first: int = Field(1, ge=0, description="First page number substituted for {n}.")
    last: int = Field(5, ge=0, description="Last page number substituted for {n}.")

    @model_validator(mode="after")
    def _ordered(self) -> TemplatePagination:
        if "{n}" not in self.template:
            raise ValueError("template must contain {n}")
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) must be >= first ({self.first})")
        return self


class JsonFields(_Strict):
    url: str = Field(description="Dotted path of the detail URL inside one item.")
    title: str | None = Field(None, description="Dotted path of the title.")
    published: str | None = Field(None, description="Dotted path of the publication date.")


class JsonPagination(_Strict):
    """The list data comes from the site's JSON/XHR endpoint instead of HTML."""

    style: Literal["json"]
    url: Url = Field(description="Endpoint URL with {n} for the page number.")
    first: int = Field(1, ge=0)
    last: int = Field(5, ge=0)
    items: str = Field(description="Dotted path of the list of items in the JSON body.")
    fields: JsonFields

    @model_validator(mode="after")
    def _ordered(self) -> JsonPagination:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) must be >= first ({self.first})")
        return self


Pagination = Annotated[
    NextLinkPagination | TemplatePagination | JsonPagination, Field(discriminator="style")
]


class ListRules(_Strict):
    items: Literal["auto"] | LinkRule = Field(
        "auto",
        description="`auto` (detail links found by URL shape and anchor text) or a LinkRule.",
    )
    pagination: Pagination | None = Field(
        None, description="How to reach further list pages; none means the start pages only."
    )


class DetailRules(_Strict):
    """CSS selectors for detail pages whose layout `auto` gets wrong."""

    title: str | None = None
    body: str | None = None


class AttachmentRules(_Strict):
    enabled: bool = True
    extensions: tuple[str, ...] = Field(
        DEFAULT_ATTACHMENT_TYPES, description="File types fetched, lower case without the dot."
    )
    max_size_mb: float = Field(
        20, gt=0, le=500, description="Larger files are skipped with a reason."
    )

    @field_validator("extensions")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in value if not re.fullmatch(r"[a-z0-9]{1,8}", v)]
        if bad:
            raise ValueError(f"expected lower-case extensions without a dot, received {bad}")
        return value


class Politeness(_Strict):
    concurrency: int = Field(2, ge=1, le=64, description="Concurrent requests to the site.")
    delay: float = Field(
        1.0, ge=0, le=600, description="Seconds between requests (AutoThrottle start)."
    )


class SourceConfig(_Strict):
    id: str = Field(description="Stable identifier: lower case letters, digits, - and _.")
    name: str = Field(min_length=1, description="Human name of the site or column.")
    issuer: str = Field(
        min_length=1, description="Issuing body (发文机关) the source publishes for."
    )
    region: str = Field(min_length=1, description="Region: 全国, a province or a city.")
    kind: Literal["policy", "ad"] = "policy"
    platform: str | None = Field(None, description="Ad platform (kind: ad only).")
    browser: bool = Field(False, description="Render pages with the browser (scrapy-playwright).")
    verified: bool = Field(False, description="True once a crawl against the live site succeeded.")
    start_urls: tuple[Url, ...] = Field(description="List pages the crawl starts from.")
    list: ListRules = ListRules()
    detail: Literal["auto"] | DetailRules = "auto"
    attachments: AttachmentRules = AttachmentRules()
    enabled: bool = Field(True, description="False: `fairwatch run` schedules no crawl of it.")
    schedule: Schedule = Field(
        Schedule(cron="0 6 * * *"),
        description="Cron expression (minute hour day month weekday), or a mapping with "
        "cron or every, jitter, window, timezone (crawlers/sources/schedule.py).",
    )
    politeness: Politeness = Politeness()
    robots: Literal["obey", "ignore"] = Field(
        "obey", description="`ignore` overrides robots.txt for this source (logged at every crawl)."
    )
    notes: str | None = None
    ad: AdRules | None = Field(
        None, description="Rendering and capture rules of an ad source (crawlers/browser/rules.py)."
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not SOURCE_ID.match(value):
            raise ValueError(
                f"expected lower-case letters, digits, - or _ (2-64 chars), received {value!r}"
            )
        return value

    @field_validator("start_urls")
    @classmethod
    def _some_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("expected at least one start URL, received an empty list")
        return value

    @field_validator("schedule", mode="before")
    @classmethod
    def _cron(cls, value: object) -> object:
        # A plain string is a cron expression; checked here so the error names `schedule`.
        if isinstance(value, str):
            cron_fields(value)
            return {"cron": value}
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> SourceConfig:
        if self.kind == "ad" and not self.platform:
            raise ValueError("kind: ad requires platform (e.g. douyin, xiaohongshu)")
        if self.kind == "policy" and self.platform:
            raise ValueError("platform is only valid for kind: ad")
        if self.kind == "ad" and self.platform not in PLATFORMS:
            raise ValueError(
                f"platform must be one of {', '.join(PLATFORMS)}, received {self.platform!r}"
            )
        if self.kind == "ad" and self.ad is None:
            raise ValueError("kind: ad requires an `ad:` block (wait_for selector and fields)")
        if self.kind == "policy" and self.ad is not None:
            raise ValueError("the `ad:` block is only valid for kind: ad")
        return self

    @property
    def needs_site(self) -> bool:
        """True when a URL still holds a placeholder that must be filled in before crawling."""
        urls = list(self.start_urls)
        if isinstance(self.list.pagination, JsonPagination):
            urls.append(self.list.pagination.url)
        return any(PLACEHOLDER.search(u) for u in urls)
