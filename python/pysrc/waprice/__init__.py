"""waprice over Arrow tables: what WhatsApp Business messaging costs, month by month.

The same engine as the ``waprice`` command line (its Rust library, compiled into this
package): a log goes in as an Arrow table or stream with the log's columns (a pyarrow Table,
RecordBatch or RecordBatchReader, a Polars or pandas DataFrame, or anything with
``__arrow_c_stream__``), and the result comes back as a ``pyarrow.Table`` with the columns of
the command's CSV:

- counts as ``int64``; money (``cost``, ``budget``, ``overage``, ``rate``) as
  ``decimal128(38, 18)``, exact (an amount that would not fit raises instead of rounding);
- months and other text as strings; ``invoiced_on`` as ``date32``.

The notes the command prints under its report are on the result's schema metadata: read them
with :func:`notes`. Warnings (skipped rows, dates in the future) are issued as
:class:`WapriceWarning`. A bad row raises :class:`WapriceError` with the command line's message,
naming the line the row would be on in the same table written as CSV (``row + 2``: the header
is line 1), and the hint.

docs/python.md in the repository has the details.
"""

from __future__ import annotations

import json
import os
import warnings as _warnings
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pyarrow as pa

from . import _waprice
from ._waprice import WapriceError

__all__ = [
    "estimate",
    "ledger",
    "invoices",
    "log_start",
    "billing_groups",
    "notes",
    "WapriceError",
    "WapriceWarning",
    "MONEY_SCALE",
    "NOTES_KEY",
]

#: Decimals of every money column (``decimal128(38, MONEY_SCALE)``).
MONEY_SCALE: int = _waprice.MONEY_SCALE

#: The schema metadata key holding a result's notes (a JSON list of strings).
NOTES_KEY: bytes = b"waprice.notes"

#: Arrow types read as they are; a column of any other type is cast to a string first.
_READ_AS_IS = (
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_integer,
    pa.types.is_boolean,
    pa.types.is_timestamp,
    pa.types.is_date32,
    pa.types.is_null,
)


class WapriceWarning(UserWarning):
    """Something the engine warns about while reading (skipped rows, dates in the future)."""


