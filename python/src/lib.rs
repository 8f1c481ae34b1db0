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
use waprice::error::BadInput;
use waprice::input::columns::Field;
use waprice::pipeline::options::{self, Breakdown, Spelling};
use waprice::pipeline::{self, Hooks, LogSettings, LogSource, Reading, Tariffs};
use waprice::render::what_if::Comparison;
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
    as_of: Option<String>,
    free_service_allowance: u32,
    log_starts_clean: bool,
    business_country: Option<String>,
    auth_intl_since: Option<String>,
    auth_intl_except: Vec<String>,
    tariff: Vec<String>,
    tiers: Vec<String>,
    tariff_date: Option<String>,
    tariff_currency: Option<String>,
    templates: Option<String>,
    template_category: Option<String>,
    /// The accounts file's contents and its name in messages.
    accounts: Option<(Vec<u8>, String)>,
    strict_accounts: bool,
    /// The agents-by-month file's contents and its name in messages.
    agents_by_month: Option<(Vec<u8>, String)>,
    /// The whole log's first message (ms since the Unix epoch) when the table is a part of it.
    log_start: Option<i64>,
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

/// Options are named as the package's keyword arguments in messages.
const PY: Spelling = Spelling::Python;

fn bad(what: String, hint: &str) -> anyhow::Error {
    BadInput::new(what).hint(hint).into()
}

/// The library's settings and tariffs from the options (the accounts file, when given, read
/// and checked against the cards).
fn settings(
    table: table::ArrowTable,
    o: &Options,
    hooks: Arc<Collect>,
) -> Result<(LogSettings, Tariffs)> {
    let tariffs = tariffs(o, &hooks)?;
    let mut ls = LogSettings::new(LogSource::Table(Arc::new(table)));
    let (engine, auth_intl) = options::auth_intl(
        &tariffs.markets,
        o.business_country.as_deref(),
        o.auth_intl_since.as_deref(),
        &o.auth_intl_except,
        PY,
    )?;
    ls.engine = engine;
    ls.auth_intl = auth_intl;
    ls.engine.free_service_allowance = o.free_service_allowance;
    ls.engine.log_starts_clean = o.log_starts_clean;
    ls.engine.log_start = o.log_start;
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
    ls.input.default_country = o
        .default_country
        .as_deref()
        .map(|cc| options::default_country(cc, PY))
        .transpose()?;
    let (templates, uncategorised_as) =
        options::categories(o.templates.as_deref(), o.template_category.as_deref(), PY)?;
    ls.input.templates = templates;
    ls.input.uncategorised = uncategorised_as.is_some();
    ls.engine.uncategorised_as = uncategorised_as;
    if let Some(f) = &o.date_format {
        ls.input.date_format = f.parse().map_err(|e: String| {
            bad(e, "give a strftime pattern with the date and the time of day, such as '%d/%m/%Y %H:%M' or '%m/%d/%Y %I:%M %p', or excel, or unix")
        })?;
    }
    ls.strict = o.strict_tariffs;
    ls.hooks = Some(hooks);
    if let Some((bytes, name)) = &o.accounts {
        let text = utf8(bytes, name, "accounts")?;
        let mut accounts = Accounts::parse(name, &text, &tariffs.currency)?;
        if let Some((bytes, months)) = &o.agents_by_month {
            accounts.agents_by_month(months, &utf8(bytes, months, "agents-by-month")?)?;
        }
        tariffs.check_accounts(&accounts)?;
        ls.engine.accounts = Some(Arc::new(accounts));
    }
    Ok((ls, tariffs))
}

/// A file's contents as text, or the error naming it.
fn utf8(bytes: &[u8], name: &str, what: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        bad(
            format!("{name}: the {what} file is not UTF-8 text"),
            &format!("save the {what} file as UTF-8 CSV"),
        )
    })
}

