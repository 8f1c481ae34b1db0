//! A platform's customer accounts (`--accounts FILE`): which business numbers belong to which
//! account, in which WABA, billed in which currency, against which budget.
//!
//! Everything that carries billing state (the monthly free tier, the volume-tier counters)
//! lives inside a WABA, and a WABA inside one account. The business numbers the file lists are
//! interned first, in file order, so the business id the reader gives a message is also the
//! index of its assignments here: finding a message's account is one vector index (and, for a
//! number that moves between accounts, a scan of its few dated rows).

use crate::budget::Budget;
use crate::calendar::Month;
use crate::error::{cut, BadInput, Location};
use crate::pairs::Pairs;
use crate::phone;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::str::FromStr;

/// The account that takes the business numbers no row of the file lists.
pub const UNASSIGNED: &str = "unassigned";

#[derive(Debug, Clone)]
/// One customer account of a platform: the business numbers the file assigns to it share its
/// WABAs' free tiers and its budget.
pub struct Account {
    /// The account's name as the file writes it.
    pub name: String,
    /// Its active agents (the `agents` column), which set Callbell's budget unless `budget` does.
    pub agents: u32,
    /// The ISO currency the account is billed in.
    pub currency: String,
    /// The `budget` column: a monthly amount instead of the agents rule.
    pub budget: Option<Decimal>,
    /// The first line of the file that names the account (0 for `unassigned`).
    pub line: u64,
}

impl Account {
    /// The account's budget for a month: its `budget`, or the agents rule for the month's
    /// agents (`--agents-by-month`, else the `agents` column). `None`: a currency without
    /// an agents rule and no `budget` (refused when the file is read).
    pub fn budget(&self, agents: u32) -> Budget {
        match self.budget {
            Some(amount) => Budget::explicit(amount),
            None => Budget::for_agents(&self.currency, agents, false)
                .unwrap_or_else(|| Budget::explicit(Decimal::ZERO)),
        }
    }
}

/// In [`Accounts`]' `located`: the number has dated rows (or several), to be looked up by date.
const MOVES: u32 = u32::MAX;

/// One dated row: from `from` (inclusive) until `until` (exclusive) the number is in
/// `account`'s WABA `waba`.
#[derive(Debug, Clone, Copy)]
struct Assignment {
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    account: u32,
    waba: u32,
    line: u64,
}

impl Assignment {
    fn covers(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| date >= f) && self.until.is_none_or(|u| date < u)
    }
    fn overlaps(&self, other: &Assignment) -> bool {
        let starts_before_other_ends = match (self.from, other.until) {
            (Some(f), Some(u)) => f < u,
            _ => true,
        };
        let other_starts_before_end = match (other.from, self.until) {
            (Some(f), Some(u)) => f < u,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_end
    }
}

/// Each business number's rows, in file order: one vector for the file, each row linked to
/// the number's next, where a vector per number cost an allocation (and a free) each.
#[derive(Debug, Clone, Default)]
struct Dated {
    rows: Vec<Assignment>,
    /// Per row: the index of its number's next row ([`Dated::END`] for the last).
    next: Vec<u32>,
    /// Per business id: the index of its first row and of its last.
    ends: Vec<(u32, u32)>,
}

impl Dated {
    const END: u32 = u32::MAX;

    /// Adds a row to business `b`'s (a new business is the next id).
    fn push(&mut self, b: u32, row: Assignment) {
        let at = self.rows.len() as u32;
        self.rows.push(row);
        self.next.push(Dated::END);
        match self.ends.get_mut(b as usize) {
            Some((_, last)) => {
                self.next[*last as usize] = at;
                *last = at;
            }
            None => {
                debug_assert_eq!(b as usize, self.ends.len(), "business ids come in order");
                self.ends.push((at, at));
            }
        }
    }

    /// Business `b`'s rows, in file order.
    fn of(&self, b: u32) -> impl Iterator<Item = &Assignment> {
        let first = self.ends.get(b as usize).map_or(Dated::END, |e| e.0);
        std::iter::successors(Some(first).filter(|&i| i != Dated::END), |&i| {
            Some(self.next[i as usize]).filter(|&n| n != Dated::END)
        })
        .map(|i| &self.rows[i as usize])
    }
}

