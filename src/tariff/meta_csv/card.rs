//! Meta's rate cards: one row per market, one rate column per category.

use super::*;

/// A rate cell: a plain decimal, `n/a`, or empty (not known).
pub(super) fn cell(raw: &str) -> Option<Cell> {
    let t = raw.trim();
    if t.is_empty() {
        return Some(Cell::Empty);
    }
    if matches!(norm(t).as_str(), "na" | "notapplicable") || matches!(t, "-" | "--" | "–" | "—")
    {
        return Some(Cell::NotApplicable);
    }
    match Decimal::from_str(t) {
        Ok(d) if !d.is_sign_negative() => Some(Cell::Rate(d)),
        _ => None,
    }
}

/// Parses a Meta rate card (see the module documentation).
pub fn parse_card(
    text: &str,
    origin: &str,
    markets: &MarketMap,
    ov: &Overrides,
) -> Result<MetaCard, BadInput> {
    let records = records(text, origin)?;
    let h = header_index(&records).ok_or_else(|| {
        BadInput::new(format!("{origin}: no header line starting with 'Market'"))
            .hint("Meta's rate card has a header Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service")
    })?;
    let title = title(&records[..h]);
    let header = &records[h];
    let header_line = line_of(header);
    let CardHeader {
        i_currency,
        columns,
        ignored,
    } = card_header(header, origin, header_line)?;
    // Without a title or --tariff-currency, the first Currency cell naming a real currency
    // names the card's (a typo such as GBD never does).
    let first_cell_currency = i_currency.and_then(|i| first_currency(&records[h + 1..], i));
    let (currency, date) = currency_and_date(&title, ov, origin, first_cell_currency.as_deref())?;
    check_dates(&title, ov, origin, date, &columns)?;
    let mut notes = opening_notes(
        origin,
        header_line,
        &ignored,
        "not a rate waprice prices",
        &title,
        ov,
    );
    let mut overridden = Overridden::default();
    let source = title.source_or("Meta rate-card CSV (no title line)");
    let mut rows = Vec::new();
    let mut seen: HashMap<MarketId, u64> = HashMap::new();
    for r in &records[h + 1..] {
        let row = FileRow {
            r,
            line: line_of(r),
            origin,
            header,
        };
        // A line with text in the first column only is a footnote.
        if r.iter().skip(1).all(|f| f.trim().is_empty()) {
            continue;
        }
        extra_fields(r, header, origin)?;
        let m = row.market(markets)?;
        if let Some(i) = i_currency {
            row_currency(row.get(i), &currency, "card", ov, row.line, &mut overridden)
                .map_err(|e| e.at(row.at(i)))?;
        }
        let cells = rate_cells(&row, &columns)?;
        if let Some(previous) = seen.insert(m, row.line) {
            return Err(
                BadInput::new(format!("the market is already on line {previous}")).at(row.at(0)),
            );
        }
        rows.push(CardRow {
            currency: currency.clone(),
            effective_from: date,
            market: m,
            cells,
            confidence: "user file".to_string(),
            source: source.clone(),
            origin: origin.to_string(),
        });
    }
    if rows.is_empty() {
        return Err(BadInput::new(format!(
            "{origin}: the card has a header on line {header_line} but no market rows"
        )));
    }
    notes.extend(overridden.note(origin, &currency));
    Ok(MetaCard {
        rows,
        currency,
        effective_from: date,
        title,
        notes,
    })
}

/// What a card's header says: where the currency column is, which column holds each rate,
/// and the columns left out (named in a note).
struct CardHeader {
    i_currency: Option<usize>,
    columns: Vec<(Column, usize)>,
    ignored: Vec<String>,
}

/// Reads a card's header. A misspelt rate column would silently leave its rates out: refused.
/// Anything else (Meta adds columns, such as "Meta Business Agent" in 2026) is left out.
fn card_header(
    header: &StringRecord,
    origin: &str,
    header_line: u64,
) -> Result<CardHeader, BadInput> {
    let mut i_currency = None;
    let mut columns: Vec<(Column, usize)> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    for (i, name) in header.iter().enumerate().skip(1) {
        if name.trim().is_empty() {
            continue;
        }
        if means(name, "currency") {
            i_currency = Some(i);
            continue;
        }
        let Some(column) = meta_column(name) else {
            if let Some(like) = misspelt_column(name) {
                return Err(BadInput::new(format!(
                    "{origin}, line {header_line}: '{}' is not a rate-card column; is it {like}?",
                    shown(name)
                ))
                .hint("expected Market, Currency, Marketing, Utility, Authentication, Authentication-International, Service (Business-Initiated and User-Initiated on 2022 cards)"));
            }
            ignored.push(format!("'{}'", shown(name)));
            continue;
        };
        if let Some((_, j)) = columns.iter().find(|(c, _)| *c == column) {
            return Err(BadInput::new(format!(
                "{origin}, line {header_line}: columns {} and {} are both {}",
                j + 1,
                i + 1,
                column.name()
            )));
        }
        columns.push((column, i));
    }
    if columns.is_empty() {
        return Err(BadInput::new(format!(
            "{origin}, line {header_line}: the header names no rate column"
        ))
        .hint("expected Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service"));
    }
    Ok(CardHeader {
        i_currency,
        columns,
        ignored,
    })
}

/// A market row's rate cells, one per rate column of the header (the others empty).
fn rate_cells(row: &FileRow, columns: &[(Column, usize)]) -> Result<[Cell; 7], BadInput> {
    let mut cells: [Cell; 7] = Default::default();
    for &(column, i) in columns {
        cells[column as usize] = cell(row.get(i)).ok_or_else(|| {
            BadInput::new("not a rate")
                .at(row.at(i))
                .hint("expected a plain decimal with a '.' (0.0712), 'n/a', or an empty cell")
        })?;
    }
    Ok(cells)
}

/// Rate-column keys a misspelt header may be close to.
pub(super) const COLUMN_KEYS: [(&str, &str); 7] = [
    ("marketing", "Marketing"),
    ("utility", "Utility"),
    ("authentication", "Authentication"),
    (
        "authenticationinternational",
        "Authentication-International",
    ),
    ("service", "Service"),
    ("businessinitiated", "Business-Initiated"),
    ("userinitiated", "User-Initiated"),
];

/// The rate column an unknown header is one or two typos away from.
pub(super) fn misspelt_column(header: &str) -> Option<&'static str> {
    let key = norm(header);
    COLUMN_KEYS
        .iter()
        .find(|(k, _)| edit_distance(&key, k) <= 2)
        .map(|(_, name)| *name)
}

/// Levenshtein distance of two short ASCII keys.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
