"""Bad rows and options raise WapriceError with the command line's message and hint."""

from __future__ import annotations

import subprocess

import pyarrow as pa
import pytest

import waprice
from conftest import ROOT

LOG = {
    "timestamp": ["2025-08-01T10:00:00Z", "2025-08-02T10:00:00Z", "2025-08-03T10:00:00Z"],
    "direction": ["outbound", "outbound", "outbound"],
    "category": ["marketing", "marketing", "promo"],
    "recipient": ["+33612345670", "+33612345671", "+33612345672"],
}


def test_a_bad_row_names_the_row_the_column_the_value_and_the_fix(cli, tmp_path):
    with pytest.raises(waprice.WapriceError) as raised:
        waprice.estimate(pa.table(LOG))
    e = raised.value
    assert isinstance(e, ValueError)
    assert (e.row, e.line, e.column, e.value) == (2, 4, "category", "promo")
    assert "marketing, marketing_lite, utility or authentication" in e.hint
    # The same message as the command line on the same rows written as CSV (the table is
    # named <table>; row i is on line i + 2, as in the CSV).
    path = tmp_path / "log.csv"
    pa.csv.write_csv(pa.table(LOG), path, pa.csv.WriteOptions(quoting_style="none"))
    done = subprocess.run([cli, "estimate", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert str(e) == done.stderr.strip()[len("error: "):].replace(str(path), "<table>")
    assert str(e).startswith("<table>, line 4, column 'category': unknown category (value 'promo')")


def test_skipped_rows_are_a_warning_and_a_note():
    with pytest.warns(waprice.WapriceWarning, match="read 3 rows; skipped 1 invalid"):
        result = waprice.estimate(pa.table(LOG), skip_invalid=True)
    assert result.column("marketing").to_pylist() == [2]
    assert any("1 invalid" in n or "skipped" in n for n in waprice.notes(result))


@pytest.mark.parametrize("kwargs,message", [
    ({"timezone": "Mars/Olympus"}, "timezone=Mars/Olympus: not an IANA time zone"),
    ({"currency": "XYZ"}, "no rate card in currency 'XYZ'"),
    ({"agents": 0}, "agents=0: a Callbell plan has at least one agent"),
    ({"columns": {"when": "timestamp"}}, "columns: unknown column name 'when'"),
])
def test_a_bad_option_says_what_to_write(kwargs, message):
    with pytest.raises(waprice.WapriceError, match=message) as raised:
        waprice.estimate(pa.table(LOG), **kwargs)
    assert raised.value.hint
    assert raised.value.row is None


def test_a_missing_column_is_named():
    log = {k: v for k, v in LOG.items() if k != "direction"}
    with pytest.raises(waprice.WapriceError, match="direction"):
        waprice.estimate(pa.table(log))


def test_a_column_of_another_type_is_read_as_its_text():
    # A float column waprice does not read does not stop it.
    log = dict(LOG, category=["marketing"] * 3, score=[1.5, 2.5, 3.5])
    assert waprice.estimate(pa.table(log)).column("marketing").to_pylist() == [3]
