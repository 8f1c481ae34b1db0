"""Data frames and streams: pandas, Polars and an Arrow stream give a table's result."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.csv  # noqa: F401  (pa.csv)
import pytest

import waprice
from conftest import SAMPLES, assert_same_cells, cli_rows, read_strings

SAMPLE = SAMPLES / "fr-shop-2024-03.csv"
ARGS = ["estimate", str(SAMPLE), "--format", "csv", "--timezone", "Europe/Paris"]


def test_a_pandas_data_frame(cli):
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(frame, timezone="Europe/Paris"))


def test_a_pandas_data_frame_with_datetimes_and_categories(cli):
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["category"] = frame["category"].astype("category")
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(frame, timezone="Europe/Paris"))


def test_a_polars_data_frame(cli):
    frame = pl.read_csv(SAMPLE, infer_schema=False)
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(frame, timezone="Europe/Paris"))


def test_a_polars_data_frame_with_datetimes_and_categoricals(cli):
    frame = pl.read_csv(SAMPLE, infer_schema=False).with_columns(
        pl.col("timestamp").str.to_datetime(time_zone="UTC"),
        pl.col("direction").cast(pl.Categorical),
    )
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(frame, timezone="Europe/Paris"))


def test_a_record_batch_stream_in_small_batches(cli):
    table = read_strings(SAMPLE)
    stream = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=100))
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(stream, timezone="Europe/Paris"))


def test_a_table_out_of_time_order_over_many_chunks_of_rows(cli, tmp_path):
    # Rows are handed to the reader in chunks of 1,024 from a thread of their own; a log out of
    # time order is read twice.
    log = read_strings(SAMPLES / "platform-2024-03.csv")
    log = log.take(pa.array(range(log.num_rows - 1, -1, -1)))
    path = tmp_path / "reversed.csv"
    pa.csv.write_csv(log, path, pa.csv.WriteOptions(quoting_style="none"))
    args = ["estimate", str(path), "--format", "csv", "--by", "market"]
    assert_same_cells(cli_rows(cli, args), waprice.estimate(log, by="market"))


def test_a_bad_row_early_in_a_long_table_stops_the_reading(cli):
    log = read_strings(SAMPLES / "platform-2024-03.csv")
    long = pa.concat_tables([log] * 30)
    direction = long["direction"].to_pylist()
    direction[5] = "sideways"
    long = long.set_column(long.schema.get_field_index("direction"), "direction",
                           pa.array(direction))
    with pytest.raises(waprice.WapriceError) as raised:
        waprice.estimate(long)
    assert (raised.value.row, raised.value.column) == (5, "direction")


@pytest.mark.parametrize("text", [pa.large_string(), pa.string_view()])
def test_large_and_view_strings_with_nulls(cli, text):
    # Nulls (an empty cell each) in some columns, none in others.
    table = read_strings(SAMPLE)
    columns = []
    for c in table.columns:
        if c.null_count == 0 and pa.compute.any(pa.compute.equal(c, "")).as_py():
            c = pa.compute.if_else(pa.compute.equal(c, ""), pa.scalar(None, pa.string()), c)
        columns.append(c.cast(text))
    table = pa.table(columns, names=table.column_names)
    assert any(c.null_count for c in table.columns)
    assert any(not c.null_count for c in table.columns)
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(table, timezone="Europe/Paris"))
