"""The compiled engine behind the ``waprice`` package (use the package's functions)."""

from typing import Any, List, Optional, Tuple, TypedDict

MONEY_SCALE: int

class WapriceError(ValueError):
    """A log or an option waprice cannot read.

    ``str(error)`` is the command line's message with its hint. For a bad row, ``row`` is the
    row's index from 0, ``line`` the line it would be on in the table written as CSV
    (``row + 2``), ``column`` the column's name and ``value`` the cell (cut to 80 characters).
    """

    row: Optional[int]
    line: Optional[int]
    column: Optional[str]
    value: Optional[str]
    hint: Optional[str]

_Returned = Tuple[Any, List[str], List[str]]

class _Options(TypedDict):
    """Every option, as the package's functions fill it in (``None``: not given)."""

    currency: str
    timezone: str
    agents: Optional[int]
    budget: Optional[str]
    columns: List[Tuple[str, str]]
    skip_invalid: bool
    skip_unsupported: bool
    default_country: Optional[str]
    date_format: Optional[str]
    strict_tariffs: bool
    by: Optional[str]
    as_of: Optional[str]
    free_service_allowance: int
    log_starts_clean: bool
    business_country: Optional[str]
    auth_intl_since: Optional[str]
    auth_intl_except: List[str]
    tariff: List[str]
    tiers: List[str]
    tariff_date: Optional[str]
    tariff_currency: Optional[str]
    templates: Optional[str]
    template_category: Optional[str]
    accounts: Optional[Tuple[bytes, str]]
    strict_accounts: bool
    agents_by_month: Optional[Tuple[bytes, str]]
    log_start: Optional[int]

def estimate(stream: Any, options: _Options) -> _Returned: ...
def ledger(stream: Any, options: _Options) -> _Returned: ...
def invoices(stream: Any, options: _Options) -> _Returned: ...
def log_start(stream: Any, options: _Options) -> Optional[int]: ...
def billing_groups(
    business: List[Optional[str]], accounts: bytes, accounts_name: str, currency: str
) -> List[str]: ...
