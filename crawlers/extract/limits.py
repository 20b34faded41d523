"""Size limits shared by the extraction functions (bytes).

Crawled content is hostile: a page or file past these sizes is refused with a named
error instead of being parsed. Callers pass their own limit (from settings) to override.
"""

from __future__ import annotations

from crawlers.errors import PageTooLargeError

#: Largest HTML page decode_html / extract_page will parse, in bytes.
DEFAULT_MAX_HTML_BYTES = 10 * 1024 * 1024
#: Largest attachment extract_file_text will open, in bytes.
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024


def check_html_size(size: int, limit: int, url: str = "") -> None:
    """Raise PageTooLargeError when `size` bytes exceed `limit`."""
    if size > limit:
        raise PageTooLargeError(size, limit, url=url)


def utf8_size(text: str, limit: int) -> int:
    """UTF-8 size of `text`, computed only when it could matter for `limit`.

    A character is 1 to 4 bytes, so the length bounds the size from both sides and most
    pages never need the copy that encoding makes.
    """
    if len(text) * 4 <= limit:
        return len(text)  # a lower bound, and the true size cannot pass the limit
    return len(text.encode("utf-8", errors="surrogatepass"))
