"""The compiled engine behind the ``waprice`` package (use the package's functions)."""

from typing import Any, Dict, List, Optional, Tuple

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

def estimate(stream: Any, options: Dict[str, Any]) -> _Returned: ...
def ledger(stream: Any, options: Dict[str, Any]) -> _Returned: ...
def invoices(
    stream: Any,
    options: Dict[str, Any],
    accounts: bytes,
    accounts_name: str,
    strict_accounts: bool,
) -> _Returned: ...
