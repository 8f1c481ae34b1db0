"""A platform's invoices on Spark: the log grouped by account, each group billed by
``waprice.invoices`` on a worker (``groupBy("account").applyInArrow``).

    spark-submit python/examples/spark_invoices.py LOG.csv ACCOUNTS.csv OUT.csv

docs/scale.md explains it; python/tests/test_spark.py runs it in local mode and checks that it
gives the command line's ``waprice invoices`` CSV.
"""

from __future__ import annotations

import sys

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

import waprice

#: The lines' Spark schema: the Arrow types waprice.invoices returns.
INVOICES = (
    "month string, account string, agents long, billable long, free long, unpriced long, "
    "cost decimal(38,18), budget decimal(38,18), overage decimal(38,18), "
    "invoiced_on date, currency string"
)


def invoices_by_account(spark: SparkSession, log_path: str, accounts_path: str) -> DataFrame:
    """One group per account: its rows, in the log's order, billed with the whole accounts
    file (shipped to the workers as bytes). Rows of numbers no account lists form one more
    group, billed to the account ``unassigned`` as the command line bills them."""
    accounts = open(accounts_path, "rb").read()
    digits = lambda c: F.regexp_replace(c, "[^0-9]", "")  # noqa: E731
    numbers = (
        spark.read.csv(accounts_path, header=True)
        .select(digits("business").alias("number"), "account")
        .distinct()
    )
    # Every column as text, as the log holds it; _row keeps the log's order within a group
    # (equal timestamps are replayed in file order).
    log = (
        spark.read.csv(log_path, header=True, inferSchema=False)
        .withColumn("_row", F.monotonically_increasing_id())
        .withColumn("number", digits("business"))
    )
    rows = log.join(F.broadcast(numbers), "number", "left").drop("number")

    def bill(group: pa.Table) -> pa.Table:
        group = group.sort_by("_row").drop_columns(["_row", "account"])
        return waprice.invoices(group, accounts)

    return rows.groupBy("account").applyInArrow(bill, INVOICES)


def main(log_path: str, accounts_path: str, out: str) -> None:
    spark = SparkSession.builder.appName("waprice-invoices").getOrCreate()
    lines = invoices_by_account(spark, log_path, accounts_path).orderBy("month", "account")
    lines.toPandas().to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