#[derive(Debug, Clone)]
/// The `--accounts` file read: the accounts, their WABAs, and which account and WABA each
/// business number is in on each date.
pub struct Accounts {
    /// Account ids index this; the last is [`UNASSIGNED`].
    pub accounts: Vec<Account>,
    /// Per WABA id: its account.
    pub wabas: Vec<u32>,
    /// The business keys, normalised as the reader normalises a log's `business`, in id
    /// order, one after the other: key `b` ends at `key_ends[b]`.
    key_bytes: Vec<u8>,
    key_ends: Vec<u32>,
    by_business: Dated,
    /// Per business id: its (account, WABA) when one row without dates holds it (nearly
    /// every number), so that finding a message's account reads one small slot; [`MOVES`]
    /// sends [`Accounts::locate`] to the dated rows in `by_business`.
    located: Vec<(u32, u32)>,
    agents_by_month: FxHashMap<(u32, Month), u32>,
    /// The file it was read from, for messages.
    pub file: String,
}

/// Which accounts are billed together ([`Accounts::billing_groups`]), by business number.
#[derive(Debug, Clone)]
pub struct BillingGroups {
    keys: FxHashMap<Box<[u8]>, u32>,
    /// Per account id: the id of the account its group is named after.
    group: Vec<u32>,
    names: Vec<String>,
}

impl BillingGroups {
    /// The group of a `business` cell as a log writes it, read as the log reader reads it:
    /// the name of the group's first account in the file; [`UNASSIGNED`]'s group for a
    /// number no account lists.
    pub fn of(&self, business: &str) -> &str {
        let g = match self.keys.get(business_key(business).as_slice()) {
            Some(&g) => g,
            None => self.group[self.names.len() - 1],
        };
        &self.names[g as usize]
    }
}

/// The stable hash that places an account in a shard: FNV-1a 64 over the UTF-8 bytes of
/// its name (offset basis 0xcbf29ce484222325, prime 0x100000001b3). Fixed and documented, so
/// every process, on every machine and in every version, puts an account in the same shard.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// `--shard K/N`: the accounts whose name hashes to `K - 1` modulo `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard this process takes (1..=N).
    pub k: u32,
    /// How many shards the accounts are split into.
    pub n: u32,
}

impl Shard {
    /// Reads `K/N` (1 <= K <= N).
    pub fn parse(raw: &str) -> Result<Shard, BadInput> {
        let hint = "write --shard K/N with 1 <= K <= N, e.g. --shard 1/4 .. --shard 4/4";
        let err = |what: String| BadInput::new(what).hint(hint);
        let (k, n) = raw
            .trim()
            .split_once('/')
            .ok_or_else(|| err(format!("--shard {}: not K/N", cut(raw))))?;
        let num = |s: &str| s.trim().parse::<u32>().ok();
        match (num(k), num(n)) {
            (Some(k), Some(n)) if k >= 1 && k <= n => Ok(Shard { k, n }),
            _ => Err(err(format!(
                "--shard {}: K and N are whole numbers with 1 <= K <= N",
                cut(raw)
            ))),
        }
    }

    /// The shard (1..=N) an account of this name is in.
    pub fn of(name: &str, n: u32) -> u32 {
        (fnv1a64(name.as_bytes()) % u64::from(n)) as u32 + 1
    }

