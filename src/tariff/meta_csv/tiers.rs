//! Meta's volume-tier tables: per market, one group of columns (`From`, `To`, rate) per
//! tiered category.

use super::*;

/// A message count: digits, with or without thousands separators; `None` for an empty,
/// `n/a` or open (`+`) bound.
pub(super) fn count(raw: &str) -> Result<Option<u64>, ()> {
    let t = raw.trim().trim_end_matches('+').trim();
    if t.is_empty() || matches!(norm(t).as_str(), "na" | "notapplicable") || t == "--" {
        return Ok(None);
    }
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_'))
        .collect();
    digits.parse().map(Some).map_err(|_| ())
}

/// One category's columns in a tier table.
pub(super) struct Group {
    pub(super) column: Column,
    pub(super) from: usize,
    pub(super) to: Option<usize>,
    pub(super) rate: usize,
}

/// Parses Meta's volume-tier table (see the module documentation).
pub fn parse_tiers(
    text: &str,
    origin: &str,
    markets: &MarketMap,
    ov: &Overrides,
) -> Result<(Vec<TierTable>, Vec<String>), BadInput> {
    let records = records(text, origin)?;
    let (h, names, title) = tier_header(&records, origin)?;
    let header = &records[h];
    let header_line = line_of(header);
    let starts: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, f)| means(f, "from"))
        .map(|(i, _)| i)
        .collect();
    let i_currency = header.iter().position(|f| means(f, "currency"));
    let ignored = ignored_columns(header, i_currency, &starts);
    let groups = column_groups(header, names, &starts, origin, header_line)?;
    let first_cell_currency = i_currency.and_then(|i| first_currency(&records[h + 1..], i));
    let (currency, date) = currency_and_date(&title, ov, origin, first_cell_currency.as_deref())?;
    let mut notes = opening_notes(
        origin,
        header_line,
        &ignored,
        "not read from a tier table",
        &title,
        ov,
    );
    let mut overridden = Overridden::default();
    let source = title.source_or("Meta volume-tier CSV (no title line)");
    let layout = TierLayout {
        origin,
        header,
        groups: &groups,
        i_currency,
        currency: &currency,
        markets,
        ov,
    };
    let found = tier_rows(&records[h + 1..], &layout, &mut overridden)?;
    let mut tables = Vec::new();
    for ((m, column), mut tiers) in found {
        tier::check_key(date, column).map_err(|e| {
            BadInput::new(format!(
                "{origin}, line {}: {e} (from {})",
                title.line,
                date_origin(ov)
            ))
        })?;
        tiers.sort_by_key(|t| t.0);
        follow_on(&tiers, column, markets.market_name(m), origin)?;
        let raw: Vec<RawBand> = tiers
            .iter()
            .map(|&(from, _, rate, line)| (from.max(1), Some(rate), line))
            .collect();
        let bands = tier::bands(raw)
            .map_err(|(line, what)| BadInput::new(format!("{origin}, line {line}: {what}")))?;
        tables.push(TierTable {
            currency: currency.clone(),
            effective_from: date,
            market: m,
            category: column,
            bands,
            source: source.clone(),
            origin: origin.to_string(),
        });
    }
    if tables.is_empty() {
        return Err(BadInput::new(format!(
            "{origin}: the tier table has a header on line {header_line} but no tiers"
        )));
    }
    notes.extend(overridden.note(origin, &currency));
    Ok((tables, notes))
}

/// Where the tier header is among `records`, the line of category names over its column
/// groups (if the file has one) and the title above them.
fn tier_header<'r>(
    records: &'r [StringRecord],
    origin: &str,
) -> Result<(usize, Option<&'r StringRecord>, Title), BadInput> {
    let h = header_index(records)
        .filter(|&h| is_tier_header(&records[h]))
        .ok_or_else(|| {
            BadInput::new(format!(
                "{origin}: no tier header (Market,Currency,From,To,…,Rate,…)"
            ))
        })?;
    // A line of category names over the column groups, if the file has one.
    let names = (h > 0).then(|| &records[h - 1]);
    let title = title(
        &records[..h.saturating_sub(usize::from(
            names.is_some_and(|r| r.iter().any(|f| tier_category(f).is_some())),
        ))],
    );
    Ok((h, names, title))
}

