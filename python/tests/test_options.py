"""The options the package shares with the command line, each compared with the command's CSV
on the same input, cell by cell."""

from __future__ import annotations

from pathlib import Path

import pytest

import waprice
from conftest import ROOT, SAMPLES, assert_same_cells, cli_rows, read_strings

DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "tools" / "refcheck" / "examples"
PLATFORM = SAMPLES / "platform-2024-03.csv"
ACCOUNTS = SAMPLES / "platform-accounts.csv"

#: The platform sample has one number no account lists, on purpose (test_samples.py checks
#: the warning); here it is the lines that are compared.
pytestmark = pytest.mark.filterwarnings("ignore:account unassigned:waprice.WapriceWarning")


def test_by_account_is_estimates_long_format_per_account(cli):
    expected = cli_rows(
        cli,
        ["estimate", str(PLATFORM), "--accounts", str(ACCOUNTS), "--by", "account", "--format", "csv"],
    )
    result = waprice.estimate(read_strings(PLATFORM), by="account", accounts=ACCOUNTS)
    assert result.column_names == ["month", "account", "billable", "free", "cost", "currency"]
    assert len(expected) > 5
    assert_same_cells(expected, result)
    # The accounts file's bytes, as a Spark job ships it, give the same lines.
    again = waprice.estimate(read_strings(PLATFORM), by="Account", accounts=ACCOUNTS.read_bytes())
    assert again.equals(result)


def test_accounts_and_by_account_go_together(tmp_path):
    log = read_strings(PLATFORM)
    with pytest.raises(waprice.WapriceError, match='it needs by="account"') as e:
        waprice.estimate(log, accounts=ACCOUNTS)
    assert "waprice.invoices" in e.value.hint
    with pytest.raises(waprice.WapriceError, match='by="account" needs accounts'):
        waprice.estimate(log, by="account")
    with pytest.raises(waprice.WapriceError, match="as_of does not go with accounts"):
        waprice.estimate(log, by="account", accounts=ACCOUNTS, as_of="2026-10-01")
    with pytest.raises(waprice.WapriceError, match="agents=0: a Callbell plan has at least one agent"):
        waprice.estimate(log, by="account", accounts=ACCOUNTS, agents=0)
    with pytest.raises(waprice.WapriceError, match="by=promo: unknown breakdown") as e:
        waprice.estimate(log, by="promo")
    assert 'by="account" with accounts' in e.value.hint


@pytest.mark.parametrize(
    "log, args",
    [
        (EXAMPLES / "x29_as_of_era_D.csv", ["--as-of", "2026-10-01"]),
        (SAMPLES / "fr-shop-2024-03.csv", ["--as-of", "2025-08-01", "--timezone", "Europe/Paris"]),
    ],
    ids=["x29", "fr-shop"],
)
def test_as_of_is_the_what_if_beside_the_actual_months(cli, log: Path, args):
    expected = cli_rows(cli, ["estimate", str(log), *args, "--format", "csv"])
    kw = {"as_of": args[1]}
    if "--timezone" in args:
        kw["timezone"] = args[3]
    result = waprice.estimate(read_strings(log), **kw)
    assert_same_cells(expected, result)
    notes = waprice.notes(result)
    assert any(n.startswith("actual: ") for n in notes)
    assert any(n.startswith(f"as of {args[1]}: ") for n in notes)


def test_as_of_before_any_supported_rule_is_refused():
    log = read_strings(EXAMPLES / "x29_as_of_era_D.csv")
    with pytest.raises(waprice.WapriceError, match="as_of=2021-12-31: before 2022-02-01"):
        waprice.estimate(log, as_of="2021-12-31")
    with pytest.raises(waprice.WapriceError, match="as_of=31/12/2025: not a date"):
        waprice.estimate(log, as_of="31/12/2025")


def test_agents_by_month_changes_an_accounts_budget_as_the_command_line_does(cli, tmp_path):
    months = tmp_path / "agents.csv"
    months.write_text("account,month,agents\nbakery,2024-03,25\nfashion,2024-03,3\n")
    expected = cli_rows(
        cli,
        ["invoices", str(PLATFORM), "--accounts", str(ACCOUNTS), "--agents-by-month", str(months),
         "--format", "csv"],
    )
    result = waprice.invoices(read_strings(PLATFORM), ACCOUNTS, agents_by_month=months)
    assert_same_cells(expected, result)
    plain = waprice.invoices(read_strings(PLATFORM), ACCOUNTS).to_pylist()
    agents = {r["account"]: r["agents"] for r in result.to_pylist()}
    assert agents["bakery"] == 25 and agents["fashion"] == 3
    assert {r["account"]: r["agents"] for r in plain}["bakery"] == 5
    # As bytes, as a Spark job ships it; an account the file does not list names the line.
    again = waprice.invoices(
        read_strings(PLATFORM), ACCOUNTS, agents_by_month=months.read_bytes()
    )
    assert again.equals(result)
    months.write_text("account,month,agents\nbakery,2024-03,25\nnobody,2024-03,3\n")
    with pytest.raises(waprice.WapriceError, match=f"{months}, line 3") as e:
        waprice.invoices(read_strings(PLATFORM), ACCOUNTS, agents_by_month=months)
    assert e.value.line == 3