    /// Whether the account named `name` is in this shard.
    pub fn holds(&self, name: &str) -> bool {
        Shard::of(name, self.n) == self.k
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// The key the log reader interns a `business` cell under.
pub fn business_key(raw: &str) -> Vec<u8> {
    let mut key = Vec::new();
    Key::of(raw).write(&mut key);
    key
}

/// A business cell's key before it is written out: `+` and the digits of a number, or the
/// trimmed cell's own bytes. Two keys are equal exactly when their bytes are (a cell that
/// reads `+` and digits as a number would write them is taken as that number), so the file's
/// numbers are told apart without writing each key out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Number(u64),
    Cell(&'a str),
}

impl<'a> Key<'a> {
    fn of(raw: &'a str) -> Key<'a> {
        let raw = raw.trim();
        match phone::normalise(raw.as_bytes()) {
            Ok(n) if !raw.is_empty() => Key::Number(n),
            _ => match raw.strip_prefix('+').map(|d| (d, d.parse::<u64>())) {
                Some((d, Ok(n))) if d.bytes().all(|b| b.is_ascii_digit()) && n.to_string() == d => {
                    Key::Number(n)
                }
                _ => Key::Cell(raw),
            },
        }
    }

    /// Appends the key's bytes.
    fn write(self, out: &mut Vec<u8>) {
        match self {
            Key::Number(mut n) => {
                // `format!("+{n}")`, without the formatting machinery (20,000 numbers a file).
                let mut digits = [0u8; 20];
                let mut at = digits.len();
                loop {
                    at -= 1;
                    digits[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                out.push(b'+');
                out.extend_from_slice(&digits[at..]);
            }
            Key::Cell(c) => out.extend_from_slice(c.as_bytes()),
        }
    }
}

fn bad(file: &str, line: u64, column: &str, value: &str, what: String) -> BadInput {
    BadInput::new(what).at(Location {
        file: file.to_string(),
        line,
        column: column.to_string(),
        value: cut(value).into_owned(),
    })
}

/// A CSV file's lowercased header and its non-empty rows with their line numbers, the cells
/// borrowed from the text when it can be split without the csv crate. Every row is as wide
/// as the header, so the cells are kept in one vector, row after row: one allocation for the
/// file rather than one a row.
#[derive(Debug, PartialEq)]
struct Rows<'a> {
    headers: Vec<String>,
    /// The line of each row.
    lines: Vec<u64>,
    /// `headers.len()` cells a row.
    cells: Vec<Cow<'a, str>>,
}

impl<'a> Rows<'a> {
    /// Each row with its line.
    fn iter(&self) -> impl Iterator<Item = (u64, &[Cow<'a, str>])> {
        self.lines
            .iter()
            .copied()
            .zip(self.cells.chunks(self.headers.len().max(1)))
    }
}

/// `str::trim`, without looking at the characters when the cell starts and ends with a
/// printable ASCII character (as nearly every cell does).
fn trim(cell: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&b| (0x21..0x7f).contains(&b));
    if printable(cell.as_bytes().first()) && printable(cell.as_bytes().last()) {
        cell
    } else {
        cell.trim()
    }
}

fn read_csv<'a>(file: &str, text: &'a str) -> Result<Rows<'a>, BadInput> {
    let text = text.trim_start_matches('\u{feff}');
    match split_plain(text) {
        Some(rows) => Ok(rows),
        None => csv_rows(file, text),
    }
}

/// [`read_csv`] through the csv crate: quotes, blank lines, carriage returns, and the errors.
fn csv_rows<'a>(file: &str, text: &str) -> Result<Rows<'a>, BadInput> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| BadInput::new(format!("{file}: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let mut rows = Rows {
        headers,
        lines: Vec::new(),
        cells: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(|e| {
            BadInput::new(format!("{file}: {e}"))
                .hint("every row needs as many fields as the header")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows.lines.push(line);
        rows.cells
            .extend(record.iter().map(|c| Cow::Owned(c.to_string())));
    }
    Ok(rows)
}

/// The rows of a file the csv crate would read cell for cell as a split on commas and
/// newlines: no quote, no carriage return, no blank line, every row as wide as the header.
/// Each cell is trimmed as the csv crate trims it (`str::trim`) and borrowed from the text,
/// where the csv crate costs a record and a `String` per cell. `None` for any other file,
/// which the csv crate reads (and whose errors it words).
fn split_plain(text: &str) -> Option<Rows<'_>> {
    let bytes = text.as_bytes();
    let plain = !text.is_empty()
        && !text.starts_with('\n')
        && memchr::memchr2(b'"', b'\r', bytes).is_none()
        && memchr::memmem::find(bytes, b"\n\n").is_none();
    if !plain {
        return None;
    }
    let text = text.strip_suffix('\n').unwrap_or(text);
    let (header, body) = text.split_once('\n').unwrap_or((text, ""));
    let headers: Vec<String> = header
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let width = headers.len();
    let mut rows = Rows {
        headers,
        lines: Vec::new(),
        cells: Vec::with_capacity(body.len() / 8),
    };
    if text.len() == header.len() {
        return Some(rows);
    }
    // The header is line 1; with no blank line, the rows follow from line 2. One search for
    // commas and newlines: a comma ends a cell, a newline (or the end) a cell and a row.
    let (mut line, mut row_start, mut cell_start) = (2u64, 0, 0);
    let bytes = body.as_bytes();
    let ends = memchr::memchr2_iter(b',', b'\n', bytes).chain(std::iter::once(bytes.len()));
    for i in ends {
        let b = bytes.get(i).copied().unwrap_or(b'\n');
        rows.cells.push(Cow::Borrowed(trim(&body[cell_start..i])));
        cell_start = i + 1;
        if b == b'\n' {
            if rows.cells.len() - row_start != width {
                return None;
            }
            if rows.cells[row_start..].iter().all(|c| c.is_empty()) {
                rows.cells.truncate(row_start);
            } else {
                rows.lines.push(line);
                row_start = rows.cells.len();
            }
            line += 1;
        }
    }
    Some(rows)
}

fn column(
    file: &str,
    headers: &[String],
    name: &str,
    required: bool,
) -> Result<Option<usize>, BadInput> {
    let at = headers.iter().position(|h| h == name);
    if at.is_none() && required {
        return Err(BadInput::new(format!(
            "{file}: no '{name}' column (the header has: {})",
            headers.join(",")
        ))
        .hint("an accounts file has the header account,business,agents and optionally currency,budget,waba,from,until"));
    }
    Ok(at)
}

impl Accounts {
    /// Reads an accounts file; `default_currency` (`--currency`) bills the accounts whose
    /// `currency` is empty, and `unassigned`.
    pub fn parse(file: &str, text: &str, default_currency: &str) -> Result<Accounts, BadInput> {
        let rows = read_csv(file, text)?;
        let headers = &rows.headers;
        let c_account = column(file, headers, "account", true)?.unwrap_or_default();
        let c_business = column(file, headers, "business", true)?.unwrap_or_default();
        let c_agents = column(file, headers, "agents", true)?.unwrap_or_default();
        let c_currency = column(file, headers, "currency", false)?;
        let c_budget = column(file, headers, "budget", false)?;
        let c_waba = column(file, headers, "waba", false)?;
        let c_from = column(file, headers, "from", false)?;
        let c_until = column(file, headers, "until", false)?;
        let mut accounts: Vec<Account> = Vec::new();
        // Keyed by cells borrowed from the rows: no copy of a name per row.
        // Sized for a row each, so that none is grown (and rehashed) row after row.
        fn sized<K, V>(n: usize) -> FxHashMap<K, V> {
            FxHashMap::with_capacity_and_hasher(n, Default::default())
        }
        let n = rows.lines.len();
        let mut account_ids: FxHashMap<&str, u32> = sized(n);
        let mut wabas: Vec<u32> = Vec::new();
        let mut waba_ids: FxHashMap<(u32, &str), u32> = sized(n);
        let mut waba_owner: FxHashMap<&str, (u32, u64)> = sized(n);
        let mut key_ids: FxHashMap<Key, u32> = sized(n);
        let (mut key_bytes, mut key_ends) = (Vec::new(), Vec::with_capacity(n));
        let mut dated = Dated::default();
        for (line, row) in rows.iter() {
            let get = |c: Option<usize>| c.map_or("", |c| row[c].as_ref());
            let name = get(Some(c_account));
            if name.is_empty() {
                return Err(bad(
                    file,
                    line,
                    "account",
                    name,
                    "empty account name".to_string(),
                )
                .hint("every row names its account"));
            }
            if name == UNASSIGNED {
                return Err(bad(
                    file,
                    line,
                    "account",
                    name,
                    format!("'{UNASSIGNED}' is the account of numbers no row lists"),
                )
                .hint("give the account another name"));
            }
            let agents_raw = get(Some(c_agents));
            let agents: u32 = agents_raw.parse().map_err(|_| {
                bad(
                    file,
                    line,
                    "agents",
                    agents_raw,
                    format!("agents '{}' is not a whole number", cut(agents_raw)),
                )
                .hint("write the account's active agents, e.g. 10")
            })?;
            let currency_raw = get(c_currency);
            let currency: Cow<str> = if currency_raw.is_empty() {
                Cow::Borrowed(default_currency)
            } else if currency_raw.bytes().any(|b| b.is_ascii_lowercase()) {
                Cow::Owned(currency_raw.to_ascii_uppercase())
            } else {
                Cow::Borrowed(currency_raw)
            };
            let budget_raw = get(c_budget);
            let budget = if budget_raw.is_empty() {
                None
            } else {
                let amount = Decimal::from_str(budget_raw)
                    .ok()
                    .filter(|d| !d.is_sign_negative());
                Some(amount.ok_or_else(|| {
                    bad(
                        file,
                        line,
                        "budget",
                        budget_raw,
                        format!("budget '{}' is not an amount", cut(budget_raw)),
                    )
                    .hint("write a monthly amount with a . decimal point, e.g. 150 or 87.50")
                })?)
            };
            if budget.is_none() && crate::budget::per_ten_agents(&currency).is_none() {
                return Err(bad(file, line, "currency", &currency, format!("account '{}' is billed in {currency}, which has no agents rule, and gives no budget", cut(name)))
                    .hint("fill the budget column for accounts billed in currencies other than EUR and USD"));
            }
            let account = match account_ids.get(name) {
                Some(&id) => {
                    let a = &accounts[id as usize];
                    let differs = if a.agents != agents {
                        Some(("agents", a.agents.to_string(), agents.to_string()))
                    } else if a.currency != currency {
                        Some(("currency", a.currency.clone(), currency.to_string()))
                    } else if a.budget != budget {
                        let show =
                            |b: Option<Decimal>| b.map_or("(empty)".to_string(), |b| b.to_string());
                        Some(("budget", show(a.budget), show(budget)))
                    } else {
                        None
                    };
                    if let Some((what, first, here)) = differs {
                        return Err(bad(file, line, what, &here, format!(
                            "account '{}' has {what} {first} on line {} but {here} on line {line}",
                            cut(name), a.line
                        ))
                        .hint(format!("an account's {what} is the same on every row; for agents that change by month use --agents-by-month")));
                    }
                    id
                }
                None => {
                    let id = accounts.len() as u32;
                    accounts.push(Account {
                        name: name.to_string(),
                        agents,
                        currency: currency.into_owned(),
                        budget,
                        line,
                    });
                    account_ids.insert(name, id);
                    id
                }
            };
            let waba_name = get(c_waba);
            // A WABA's free tier and volume tiers are one account's: the same waba in two
            // accounts would make one account's bill depend on another's messages (and
            // shards, which split accounts, could not be billed apart).
            if !waba_name.is_empty() {
                match waba_owner.get(waba_name) {
                    Some(&(owner, first)) if owner != account => {
                        return Err(bad(file, line, "waba", waba_name, format!(
                            "waba '{}' is in account '{}' on line {first} and in '{}' on line {line}",
                            cut(waba_name), accounts[owner as usize].name, cut(name)
                        ))
                        .hint("a WABA belongs to one account: give each account's numbers a waba of its own"));
                    }
                    Some(_) => {}
                    None => {
                        waba_owner.insert(waba_name, (account, line));
                    }
                }
            }
            let next = wabas.len() as u32;
            let waba = *waba_ids.entry((account, waba_name)).or_insert(next);
            if waba == next {
                wabas.push(account);
            }
            let date_of = |c: Option<usize>, col: &str| -> Result<Option<NaiveDate>, BadInput> {
                let raw = get(c);
                if raw.is_empty() {
                    return Ok(None);
                }
                NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        bad(
                            file,
                            line,
                            col,
                            raw,
                            format!("{col} '{}' is not a date", cut(raw)),
                        )
                        .hint("write dates as YYYY-MM-DD")
                    })
            };
            let from = date_of(c_from, "from")?;
            let until = date_of(c_until, "until")?;
            if let (Some(f), Some(u)) = (from, until) {
                if u <= f {
                    return Err(bad(
                        file,
                        line,
                        "until",
                        get(c_until),
                        format!("until {u} is not after from {f}"),
                    )
                    .hint("from is the first day in the account, until the first day out of it"));
                }
            }
            let next = key_ids.len() as u32;
            let b = *key_ids
                .entry(Key::of(get(Some(c_business))))
                .or_insert_with_key(|key| {
                    key.write(&mut key_bytes);
                    key_ends.push(key_bytes.len() as u32);
                    next
                });
            let assignment = Assignment {
                from,
                until,
                account,
                waba,
                line,
            };
            if let Some(other) = dated.of(b).find(|o| o.overlaps(&assignment)) {
                let shown = get(Some(c_business));
                return Err(bad(file, line, "business", shown, format!(
                    "business '{}' is in account '{}' on line {} and in '{}' on line {line} for the same dates",
                    cut(shown), accounts[other.account as usize].name, other.line, cut(name)
                ))
                .hint("a number belongs to one account at a time: give the rows from/until dates that do not overlap"));
            }
            dated.push(b, assignment);
        }
        if accounts.is_empty() {
            return Err(BadInput::new(format!("{file}: no accounts"))
                .hint("one row per business number: account,business,agents"));
        }
        let unassigned = accounts.len() as u32;
        accounts.push(Account {
            name: UNASSIGNED.to_string(),
            agents: 0,
            currency: default_currency.to_string(),
            budget: Some(Decimal::ZERO),
            line: 0,
        });
        wabas.push(unassigned);
        let located = (0..key_ends.len() as u32)
            .map(|b| {
                let mut rows = dated.of(b);
                match (rows.next(), rows.next()) {
                    (Some(only), None) if only.from.is_none() && only.until.is_none() => {
                        (only.account, only.waba)
                    }
                    _ => (MOVES, 0),
                }
            })
            .collect();
        Ok(Accounts {
            accounts,
            wabas,
            key_bytes,
            key_ends,
            by_business: dated,
            located,
            agents_by_month: FxHashMap::default(),
            file: file.to_string(),
        })
    }

    /// Reads `--agents-by-month` (`account,month,agents`): a month's own agent count.
    pub fn agents_by_month(&mut self, file: &str, text: &str) -> Result<(), BadInput> {
        let rows = read_csv(file, text)?;
        let hint = "an agents-by-month file has the header account,month,agents";
        let need = |name: &str| {
            column(file, &rows.headers, name, true)
                .map(Option::unwrap_or_default)
                .map_err(|e| e.hint(hint))
        };
        let (c_account, c_month, c_agents) = (need("account")?, need("month")?, need("agents")?);
        let mut seen: FxHashMap<(u32, Month), u64> = FxHashMap::default();
        for (line, row) in rows.iter() {
            let name: &str = &row[c_account];
            let account = self
                .accounts
                .iter()
                .position(|a| a.name == name && a.name != UNASSIGNED)
                .ok_or_else(|| {
                    bad(
                        file,
                        line,
                        "account",
                        name,
                        format!("account '{}' is not in {}", cut(name), self.file),
                    )
                    .hint("name accounts as the accounts file names them")
                })? as u32;
            let raw = &row[c_month];
            let month = NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
                .map(Month::of)
                .map_err(|_| {
                    bad(
                        file,
                        line,
                        "month",
                        raw,
                        format!("month '{}' is not YYYY-MM", cut(raw)),
                    )
                    .hint("write months as YYYY-MM, e.g. 2024-03")
                })?;
            let raw = &row[c_agents];
            let agents: u32 = raw.parse().map_err(|_| {
                bad(
                    file,
                    line,
                    "agents",
                    raw,
                    format!("agents '{}' is not a whole number", cut(raw)),
                )
                .hint("write the month's active agents, e.g. 12")
            })?;
            if let Some(first) = seen.insert((account, month), line) {
                return Err(bad(
                    file,
                    line,
                    "month",
                    &month.to_string(),
                    format!(
                        "account '{}' has month {month} on line {first} and again on line {line}",
                        cut(name)
                    ),
                )
                .hint("one row per account and month"));
            }
            self.agents_by_month.insert((account, month), agents);
        }
        Ok(())
    }

    /// The account's active agents in a month.
    pub fn agents(&self, account: u32, month: Month) -> u32 {
        self.agents_by_month
            .get(&(account, month))
            .copied()
            .unwrap_or(self.accounts[account as usize].agents)
    }

    /// The id of the account that takes the business numbers no row lists (the last one).
    pub fn unassigned(&self) -> u32 {
        (self.accounts.len() - 1) as u32
    }

    /// Interns the listed business numbers into a reader's fresh table, so that business id
    /// `b` is the `b`-th number of the file.
    pub fn seed(&self, businesses: &mut Pairs) {
        for i in 0..self.key_ends.len() {
            let key = self.key(i);
            let id = businesses.business(key);
            debug_assert_eq!(id as usize, i, "the business table was not fresh");
        }
    }

    /// The key of business id `b`.
    fn key(&self, b: usize) -> &[u8] {
        let start = if b == 0 {
            0
        } else {
            self.key_ends[b - 1] as usize
        };
        &self.key_bytes[start..self.key_ends[b] as usize]
    }

    /// Whether the file lists business id `b` at all (on some date).
    pub fn lists(&self, business: u32) -> bool {
        (business as usize) < self.key_ends.len()
    }

    /// Asks the CPU for a business number's slot ahead of [`Accounts::locate`] (a hint only).
    #[inline]
    pub fn prefetch(&self, business: u32) {
        crate::prefetch::prefetch(self.located.as_ptr().wrapping_add(business as usize));
    }

    /// The (account, WABA) of a business number's message on a local date.
    #[inline]
    pub fn locate(&self, business: u32, date: NaiveDate) -> (u32, u32) {
        match self.located.get(business as usize) {
            Some(&(account, waba)) if account != MOVES => return (account, waba),
            Some(_) => {
                for a in self.by_business.of(business) {
                    if a.covers(date) {
                        return (a.account, a.waba);
                    }
                }
            }
            None => {}
        }
        let u = self.unassigned();
        (u, (self.wabas.len() - 1) as u32)
    }

    /// The accounts that are billed together when a log is split: each account, joined with
    /// the accounts its numbers move between (rows of one number with `from`/`until`), and
    /// with [`UNASSIGNED`] when a number's rows leave dates in no account. A number keeps its
    /// customer service windows and its era D allowance across a move, so the rows of such a
    /// number on both sides of it must be replayed together to be billed as one run bills
    /// them.
    pub fn billing_groups(&self) -> BillingGroups {
        let n = self.accounts.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut a: usize) -> usize {
            while parent[a] != a {
                parent[a] = parent[parent[a]];
                a = parent[a];
            }
            a
        }
        let unassigned = self.unassigned() as usize;
        for b in 0..self.key_ends.len() as u32 {
            let mut dated: Vec<&Assignment> = self.by_business.of(b).collect();
            dated.sort_by_key(|a| a.from);
            // Every date is in some row: the first open at its start, each until the next's
            // from, the last open at its end.
            let whole = dated.first().is_some_and(|a| a.from.is_none())
                && dated.last().is_some_and(|a| a.until.is_none())
                && dated.windows(2).all(|w| w[0].until == w[1].from);
            let mut members: Vec<usize> = dated.iter().map(|a| a.account as usize).collect();
            if !whole {
                members.push(unassigned);
            }
            for m in &members[1..] {
                let (a, b) = (root(&mut parent, members[0]), root(&mut parent, *m));
                // The group is named after its first account in the file.
                parent[a.max(b)] = a.min(b);
            }
        }
        let group: Vec<u32> = (0..n).map(|a| root(&mut parent, a) as u32).collect();
        let keys = (0..self.key_ends.len())
            .map(|b| {
                let first = self
                    .by_business
                    .of(b as u32)
                    .next()
                    .map_or(unassigned, |a| a.account as usize);
                (Box::from(self.key(b)), group[first])
            })
            .collect();
        BillingGroups {
            keys,
            names: self.accounts.iter().map(|a| a.name.clone()).collect(),
            group,
        }
    }

