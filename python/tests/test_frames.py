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


def test_nulls_dictionaries_large_strings_and_sliced_batches_read_in_place(cli):
    # The reader reads a table's cells where its columns hold them: a null is an empty cell,
    # a dictionary's row is its key's value, and a batch sliced from a larger one starts at
    # its own first row.
    table = read_strings(SAMPLE)

    def nulled(name):
        column = table[name]
        return pa.compute.if_else(pa.compute.equal(column, ""), None, column)

    table = table.set_column(
        table.schema.get_field_index("category"), "category", nulled("category").dictionary_encode()
    )
    table = table.set_column(table.schema.get_field_index("status"), "status", nulled("status"))
    table = table.set_column(
        table.schema.get_field_index("recipient"),
        "recipient",
        table["recipient"].cast(pa.large_string()),
    )
    assert table["category"].null_count > 0 and table["status"].null_count > 0
    sliced = pa.concat_tables([table.slice(0, 37), table.slice(37)])
    assert sliced.column("recipient").num_chunks == 2
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(sliced, timezone="Europe/Paris"))


def test_a_null_cell_is_empty_whatever_bytes_lie_under_it(cli):
    # Arrow leaves a null slot's bytes unspecified: here each empty delivered_at is a null over
    # the text "not a time", which read as the cell would be an error.
    table = read_strings(SAMPLE)
    cells = table["delivered_at"].combine_chunks().to_pylist()
    offsets, data, bits = [0], b"", bytearray((len(cells) + 7) // 8)
    for i, cell in enumerate(cells):
        data += (cell or "not a time").encode()
        offsets.append(len(data))
        if cell:
            bits[i // 8] |= 1 << (i % 8)
    array = pa.Array.from_buffers(
        pa.string(),
        len(cells),
        [pa.py_buffer(bytes(bits)), pa.array(offsets, pa.int32()).buffers()[1], pa.py_buffer(data)],
        null_count=cells.count(""),
    )
    assert array.null_count > 0
    table = table.set_column(table.schema.get_field_index("delivered_at"), "delivered_at", array)
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(table, timezone="Europe/Paris"))


def test_numbers_booleans_and_dictionaries_of_numbers_are_read_as_their_text(cli):
    # Columns of other types than text and times are written out as text, a range of rows at
    # a time: recipients as integers (what pandas infers), dictionary-encoded, and the entry
    # point as a boolean (true for ctwa, false for none).
    table = read_strings(SAMPLE)
    digits = pa.compute.replace_substring_regex(table["recipient"], "[^0-9]", "")
    recipients = pa.compute.cast(digits, pa.int64()).combine_chunks().dictionary_encode()
    entry = pa.compute.equal(table["entry_point"], "ctwa")
    assert pa.compute.any(entry).as_py()
    table = table.set_column(table.schema.get_field_index("recipient"), "recipient", recipients)
    table = table.set_column(table.schema.get_field_index("entry_point"), "entry_point", entry)
    assert pa.types.is_dictionary(table.schema.field("recipient").type)
    assert_same_cells(cli_rows(cli, ARGS), waprice.estimate(table, timezone="Europe/Paris"))
