"""The worked examples and rule edges written once as data (tools/refcheck/examples: a log, its
options and the expected estimate with money) through the package: the rows the library, the
binary and the reference run, run a fourth way."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import waprice
from conftest import ROOT, read_strings

EXAMPLES = ROOT / "tools" / "refcheck" / "examples"
KEYS = ("month", "market", "category", "tier")


def rows(text: str) -> Dict[Tuple[str, ...], Dict[str, str]]:
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        key = tuple(r.pop(k) for k in KEYS if k in r)
        out[key] = r
    return out


def kwargs_of(args: List[str]) -> Dict[str, object]:
    """The package's keyword arguments for an example's options (`@FILE` beside the example)."""
    kw: Dict[str, object] = {"tariff": [], "tiers": []}
    words = iter(args)
    for option in words:
        if option == "--log-starts-clean":
            kw["log_starts_clean"] = True
            continue
        value = next(words)
        if value.startswith("@"):
            value = str(EXAMPLES / value[1:])
        name = option[2:].replace("-", "_")
        if name in ("tariff", "tiers"):
            kw[name].append(value)
        elif name == "free_service_allowance":
            kw[name] = int(value)
        else:
            kw[name] = value
    return kw


def examples() -> List[Path]:
    return sorted(EXAMPLES.glob("*.csv"))


@pytest.mark.parametrize("log", examples(), ids=lambda p: p.stem)
def test_every_example_gives_its_expected_estimate(log: Path) -> None:
    args_file = log.with_suffix(".args")
    args = args_file.read_text().split() if args_file.exists() else []
    expected = rows(log.with_suffix(".expected").read_text())
    currencies = {r["currency"] for r in expected.values() if "currency" in r}
    kw = kwargs_of(args)
    if currencies:
        kw["currency"] = currencies.pop()
    result = waprice.estimate(read_strings(log), **kw)
    got = {}
    for r in result.to_pylist():
        key = tuple(str(r.pop(k)) for k in KEYS if k in r)
        got[key] = r
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        for column, value in want.items():
            have = got[key][column]
            if isinstance(have, (Decimal, int)):
                assert Decimal(value) == Decimal(have), (key, column)
            else:
                assert value == str(have), (key, column)


def test_every_option_of_the_examples_is_the_packages():
    options = {
        word
        for p in examples()
        if p.with_suffix(".args").exists()
        for word in p.with_suffix(".args").read_text().split()
        if word.startswith("--")
    }
    assert "--as-of" in options
    assert len(examples()) >= 50


def test_authentication_international_needs_both_options() -> None:
    log = read_strings(EXAMPLES / "x24_auth_intl_starts_at_local_midnight.csv")
    with pytest.raises(waprice.WapriceError, match="go together") as e:
        waprice.estimate(log, business_country="FR")
    assert e.value.hint and "pass both" in e.value.hint
