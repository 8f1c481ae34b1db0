"""The Spark job of docs/scale.md in local mode (local[2]) gives the command line's invoices,
byte for byte once formatted as its CSV: on a generated platform log, and on a small log where
a number moves between accounts inside an open customer service window."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import waprice
from conftest import ROOT, cell, figure, read_strings, run_cli

EXAMPLES = ROOT / "python" / "examples"
PLATFORM = ROOT / "tests" / "data" / "platform"


def has_java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and Path(home, "bin", "java").exists())


def csv_text(rows) -> str:
    """Rows written as the command line writes CSV (the csv crate: quotes only where needed,
    \\n after each record)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerows(rows)
    return out.getvalue()


def cli_invoices(cli, log: Path, accounts: Path) -> str:
    """The command's invoices as CSV, money without trailing zeros (the CLI writes each amount
    with the scale the engine's decimal has, 3.8160; Arrow's decimal128 has one per column)."""
    expected = run_cli(cli, ["invoices", str(log), "--accounts", str(accounts), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(expected)))
    at = [i for i, name in enumerate(rows[0]) if name in {"cost", "budget", "overage"}]
    return csv_text([rows[0]] + [[figure(v) if i in at else v for i, v in enumerate(r)] for r in rows[1:]])


@pytest.fixture(scope="module")
def spark():
    if not has_java():
        pytest.skip("Spark needs Java: no java on PATH and no JAVA_HOME")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    sys.path.insert(0, str(EXAMPLES))
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("waprice-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


def spark_invoices(spark, log: Path, accounts: Path) -> str:
    from spark_invoices import invoices_by_account

    lines = invoices_by_account(spark, str(log), str(accounts)).orderBy("month", "account")
    table = lines.toArrow()
    rows = [table.column_names] + [
        [cell(r[c]) for c in table.column_names] for r in table.to_pylist()
    ]
    return csv_text(rows)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
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


def test_spark_groups_give_the_clis_invoices(cli, spark, generated):
    log, accounts = generated
    expected = cli_invoices(cli, log, accounts)
    assert expected.count("\n") > 50
    assert spark_invoices(spark, log, accounts) == expected


MOVING = PLATFORM / "moving-window.csv"
MOVING_ACCOUNTS = PLATFORM / "moving-window-accounts.csv"


def accounts_of(lines) -> dict:
    """(billable, free) per account of invoices' lines."""
    return {r["account"]: (r["billable"], r["free"]) for r in lines.to_pylist()}


@pytest.mark.filterwarnings("ignore:account unassigned:waprice.WapriceWarning")
def test_a_number_that_moves_inside_a_window_is_billed_as_one_run_bills_it(cli, spark):
    # +34 910 000 301 moves from clinic to pharmacy on 2024-03-16. Its reply at 07:00 that
    # day is inside the window a customer opened at 23:00 the day before, under clinic: it
    # opens a service conversation, pharmacy's (free, in the WABA's free tier). Its first
    # message (2024-03-02 10:00) is a reply more than 24 hours after the log's first message:
    # not presumed inside a window opened before the log, so rejected.
    expected = cli_invoices(cli, MOVING, MOVING_ACCOUNTS)
    lines = {r[1]: r for r in csv.reader(io.StringIO(expected))}
    assert lines["clinic"][3:5] == ["0", "1"]  # billable, free
    assert lines["pharmacy"][3:5] == ["1", "1"]
    assert spark_invoices(spark, MOVING, MOVING_ACCOUNTS) == expected


@pytest.mark.filterwarnings("ignore:account unassigned:waprice.WapriceWarning")
def test_splitting_at_the_move_or_without_the_logs_start_would_bill_otherwise():
    """Why the job groups as it does: the rows of the account in force at each row's date,
    billed alone, lose the window the reply after the move rides on; a group's rows billed
    without the log's start presume its first reply inside a window opened before the log."""
    import pyarrow.compute as pc

    log = read_strings(MOVING)
    groups = waprice.billing_groups(log.column("business"), MOVING_ACCOUNTS)
    assert groups.to_pylist() == ["bakery", "clinic", "unassigned"] + ["clinic"] * 6 + ["bakery"]
    start = waprice.log_start(log)
    assert start == 1709280000000  # 2024-03-01T08:00:00Z
    clinic = log.filter(pc.equal(groups, "clinic"))
    both = accounts_of(waprice.invoices(clinic, MOVING_ACCOUNTS, log_start=start))
    assert both == {"clinic": (0, 1), "pharmacy": (1, 1)}  # the command line's
    alone = accounts_of(waprice.invoices(clinic, MOVING_ACCOUNTS))
    assert alone == {"clinic": (0, 2), "pharmacy": (1, 1)}
    after = clinic.filter(pc.greater_equal(clinic.column("timestamp"), "2024-03-16"))
    split = accounts_of(waprice.invoices(after, MOVING_ACCOUNTS, log_start=start))
    assert split == {"pharmacy": (1, 0)}