def test_auth_intl_except_gives_a_country_its_own_start(cli):
    log = DATA / "auth-intl-start-dates.csv"
    args = ["--business-country", "FR", "--auth-intl-since", "2024-01-01",
            "--auth-intl-except", "IN=2025-06-01", "--auth-intl-except", "EG=2024-01-01"]
    expected = cli_rows(cli, ["estimate", str(log), *args, "--by", "market,category", "--format", "csv"])
    kw = dict(business_country="FR", auth_intl_since="2024-01-01", by="market,category")
    result = waprice.estimate(read_strings(log), auth_intl_except={"IN": "2025-06-01", "EG": "2024-01-01"}, **kw)
    assert_same_cells(expected, result)
    as_list = waprice.estimate(read_strings(log), auth_intl_except=["IN=2025-06-01", "EG=2024-01-01"], **kw)
    assert as_list.equals(result)
    # The exception changed the bill: without it India's units of 2024-07 and 2025-03 are
    # authentication-international.
    assert not waprice.estimate(read_strings(log), **kw).equals(result)
    assert "IN from 2025-06-01 (auth_intl_except)" in " ".join(waprice.notes(result))


def test_auth_intl_except_is_refused_as_the_command_line_refuses_it():
    log = read_strings(DATA / "auth-intl-start-dates.csv")
    with pytest.raises(waprice.WapriceError, match="auth_intl_except needs business_country and auth_intl_since"):
        waprice.estimate(log, auth_intl_except={"IN": "2025-06-01"})
    with pytest.raises(waprice.WapriceError, match="auth_intl_except=IN=2025-06-01: IN is the business's own country"):
        waprice.estimate(log, business_country="IN", auth_intl_since="2024-01-01", auth_intl_except={"IN": "2025-06-01"})


BARE_CARD = (
    'Market,Currency,Marketing,Utility,Authentication,"Authentication-\nInternational",Service\n'
    "France,$US,0.0900,0.0310,0.0310,n/a,0.0310\n"
)


def test_tariff_date_and_currency_describe_a_card_without_a_title(cli, tmp_path):
    card = tmp_path / "no-title.csv"
    card.write_text(BARE_CARD)
    log = tmp_path / "log.csv"
    log.write_text(
        "timestamp,direction,category,recipient\n"
        "2026-11-02T10:00:00Z,outbound,marketing,+33612345678\n"
        "2026-11-03T10:00:00Z,outbound,utility,+33612345679\n"
        "2026-11-04T10:00:00Z,outbound,marketing,+33612345670\n"
    )
    args = ["--currency", "USD", "--tariff", str(card), "--tariff-date", "2026-11-01",
            "--tariff-currency", "US$"]
    expected = cli_rows(cli, ["estimate", str(log), *args, "--format", "csv"])
    result = waprice.estimate(
        read_strings(log), currency="USD", tariff=[card], tariff_date="2026-11-01", tariff_currency="US$"
    )
    assert_same_cells(expected, result)
    assert str(result.column("cost")[0].as_py().normalize()) == "0.211"  # the file's rates
    with pytest.raises(waprice.WapriceError, match="no effective date"):
        waprice.estimate(read_strings(log), currency="USD", tariff=[card])
    with pytest.raises(waprice.WapriceError, match="tariff_currency=dollars: not a currency"):
        waprice.estimate(read_strings(log), tariff=[card], tariff_date="2026-11-01", tariff_currency="dollars")
    with pytest.raises(waprice.WapriceError, match="tariff_date=2026-13-01: not a date"):
        waprice.estimate(read_strings(log), tariff=[card], tariff_date="2026-13-01")


@pytest.mark.parametrize("catalogue", ["templates.json", "templates.csv"])
def test_templates_give_each_row_its_category(cli, catalogue):
    log, file = DATA / "real-logs" / "templated.csv", DATA / "real-logs" / catalogue
    expected = cli_rows(cli, ["estimate", str(log), "--templates", str(file), "--format", "csv"])
    result = waprice.estimate(read_strings(log), templates=file)
    assert_same_cells(expected, result)
    assert any("--templates" in n for n in waprice.notes(result))
    ledger = cli_rows(cli, ["ledger", str(log), "--templates", str(file)])
    assert_same_cells(ledger, waprice.ledger(read_strings(log), templates=file))


def test_a_log_of_template_names_needs_the_catalogue():
    with pytest.raises(waprice.WapriceError, match="no catalogue says their categories"):
        waprice.estimate(read_strings(DATA / "real-logs" / "templated.csv"))
    with pytest.raises(waprice.WapriceError, match="templates=/nowhere.json: cannot read it"):
        waprice.estimate(read_strings(DATA / "real-logs" / "templated.csv"), templates="/nowhere.json")


@pytest.mark.parametrize("category", ["utility", "marketing", "Authentication"])
def test_template_category_reads_a_log_without_categories(cli, tmp_path, category):
    log = tmp_path / "no-categories.csv"
    # twilio-canonical.csv without its (empty) category column.
    rows = (DATA / "real-logs" / "twilio-canonical.csv").read_text().splitlines()
    header = rows[0].split(",")
    at = header.index("category")
    log.write_text(
        "\n".join(",".join(c for i, c in enumerate(r.split(",")) if i != at) for r in rows) + "\n"
    )
    args = ["--template-category", category, "--currency", "USD"]
    expected = cli_rows(cli, ["estimate", str(log), *args, "--format", "csv"])
    result = waprice.estimate(read_strings(log), template_category=category, currency="USD")
    assert_same_cells(expected, result)
    assert any("--template-category" in n for n in waprice.notes(result))
    with pytest.raises(waprice.WapriceError, match="templates and template_category both say"):
        waprice.estimate(
            read_strings(log), template_category=category, templates=DATA / "real-logs" / "templates.csv"
        )
