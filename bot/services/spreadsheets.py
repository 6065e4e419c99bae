"""Tables written for Excel and WPS: ``.xlsx`` with openpyxl (sheets of rows, a bold header,
columns wide enough, the header frozen) and ``.csv`` as UTF-8 with a BOM (without it Excel
reads UTF-8 as the local code page and the Chinese turns to noise); and read back (tests,
tools). Cells are text, whole numbers or decimals; an empty cell is None (in a CSV, "")."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Value = str | int | float | None

#: Characters Excel refuses in a sheet's name, and its longest name.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
_SHEET_MAX = 31


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Value]]


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def read_csv(content: bytes) -> Table:
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    headers, *rows = list(reader)
    return Table(headers, [list(r) for r in rows])


def to_xlsx(sheets: Sequence[tuple[str, Table]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, table in sheets:
        sheet = book.create_sheet(title.translate(_SHEET_FORBIDDEN)[:_SHEET_MAX] or "Sheet")
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            widest = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in table.rows])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, widest + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> list[tuple[str, Table]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    found: list[tuple[str, Table]] = []
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        headers = [str(h) for h in rows[0]] if rows else []
        found.append((sheet.title, Table(headers, rows[1:])))
    return found
