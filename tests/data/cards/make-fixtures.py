#!/usr/bin/env python3
"""Writes the fixtures in the layouts of Meta's 2026 files from the hand-written ones beside it.

    python3 tests/data/cards/make-fixtures.py

- eur-2026-07-01.list-rates.meta.csv: eur-2026-07-01.meta.csv as the "List rates" sheet of
  2026 exports it, with a "Meta Business Agent" column after Service (its cells are
  PLACEHOLDERS, not Meta's: waprice must leave the column out whatever it holds).
- tiers-synthetic.per-rate-card.meta.csv: tiers-synthetic.meta.csv (SYNTHETIC thresholds and
  rates) with the tier file's own header: "Market\\n(per rate card)", and per category group
  From, To, Rate type, Rate, Discount.
- eur-2026-07-01.meta.xlsx: a workbook with a "Read me" sheet, the list rates and the volume
  tiers above as sheets "List rates" and "Volume tiers", numbers stored as numbers (counts,
  rates, discounts as percentages), header cells with line breaks, and one tier rate stored
  the way a spreadsheet formula leaves it (0.0011000000000000001).
- no-rates.meta.xlsx: a workbook with only the "Read me" sheet.

Only the standard library: the .xlsx is the zip of XML parts that spreadsheet programs write.
"""

import csv
import io
import os
import re
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name), newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write(name, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        f.write(out.getvalue())


def list_rates():
    rows = read("eur-2026-07-01.meta.csv")
    out = [rows[0]]
    out.append(rows[1] + ["Meta Business Agent"])
    for r in rows[2:]:
        # Placeholder values, so that numbers in an unknown column are seen to be ignored.
        out.append(r + ["0.0100" if r[0] < "M" else "n/a"])
    return out


def per_rate_card_tiers():
    rows = read("tiers-synthetic.meta.csv")
    title, groups, header = rows[0], rows[1], rows[2]
    header = ["Market\n(per rate card)", "Currency"] + [
        {"Tier": "Rate type"}.get(h, h) for h in header[2:]
    ]
    return [title, groups, header] + rows[3:]


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")
PERCENT = re.compile(r"^(-?[0-9]+)%$")


def sheet_xml(rows, strings, formula_cells=()):
    """A worksheet: numbers as numbers, percentages as numbers with a percent style, text in
    the shared strings table."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(rows):
        # One empty row above the table, as Meta's workbooks leave room above the title.
        n = r + 2
        out.append(f'<row r="{n}">')
        for c, value in enumerate(row):
            ref = f"{col(c)}{n}"
            if value == "":
                continue
            if (r, c) in formula_cells:
                f, v = formula_cells[(r, c)]
                out.append(f'<c r="{ref}"><f>{escape(f)}</f><v>{v}</v></c>')
            elif PERCENT.match(value):
                v = int(PERCENT.match(value).group(1)) / 100
                out.append(f'<c r="{ref}" s="1"><v>{v!r}</v></c>')
            elif NUMBER.match(value):
                out.append(f'<c r="{ref}"><v>{value.replace(",", "")}</v></c>')
            else:
                if value not in strings:
                    strings[value] = len(strings)
                out.append(f'<c r="{ref}" t="s"><v>{strings[value]}</v></c>')
        out.append("</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook(path, sheets):
    strings = {}
    parts = {}
    for i, (name, rows, formulas) in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_xml(rows, strings, formulas)
    sst = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>')
    parts["xl/styles.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '</styleSheet>')
    sheet_entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _, _) in enumerate(sheets, 1))
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets>{sheet_entries}</sheets></workbook>')
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1))
    n = len(sheets)
    rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
             f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>')
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f'{overrides}</Types>')
    order = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
             "xl/styles.xml", "xl/sharedStrings.xml"] + [f"xl/worksheets/sheet{i}.xml" for i in range(1, n + 1)]
    with zipfile.ZipFile(os.path.join(HERE, path), "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            # A fixed date keeps the file byte for byte the same on every run.
            info = zipfile.ZipInfo(name, date_time=(2026, 7, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, parts[name])


def main():
    rates = list_rates()
    write("eur-2026-07-01.list-rates.meta.csv", rates)
    tiers = per_rate_card_tiers()
    write("tiers-synthetic.per-rate-card.meta.csv", tiers)
    readme = [["These sheets are test fixtures in the layout of Meta's 2026 rate-card workbook."],
              ["List rates: the EUR card of July 2026; Meta Business Agent values are placeholders."],
              ["Volume tiers: SYNTHETIC thresholds and rates, not Meta's."]]
    # India's utility Tier 1 rate (sheet row 6, column F) as a formula leaves it: the list
    # rate above it less 8%, a binary float a hair above 0.0011.
    formulas = {(4, 5): ("ROUND(F5*0.92,4)", "1.1000000000000001E-3")}
    workbook("eur-2026-07-01.meta.xlsx",
             [("Read me", readme, {}), ("List rates", rates, {}), ("Volume tiers", tiers, formulas)])
    # A workbook without rates: the error names its sheets.
    workbook("no-rates.meta.xlsx", [("Read me", readme[:1], {})])


if __name__ == "__main__":
    main()
