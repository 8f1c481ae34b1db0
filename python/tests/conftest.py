"""What the Python package's tests share: the command line to compare with, and logs read
into Arrow as a data team would read them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import List, Sequence

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"

#: The money columns of every result (decimal128 in Arrow, the engine's decimals in the CSV).
MONEY = {"cost", "budget", "overage", "rate"}


@pytest.fixture(scope="session")
def cli() -> str:
    """The command line: $WAPRICE, else the release build (built here when missing)."""
    path = os.environ.get("WAPRICE")
    if path:
        return path
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "--quiet", "--bin", "waprice"],
        cwd=ROOT,
        check=True,
    )
    return str(ROOT / "target" / "release" / "waprice")


def run_cli(cli: str, args: Sequence[str]) -> str:
    done = subprocess.run(
        [cli, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_rows(cli: str, args: Sequence[str]) -> List[List[str]]:
    return list(csv.reader(io.StringIO(run_cli(cli, args))))


def read_strings(path: Path, delimiter: str = ",") -> pa.Table:
    """A CSV log as an Arrow table of text columns: every cell as the file writes it."""
    header = next(csv.reader(open(path, newline="", encoding="utf-8"), delimiter=delimiter))
    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def cell(value: object) -> str:
    """A result's cell as the CSV writes it (money without the trailing zeros of the column's
    fixed scale: compare it with :func:`figure`)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return figure(str(value))
    return str(value)


def figure(text: str) -> str:
    """A money cell without trailing zeros: 3.8160 and 3.816000000000000000 are one figure."""
    if text == "":
        return ""
    d = Decimal(text).normalize()
    return f"{d:f}"


def table_rows(table: pa.Table) -> List[List[str]]:
    """The header and the rows of a result, each cell as the CSV's text."""
    rows = [table.column_names]
    for r in table.to_pylist():
        rows.append([cell(r[c]) for c in table.column_names])
    return rows


def unquoted(text: str) -> str:
    """A CSV cell without the ' the command line puts before text a spreadsheet would take
    for a formula."""
    return text[1:] if text.startswith("'") else text


def assert_same_cells(cli: List[List[str]], table: pa.Table) -> None:
    """The CLI's CSV and a result, cell by cell: the same header, the same rows in the same
    order, text and counts identical, money the same figure."""
    ours = table_rows(table)
    assert ours[0] == cli[0]
    assert len(ours) == len(cli), (len(ours), len(cli))
    money = [i for i, name in enumerate(cli[0]) if name in MONEY]
    for n, (a, b) in enumerate(zip(cli[1:], ours[1:]), start=2):
        expected = [figure(v) if i in money else unquoted(v) for i, v in enumerate(a)]
        assert b == expected, f"line {n}: {b} != {expected}"
