"""Per-source rules of ad sources (the `ad:` block of a source file of kind `ad`).

    ad:
      wait_for: ".note-content p"      # content is there once this selector matches
      fields:                          # CSS selectors; `sel@attr` reads an attribute
        title: ".note-title"
        author: ".user-nickname"
        text: ".note-content"
        published: ".note-date@datetime"
        comments: ".comments .comment"
      products: {item: ".goods-card", name: ".name", price: ".price", link: "a@href"}
      expand: {mode: scroll, item: ".feed-item", end: ".no-more", max_rounds: 20}
      screenshot: true
      live: {poll_seconds: 10, window_minutes: 30}   # live rooms only

Every model rejects unknown keys, like the rest of the source schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "PLATFORMS",
    "AdRules",
    "ExpandRules",
    "FieldRules",
    "LiveWindow",
    "ProductRules",
    "split_selector",
]

PLATFORMS = ("livestream", "seeding", "advertorial", "ecommerce", "video")


def split_selector(selector: str) -> tuple[str, str | None]:
    """'a.buy@href' -> ('a.buy', 'href'); '.title' -> ('.title', None)."""
    css, sep, attr = selector.rpartition("@")
    if not sep:
        return selector, None
    return css, attr


def _check_selector(value: str | None) -> str | None:
    if value is None:
        return None
    css, attr = split_selector(value)
    if not css.strip() or (attr is not None and not attr.replace("-", "").isalnum()):
        raise ValueError(
            f"expected a CSS selector, optionally ending in @attribute, received {value!r}"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldRules(_Strict):
    title: str | None = Field(None, description="Title of the post, article, product or room.")
    author: str | None = Field(None, description="Author, shop or anchor name.")
    text: str | None = Field(None, description="Main text; each match is one paragraph block.")
    published: str | None = Field(None, description="Publication time, e.g. `time@datetime`.")
    comments: str | None = Field(None, description="One match per comment.")
    danmaku: str | None = Field(None, description="One match per danmaku (bullet comment).")
    transcript: str | None = Field(None, description="One match per transcript or caption line.")

    @field_validator("*")
    @classmethod
    def _selectors(cls, value: str | None) -> str | None:
        return _check_selector(value)


class ProductRules(_Strict):
    item: str = Field(description="One match per product card.")
    name: str = Field(".name", description="Name, relative to the card.")
    price: str = Field(".price", description="Price, relative to the card.")
    link: str = Field("a@href", description="Purchase link, relative to the card.")

    @field_validator("*")
    @classmethod
    def _selectors(cls, value: str | None) -> str | None:
        return _check_selector(value)


class ExpandRules(_Strict):
    """Scroll or click `load more` until no new items arrive, the end marker shows, or a cap."""

    mode: Literal["scroll", "load_more"]
    item: str = Field(description="Selector counted to tell whether new items arrived.")
    button: str | None = Field(None, description="The load-more button (mode load_more).")
    end: str | None = Field(None, description="Marker the page shows when nothing is left.")
    max_rounds: int = Field(20, ge=1, le=500, description="Cap on scrolls or clicks.")
    round_timeout_ms: int = Field(
        3000, ge=100, le=60_000, description="Wait for new items per round."
    )

    @model_validator(mode="after")
    def _button(self) -> ExpandRules:
        if self.mode == "load_more" and not self.button:
            raise ValueError("mode load_more requires button (the load-more selector)")
        return self


class LiveWindow(_Strict):
    poll_seconds: float = Field(10, gt=0, le=3600, description="Seconds between two polls.")
    window_minutes: float = Field(30, gt=0, le=24 * 60, description="How long a room is watched.")
    line_id: str = Field(
        "data-seq", description="Attribute that identifies a line; text if absent."
    )


class AdRules(_Strict):
    wait_for: str = Field(
        description="Selector that appears once the scripts rendered the content."
    )
    fields: FieldRules = FieldRules()
    products: ProductRules | None = None
    expand: ExpandRules | None = None
    screenshot: bool = Field(True, description="Keep a full-page PNG as evidence.")
    block_images: bool | None = Field(
        None, description="Abort images; default: only when no screenshot is kept."
    )
    live: LiveWindow | None = Field(None, description="Watch window (platform livestream).")

    @field_validator("wait_for")
    @classmethod
    def _wait(cls, value: str) -> str | None:
        return _check_selector(value)

    @property
    def images_blocked(self) -> bool:
        return (not self.screenshot) if self.block_images is None else self.block_images
