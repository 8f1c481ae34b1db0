"""Data frames and streams: pandas, Polars and an Arrow stream give a table's result."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa

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
