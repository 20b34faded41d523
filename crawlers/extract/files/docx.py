"""DOCX text with python-docx: paragraphs and tables in document order."""

from __future__ import annotations

import io

import docx
from docx.table import Table

from crawlers.extract.files.containers import open_zip


def read(data: bytes, *, max_bytes: int) -> str:
    open_zip(data, "docx", max_bytes).close()
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _table_lines(table: Table) -> list[str]:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans, each time wrapping
            # the same <w:tc> element: keep one copy.
            if cell._tc is not previous:
                cells.append(cell.text.strip())
            previous = cell._tc
        lines.append("\t".join(cells))
    return lines
