//! The log's columns: canonical names, their aliases (docs/input.md), and `--column NAME=HEADER`.

use crate::error::{cut, BadInput};

/// How many of a header's columns a message lists.
const LISTED: usize = 30;

/// A header's columns for a message: each cut to 80 characters, at most [`LISTED`] of them.
fn listed(headers: &[String]) -> String {
    let mut names: Vec<String> = headers
        .iter()
        .take(LISTED)
        .map(|h| cut(h).into_owned())
        .collect();
    if headers.len() > LISTED {
        names.push(format!("… ({} more)", headers.len() - LISTED));
    }
    names.join(", ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// A column of the log waprice reads; the header names it by its canonical name or an alias,
/// or `--column NAME=HEADER` maps it.
pub enum Field {
    /// When the message was sent: its billing time, unless `delivered_at` gives one.
    Timestamp,
    /// When a business message was delivered: its billing time when present.
    DeliveredAt,
    /// Inbound (from the customer) or outbound (from the business).
    Direction,
    /// A business message's template category, or a free-form message's type.
    Category,
    /// The customer's phone number.
    Recipient,
    /// Whether a customer message came through an entry point (a Click-to-WhatsApp ad or a Page
    /// button).
    EntryPoint,
    /// A business message's delivery status (a failed message is not billed).
    Status,
    /// The business number that sent or received the message.
    Business,
    /// The sender, in exports that name both parties (`From`, `To`) and no customer column.
    From,
    /// The receiver, in such exports.
    To,
    /// The template's name, looked up in `--templates` when the log has no category.
    Template,
    /// The template's language, when a catalogue lists one name in several languages.
    Language,
}

/// How many fields there are.
const FIELDS: usize = 12;

impl Field {
    /// Every column, in this order.
    pub const ALL: [Field; FIELDS] = [
        Field::Timestamp,
        Field::DeliveredAt,
        Field::Direction,
        Field::Category,
        Field::Recipient,
        Field::EntryPoint,
        Field::Status,
        Field::Business,
        Field::From,
        Field::To,
        Field::Template,
        Field::Language,
    ];

    /// The column's canonical name.
    pub fn name(self) -> &'static str {
        self.aliases()[0]
    }

    /// The canonical name first, then the accepted aliases, in order of preference.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Timestamp => &[
                "timestamp",
                "time",
                "date",
                "datetime",
                "created_at",
                "sent_at",
                "sentdate",
                "datesent",
                "date_sent",
            ],
            Field::DeliveredAt => &["delivered_at"],
            Field::Direction => &["direction", "dir"],
            Field::Category => &["category", "template_category", "type"],
            Field::Recipient => &["recipient", "customer", "contact", "phone", "wa_id"],
            Field::EntryPoint => &["entry_point", "referral"],
            Field::Status => &["status"],
            Field::Business => &[
                "business",
                "business_number",
                "from_number",
                "phone_number_id",
            ],
            Field::From => &["from"],
            Field::To => &["to"],
            Field::Template => &["template", "template_name"],
            Field::Language => &["language", "template_language"],
        }
    }

    /// Required in every log; the customer and the category are required unless other
    /// columns or options stand in for them (see [`ColumnMap::resolve`]).
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::Timestamp | Field::Direction | Field::Category | Field::Recipient
        )
    }

    /// A canonical column name as given to `--column`.
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// Whether a header names a column: case, spaces, underscores and dashes aside, so that an
/// export's `Created At` or `Template-Category` is `created_at` or `template_category`.
fn same_name(header: &str, name: &str) -> bool {
    let fold = |s: &str| {
        s.trim()
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'_' | b'-'))
            .map(|b| b.to_ascii_lowercase())
            .collect::<Vec<u8>>()
    };
    fold(header) == fold(name)
}

/// Which header index holds each field.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    index: [Option<usize>; FIELDS],
    headers: Vec<String>,
    parties: bool,
}

/// What may stand in for a column the log lacks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// `--template-category`: business messages may come without any category.
    pub category_optional: bool,
}

impl ColumnMap {
    /// Resolves fields against a header row. An override names the exact header for a field;
    /// otherwise the canonical name wins over aliases, and aliases are tried in order.
    ///
    /// A log with `from` and `to` columns and no customer column names both parties: the
    /// customer is `to` on outbound rows and `from` on inbound rows ([`ColumnMap::parties`]).
    /// A `to` column without `from` is the customer. A `template` column stands in for the
    /// category (with `--templates`), and so does `--template-category`.
    pub fn resolve(
        headers: &[String],
        overrides: &[(Field, String)],
        file: &str,
    ) -> Result<ColumnMap, BadInput> {
        ColumnMap::resolve_with(headers, overrides, file, Needs::default())
    }