/// Columns waprice does not read, named in a note: before the groups, any but Market and
/// Currency; inside a group, any but Meta's own (From, To, Tier, Rate type, Rate, Discount).
fn ignored_columns(
    header: &StringRecord,
    i_currency: Option<usize>,
    starts: &[usize],
) -> Vec<String> {
    header
        .iter()
        .enumerate()
        .skip(1)
        .filter(|&(i, f)| {
            !f.trim().is_empty()
                && Some(i) != i_currency
                && if starts.first().is_some_and(|&s| i >= s) {
                    by_meaning(f, |k| known_group_column(k).then_some(())).is_none()
                } else {
                    true
                }
        })
        .map(|(_, f)| format!("'{}'", shown(f)))
        .collect()
}

/// The column groups of the header, one per `From` column at `starts`: each one's tiered
/// category (named on the line above, else Utility, Authentication and
/// Authentication-International in turn) and its `To` and rate columns.
fn column_groups(
    header: &StringRecord,
    names: Option<&StringRecord>,
    starts: &[usize],
    origin: &str,
    header_line: u64,
) -> Result<Vec<Group>, BadInput> {
    let default_order = [
        Column::Utility,
        Column::Authentication,
        Column::AuthenticationInternational,
    ];
    let mut groups = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(header.len());
        let named = names.and_then(|r| (start..end).find_map(|i| r.get(i).and_then(tier_category)));
        let column = match named.or_else(|| default_order.get(k).copied()) {
            Some(c) => c,
            None => {
                return Err(BadInput::new(format!(
                    "{origin}, line {header_line}: more column groups than tiered categories"
                ))
                .hint("Meta's tier table has groups for Utility, Authentication and Authentication-International"))
            }
        };
        let to = (start + 1..end).find(|&i| header.get(i).is_some_and(|f| means(f, "to")));
        let rate = rate_column(header, start..end, column, origin, header_line)?;
        groups.push(Group {
            column,
            from: start,
            to,
            rate,
        });
    }
    Ok(groups)
}

/// The column of a group (its columns `span`, `From` first) that holds the tier rate: the
/// one named exactly Rate; failing that, the one column whose name says rate or price that
/// is not a list rate, a discount or a rate type.
fn rate_column(
    header: &StringRecord,
    span: std::ops::Range<usize>,
    column: Column,
    origin: &str,
    header_line: u64,
) -> Result<usize, BadInput> {
    let (start, end) = (span.start, span.end);
    let exact: Vec<usize> = (start + 1..end)
        .filter(|&i| header.get(i).is_some_and(|f| means(f, "rate")))
        .collect();
    let rates: Vec<usize> = if exact.is_empty() {
        (start + 1..end)
            .filter(|&i| {
                let n = header.get(i).map(norm).unwrap_or_default();
                (n.contains("rate") || n.contains("price"))
                    && !n.contains("discount")
                    && !n.contains("type")
                    && !n.starts_with("list")
            })
            .collect()
    } else {
        exact
    };
    match rates.as_slice() {
        [one] => Ok(*one),
        _ => {
            let headers: Vec<String> = (start..end)
                .filter_map(|i| header.get(i))
                .map(shown)
                .collect();
            Err(BadInput::new(format!(
                "{origin}, line {header_line}: cannot tell which column of the {} group holds the tier rate (columns: {})",
                column.name(),
                headers.join(", ")
            ))
            .hint("expected one column named Rate after From and To; or write the table in waprice's tier layout (currency,effective_from,market,category,threshold,rate)"))
        }
    }
}

/// One tier as read: (from, to, rate, line).
type Tier = (u64, Option<u64>, Decimal, u64);

/// What the rows of a tier table are read with.
struct TierLayout<'a> {
    origin: &'a str,
    header: &'a StringRecord,
    groups: &'a [Group],
    i_currency: Option<usize>,
    /// The table's currency, which a currency column must agree with.
    currency: &'a str,
    markets: &'a MarketMap,
    ov: &'a Overrides,
}