    /// The currencies the accounts bill in, sorted.
    pub fn currencies(&self) -> Vec<String> {
        // A few currencies over thousands of accounts: each kept once, then sorted.
        let mut c: Vec<String> = Vec::new();
        for a in &self.accounts {
            if !c.contains(&a.currency) {
                c.push(a.currency.clone());
            }
        }
        c.sort();
        c
    }

    /// How many accounts there are, [`UNASSIGNED`] included.
    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Accounts, BadInput> {
        Accounts::parse("accounts.csv", text, "EUR")
    }

    #[test]
    fn numbers_are_keyed_like_the_log_and_empty_business_is_a_number_too() {
        let a = parse(
            "account,business,agents\nacme,+33 1 23 45 67 89,10\nacme,,10\nbeta,+34911222333,20\n",
        )
        .unwrap();
        assert_eq!(a.key(0), b"+33123456789");
        assert_eq!(a.key(1), b"");
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(a.locate(0, d), (0, 0));
        assert_eq!(a.locate(1, d), (0, 0));
        assert_eq!(a.locate(2, d), (1, 1));
        assert_eq!(
            a.locate(7, d),
            (2, 2),
            "an unlisted number goes to unassigned"
        );
        assert_eq!(a.accounts[2].name, UNASSIGNED);
    }