    /// [`ColumnMap::resolve`] with what may stand in for missing columns.
    pub fn resolve_with(
        headers: &[String],
        overrides: &[(Field, String)],
        file: &str,
        needs: Needs,
    ) -> Result<ColumnMap, BadInput> {
        let clean: Vec<String> = headers
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let find = |name: &str| clean.iter().position(|h| same_name(h, name));
        let mut index = [None; FIELDS];
        for (i, field) in Field::ALL.into_iter().enumerate() {
            if let Some((_, header)) = overrides.iter().find(|(f, _)| *f == field) {
                index[i] = Some(find(header).ok_or_else(|| {
                    BadInput::new(format!(
                        "{file}: --column {}={header}: the header has no column '{header}'",
                        field.name(),
                        header = cut(header)
                    ))
                    .hint(format!("the header's columns are: {}", listed(&clean)))
                })?);
                continue;
            }
            index[i] = field.aliases().iter().find_map(|alias| find(alias));
        }
        // Two columns with the header a field resolved to: waprice will not guess which one
        // to bill from (using the first would silently ignore the other's values).
        for (i, field) in Field::ALL.into_iter().enumerate() {
            let Some(at) = index[i] else { continue };
            if let Some(other) =
                (0..clean.len()).find(|&j| j != at && same_name(&clean[j], &clean[at]))
            {
                let (a, b) = (at.min(other), at.max(other));
                return Err(BadInput::new(format!(
                    "{file}: the header has two columns named '{}' (columns {} and {}), so which one holds the {} is ambiguous (line 1, the header)",
                    cut(&clean[at]),
                    a + 1,
                    b + 1,
                    field.name()
                ))
                .hint("rename or remove one of them; waprice never guesses which column to bill from"));
            }
        }
        let has = |f: Field| index[f as usize].is_some();
        let parties = !has(Field::Recipient) && has(Field::From) && has(Field::To);
        if !has(Field::Recipient) && !parties {
            index[Field::Recipient as usize] = index[Field::To as usize];
        }
        let has = |f: Field| index[f as usize].is_some();
        let stands_in = |f: Field| match f {
            Field::Recipient => parties,
            Field::Category => has(Field::Template) || needs.category_optional,
            _ => false,
        };
        let missing: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| f.required() && !has(*f) && !stands_in(*f))
            .collect();
        if let Some(first) = missing.first() {
            let names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
            let err = BadInput::new(format!(
                "{file}: missing required column{} {} (line 1, the header)",
                if missing.len() > 1 { "s" } else { "" },
                names.join(", ")
            ));
            // Two exports that look like CSV to a person but are not comma-separated UTF-8.
            if clean.iter().any(|h| h.contains('\0')) {
                return Err(err.hint(
                    "the file looks like UTF-16 (a spreadsheet's \"Unicode text\"); save it as \"CSV UTF-8 (comma delimited)\"",
                ));
            }
            if let [only] = clean.as_slice() {
                if let Some(sep) = [';', '\t', '|', ',']
                    .into_iter()
                    .find(|c| only.contains(*c))
                {
                    return Err(err.hint(format!(
                        "the header is one column holding {sep:?}: pass --delimiter {} (or leave --delimiter out: the separator is found from the header)",
                        if sep == '\t' { "tab".to_string() } else { format!("'{sep}'") }
                    )));
                }
            }
            let instead = match first {
                Field::Category => {
                    "; a log without categories needs a template column with --templates FILE, \
                     or --template-category CAT for business messages outside the customer service window"
                }
                Field::Recipient => "; or give both parties as from and to columns",
                _ => "",
            };
            return Err(err.hint(format!(
                "name it {} or map another header with --column {}=HEADER{instead}; the header's columns are: {}",
                first.aliases().join(" / "),
                first.name(),
                listed(&clean)
            )));
        }
        Ok(ColumnMap {
            index,
            headers: clean,
            parties,
        })
    }

    /// Whether the customer is `to` on outbound rows and `from` on inbound ones.
    pub fn parties(&self) -> bool {
        self.parties
    }

    /// The column's index in the log's rows, `None` when the log does not have it.
    pub fn index(&self, f: Field) -> Option<usize> {
        self.index[f as usize]
    }

    /// The header as written in the file, for error messages.
    pub fn header(&self, f: Field) -> &str {
        self.index(f).map_or(f.name(), |i| self.headers[i].as_str())
    }

    pub(crate) fn header_count(&self) -> usize {
        self.headers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn aliases_and_case_are_accepted() {
        let m = ColumnMap::resolve(
            &h(&["\u{feff}Date", "DIR", "Template_Category", "wa_id"]),
            &[],
            "f",
        )
        .unwrap();
        assert_eq!(m.index(Field::Timestamp), Some(0));
        assert_eq!(m.index(Field::Direction), Some(1));
        assert_eq!(m.index(Field::Category), Some(2));
        assert_eq!(m.index(Field::Recipient), Some(3));
        assert_eq!(m.index(Field::Status), None);
        assert_eq!(m.header(Field::Timestamp), "Date");
    }

    #[test]
    fn headers_match_whatever_their_spaces_underscores_and_dashes() {
        let m = ColumnMap::resolve(
            &h(&["Created At", "Direction", "Template-Category", "WA ID"]),
            &[],
            "f",
        )
        .unwrap();
        assert_eq!(m.index(Field::Timestamp), Some(0));
        assert_eq!(m.index(Field::Category), Some(2));
        assert_eq!(m.index(Field::Recipient), Some(3));
        // And two headers that differ only so are the same column.
        let err = ColumnMap::resolve(
            &h(&["timestamp", "direction", "category", "wa_id", "WA ID"]),
            &[],
            "f",
        )
        .unwrap_err();
        assert!(err.to_string().contains("two columns"), "{err}");
    }

    #[test]
    fn canonical_name_wins_over_an_alias() {
        let m = ColumnMap::resolve(
            &h(&["type", "timestamp", "direction", "category", "to"]),
            &[],
            "f",
        )
        .unwrap();
        assert_eq!(m.index(Field::Category), Some(3));
    }

    #[test]
    fn every_alias_of_every_field_resolves() {
        for field in Field::ALL {
            for alias in field.aliases() {
                let mut names = vec!["timestamp", "direction", "category", "recipient"];
                names.retain(|n| Field::parse(n) != Some(field));
                names.push(alias);
                let m = ColumnMap::resolve(&h(&names), &[], "f").unwrap();
                assert_eq!(m.index(field), Some(names.len() - 1), "{alias}");
            }
        }
    }

    #[test]
    fn column_override_maps_any_header() {
        let m = ColumnMap::resolve(
            &h(&["Date Sent", "direction", "category", "recipient"]),
            &[(Field::Timestamp, "date sent".into())],
            "f",
        )
        .unwrap();
        assert_eq!(m.index(Field::Timestamp), Some(0));
        let err = ColumnMap::resolve(
            &h(&["a", "direction", "category", "recipient"]),
            &[(Field::Timestamp, "When".into())],
            "f",
        )
        .unwrap_err();
        assert!(err.to_string().contains("no column 'When'"), "{err}");
    }

    #[test]
    fn a_duplicated_header_that_is_read_is_an_error_naming_both_columns() {
        let err = ColumnMap::resolve(
            &h(&[
                "timestamp",
                "direction",
                "category",
                "recipient",
                "Recipient ",
            ]),
            &[],
            "log.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("log.csv: the header has two columns named 'recipient' (columns 4 and 5)"),
            "{err}"
        );
        assert!(err.contains("hint: rename or remove one"), "{err}");
        // Also when the duplicated header is the one --column picked.
        let err = ColumnMap::resolve(
            &h(&["When", "direction", "category", "recipient", "when"]),
            &[(Field::Timestamp, "When".into())],
            "f",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("two columns named 'When' (columns 1 and 5)"),
            "{err}"
        );
        // Duplicates among the columns waprice does not read are harmless.
        let m = ColumnMap::resolve(
            &h(&[
                "note",
                "timestamp",
                "direction",
                "category",
                "recipient",
                "note",
            ]),
            &[],
            "f",
        )
        .unwrap();
        assert_eq!(m.index(Field::Timestamp), Some(1));
    }

    #[test]
    fn semicolon_and_utf16_headers_get_a_hint_about_the_export() {
        let err = ColumnMap::resolve(&h(&["timestamp;direction;category;recipient"]), &[], "f")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("one column holding ';': pass --delimiter ';'"),
            "{err}"
        );
        let err = ColumnMap::resolve(&h(&["\u{fffd}\u{fffd}t\0i\0m\0e\0"]), &[], "f")
            .unwrap_err()
            .to_string();
        assert!(err.contains("looks like UTF-16"), "{err}");
    }

    #[test]
    fn a_huge_header_is_never_echoed_whole() {
        let one = ColumnMap::resolve(&[format!("x{}", "y".repeat(5_000_000))], &[], "f")
            .unwrap_err()
            .to_string();
        assert!(one.len() < 1_000, "{}", one.len());
        let many: Vec<String> = (0..100_000).map(|i| format!("column{i}")).collect();
        let err = ColumnMap::resolve(&many, &[], "f").unwrap_err().to_string();
        assert!(err.len() < 2_000 && err.contains("(99970 more)"), "{err}");
    }

    #[test]
    fn missing_required_columns_are_named() {
        let err = ColumnMap::resolve(&h(&["timestamp", "category"]), &[], "log.csv").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("log.csv: missing required columns direction, recipient"),
            "{text}"
        );
        assert!(text.contains("--column direction=HEADER"), "{text}");
    }
}