/// The bundled cards, or with `tariff`/`tiers` files (CSV in any layout the command line
/// reads, or workbooks) those loaded on top, with `tariff_date`/`tariff_currency` for files
/// in Meta's layout; what reading them left out goes to the warnings.
fn tariffs(o: &Options, hooks: &Collect) -> Result<Tariffs> {
    let overrides = options::overrides(o.tariff_date.as_deref(), o.tariff_currency.as_deref(), PY)?;
    if o.tariff.is_empty() && o.tiers.is_empty() && overrides == Overrides::default() {
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
    Tariffs::load(&o.currency, &cards, &tiers, &overrides, &mut |notes| {
        notes.iter().for_each(|n| hooks.warn(n))
    })
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

/// `waprice.estimate`: the months against the budget, with `by` the long format (per
/// account with an accounts file), with `as_of` the what-if beside the actual months; and
/// the notes.
#[pyfunction]
fn estimate<'py>(
    py: Python<'py>,
    stream: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Returned<'py>> {
    call(py, stream, move |table, h| {
        let breakdown = options
            .by
            .as_deref()
            .map(|by| options::breakdown(by, PY))
            .transpose()?;
        let as_of = options
            .as_of
            .as_deref()
            .map(|d| options::as_of(d, PY))
            .transpose()?;
        let (ls, tariffs) = settings(table, &options, h)?;
        let by_account = breakdown == Some(Breakdown::Account);
        options::estimate_accounts(
            by_account,
            ls.engine.accounts.is_some(),
            as_of.is_some(),
            PY,
        )?;
        // The budget is read (and a bad one refused) even where the lines do not show it, as
        // the command line reads it.
        let budget = options::budget(
            &tariffs.currency,
            options.budget.as_deref(),
            options.agents,
            PY,
        )?;
        if by_account {
            let per_account = pipeline::invoices(&ls, &tariffs, options.strict_accounts)?;
            let batch = output::by_account(&per_account.invoices)?;
            return Ok((batch, per_account.invoices.notes));
        }
        if let Some(as_of) = as_of {
            let (actual, what_if) = pipeline::what_if(&ls, &tariffs, &budget, as_of)?;
            let compare = Comparison {
                actual: &actual,
                what_if: &what_if,
                as_of,
            };
            return Ok((output::what_if(&compare)?, compare.notes()));
        }
        let by = match breakdown {
            Some(Breakdown::Report(by)) => Some(by),
            _ => None,
        };
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
        let (ls, tariffs) = settings(table, &options, h)?;
        let log = pipeline::read(&ls, &tariffs)?;
        let mut rows = output::Ledger::default();
        pipeline::ledger(&ls, &tariffs, &log, |r| rows.push(r))?;
        let notes = vec![pipeline::ledger_note(&ls, Spelling::Python)];
        Ok((rows.finish()?, notes))
    })
}

/// `waprice.invoices`: one line per account and month, each in the account's currency.
#[pyfunction]
fn invoices<'py>(
    py: Python<'py>,
    stream: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Returned<'py>> {
    call(py, stream, move |table, h| {
        let (ls, tariffs) = settings(table, &options, h)?;
        // Without accounts the library's own check refuses the call.
        let per_account = pipeline::invoices(&ls, &tariffs, options.strict_accounts)?;
        let batch = output::invoices(&per_account.invoices)?;
        Ok((batch, per_account.invoices.notes))
    })
}

/// `waprice.log_start`: the time of the table's first message as the engine reads it.
#[pyfunction]
fn log_start(py: Python<'_>, stream: &Bound<'_, PyAny>, options: Options) -> PyResult<Option<i64>> {
    let table = import(stream)?;
    let hooks = Arc::new(Collect::default());
    py.detach(move || {
        let (ls, tariffs) = settings(table, &options, hooks)?;
        pipeline::log_start(&ls, &tariffs)
    })
    .map_err(|e| to_py(py, e))
}

/// `waprice.billing_groups`: the billing group of each business cell.
#[pyfunction]
fn billing_groups(
    py: Python<'_>,
    business: Vec<Option<String>>,
    accounts: Vec<u8>,
    accounts_name: String,
    currency: String,
) -> PyResult<Vec<String>> {
    py.detach(move || -> Result<Vec<String>> {
        let text = utf8(&accounts, &accounts_name, "accounts")?;
        let groups = Accounts::parse(&accounts_name, &text, currency.trim())?.billing_groups();
        Ok(business
            .iter()
            .map(|b| groups.of(b.as_deref().unwrap_or_default()).to_string())
            .collect())
    })
    .map_err(|e| to_py(py, e))
}

#[pymodule]
fn _waprice(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("WapriceError", m.py().get_type::<WapriceError>())?;
    m.add("MONEY_SCALE", output::SCALE)?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(ledger, m)?)?;
    m.add_function(wrap_pyfunction!(invoices, m)?)?;
    m.add_function(wrap_pyfunction!(log_start, m)?)?;
    m.add_function(wrap_pyfunction!(billing_groups, m)?)?;
    Ok(())
}
