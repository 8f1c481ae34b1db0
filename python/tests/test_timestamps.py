"""Timestamp columns (pyarrow's own types): each cell is read as the instant it is, in any unit,
with or without a time zone, nulls as empty cells; the results and errors are the command
line's on the same log written as RFC 3339 text."""

from __future__ import annotations

import subprocess

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import waprice
import pyarrow.csv  # noqa: F401  (pa.csv)
from conftest import ROOT, SAMPLES, assert_same_cells, cli_rows, read_strings

CAMPAIGN = SAMPLES / "campaign-2025-06-07.csv"
FR_SHOP = SAMPLES / "fr-shop-2024-03.csv"


PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def typed(table: pa.Table, column: str, unit: str, tz) -> pa.Table:
    """`column` (RFC 3339 or Unix seconds, empty cells as nulls) as a timestamp column in `unit`
    and `tz`, each row's time moved by a few milliseconds (in units finer than seconds) so
    that the fractions are read too."""
    text = pc.if_else(pc.equal(table[column], ""), pa.scalar(None, pa.string()), table[column])
    digits = pc.match_substring_regex(text, r"^[0-9]+$")
    unix = pc.cast(pc.if_else(digits, text, pa.scalar(None, pa.string())), pa.int64())
    iso = pc.strptime(pc.if_else(digits, pa.scalar(None, pa.string()), text),
                      "%Y-%m-%dT%H:%M:%S%z", "s")
    seconds = pc.coalesce(unix, pc.cast(iso, pa.int64()))
    values = pc.multiply(seconds, PER_SECOND[unit])
    if unit != "s":
        ms = pa.array([i * 7 % 1000 for i in range(len(table))], pa.int64())
        values = pc.add(values, pc.multiply(ms, PER_SECOND[unit] // 1000))
    return table.set_column(table.schema.get_field_index(column), column,
                            pc.cast(values, pa.timestamp(unit, tz=tz)))


def as_text(table: pa.Table, path) -> None:
    """The table as a CSV log: timestamps as pyarrow writes them as text, nulls empty."""
    columns = [pc.fill_null(pc.cast(c, pa.string()), "") for c in table.columns]
    pa.csv.write_csv(pa.table(columns, names=table.column_names), path,
                     pa.csv.WriteOptions(quoting_style="none"))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("tz", ["UTC", "Europe/Paris"])
def test_timestamps_in_each_unit_and_zone_bill_as_the_text(cli, tmp_path, unit, tz):
    log = read_strings(CAMPAIGN)
    log = typed(typed(log, "timestamp", unit, tz), "delivered_at", unit, tz)
    assert log["delivered_at"].null_count > 0
    path = tmp_path / "log.csv"
    as_text(log, path)
    estimate = ["estimate", str(path), "--format", "csv"]
    assert_same_cells(cli_rows(cli, estimate), waprice.estimate(log))
    assert_same_cells(cli_rows(cli, ["ledger", str(path)]), waprice.ledger(log))


def test_timestamps_without_a_zone_are_local_times_in_the_timezone(cli, tmp_path):
    log = read_strings(FR_SHOP)
    log = typed(log, "timestamp", "us", "Europe/Paris")
    local = pc.local_timestamp(log["timestamp"])
    log = log.set_column(0, "timestamp", local)
    assert log.schema.field("timestamp").type == pa.timestamp("us")
    path = tmp_path / "log.csv"
    as_text(log, path)
    args = ["estimate", str(path), "--format", "csv", "--timezone", "Europe/Paris"]
    assert_same_cells(cli_rows(cli, args), waprice.estimate(log, timezone="Europe/Paris"))


def test_date_format_is_for_text_not_for_timestamp_columns(cli, tmp_path):
    log = typed(read_strings(FR_SHOP), "timestamp", "s", "UTC")
    path = tmp_path / "log.csv"
    as_text(log, path)
    args = ["estimate", str(path), "--format", "csv", "--timezone", "Europe/Paris"]
    result = waprice.estimate(log, timezone="Europe/Paris", date_format="%d/%m/%Y %H:%M")
    assert_same_cells(cli_rows(cli, args), result)


LOG = {
    "timestamp": ["2025-08-01T10:00:00Z", "2025-08-02T10:00:00Z", "2021-08-03T10:00:00.123Z"],
    "direction": ["outbound", "outbound", "outbound"],
    "category": ["marketing", "marketing", "marketing"],
    "recipient": ["+33612345670", "+33612345671", "+33612345672"],
}


def cli_error(cli, tmp_path, log: dict) -> str:
    path = tmp_path / "log.csv"
    pa.csv.write_csv(pa.table(log), path, pa.csv.WriteOptions(quoting_style="none"))
    done = subprocess.run([cli, "estimate", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    return done.stderr.strip()[len("error: "):].replace(str(path), "<table>")


def test_a_bad_timestamp_names_the_row_the_column_and_the_value(cli, tmp_path):
    # Nanoseconds, cut to the millisecond as the engine reads times.
    times = pa.array([1_754_042_400_000_000_000, 1_754_128_800_000_000_000,
                      1_627_984_800_123_456_789], pa.timestamp("ns", tz="UTC"))
    with pytest.raises(waprice.WapriceError) as raised:
        waprice.estimate(pa.table(dict(LOG, timestamp=times)))
    e = raised.value
    assert (e.row, e.line, e.column, e.value) == (2, 4, "timestamp", "2021-08-03T10:00:00.123Z")
    assert str(e) == cli_error(cli, tmp_path, LOG)
    assert str(e).startswith("<table>, line 4, column 'timestamp': before 2022-02-01")


def test_a_timestamp_out_of_range_and_a_skipped_local_time_are_errors(cli, tmp_path):
    times = pa.array([1_754_042_400, 1_754_128_800, -315_619_200], pa.timestamp("s", tz="UTC"))
    with pytest.raises(waprice.WapriceError) as raised:
        waprice.estimate(pa.table(dict(LOG, timestamp=times)))
    e = raised.value
    assert (e.line, e.column, e.value) == (4, "timestamp", "1960-01-01T00:00:00Z")
    text = dict(LOG, timestamp=LOG["timestamp"][:2] + ["1960-01-01T00:00:00Z"])
    assert str(e) == cli_error(cli, tmp_path, text)
    assert "timestamp out of range" in str(e)

    # 2024-03-31 02:30 does not exist in Paris: the clocks went from 02:00 to 03:00.
    local = pa.array([1_711_846_800, 1_711_852_200, 1_711_854_000], pa.timestamp("s"))
    log = dict(LOG, timestamp=local)
    with pytest.raises(waprice.WapriceError) as raised:
        waprice.estimate(pa.table(log), timezone="Europe/Paris")
    e = raised.value
    assert (e.line, e.column, e.value) == (3, "timestamp", "2024-03-31T02:30:00")
    assert "does not exist in the time zone" in str(e)
    assert e.hint == "write the time with its UTC offset, or check --timezone"


def test_a_timestamp_column_past_the_64th_is_read_as_a_time(cli, tmp_path):
    log = typed(read_strings(FR_SHOP), "timestamp", "ms", "UTC")
    path = tmp_path / "log.csv"
    as_text(log, path)
    wide = pa.table([pa.array([""] * log.num_rows)] * 70 + log.columns,
                    names=[f"extra{i}" for i in range(70)] + log.column_names)
    args = ["estimate", str(path), "--format", "csv", "--timezone", "Europe/Paris"]
    result = waprice.estimate(wide, timezone="Europe/Paris", date_format="%d/%m/%Y %H:%M")
    assert_same_cells(cli_rows(cli, args), result)
