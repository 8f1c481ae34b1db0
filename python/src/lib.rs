//! `waprice._waprice`: the library's facade (`waprice::pipeline`) over Arrow tables, for the
//! Python package. A table comes in through the Arrow C stream interface (no copy) and is read
//! by the log's own row parser ([`waprice::pipeline::LogSource::Table`]); the result goes back
//! the same way, one Arrow batch per result. `pysrc/waprice/__init__.py` is the documented
//! surface; this module is its engine.

mod output;
mod table;

use anyhow::Result;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator};
use chrono_tz::Tz;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use waprice::accounts::Accounts;
use waprice::budget::Budget;
use waprice::engine::auth_intl_from;
use waprice::error::BadInput;
use waprice::input::columns::Field;
use waprice::phone::numbering::NumberingPlan;
use waprice::pipeline::{self, Hooks, LogSettings, LogSource, Reading, Tariffs};
use waprice::report::By;
use waprice::tariff::meta_csv::Overrides;
use waprice::tariff::sheet::{self, Want};

pyo3::create_exception!(
    _waprice,
    WapriceError,
    PyValueError,
    "A log or an option waprice cannot read: the message is the command line's, with its hint."
);

/// The options every function takes (keyword arguments of the Python functions).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Options {
    currency: String,
    timezone: String,
    agents: Option<u32>,
    budget: Option<String>,
    columns: Vec<(String, String)>,
    skip_invalid: bool,
    skip_unsupported: bool,
    default_country: Option<String>,
    date_format: Option<String>,
    strict_tariffs: bool,
    by: Option<String>,
    free_service_allowance: u32,
    log_starts_clean: bool,
    business_country: Option<String>,
    auth_intl_since: Option<String>,
    tariff: Vec<String>,
    tiers: Vec<String>,
}

/// Warnings the pipeline gave (skipped rows, dates in the future), for Python's `warnings`.
#[derive(Default)]
struct Collect(Mutex<Vec<String>>);

impl Hooks for Collect {
    fn warn(&self, message: &str) {
        if let Ok(mut w) = self.0.lock() {
            w.push(message.to_string());
        }
    }
    fn reading(&self, _size: Option<u64>) -> Option<Arc<dyn Reading>> {
        None
    }
}

fn bad(what: String, hint: &str) -> anyhow::Error {
    BadInput::new(what).hint(hint).into()
}

/// The library's settings, tariffs and budget from the options.
fn settings(
    table: table::ArrowTable,
    o: &Options,
    hooks: Arc<Collect>,
) -> Result<(LogSettings, Tariffs, Budget)> {
    let tariffs = tariffs(o, &hooks)?;
    let mut ls = LogSettings::new(LogSource::Table(Arc::new(table)));
    ls.engine.free_service_allowance = o.free_service_allowance;
    ls.engine.log_starts_clean = o.log_starts_clean;
    match (&o.business_country, &o.auth_intl_since) {
        (None, None) => {}
        (Some(cc), Some(since)) => {
            let home = tariffs.markets.country_by_iso(cc.trim()).ok_or_else(|| {
                bad(
                    format!("business_country={cc}: unknown country"),
                    "use an ISO 3166 code such as FR, US, IN",
                )
            })?;
            let since = chrono::NaiveDate::parse_from_str(since.trim(), "%Y-%m-%d")
                .map_err(|_| bad(format!("auth_intl_since={since}: not a date"), "write dates as YYYY-MM-DD"))?;
            ls.engine.auth_intl_from = auth_intl_from(&tariffs.markets, home, since, &[]);
            ls.auth_intl = Some(format!(
                "{}, eligible since {since}",
                tariffs.markets.iso(home)
            ));
        }
        _ => {
            return Err(bad(
                "business_country and auth_intl_since go together".into(),
                "authentication-international applies only when the business says it is eligible: pass both",
            ))
        }
    }
    ls.timezone = Tz::from_str(o.timezone.trim()).map_err(|_| {
        bad(
            format!("timezone={}: not an IANA time zone", o.timezone),
            "use a name such as UTC, Europe/Paris or America/Sao_Paulo",
        )
    })?;
    for (name, header) in &o.columns {
        let field = Field::parse(name).ok_or_else(|| {
            let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
            bad(
                format!("columns: unknown column name '{name}'"),
                &format!("names are {}", names.join(", ")),
            )
        })?;
        ls.input.columns.push((field, header.trim().to_string()));
    }
    ls.input.skip_invalid = o.skip_invalid;
    ls.input.skip_unsupported = o.skip_unsupported;
    if let Some(cc) = &o.default_country {
        let region = NumberingPlan::bundled().region(cc).cloned().ok_or_else(|| {
            bad(
                format!("default_country={cc}: unknown country"),
                "use the ISO code of the country whose national numbers the log holds, such as US, FR or GB",
            )
        })?;
        ls.input.default_country = Some(region);
    }
    if let Some(f) = &o.date_format {
        ls.input.date_format = f.parse().map_err(|e: String| {
            bad(e, "give a strftime pattern with the date and the time of day, such as '%d/%m/%Y %H:%M' or '%m/%d/%Y %I:%M %p', or excel, or unix")
        })?;
    }
    ls.strict = o.strict_tariffs;
    ls.hooks = Some(hooks);
    let currency = tariffs.currency.clone();
    let budget = match (&o.budget, o.agents) {
        (Some(amount), _) => {
            let amount = rust_decimal::Decimal::from_str(amount.trim())
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| {
                    bad(
                        format!("budget={amount}: not an amount"),
                        "write it like 150 or 49.90",
                    )
                })?;
            Budget::explicit(amount)
        }
        (None, Some(0)) => {
            return Err(bad(
                "agents=0: a Callbell plan has at least one agent".into(),
                "for no included budget, pass budget=0",
            ))
        }
        (None, agents) => Budget::for_agents(&currency, agents.unwrap_or(10), agents.is_none())
            .ok_or_else(|| {
                bad(
                    format!("Callbell's included budget is defined in EUR and USD, not {currency}"),
                    "pass the monthly budget in that currency with budget=AMOUNT",
                )
            })?,
    };
    Ok((ls, tariffs, budget))
}