    #[test]
    fn disagreeing_agents_name_both_lines() {
        let e = parse("account,business,agents\nacme,+33123456789,10\nacme,+33123456780,12\n")
            .unwrap_err();
        assert!(
            e.what.contains("agents 10 on line 2 but 12 on line 3"),
            "{}",
            e.what
        );
    }

    #[test]
    fn a_number_moves_on_a_date() {
        let a = parse("account,business,agents,from,until\nacme,+33123456789,10,,2024-03-15\nbeta,+33123456789,10,2024-03-15,\n").unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
        assert_eq!(a.locate(0, day(14)).0, 0);
        assert_eq!(a.locate(0, day(15)).0, 1);
        let e = parse("account,business,agents,from\nacme,+33123456789,10,\nbeta,+33123456789,10,2024-03-15\n").unwrap_err();
        assert!(
            e.what.contains("line 2") && e.what.contains("line 3"),
            "{}",
            e.what
        );
    }

    #[test]
    fn accounts_a_number_moves_between_are_billed_together() {
        let a = parse(
            "account,business,agents,from,until\n\
             acme,+33 1 23 45 67 89,10,,2024-03-15\n\
             beta,+33123456789,10,2024-03-15,\n\
             gamma,+33100000001,10,,\n\
             delta,+33100000002,10,,2024-03-01\n\
             epsilon,+33100000003,10,,\n\
             delta,+33100000004,10,,\n",
        )
        .unwrap();
        let g = a.billing_groups();
        // The move joins acme and beta, read as the log reader reads the number.
        assert_eq!(g.of("+33123456789"), "acme");
        assert_eq!(g.of("0033 1 23 45 67 89"), "acme");
        assert_eq!(g.of("+33100000001"), "gamma");
        assert_eq!(g.of("+33100000003"), "epsilon");
        // delta's first number is in no account from 2024-03-01: delta, its other number and
        // every number no account lists are billed together.
        assert_eq!(g.of("+33100000002"), "delta");
        assert_eq!(g.of("+33100000004"), "delta");
        assert_eq!(g.of("+447700900001"), "delta");
        let plain = parse("account,business,agents\nacme,+33100000001,10\n").unwrap();
        assert_eq!(plain.billing_groups().of("+447700900001"), UNASSIGNED);
    }

