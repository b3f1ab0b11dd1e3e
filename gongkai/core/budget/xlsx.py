"""An .xlsx copy of each budget table, for people who work in Excel. The same
table always gives the same bytes (no clock inside), so builds can be compared."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from gongkai.core.budget.tables import Table

# Written into the workbook's properties and its zip entries instead of the
# time of the build: a workbook's bytes depend on its table alone.
FIXED_TIME = datetime(2000, 1, 1)


def cache_key(table: Table) -> str:
    """What a table's workbook is made from: its CSV's bytes and its declaration."""
    return hashlib.sha1(table.source.read_bytes() + repr((table.title, table.unit, table.spec)).encode()).hexdigest()


def write_xlsx(table: Table, target: Path) -> None:
    """An .xlsx copy of a table: numbers as numbers (two decimals), percent as text as published."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    ws.title = "数据"
    ws.append([f"{table.title}（单位：{table.unit}）"])
    ws["A1"].font = Font(bold=True)
    ws.append(table.header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        values = []
        for c in row.cells:
            if c.role in ("amount", "number") and c.value is not None:
                values.append(float(c.value))
            else:
                values.append(c.text)
        ws.append(values)
        for i, c in enumerate(row.cells):
            if c.role in ("amount", "number") and c.value is not None:
                ws.cell(row=ws.max_row, column=i + 1).number_format = "#,##0.00"
    made = io.BytesIO()
    wb.save(made)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl writes the time of saving there
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            out.writestr(fixed, data)