/// The bundled cards, or with `tariff`/`tiers` files (CSV in any layout the command line
/// reads, or workbooks) those loaded on top; what reading them left out goes to the warnings.
fn tariffs(o: &Options, hooks: &Collect) -> Result<Tariffs> {
    if o.tariff.is_empty() && o.tiers.is_empty() {
        return Tariffs::bundled(o.currency.trim());
    }
    let read = |paths: &[String], want: Want, option: &str| -> Result<Vec<(String, String)>> {
        paths
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path).map_err(|e| {
                    bad(
                        format!("{option}={path}: cannot read it: {e}"),
                        "give the path of a rate card or tier file",
                    )
                })?;
                let source = sheet::read(path, bytes, want)?;
                source.notes.iter().for_each(|n| hooks.warn(n));
                Ok((source.origin, source.text))
            })
            .collect()
    };
    let cards = read(&o.tariff, Want::Card, "tariff")?;
    let tiers = read(&o.tiers, Want::Tiers, "tiers")?;
    Tariffs::load(
        &o.currency,
        &cards,
        &tiers,
        &Overrides::default(),
        &mut |notes| notes.iter().for_each(|n| hooks.warn(n)),
    )
}

/// `by`: the breakdown of `estimate` (`--by`), as the command line reads it.
fn breakdown(by: Option<&str>) -> Result<Option<By>> {
    let Some(raw) = by else { return Ok(None) };
    let s = raw.replace(' ', "").to_ascii_lowercase();
    let mut dims: Vec<&str> = s.split(',').collect();
    dims.sort_unstable();
    Ok(Some(match dims.as_slice() {
        ["market"] => By::Market,
        ["category"] => By::Category,
        ["category", "market"] => By::MarketCategory,
        // A tier only means something inside its market and category.
        ["tier"] | ["category", "market", "tier"] => By::Tier,
        _ => {
            return Err(bad(
                format!("by={raw}: unknown breakdown"),
                "use by=\"market\", \"category\", \"market,category\" or \"tier\" (which is per market and category)",
            ))
        }
    }))
}

/// The batches behind an `__arrow_c_stream__` capsule, taken over without a copy.
fn import(capsule: &Bound<'_, PyAny>) -> PyResult<table::ArrowTable> {
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("expected an Arrow C stream capsule"))?;
    let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: a capsule named arrow_array_stream holds an FFI_ArrowArrayStream (the Arrow
    // PyCapsule interface); from_raw moves it out and leaves a released stream behind, which
    // the capsule's destructor then leaves alone.
    let reader =
        unsafe { RecordBatchStreamReader::from_raw(pointer.as_ptr() as *mut FFI_ArrowArrayStream) }
            .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    let batches: Vec<RecordBatch> = reader
        .collect::<Result<_, _>>()
        .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
    table::ArrowTable::new(schema, batches).map_err(|u| {
        PyTypeError::new_err(format!(
            "column '{}' is of Arrow type {}, which waprice does not read; cast it to a string",
            u.column, u.data_type
        ))
    })
}