    #[test]
    fn waba_column_groups_numbers_within_an_account() {
        let a = parse("account,business,agents,waba\nacme,+33123456789,10,w1\nacme,+33123456780,10,w2\nacme,+33123456781,10,w1\n").unwrap();
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        assert_eq!(a.locate(0, d).1, a.locate(2, d).1);
        assert_ne!(a.locate(0, d).1, a.locate(1, d).1);
    }

    #[test]
    fn a_waba_never_spans_two_accounts() {
        let e = parse(
            "account,business,agents,waba\nacme,+33123456789,10,w1\nbeta,+33123456780,10,w1\n",
        )
        .unwrap_err();
        assert!(
            e.what
                .contains("waba 'w1' is in account 'acme' on line 2 and in 'beta' on line 3"),
            "{}",
            e.what
        );
        // Nor across a move: the number's new account needs a WABA of its own.
        assert!(parse("account,business,agents,waba,from,until\nacme,+33123456789,10,w1,,2024-03-15\nbeta,+33123456789,10,w1,2024-03-15,\n").is_err());
        // Every WABA id belongs to exactly one account.
        let a = parse("account,business,agents,waba\nacme,+33123456789,10,w1\nbeta,+33123456780,10,\nacme,+33123456781,10,w2\n").unwrap();
        assert_eq!(a.wabas, [0, 1, 0, 2]);
    }

