"""The bundled samples through the package give the command line's figures, cell by cell."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import waprice
from conftest import SAMPLES, assert_same_cells, cli_rows, read_strings, run_cli

# (sample, the command line's options, the package's keyword arguments, delimiter)
ESTIMATES = [
    ("fr-shop-2024-03.csv", ["--timezone", "Europe/Paris"], {"timezone": "Europe/Paris"}, ","),
    ("campaign-2025-06-07.csv", ["--currency", "USD"], {"currency": "USD"}, ","),
    ("support-2026-10-11.csv", ["--timezone", "Europe/Paris", "--agents", "25"],
     {"timezone": "Europe/Paris", "agents": 25}, ","),
    ("platform-2024-03.csv", ["--budget", "120.50"], {"budget": "120.50"}, ","),
    ("crm-us.csv", ["--default-country", "US", "--currency", "USD"],
     {"default_country": "US", "currency": "USD"}, ","),
    ("spreadsheet-fr.csv", ["--date-format", "%d/%m/%Y %H:%M", "--timezone", "Europe/Paris"],
     {"date_format": "%d/%m/%Y %H:%M", "timezone": "Europe/Paris"}, ";"),
]


@pytest.mark.parametrize("sample,args,kwargs,delimiter", ESTIMATES, ids=[e[0] for e in ESTIMATES])
def test_estimate_gives_the_clis_csv_cell_by_cell_and_its_notes(cli, sample, args, kwargs, delimiter):
    path = SAMPLES / sample
    expected = cli_rows(cli, ["estimate", str(path), "--format", "csv", *args])
    result = waprice.estimate(read_strings(path, delimiter), **kwargs)
    assert_same_cells(expected, result)
    notes = json.loads(run_cli(cli, ["estimate", str(path), "--format", "json", *args]))["notes"]
    assert waprice.notes(result) == notes


def test_money_is_decimal_and_months_are_strings(cli):
    result = waprice.estimate(read_strings(SAMPLES / "fr-shop-2024-03.csv"))
    assert result.schema.field("cost").type == pa.decimal128(38, waprice.MONEY_SCALE)
    assert result.schema.field("month").type == pa.string()
    assert result.schema.field("billable").type == pa.int64()


@pytest.mark.parametrize("sample,args,kwargs", [
    ("fr-shop-2024-03.csv", ["--timezone", "Europe/Paris"], {"timezone": "Europe/Paris"}),
    ("support-2026-10-11.csv", ["--timezone", "Europe/Paris"], {"timezone": "Europe/Paris"}),
])
def test_arrow_timestamps_give_what_the_text_gives(cli, sample, args, kwargs):
    # pyarrow reads RFC 3339 with offsets as UTC timestamps and naive times as naive ones,
    # which waprice takes in the WABA's time zone, as it takes a CSV's naive times.
    path = SAMPLES / sample
    typed = pacsv.read_csv(path)
    assert pa.types.is_timestamp(typed.schema.field("timestamp").type)
    expected = cli_rows(cli, ["estimate", str(path), "--format", "csv", *args])
    assert_same_cells(expected, waprice.estimate(typed, **kwargs))


def test_ledger_gives_the_clis_csv_cell_by_cell(cli):
    path = SAMPLES / "fr-shop-2024-03.csv"
    expected = cli_rows(cli, ["ledger", str(path), "--timezone", "Europe/Paris"])
    result = waprice.ledger(read_strings(path), timezone="Europe/Paris")
    assert len(expected) > 1000
    assert_same_cells(expected, result)


def test_invoices_give_the_clis_csv_cell_by_cell(cli):
    log, accounts = SAMPLES / "platform-2024-03.csv", SAMPLES / "platform-accounts.csv"
    args = ["invoices", str(log), "--accounts", str(accounts)]
    expected = cli_rows(cli, [*args, "--format", "csv"])
    with pytest.warns(waprice.WapriceWarning, match="business \\+442079460999 is in no row"):
        result = waprice.invoices(read_strings(log), accounts)
    assert_same_cells(expected, result)
    assert result.schema.field("invoiced_on").type == pa.date32()
    notes = json.loads(run_cli(cli, [*args, "--format", "json"]))["notes"]
    assert waprice.notes(result) == [n.replace(str(log), "<table>") for n in notes]
    # The accounts file's contents work as its path does (what a Spark job ships).
    with pytest.warns(waprice.WapriceWarning):
        again = waprice.invoices(read_strings(log), accounts.read_bytes(), accounts_name=str(accounts))
    assert again.equals(result)


@pytest.mark.parametrize("by", ["market", "category", "market,category", "tier"])
def test_estimate_by_gives_the_clis_long_format(cli, by):
    path = SAMPLES / "campaign-2025-06-07.csv"
    args = ["estimate", str(path), "--format", "csv", "--currency", "USD", "--by", by]
    result = waprice.estimate(read_strings(path), currency="USD", by=by)
    assert_same_cells(cli_rows(cli, args), result)


def test_an_unknown_breakdown_says_which_there_are():
    with pytest.raises(waprice.WapriceError, match="by=month: unknown breakdown") as raised:
        waprice.estimate(read_strings(SAMPLES / "fr-shop-2024-03.csv"), by="month")
    assert "market,category" in raised.value.hint
