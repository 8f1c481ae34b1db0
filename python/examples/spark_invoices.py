"""A platform's invoices on Spark: the log grouped by billing group, each group billed by
``waprice.invoices`` on a worker (``groupBy("group").applyInArrow``).

    spark-submit python/examples/spark_invoices.py LOG.csv ACCOUNTS.csv OUT.csv

A billing group is one account, or the accounts a business number moves between (accounts
file ``from``/``until``) with everything else they hold: such a number keeps its customer
service windows and its free service allowance across the move, so its rows on both sides
are billed together, as the command line bills them. ``waprice.billing_groups`` says which
group each business number is in, by the library's own reading of the accounts file and of
the numbers; the job never reads a number or a date itself.

Every group is billed with the whole log's start (``waprice.log_start``, the minimum over the
partitions): a reply in the log's first 24 hours is presumed inside a window opened before
the log, and those hours are the whole log's, not the group's. Finding the start reads every
row once more; a log billed with ``log_starts_clean=True`` presumes nothing there and can do
without it.

docs/scale.md explains it; python/tests/test_spark.py runs it in local mode and checks that it
gives the command line's ``waprice invoices`` CSV.
"""

from __future__ import annotations

import sys
from typing import Iterator

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession

import waprice

#: The lines' Spark schema: the Arrow types waprice.invoices returns.
INVOICES = (
    "month string, account string, agents long, billable long, free long, unpriced long, "
    "cost decimal(38,18), budget decimal(38,18), overage decimal(38,18), "
    "invoiced_on date, currency string"
)


def invoices_by_account(spark: SparkSession, log_path: str, accounts_path: str) -> DataFrame:
    """One group per billing group: its rows, in the log's order, billed with the whole
    accounts file (shipped to the workers as bytes) and the whole log's start. Rows of numbers
    no account lists are in the group of the account ``unassigned``, billed to it as the
    command line bills them."""
    from pyspark.sql import functions as F

    accounts = open(accounts_path, "rb").read()
    # Every column as text, as the log holds it; _row keeps the log's order within a group
    # (equal timestamps are replayed in file order).
    log = spark.read.csv(log_path, header=True, inferSchema=False).withColumn(
        "_row", F.monotonically_increasing_id()
    )

    # The business numbers as the log writes them (a platform has thousands, not millions),
    # each with its billing group: a small table, broadcast to the join.
    cells = [r[0] for r in log.select("business").distinct().collect()]
    groups = waprice.billing_groups(cells, accounts)
    numbers = spark.createDataFrame(
        list(zip(cells, groups.to_pylist())), "business string, _group string"
    )
    rows = log.join(F.broadcast(numbers), log["business"].eqNullSafe(numbers["business"]))
    rows = rows.drop(numbers["business"])

    # The log's first message, as the library reads the rows: the least of each partition's.
    columns = [c for c in log.columns if c != "_row"]

    def starts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        batches = [b for b in batches if b.num_rows]
        start = None
        if batches:
            start = waprice.log_start(pa.Table.from_batches(batches).select(columns))
        yield pa.RecordBatch.from_pydict({"start": pa.array([start], pa.int64())})

    start = log.mapInArrow(starts, "start long").agg(F.min("start")).first()[0]

    def bill(group: pa.Table) -> pa.Table:
        group = group.sort_by("_row").select(columns)
        return waprice.invoices(group, accounts, log_start=start)

    return rows.groupBy("_group").applyInArrow(bill, INVOICES)


def main(log_path: str, accounts_path: str, out: str) -> None:
    spark = SparkSession.builder.appName("waprice-invoices").getOrCreate()
    lines = invoices_by_account(spark, log_path, accounts_path).orderBy("month", "account")
    lines.toPandas().to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
