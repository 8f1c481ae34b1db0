//! `--sent FILE`: the business's own template categories, by message id.

use super::*;

// ---- `--sent FILE`: the business's own categories ---------------------------------------

/// Template categories by message id, from a CSV of sent messages (`--sent FILE`).
#[derive(Debug, Clone, Default)]
pub struct SentCategories {
    pub(super) by_id: HashMap<Box<str>, Kind>,
    /// Rows of the file.
    pub rows: u64,
    /// Rows skipped as invalid (`--skip-invalid`).
    pub skipped_invalid: u64,
}

impl SentCategories {
    /// The category of message `id`, when the file lists it.
    pub fn get(&self, id: &str) -> Option<Kind> {
        self.by_id.get(id).copied()
    }
    /// How many message ids the file lists.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
    /// Whether the file lists no message id.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

pub(super) const SENT_ID: [&str; 4] = ["id", "message_id", "wamid", "message id"];
pub(super) const SENT_CATEGORY: [&str; 3] = ["category", "template_category", "type"];

/// A log category value as the CSV reader reads it: a template or a free-form message.
pub(super) fn log_category(value: &str) -> Option<Kind> {
    let v = value.trim().to_ascii_lowercase();
    Some(match v.as_str() {
        "marketing" | "marketing_lite" => Kind::Template(TemplateCategory::Marketing),
        "utility" => Kind::Template(TemplateCategory::Utility),
        "authentication" => Kind::Template(TemplateCategory::Authentication),
        "" | "service" | "text" | "free_form" | "session" => Kind::FreeForm,
        _ => return None,
    })
}

/// Reads `--sent FILE`: a CSV with a header naming the message id (`id`, `message_id`,
/// `wamid`) and its category (`category`, `template_category`, `type`); other columns are
/// ignored. Categories are the log's (marketing, marketing_lite, utility, authentication;
/// empty, service, text, free_form, session = free-form).
pub fn read_sent(
    input: impl std::io::Read,
    name: &str,
    skip_invalid: bool,
) -> Result<SentCategories, ReadError> {
    // The log's own splitter: errors name the physical line, whatever the line endings.
    let mut reader = Records::new(input);
    let headers = reader.header().map_err(ReadError::Io)?;
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(id_col), Some(cat_col)) = (find(&SENT_ID), find(&SENT_CATEGORY)) else {
        return Err(BadInput::new(format!(
            "--sent {name}: the header needs a message id column and a category column (found: {})",
            headers.join(", ")
        ))
        .hint("name them id (or message_id, wamid) and category (or template_category, type)")
        .into());
    };
    let mut sent = SentCategories::default();
    let mut row = Row::default();
    while reader.read(&mut row).map_err(ReadError::Io)? {
        if row.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        sent.rows += 1;
        let line = row.line();
        let cell = |col: usize| row.get(col).unwrap_or(b"");
        let at = |col: usize| Location {
            file: name.to_string(),
            line,
            column: headers.get(col).map_or("", String::as_str).to_string(),
            value: String::from_utf8_lossy(cell(col)).into_owned(),
        };
        let (id, category) = (
            std::str::from_utf8(cell(id_col)).map(str::trim),
            std::str::from_utf8(cell(cat_col)),
        );
        let problem = match (id, category) {
            (Err(_), _) => Some(
                BadInput::new("not UTF-8")
                    .at(at(id_col))
                    .hint("save the file as CSV UTF-8"),
            ),
            (_, Err(_)) => Some(
                BadInput::new("not UTF-8")
                    .at(at(cat_col))
                    .hint("save the file as CSV UTF-8"),
            ),
            (Ok(""), _) => Some(
                BadInput::new("empty message id")
                    .at(at(id_col))
                    .hint("each row needs the wamid Meta returned when the message was sent"),
            ),
            (Ok(id), Ok(category)) => match log_category(category) {
                None => Some(BadInput::new("unknown category").at(at(cat_col)).hint(
                    "templates are marketing, marketing_lite, utility or authentication; \
                     free-form messages are empty, service, text, free_form or session",
                )),
                Some(kind) => match sent.by_id.get(id) {
                    Some(&other) if other != kind => Some(
                        BadInput::new("this message id has another category on an earlier row")
                            .at(at(cat_col))
                            .hint("a message has one category: remove the conflicting row"),
                    ),
                    _ => {
                        sent.by_id.insert(id.into(), kind);
                        None
                    }
                },
            },
        };
        if let Some(e) = problem {
            if !skip_invalid {
                return Err(e.into());
            }
            sent.skipped_invalid += 1;
        }
    }
    Ok(sent)
}