    #[test]
    fn business_keys_are_equal_exactly_when_their_bytes_are() {
        let cells = [
            "+33123456789",
            "+33 1 23 45 67 89",
            "0033123456789",
            "",
            " ",
            "+",
            "+0",
            "+00",
            "+1",
            "+01",
            "abc",
            "+999",
            "+9990001112223334445",
            "+18446744073709551615",
            "+18446744073709551616",
            "++5",
            "+5 ",
        ];
        for a in cells {
            for b in cells {
                assert_eq!(
                    Key::of(a) == Key::of(b),
                    business_key(a) == business_key(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn plain_files_split_as_the_csv_crate_reads_them() {
        let plain = [
            "account,business,agents\nacme,+33123456789,10\n",
            "Account , Business,AGENTS\n acme ,\t+33 1 23 45 67 89 ,10\nbeta,,20",
            "account,business,agents\n,,\nacme,+33123456789,10\n , ,\u{a0}\nb,x,1\n",
            "a\nx\n \ny\n",
            "account,business,agents\ncaf\u{e9} \u{2003},+1,2\n",
        ];
        for text in plain {
            let fast = split_plain(text).expect(text);
            assert_eq!(fast, csv_rows("f", text).unwrap(), "{text:?}");
        }
        // Anything else goes to the csv crate, which words the errors and counts lines past
        // blank ones its own way.
        for text in [
            "",
            "\naccount,business,agents\nacme,1,2\n",
            "account,business,agents\n\nacme,1,2\n",
            "account,business,agents\r\nacme,1,2\r\n",
            "account,business,agents\n\"acme, inc\",1,2\n",
            "account,business,agents\nacme,1\n",
            "account,business,agents\nacme,1,2,3\n",
        ] {
            assert_eq!(split_plain(text), None, "{text:?}");
        }
        let short = parse("account,business,agents\nacme,+33123456789\n").unwrap_err();
        assert!(short.what.contains("accounts.csv: "), "{}", short.what);
        assert_eq!(
            parse("account,business,agents\n\nacme,+33123456789,x\n")
                .unwrap_err()
                .at
                .map(|l| l.line),
            csv_rows("f", "account,business,agents\n\nacme,+33123456789,x\n")
                .unwrap()
                .lines
                .first()
                .copied()
        );
    }

    #[test]
    fn shards_are_fnv1a_64_of_the_name() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(
            Shard::of("foobar", 4),
            (0x8594_4171_f739_67e8u64 % 4) as u32 + 1
        );
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { k: 2, n: 4 });
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "-1/4", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_currency_without_agents_rule_needs_a_budget() {
        assert!(parse("account,business,agents,currency\nacme,+33123456789,10,GBP\n").is_err());
        let a = parse("account,business,agents,currency,budget\nacme,+33123456789,10,GBP,80\n")
            .unwrap();
        assert_eq!(a.accounts[0].budget(10).monthly, Decimal::from(80));
    }

    #[test]
    fn agents_by_month_overrides_a_month() {
        let mut a = parse("account,business,agents\nacme,+33123456789,10\n").unwrap();
        a.agents_by_month("m.csv", "account,month,agents\nacme,2024-03,25\n")
            .unwrap();
        assert_eq!(a.agents(0, Month(2024 * 12 + 2)), 25);
        assert_eq!(a.agents(0, Month(2024 * 12 + 3)), 10);
        assert!(a
            .agents_by_month("m.csv", "account,month,agents\nnope,2024-03,25\n")
            .is_err());
    }
}