def _is_read_as_is(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _is_read_as_is(t.value_type)
    return any(check(t) for check in _READ_AS_IS) or str(t) == "string_view"


def _as_arrow(data: Any) -> Union[pa.Table, pa.RecordBatchReader]:
    """The log as a pyarrow Table or RecordBatchReader, without a copy where Arrow allows."""
    if isinstance(data, (pa.Table, pa.RecordBatchReader)):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(data, preserve_index=False)
    if module == "polars":
        return data.to_arrow()
    if hasattr(data, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(data)
    if hasattr(data, "to_arrow"):
        return data.to_arrow()
    raise TypeError(
        f"waprice reads an Arrow table or stream (pyarrow, Polars, pandas), not {type(data).__name__}"
    )


def _stream(data: Any) -> Any:
    """An Arrow C stream capsule over the log, other column types cast to strings."""
    table = _as_arrow(data)
    schema = table.schema
    if not all(_is_read_as_is(f.type) for f in schema):
        if isinstance(table, pa.RecordBatchReader):
            table = table.read_all()
        columns = [
            c if _is_read_as_is(c.type) else c.cast(pa.string())
            for c in table.columns
        ]
        table = pa.Table.from_arrays(columns, names=table.column_names)
    return table.__arrow_c_stream__()


class _Capsule:
    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._capsule


def _result(returned: Tuple[Any, List[str], List[str]]) -> pa.Table:
    capsule, result_notes, result_warnings = returned
    table = pa.RecordBatchReader.from_stream(_Capsule(capsule)).read_all()
    for w in result_warnings:
        _warnings.warn(w, WapriceWarning, stacklevel=3)
    return table.replace_schema_metadata({NOTES_KEY: json.dumps(result_notes)})


Path = Union[str, "os.PathLike[str]"]


def _file(
    data: Union[None, Path, bytes], name: Optional[str], default: str
) -> Optional[Tuple[bytes, str]]:
    """A file option given as a path or as its contents (bytes): (contents, name in messages)."""
    if data is None:
        return None
    if isinstance(data, bytes):
        return data, name or default
    path = os.fspath(data)
    with open(path, "rb") as f:
        return f.read(), name or path


def _options(
    currency: str,
    timezone: str,
    columns: Optional[Mapping[str, str]],
    skip_invalid: bool,
    skip_unsupported: bool,
    default_country: Optional[str],
    date_format: Optional[str],
    strict_tariffs: bool,
    free_service_allowance: int,
    log_starts_clean: bool,
    business_country: Optional[str],
    auth_intl_since: Optional[str],
    auth_intl_except: Union[None, Mapping[str, str], Sequence[str]],
    tariff: Sequence[Path],
    tiers: Sequence[Path],
    tariff_date: Optional[str],
    tariff_currency: Optional[str],
    templates: Optional[Path],
    template_category: Optional[str],
    **rest: Any,
) -> Dict[str, Any]:
    """The engine's options: the arguments every function takes, and those of one function
    (``rest``) over the defaults of the others."""
    if isinstance(auth_intl_except, Mapping):
        auth_intl_except = [f"{cc}={d}" for cc, d in auth_intl_except.items()]
    budget = rest.pop("budget", None)
    if isinstance(budget, float):
        raise TypeError("budget: pass an exact amount as a str or decimal.Decimal, not a float")
    options = {
        "currency": currency,
        "timezone": timezone,
        "agents": None,
        "budget": None if budget is None else str(budget),
        "columns": list((columns or {}).items()),
        "skip_invalid": skip_invalid,
        "skip_unsupported": skip_unsupported,
        "default_country": default_country,
        "date_format": date_format,
        "strict_tariffs": strict_tariffs,
        "by": None,
        "as_of": None,
        "free_service_allowance": free_service_allowance,
        "log_starts_clean": log_starts_clean,
        "business_country": business_country,
        "auth_intl_since": auth_intl_since,
        "auth_intl_except": [str(x) for x in auth_intl_except or ()],
        "tariff": [os.fspath(p) for p in tariff],
        "tiers": [os.fspath(p) for p in tiers],
        "tariff_date": tariff_date,
        "tariff_currency": tariff_currency,
        "templates": None if templates is None else os.fspath(templates),
        "template_category": template_category,
        "accounts": None,
        "strict_accounts": False,
        "agents_by_month": None,
        "log_start": None,
    }
    options.update(rest)
    return options


def estimate(
    table: Any,
    *,
    currency: str = "EUR",
    timezone: str = "UTC",
    agents: Optional[int] = None,
    budget: Union[None, str, int, Decimal] = None,
    columns: Optional[Mapping[str, str]] = None,
    skip_invalid: bool = False,
    skip_unsupported: bool = False,
    default_country: Optional[str] = None,
    date_format: Optional[str] = None,
    strict_tariffs: bool = False,
    by: Optional[str] = None,
    as_of: Optional[str] = None,
    free_service_allowance: int = 0,
    log_starts_clean: bool = False,
    business_country: Optional[str] = None,
    auth_intl_since: Optional[str] = None,
    auth_intl_except: Union[None, Mapping[str, str], Sequence[str]] = None,
    tariff: Sequence[Path] = (),
    tiers: Sequence[Path] = (),
    tariff_date: Optional[str] = None,
    tariff_currency: Optional[str] = None,
    templates: Optional[Path] = None,
    template_category: Optional[str] = None,
    accounts: Union[None, Path, bytes] = None,
    strict_accounts: bool = False,
    accounts_name: Optional[str] = None,
    log_start: Optional[int] = None,
) -> pa.Table:
    """The month-by-month bill against Callbell's budget: ``waprice estimate --format csv``.

    Args:
        table: the log (Arrow table or stream, Polars or pandas DataFrame) with the columns a
            CSV log has (``timestamp``, ``direction``, ``category``, ``recipient``, ... or any
            layout the command line reads); ``columns`` maps other names.
        currency: the bill's currency (``--currency``); cards are bundled for EUR, USD, ...
        timezone: the WABA's IANA time zone (``--timezone``): months and days are counted in it.
        agents: active agents for the budget (``--agents``; 10 when neither is given).
        budget: the monthly budget as an exact amount (``--budget``), instead of ``agents``.
        columns: ``{"timestamp": "Date Sent", ...}``: which column holds each field
            (``--column NAME=HEADER``).
        skip_invalid: skip and count rows that cannot be read (``--skip-invalid``).
        skip_unsupported: skip and count rows before 2022-02-01 (``--skip-unsupported``).
        default_country: read numbers without ``+`` as national numbers of this country first
            (``--default-country``).
        date_format: how text timestamps are written (``--date-format``: a strftime pattern
            such as ``'%d/%m/%Y %H:%M'``, or ``excel``, or ``unix``); Arrow timestamps need none and are
            read as the times they are, whatever it says.
        strict_tariffs: a substitute or missing rate is an error (``--strict-tariffs``).
        by: ``"market"``, ``"category"``, ``"market,category"`` or ``"tier"``: the long
            format of ``--by`` instead of the months; ``"account"`` (with ``accounts``): one
            line per month and account (``--accounts FILE --by account``).
        as_of: a date (``YYYY-MM-DD``): the months as billed beside the same log re-priced
            under the rules and cards of that date (``--as-of``); ``by`` is then not used.
        free_service_allowance: free service messages per business number and month in
            era D (``--free-service-allowance``; 0 unless said).
        log_starts_clean: the log holds the whole history, so no reply is presumed inside a
            window opened before it (``--log-starts-clean``).
        business_country: the business's country, for authentication-international; goes
            with ``auth_intl_since`` (``--business-country``).
        auth_intl_since: the date (``YYYY-MM-DD``) from which the business is eligible for
            authentication-international rates (``--auth-intl-since``).
        auth_intl_except: customer countries with their own eligibility date, as
            ``{"IN": "2025-03-15"}`` or ``["IN=2025-03-15"]`` (``--auth-intl-except``).
        tariff: rate card files loaded on top of the bundled ones (``--tariff``; waprice's
            layout, Meta's CSV or a workbook).
        tiers: volume-tier files (``--tiers``).
        tariff_date: the effective date of ``tariff``/``tiers`` files in Meta's layout,
            instead of their title's (``--tariff-date``).
        tariff_currency: their currency, instead of their title's (``--tariff-currency``).
        templates: a template list (Meta's JSON) or catalogue (CSV ``name,category``): the
            category of each row by its template name (``--templates``).
        template_category: for a log without categories, the category of templates sent
            outside customer service windows (``--template-category``).
        accounts: with ``by="account"``, the accounts file (docs/accounts.md): its path, or
            its contents as bytes (``--accounts``).
        strict_accounts: a business number no account lists is an error (``--strict-accounts``).
        accounts_name: the accounts file's name in messages (its path, or ``<accounts>``).
        log_start: when the table is a part of a larger log (one group of a Spark job), that
            log's first message, as :func:`log_start` gives it: the log's first 24 hours, in
            which a reply is presumed inside a window opened before the log, count from it.

    Returns:
        A ``pyarrow.Table`` with the CSV's columns (``month``, the unit counts, ``free``,
        ``billable``, ``unpriced``, ``cost``, ``budget``, ``overage``, ``currency``,
        ``derived``, ``substituted``; with ``by``: ``month``, ``market``, ``category``,
        [``tier``,] ``billable``, ``free``, ``cost``, ``currency``; with ``by="account"``:
        ``month``, ``account``, ``billable``, ``free``, ``cost``, ``currency``; with
        ``as_of``: ``month``, ``actual_billable``, ``actual_free``, ``actual_cost``,
        ``as_of_billable``, ``as_of_free``, ``as_of_cost``, ``difference``, ``currency``);
        the notes are in :func:`notes` (with ``as_of``, each said of its side: ``actual: ``
        or ``as of DATE: ``).

    Raises:
        WapriceError: a bad row or option, with the command line's message and hint.
    """
    options = _options(
        currency, timezone, columns, skip_invalid, skip_unsupported, default_country,
        date_format, strict_tariffs, free_service_allowance, log_starts_clean,
        business_country, auth_intl_since, auth_intl_except, tariff, tiers, tariff_date,
        tariff_currency, templates, template_category,
        agents=agents, budget=budget, by=by, as_of=as_of,
        accounts=_file(accounts, accounts_name, "<accounts>"), strict_accounts=strict_accounts,
        log_start=log_start,
    )
    return _result(_waprice.estimate(_stream(table), options))


def ledger(
    table: Any,
    *,
    currency: str = "EUR",
    timezone: str = "UTC",
    columns: Optional[Mapping[str, str]] = None,
    skip_invalid: bool = False,
    skip_unsupported: bool = False,
    default_country: Optional[str] = None,
    date_format: Optional[str] = None,
    strict_tariffs: bool = False,
    free_service_allowance: int = 0,
    log_starts_clean: bool = False,
    business_country: Optional[str] = None,
    auth_intl_since: Optional[str] = None,
    auth_intl_except: Union[None, Mapping[str, str], Sequence[str]] = None,
    tariff: Sequence[Path] = (),
    tiers: Sequence[Path] = (),
    tariff_date: Optional[str] = None,
    tariff_currency: Optional[str] = None,
    templates: Optional[Path] = None,
    template_category: Optional[str] = None,
) -> pa.Table:
    """One row per unit (billed or free) and per message that is not a unit, in time order:
    ``waprice ledger`` (``time``, ``business``, ``recipient``, ``market``, ``category``,
    ``pricing``, ``tier``, ``rate``, ``currency``, ``month``, ``card``, ``rate_source``).

    ``time`` is the CSV's text (RFC 3339 with the time zone's offset); ``rate`` is null where
    the CSV's cell is empty. The options are :func:`estimate`'s.

    Raises:
        WapriceError: a bad row or option, with the command line's message and hint.
    """
    options = _options(
        currency, timezone, columns, skip_invalid, skip_unsupported, default_country,
        date_format, strict_tariffs, free_service_allowance, log_starts_clean,
        business_country, auth_intl_since, auth_intl_except, tariff, tiers, tariff_date,
        tariff_currency, templates, template_category,
    )
    return _result(_waprice.ledger(_stream(table), options))


def invoices(
    table: Any,
    accounts: Union[Path, bytes],
    *,
    currency: str = "EUR",
    timezone: str = "UTC",
    columns: Optional[Mapping[str, str]] = None,
    skip_invalid: bool = False,
    skip_unsupported: bool = False,
    default_country: Optional[str] = None,
    date_format: Optional[str] = None,
    strict_tariffs: bool = False,
    free_service_allowance: int = 0,
    log_starts_clean: bool = False,
    business_country: Optional[str] = None,
    auth_intl_since: Optional[str] = None,
    auth_intl_except: Union[None, Mapping[str, str], Sequence[str]] = None,
    tariff: Sequence[Path] = (),
    tiers: Sequence[Path] = (),
    tariff_date: Optional[str] = None,
    tariff_currency: Optional[str] = None,
    templates: Optional[Path] = None,
    template_category: Optional[str] = None,
    strict_accounts: bool = False,
    accounts_name: Optional[str] = None,
    agents_by_month: Union[None, Path, bytes] = None,
    agents_by_month_name: Optional[str] = None,
    log_start: Optional[int] = None,
) -> pa.Table:
    """A platform's invoices, one line per account and month in the account's currency:
    ``waprice invoices --accounts FILE --format csv`` (``month``, ``account``, ``agents``,
    ``billable``, ``free``, ``unpriced``, ``cost``, ``budget``, ``overage``, ``invoiced_on``,
    ``currency``).

    Args:
        table: the log, as for :func:`estimate`.
        accounts: the accounts file (docs/accounts.md): its path, or its contents as bytes
            (what a Spark job broadcasts to its workers).
        currency: the currency of accounts without a currency column.
        strict_accounts: a business number no account lists is an error (``--strict-accounts``).
        accounts_name: the accounts file's name in messages (its path, or ``<accounts>``).
        agents_by_month: a month's own agent count per account (``account,month,agents``:
            ``--agents-by-month``), as a path or as bytes.
        agents_by_month_name: its name in messages (its path, or ``<agents-by-month>``).
        log_start: the whole log's first message when the table is a part of it
            (:func:`log_start`; see :func:`estimate`).

    The other options are :func:`estimate`'s.

    Raises:
        WapriceError: a bad row, option or account, with the command line's message and hint.
    """
    options = _options(
        currency, timezone, columns, skip_invalid, skip_unsupported, default_country,
        date_format, strict_tariffs, free_service_allowance, log_starts_clean,
        business_country, auth_intl_since, auth_intl_except, tariff, tiers, tariff_date,
        tariff_currency, templates, template_category,
        accounts=_file(accounts, accounts_name, "<accounts>"), strict_accounts=strict_accounts,
        agents_by_month=_file(agents_by_month, agents_by_month_name, "<agents-by-month>"),
        log_start=log_start,
    )
    return _result(_waprice.invoices(_stream(table), options))


def log_start(
    table: Any,
    *,
    currency: str = "EUR",
    timezone: str = "UTC",
    columns: Optional[Mapping[str, str]] = None,
    skip_invalid: bool = False,
    skip_unsupported: bool = False,
    default_country: Optional[str] = None,
    date_format: Optional[str] = None,
    templates: Optional[Path] = None,
    template_category: Optional[str] = None,
) -> Optional[int]:
    """The time of the log's first message as the engine reads it (rows skipped as invalid
    or unsupported left out), in milliseconds since the Unix epoch; ``None`` for a table
    without rows. The least over the parts of a log is the whole log's: what
    :func:`invoices` takes as ``log_start`` when it bills one part of it alone.

    Pass the reading options :func:`invoices` gets.

    Raises:
        WapriceError: a bad row or option, with the command line's message and hint.
    """
    options = _options(
        currency, timezone, columns, skip_invalid, skip_unsupported, default_country,
        date_format, False, 0, False, None, None, None, (), (), None, None, templates,
        template_category,
    )
    return _waprice.log_start(_stream(table), options)


def billing_groups(
    business: Any,
    accounts: Union[Path, bytes],
    *,
    currency: str = "EUR",
    accounts_name: Optional[str] = None,
) -> pa.Array:
    """The billing group of each ``business`` cell (a sequence or Arrow array of the log's
    business numbers as it writes them), by the accounts file: the rows of one group are
    billed apart from the others' exactly as one run over the whole log bills them.

    A group is an account, joined with the accounts its numbers move between (rows of one
    number with ``from``/``until``: a number keeps its customer service windows and its
    allowance across the move), and with ``unassigned`` (numbers no account lists) when a
    number's rows leave dates in no account. Each group is named after its first account in
    the file; numbers are read as the log reader reads them (``+33 1 84...``, ``0033184...``).

    Raises:
        WapriceError: an accounts file waprice cannot read, with the command line's message.
    """
    contents, name = _file(accounts, accounts_name, "<accounts>")  # type: ignore[misc]
    if isinstance(business, (pa.Array, pa.ChunkedArray)):
        business = business.to_pylist()
    cells = [None if b is None else str(b) for b in business]
    return pa.array(_waprice.billing_groups(cells, contents, name, currency), pa.string())


def notes(result: pa.Table) -> List[str]:
    """The notes under a result of :func:`estimate`, :func:`ledger` or :func:`invoices`: the
    rules, cards and assumptions the command line prints under its report."""
    metadata = result.schema.metadata or {}
    return list(json.loads(metadata.get(NOTES_KEY, b"[]")))
