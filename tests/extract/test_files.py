"""extract_file_text on generated attachments, and on corrupt or unsupported ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from crawlers.errors import AttachmentError, CrawlerError
from crawlers.extract import extract_file_text
from crawlers.extract.files import SUPPORTED_TYPES
from tests.extract.attachment_factory import (
    CLAUSE,
    NUMBER,
    SECOND,
    convert_with_libreoffice,
    make_docx,
    make_image_only_pdf,
    make_ofd,
    make_pdf,
    make_unmapped_font_pdf,
    make_xlsx,
)


@pytest.fixture(scope="module")
def office97(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A .doc and an .xls written by LibreOffice from the generated DOCX and XLSX."""
    workdir = tmp_path_factory.mktemp("office97")
    (workdir / "policy.docx").write_bytes(make_docx())
    (workdir / "list.xlsx").write_bytes(make_xlsx())
    try:
        return {
            "doc": convert_with_libreoffice(workdir / "policy.docx", "doc", workdir),
            "xls": convert_with_libreoffice(workdir / "list.xlsx", "xls", workdir),
        }
    except RuntimeError as exc:
        pytest.fail(str(exc))


def test_pdf_text_from_every_page() -> None:
    text = extract_file_text(make_pdf(), "pdf")
    assert text.split("\n") == [NUMBER, CLAUSE, SECOND]


def test_docx_paragraphs_and_tables_in_order() -> None:
    text = extract_file_text(make_docx(), ".DOCX")
    assert text.split("\n") == [NUMBER, CLAUSE, "企业名称\t注册资本（万元）",
                                "某某科技有限公司\t5000", SECOND]


def test_xlsx_sheets_and_rows() -> None:
    assert extract_file_text(make_xlsx(), "xlsx") == (
        "[奖励名单]\n企业名称\t注册资本（万元）\n某某科技有限公司\t5000\n[空表]"
    )


def test_ofd_pages_with_text_objects_joined_per_line() -> None:
    assert extract_file_text(make_ofd(), "ofd").split("\n") == [NUMBER, CLAUSE, SECOND]


def test_legacy_word_doc_written_by_libreoffice(office97: dict[str, bytes]) -> None:
    data = office97["doc"]
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # a real OLE compound file
    text = extract_file_text(data, "doc")
    assert text.split("\n") == [NUMBER, CLAUSE, "企业名称\t注册资本（万元）",
                                "某某科技有限公司\t5000", SECOND]


def test_wps_writer_file_in_word97_format(office97: dict[str, bytes]) -> None:
    # WPS Office saves .wps in the Word 97 compound format; no writer of the Kingsoft
    # format exists on Debian, so the Word 97 file stands in for one.
    assert NUMBER in extract_file_text(office97["doc"], "wps")


def test_legacy_excel_xls_written_by_libreoffice(office97: dict[str, bytes]) -> None:
    text = extract_file_text(office97["xls"], "xls")
    assert text.startswith("[奖励名单]\n企业名称\t注册资本（万元）\n某某科技有限公司\t5000")


def test_real_format_wins_over_a_wrong_extension(office97: dict[str, bytes]) -> None:
    assert NUMBER in extract_file_text(make_docx(), "doc")  # DOCX saved as .doc
    assert NUMBER in extract_file_text(office97["doc"], "docx")
    assert "奖励名单" in extract_file_text(office97["xls"], "doc")
    assert NUMBER in extract_file_text(make_pdf(), "wps")
    html = f"<html><body><div id='zoom'><p>{CLAUSE}</p></div></body></html>".encode("gbk")
    assert extract_file_text(html, "doc") == CLAUSE  # Word's "save as web page"


def test_plain_text_in_gbk() -> None:
    assert extract_file_text((CLAUSE + "\r\n" + SECOND).encode("gbk"), "txt") == (
        CLAUSE + "\n" + SECOND
    )


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "file_type", "reason"),
    [
        (b"", "pdf", "pdf: the file is empty"),
        (b"%PDF-1.4\n1 0 obj garbage", "pdf", "pdf: corrupt or unreadable file"),
        (make_pdf()[:400], "pdf", "pdf: corrupt or unreadable file"),
        (make_pdf(encrypt="secret"), "pdf", "pdf: the document is encrypted"),
        (make_image_only_pdf(), "pdf", "pdf: the file contains no text (a scanned image"),
        (make_unmapped_font_pdf(), "pdf", "pdf: 40 glyphs come from fonts without a Unicode map"),
        (make_docx()[:300], "docx", "docx: not a valid zip container"),
        (_zip({"word/document.xml": b"<not-xml"}), "docx", "docx: corrupt or unreadable"),
        (b"\x00\x01 random bytes" * 20, "doc", "doc: not an OLE compound file"),
        (b"\x00\x01 random bytes" * 20, "wps", "wps: not an OLE compound file"),
        (b"{\\rtf1\\ansi hello}", "doc", "doc: the file is really RTF, which is not supported"),
        (_zip({"a.txt": b"x"}), "zip", "zip: unsupported file type"),
        (b"PPT bytes", "ppt", "ppt: unsupported file type"),
        (_zip({"a.txt": b"x"}), "ofd", "ofd: the file is really ZIP"),
        (_zip({"OFD.xml": b"<ofd:OFD xmlns:ofd='x'><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml"
                          b"</ofd:DocRoot></ofd:DocBody></ofd:OFD>"}),
         "ofd", "ofd: the document root Doc_0/Document.xml is missing"),
        (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "pdf",
         "pdf: the server sent an HTML page instead of the file"),
        (b"not a spreadsheet at all", "xlsx", "xlsx: not a valid zip container"),
        (b"not a spreadsheet at all", "xls", "xls: corrupt or unreadable file"),
    ],
)
def test_bad_attachments_raise_attachment_error_with_reason(
    data: bytes, file_type: str, reason: str
) -> None:
    with pytest.raises(AttachmentError) as info:
        extract_file_text(data, file_type)
    assert info.value.reason.startswith(reason), info.value.reason
    assert isinstance(info.value, CrawlerError)
    assert info.value.file_type


def test_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(AttachmentError, match=r"docx: \d+ bytes is over the 1000-byte limit"):
        extract_file_text(make_docx(), "docx", max_bytes=1000)


def test_zip_bomb_is_refused() -> None:
    bomb = _zip({"word/document.xml": b"<w:document/>", "word/media/x.bin": b"\0" * 5_000_000})
    assert len(bomb) < 20_000
    with pytest.raises(AttachmentError, match="docx: expands to 5000013 bytes.*zip bomb"):
        extract_file_text(bomb, "docx", max_bytes=100_000)


def test_supported_types() -> None:
    assert {"pdf", "docx", "doc", "wps", "xls", "xlsx", "et", "ofd", "txt"} <= SUPPORTED_TYPES


def test_generated_files_are_not_empty(tmp_path: Path) -> None:
    # Guards the factory itself: an empty generator would make the tests above vacuous.
    for data in (make_pdf(), make_docx(), make_xlsx(), make_ofd()):
        assert len(data) > 500


def test_truncated_word_file_is_reported_not_crashed(office97: dict[str, bytes]) -> None:
    for cut in (600, 4096, len(office97["doc"]) // 2):
        with pytest.raises(AttachmentError, match=r"^doc: ") as info:
            extract_file_text(office97["doc"][:cut], "doc")
        assert info.value.file_type == "doc"
