"""The Spark job of docs/scale.md in local mode (local[2]) on a generated platform log gives
the command line's invoices, byte for byte once formatted as its CSV."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, cell, figure, run_cli

EXAMPLES = ROOT / "python" / "examples"


def has_java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


pytestmark = pytest.mark.skipif(
    not has_java(), reason="Spark needs Java: no java on PATH and no JAVA_HOME"
)


def csv_text(rows) -> str:
    """Rows written as the command line writes CSV (the csv crate: quotes only where needed,
    \\n after each record)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A platform's month from tools/genlog: 50,000 rows over 50 accounts."""
    d = tmp_path_factory.mktemp("platform")
    manifest = ROOT / "tools" / "genlog" / "Cargo.toml"
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--manifest-path", str(manifest)],
        check=True,
    )
    genlog = ROOT / "tools" / "genlog" / "target" / "release" / "genlog"
    log, accounts = d / "platform.csv", d / "accounts.csv"
    subprocess.run(
        [str(genlog), "platform", "--rows", "50000", "--accounts", "50", "--customers", "5000",
         "--out", str(log), "--accounts-out", str(accounts)],
        check=True,
        capture_output=True,
    )
    return log, accounts


def test_spark_groups_by_account_give_the_clis_invoices(cli, platform):
    log, accounts = platform
    expected = run_cli(cli, ["invoices", str(log), "--accounts", str(accounts), "--format", "csv"])
    # Money: the CLI writes each amount with the scale the engine's decimal has (3.8160),
    # Arrow's decimal128 has one scale per column: both sides without trailing zeros.
    money = {"cost", "budget", "overage"}
    cli_rows = list(csv.reader(io.StringIO(expected)))
    at = [i for i, name in enumerate(cli_rows[0]) if name in money]
    expected = csv_text(
        [cli_rows[0]] + [[figure(v) if i in at else v for i, v in enumerate(r)] for r in cli_rows[1:]]
    )
    assert expected.count("\n") > 50

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    sys.path.insert(0, str(EXAMPLES))
    from pyspark.sql import SparkSession
    from spark_invoices import invoices_by_account

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("waprice-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    try:
        lines = invoices_by_account(spark, str(log), str(accounts)).orderBy("month", "account")
        table = lines.toArrow()
    finally:
        spark.stop()
    rows = [table.column_names] + [
        [cell(r[c]) for c in table.column_names] for r in table.to_pylist()
    ]
    assert csv_text(rows) == expected