/// The tiers of the rows under the header, by market and category. A row names its market,
/// or continues the market of the row above.
fn tier_rows(
    rows: &[StringRecord],
    layout: &TierLayout,
    overridden: &mut Overridden,
) -> Result<BTreeMap<(MarketId, Column), Vec<Tier>>, BadInput> {
    let (origin, markets) = (layout.origin, layout.markets);
    let mut found: BTreeMap<(MarketId, Column), Vec<Tier>> = BTreeMap::new();
    let mut current: Option<MarketId> = None;
    for r in rows {
        let row = FileRow {
            r,
            line: line_of(r),
            origin,
            header: layout.header,
        };
        let line = row.line;
        if r.iter().skip(1).all(|f| f.trim().is_empty()) {
            continue;
        }
        extra_fields(r, layout.header, origin)?;
        if !row.get(0).is_empty() {
            current = Some(row.market(markets)?);
        }
        let m = current.ok_or_else(|| {
            BadInput::new(format!(
                "{origin}, line {line}: a tier row before any row naming its market"
            ))
        })?;
        if let Some(i) = layout.i_currency {
            row_currency(
                row.get(i),
                layout.currency,
                "table",
                layout.ov,
                line,
                overridden,
            )
            .map_err(|e| e.at(row.at(i)))?;
        }
        for g in layout.groups {
            if let Some((from, to, rate)) = group_tier(&row, g)? {
                found
                    .entry((m, g.column))
                    .or_default()
                    .push((from, to, rate, line));
            }
        }
    }
    Ok(found)
}

/// The tier a row gives in one column group: (from, to, rate); `None` when the group is
/// empty on that row.
fn group_tier(row: &FileRow, g: &Group) -> Result<Option<(u64, Option<u64>, Decimal)>, BadInput> {
    let bad_count = |i: usize| {
        BadInput::new("not a message count")
            .at(row.at(i))
            .hint("write monthly message counts as digits, e.g. 100000 or 100,000")
    };
    let from = count(row.get(g.from)).map_err(|_| bad_count(g.from))?;
    let to = match g.to {
        Some(i) => count(row.get(i)).map_err(|_| bad_count(i))?,
        None => None,
    };
    let rate = match cell(row.get(g.rate)) {
        Some(Cell::Rate(r)) => Some(r),
        Some(_) => None,
        None => {
            return Err(BadInput::new("not a rate")
                .at(row.at(g.rate))
                .hint("expected a plain decimal with a '.' (0.0038), 'n/a', or an empty cell"))
        }
    };
    match (from, rate) {
        (None, None) => Ok(None),
        (Some(from), Some(rate)) => Ok(Some((from, to, rate))),
        (None, Some(_)) => Err(bad_count(g.from)),
        (Some(_), None) => Err(BadInput::new("a tier without a rate")
            .at(row.at(g.rate))
            .hint("every tier needs its rate per message")),
    }
}

/// Tiers (sorted by their start) must follow on: each starts right after the previous one
/// ends, and only the last may be open.
fn follow_on(tiers: &[Tier], column: Column, market: &str, origin: &str) -> Result<(), BadInput> {
    for w in tiers.windows(2) {
        let (prev, next) = (&w[0], &w[1]);
        match prev.1 {
            Some(to) if to + 1 == next.0.max(1) => {}
            Some(to) => {
                return Err(BadInput::new(format!(
                    "{origin}, line {}: the {} tier of {market} starts at {} but the tier before it (line {}) ends at {to}",
                    next.3,
                    column.name(),
                    next.0,
                    prev.3
                ))
                .hint("tiers must follow each other without gaps or overlaps"))
            }
            None => {
                return Err(BadInput::new(format!(
                    "{origin}, line {}: the {} tier of {market} on line {} has no upper bound, yet another tier follows",
                    prev.3,
                    column.name(),
                    next.3
                ))
                .hint("only the last tier may leave 'To' empty"))
            }
        }
    }
    Ok(())
}

/// Columns of a tier group that Meta's files have and waprice reads or knowingly skips.
pub(super) fn known_group_column(key: &str) -> bool {
    matches!(
        key,
        "from" | "to" | "tier" | "ratetype" | "rate" | "listrate" | "volumetier" | "tiername"
    ) || key.starts_with("discount")
}

/// A category named over a tier table's column group.
pub(super) fn tier_category(name: &str) -> Option<Column> {
    by_meaning(name, |k| match k {
        "utility" => Some(Column::Utility),
        "authentication" => Some(Column::Authentication),
        "authenticationinternational" | "authinternational" | "authintl" => {
            Some(Column::AuthenticationInternational)
        }
        _ => None,
    })
}
