"""Spreadsheet text: XLSX with openpyxl, XLS and ET (WPS Spreadsheets) with xlrd.

Each sheet becomes a heading line with its name, then one tab-separated line per row
that has any value.
"""

from __future__ import annotations

import io

import openpyxl
import xlrd

from crawlers.extract.files.containers import open_zip


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_text(name: str, rows) -> list[str]:
    lines = [f"[{name}]"]
    for row in rows:
        cells = [_cell(value) for value in row]
        if any(cells):
            lines.append("\t".join(cells).rstrip("\t"))
    return lines


def read_xlsx(data: bytes, *, max_bytes: int) -> str:
    open_zip(data, "xlsx", max_bytes).close()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        lines: list[str] = []
        for sheet in book.worksheets:
            lines.extend(_rows_text(sheet.title, sheet.iter_rows(values_only=True)))
        return "\n".join(lines)
    finally:
        book.close()


def read_xls(data: bytes, *, max_bytes: int) -> str:
    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    try:
        lines: list[str] = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = (sheet.row_values(r) for r in range(sheet.nrows))
            lines.extend(_rows_text(sheet.name, rows))
            book.unload_sheet(index)
        return "\n".join(lines)
    finally:
        book.release_resources()