/// An anyhow error as `WapriceError`: the message as the command line writes it, and what a
/// bad row's error locates (row from 0, line as in the same table written as CSV, column,
/// value) and its hint as attributes.
fn to_py(py: Python<'_>, e: anyhow::Error) -> PyErr {
    let err = WapriceError::new_err(format!("{e:#}"));
    let value = err.value(py);
    let found = e.chain().find_map(|c| c.downcast_ref::<BadInput>());
    let at = found.and_then(|b| b.at.as_ref());
    // Row i of a table is line i + 2 of the same table written as CSV (the header is line 1);
    // an attribute that cannot be set leaves the message, which says it all, as it is.
    let _ = value.setattr("row", at.and_then(|a| a.line.checked_sub(2)));
    let _ = value.setattr("line", at.map(|a| a.line));
    let _ = value.setattr("column", at.map(|a| a.column.as_str()));
    let _ = value.setattr("value", at.map(|a| a.value.as_str()));
    let _ = value.setattr("hint", found.and_then(|b| b.hint.as_deref()));
    err
}

/// Results back to Python: an Arrow C stream capsule over `batch`.
fn export(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyCapsule>> {
    let schema = batch.schema();
    let reader = RecordBatchIterator::new(vec![Ok(batch)], schema);
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
}

type Returned<'py> = (Bound<'py, PyCapsule>, Vec<String>, Vec<String>);

fn warnings(hooks: &Collect) -> Vec<String> {
    hooks.0.lock().map(|w| w.clone()).unwrap_or_default()
}

/// What every function does around its work: takes the table over, runs `work` on it without
/// holding the GIL (the warnings it gives collected), and hands back the result as an Arrow
/// stream with its notes and warnings, or the error as a `WapriceError`.
fn call<'py>(
    py: Python<'py>,
    stream: &Bound<'py, PyAny>,
    work: impl FnOnce(table::ArrowTable, Arc<Collect>) -> Result<(RecordBatch, Vec<String>)> + Send,
) -> PyResult<Returned<'py>> {
    let table = import(stream)?;
    let hooks = Arc::new(Collect::default());
    let h = Arc::clone(&hooks);
    let (batch, notes) = py
        .detach(move || work(table, h))
        .map_err(|e| to_py(py, e))?;
    Ok((export(py, batch)?, notes, warnings(&hooks)))
}

/// `waprice.estimate`: the months against the budget, and the notes.
#[pyfunction]
fn estimate<'py>(
    py: Python<'py>,
    stream: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Returned<'py>> {
    call(py, stream, move |table, h| {
        let by = breakdown(options.by.as_deref())?;
        let (ls, tariffs, budget) = settings(table, &options, h)?;
        let report = pipeline::estimate(&ls, &tariffs, &budget, by)?;
        let batch = output::estimate(&report)?;
        Ok((batch, report.notes))
    })
}

/// `waprice.ledger`: one row per unit and per message that is not one, in time order.
#[pyfunction]
fn ledger<'py>(
    py: Python<'py>,
    stream: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Returned<'py>> {
    call(py, stream, move |table, h| {
        let (ls, tariffs, _) = settings(table, &options, h)?;
        let log = pipeline::read(&ls, &tariffs)?;
        let mut rows = output::Ledger::default();
        pipeline::ledger(&ls, &tariffs, &log, |r| rows.push(r))?;
        let notes = vec![format!(
            "times are in {} (timezone), as the CSV's offsets give them",
            ls.timezone.name()
        )];
        Ok((rows.finish()?, notes))
    })
}

/// `waprice.invoices`: one line per account and month, each in the account's currency.
#[pyfunction]
#[pyo3(signature = (stream, options, accounts, accounts_name, strict_accounts))]
fn invoices<'py>(
    py: Python<'py>,
    stream: &Bound<'py, PyAny>,
    options: Options,
    accounts: Vec<u8>,
    accounts_name: String,
    strict_accounts: bool,
) -> PyResult<Returned<'py>> {
    call(py, stream, move |table, h| {
        let (mut ls, tariffs, _) = settings(table, &options, h)?;
        let text = String::from_utf8(accounts).map_err(|_| {
            bad(
                format!("{accounts_name}: the accounts file is not UTF-8 text"),
                "save the accounts file as UTF-8 CSV",
            )
        })?;
        let accounts = Accounts::parse(&accounts_name, &text, &tariffs.currency)?;
        tariffs.check_accounts(&accounts)?;
        ls.engine.accounts = Some(Arc::new(accounts));
        let per_account = pipeline::invoices(&ls, &tariffs, strict_accounts)?;
        let batch = output::invoices(&per_account.invoices)?;
        Ok((batch, per_account.invoices.notes))
    })
}

#[pymodule]
fn _waprice(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("WapriceError", m.py().get_type::<WapriceError>())?;
    m.add("MONEY_SCALE", output::SCALE)?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(ledger, m)?)?;
    m.add_function(wrap_pyfunction!(invoices, m)?)?;
    Ok(())
}
