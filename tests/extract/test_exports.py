"""The public surface of crawlers.extract is exactly its __all__, with the agreed names."""

from __future__ import annotations

import dataclasses
import inspect
import types

import crawlers.extract as extract


def test_all_names_exist_and_public_names_are_listed() -> None:
    for name in extract.__all__:
        assert hasattr(extract, name), name
    public = {
        name
        for name, value in vars(extract).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public == set(extract.__all__)


def _params(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_agreed_signatures() -> None:
    # notes/apis.md: other packages call these by these names.
    assert _params(extract.decode_html)[:2] == ["body", "declared_charset"]
    assert _params(extract.extract_page)[:2] == ["html", "url"]
    assert _params(extract.parse_doc_number) == ["raw"]
    assert _params(extract.extract_file_text)[:2] == ["data", "file_type"]
    fields = [field.name for field in dataclasses.fields(extract.DocNumber)]
    assert fields == ["prefix", "year", "serial", "raw"]
    page_fields = {field.name for field in dataclasses.fields(extract.ExtractedPage)}
    assert {"title", "text", "metadata", "cms", "attachments"} <= page_fields
