"""Builds real attachment files for the extraction tests.

PDF with reportlab (Chinese through the STSong-Light CID font), DOCX with python-docx,
XLSX with openpyxl, OFD as the zip of XML that GB/T 33190 defines, and DOC / XLS by
converting the DOCX / XLSX with LibreOffice (`soffice`, installed by
scripts/services.sh), so the Word 97 and Excel 97 files come from an independent writer.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

NUMBER = "粤府〔2023〕67号"
CLAUSE = "第三条 政府采购项目应当优先采购本地企业生产的产品。"
SECOND = "第四条 对在本地纳税的企业给予一次性奖励。"
CELLS = (("企业名称", "注册资本（万元）"), ("某某科技有限公司", 5000))


def make_pdf(*, pages: tuple[tuple[str, ...], ...] = ((NUMBER, CLAUSE), (SECOND,)),
             encrypt: str | None = None) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=encrypt)
    for lines in pages:
        pdf.setFont("STSong-Light", 12)
        for index, line in enumerate(lines):
            pdf.drawString(72, 750 - 20 * index, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_image_only_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(72, 600, 300, 100, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_unmapped_font_pdf(glyphs: int = 40) -> bytes:
    """A hand-written PDF whose CID font has no ToUnicode map (as some scanners write)."""
    content = b"BT /F1 12 Tf 72 700 Td <" + b"".join(
        b"%04X" % (i + 1) for i in range(glyphs)
    ) + b"> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /NoMap /Flags 4 /FontBBox [0 0 1000 1000] "
        b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def make_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(NUMBER)
    document.add_paragraph(CLAUSE)
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, CELLS, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = str(value)
    document.add_paragraph(SECOND)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "奖励名单"
    for row in CELLS:
        sheet.append(list(row))
    book.create_sheet("空表")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_ofd() -> bytes:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    entry = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
             "<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    document = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:Pages>'
                '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                '<ofd:Page ID="2" BaseLoc="Pages/Page_1/Content.xml"/>'
                "</ofd:Pages></ofd:Document>")

    def page(*lines: tuple[float, str]) -> str:
        objects = "".join(
            f'<ofd:TextObject ID="{i}" Boundary="{20 + 60 * (i % 2)} {y} 60 5" Font="1" Size="4">'
            f'<ofd:TextCode X="0" Y="4">{text}</ofd:TextCode></ofd:TextObject>'
            for i, (y, text) in enumerate(lines)
        )
        return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content>'
                f"<ofd:Layer ID=\"9\">{objects}</ofd:Layer></ofd:Content></ofd:Page>")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", entry)
        archive.writestr("Doc_0/Document.xml", document)
        # The number is split over two text objects on one baseline, as OFD writers do.
        archive.writestr("Doc_0/Pages/Page_0/Content.xml",
                         page((20, "粤府〔2023〕"), (20, "67号"), (30, CLAUSE)))
        archive.writestr("Doc_0/Pages/Page_1/Content.xml", page((20, SECOND)))
    return buffer.getvalue()


def convert_with_libreoffice(source: Path, target_ext: str, workdir: Path) -> bytes:
    """Convert `source` with headless LibreOffice; return the bytes of the result."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError(
            "soffice not found: run `bash scripts/services.sh start` (installs "
            "libreoffice-writer-nogui and libreoffice-calc-nogui), as make test does"
        )
    profile = workdir / "lo-profile"  # a private profile: parallel runs do not collide
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", target_ext, "--outdir", str(workdir), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    target = workdir / f"{source.stem}.{target_ext}"
    if result.returncode != 0 or not target.is_file():
        output = result.stderr or result.stdout
        raise RuntimeError(f"soffice failed ({result.returncode}): {output}")
    return target.read_bytes()
