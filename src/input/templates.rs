//! A template catalogue (`--templates FILE`): each template name's category, for logs that
//! name the template a message used instead of its category.
//!
//! Two layouts: Meta's template list exactly as `GET /{waba-id}/message_templates` returns it
//! (JSON, `data[].name`, `language`, `category`; one page, or a JSON array of templates), or a
//! CSV `name,category[,language]`. The catalogue holds each template's category as of the day
//! it was fetched: a template Meta recategorised since is billed at its current category.

use crate::error::{BadInput, Location};
use crate::message::TemplateCategory;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

/// Template name -> category, per language where the catalogue lists several.
#[derive(Debug, Clone, Default)]
pub struct TemplateCatalogue {
    by_name: HashMap<Box<[u8]>, Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The category every language of the name has, or `None` when they disagree.
    any: Option<TemplateCategory>,
    by_language: Vec<(Box<[u8]>, TemplateCategory)>,
    /// Where the name was first listed, for errors.
    origin: String,
}

/// What the catalogue says of a template name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// The template's category.
    Found(TemplateCategory),
    /// The name is not in the catalogue.
    Unknown,
    /// The name has different categories in different languages, and the row gives no
    /// language the catalogue lists.
    Ambiguous,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MetaList {
    Page { data: Vec<MetaTemplate> },
    List(Vec<MetaTemplate>),
}

#[derive(Deserialize)]
struct MetaTemplate {
    name: String,
    #[serde(default)]
    language: String,
    category: String,
}

impl TemplateCatalogue {
    /// Reads a catalogue; `origin` names the file in errors. JSON when the text starts with
    /// `{` or `[`, else CSV.
    pub fn parse(text: &str, origin: &str) -> Result<TemplateCatalogue, BadInput> {
        let text = text.trim_start_matches('\u{feff}');
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            TemplateCatalogue::parse_json(trimmed, origin)
        } else {
            TemplateCatalogue::parse_csv(text, origin)
        }
    }

    fn parse_json(text: &str, origin: &str) -> Result<TemplateCatalogue, BadInput> {
        let list: MetaList = serde_json::from_str(text).map_err(|e| {
            BadInput::new(format!(
                "{origin}: not a template list: {e}"
            ))
            .hint("give Meta's template list as GET /{waba-id}/message_templates returns it ({\"data\": [{\"name\", \"language\", \"category\"}, …]}), or a CSV name,category[,language]")
        })?;
        let templates = match list {
            MetaList::Page { data } => data,
            MetaList::List(list) => list,
        };
        let mut catalogue = TemplateCatalogue::default();
        for (i, t) in templates.iter().enumerate() {
            let at = format!("{origin}, data[{i}]");
            let category = category(&t.category).ok_or_else(|| {
                BadInput::new(format!(
                    "{at}: template '{}' has category '{}', which waprice does not price",
                    cut(&t.name),
                    cut(&t.category)
                ))
                .hint(CATEGORY_HINT)
            })?;
            catalogue.add(&t.name, &t.language, category, &at)?;
        }
        Ok(catalogue)
    }

    fn parse_csv(text: &str, origin: &str) -> Result<TemplateCatalogue, BadInput> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| BadInput::new(format!("{origin}: {e}")))?
            .clone();
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(name_at), Some(category_at)) =
            (find("name").or_else(|| find("template")), find("category"))
        else {
            return Err(BadInput::new(format!(
                "{origin}: a template catalogue needs the columns name and category (line 1, the header)"
            ))
            .hint("write a CSV name,category[,language], or give Meta's template list as JSON"));
        };
        let language_at = find("language");
        let mut catalogue = TemplateCatalogue::default();
        for record in reader.records() {
            let record = record.map_err(|e| BadInput::new(format!("{origin}: {e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            let get = |i: usize| record.get(i).unwrap_or("").trim();
            let (name, raw_category) = (get(name_at), get(category_at));
            if name.is_empty() && raw_category.is_empty() {
                continue;
            }
            let located = |column: &str, value: &str, what: String| {
                BadInput::new(what).at(Location {
                    file: origin.to_string(),
                    line,
                    column: column.to_string(),
                    value: cut(value),
                })
            };
            if name.is_empty() {
                return Err(located("name", name, "empty template name".into())
                    .hint("every row names a template"));
            }
            let category = category(raw_category).ok_or_else(|| {
                located("category", raw_category, "unknown template category".into())
                    .hint(CATEGORY_HINT)
            })?;
            let language = language_at.map_or("", get);
            catalogue.add(name, language, category, &format!("{origin}, line {line}"))?;
        }
        Ok(catalogue)
    }

    fn add(
        &mut self,
        name: &str,
        language: &str,
        category: TemplateCategory,
        origin: &str,
    ) -> Result<(), BadInput> {
        let entry = self
            .by_name
            .entry(name.as_bytes().into())
            .or_insert_with(|| Entry {
                any: Some(category),
                by_language: Vec::new(),
                origin: origin.to_string(),
            });
        if let Some((_, before)) = entry
            .by_language
            .iter()
            .find(|(l, _)| l.as_ref() == language.as_bytes())
        {
            if *before != category {
                return Err(BadInput::new(format!(
                    "{origin}: template '{}' in language '{}' is listed again with another category (first at {})",
                    cut(name),
                    cut(language),
                    entry.origin
                ))
                .hint("a template has one category per language; keep one of the rows"));
            }
            return Ok(());
        }
        if entry.any != Some(category) {
            entry.any = None;
        }
        entry
            .by_language
            .push((language.as_bytes().into(), category));
        Ok(())
    }

    /// How many template names the catalogue lists.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether the catalogue lists no template.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The category of a template name (as the log writes it), in `language` when the name has
    /// several categories. No allocation: the hot path calls it once per template row.
    pub fn lookup(&self, name: &[u8], language: &[u8]) -> Lookup {
        let Some(entry) = self.by_name.get(name) else {
            return Lookup::Unknown;
        };
        if let Some(category) = entry.any {
            return Lookup::Found(category);
        }
        entry
            .by_language
            .iter()
            .find(|(l, _)| l.as_ref() == language)
            .map_or(Lookup::Ambiguous, |&(_, c)| Lookup::Found(c))
    }
}

const CATEGORY_HINT: &str =
    "template categories are MARKETING, MARKETING_LITE, UTILITY or AUTHENTICATION (any case)";

fn category(raw: &str) -> Option<TemplateCategory> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "marketing" | "marketing_lite" => Some(TemplateCategory::Marketing),
        "utility" => Some(TemplateCategory::Utility),
        "authentication" => Some(TemplateCategory::Authentication),
        _ => None,
    }
}

/// A value for a message, cut to 80 characters.
fn cut(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TemplateCategory::*;

    #[test]
    fn meta_template_list_as_the_api_returns_it() {
        let json = r#"{"data":[
            {"name":"order_shipped","language":"en_US","status":"APPROVED","category":"UTILITY","id":"1","components":[]},
            {"name":"spring_sale","language":"fr","status":"APPROVED","category":"MARKETING","id":"2"},
            {"name":"login_code","language":"en_US","category":"AUTHENTICATION","id":"3"}
        ],"paging":{"cursors":{"before":"a","after":"b"}}}"#;
        let c = TemplateCatalogue::parse(json, "t.json").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c.lookup(b"order_shipped", b""), Lookup::Found(Utility));
        assert_eq!(c.lookup(b"spring_sale", b"de"), Lookup::Found(Marketing));
        assert_eq!(c.lookup(b"login_code", b""), Lookup::Found(Authentication));
        assert_eq!(c.lookup(b"nope", b""), Lookup::Unknown);
        // A bare array of templates too.
        let c =
            TemplateCatalogue::parse(r#"[{"name":"a","category":"marketing_lite"}]"#, "t").unwrap();
        assert_eq!(c.lookup(b"a", b""), Lookup::Found(Marketing));
    }

    #[test]
    fn csv_catalogue_and_languages() {
        let c = TemplateCatalogue::parse(
            "name,category,language\nwelcome,utility,en\nwelcome,marketing,fr\nping,UTILITY,\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(c.lookup(b"welcome", b"en"), Lookup::Found(Utility));
        assert_eq!(c.lookup(b"welcome", b"fr"), Lookup::Found(Marketing));
        assert_eq!(c.lookup(b"welcome", b""), Lookup::Ambiguous);
        assert_eq!(c.lookup(b"ping", b"xx"), Lookup::Found(Utility));
    }

    #[test]
    fn bad_catalogues_say_where() {
        let e = TemplateCatalogue::parse("name,category\nx,promo\n", "t.csv").unwrap_err();
        let at = e.at.as_deref().unwrap();
        assert_eq!(
            (at.line, at.column.as_str(), at.value.as_str()),
            (2, "category", "promo")
        );
        let e = TemplateCatalogue::parse("name,category\nx,utility\nx,marketing\n", "t.csv")
            .unwrap_err();
        assert!(e.to_string().contains("first at t.csv, line 2"), "{e}");
        let e = TemplateCatalogue::parse("template_name,kind\n", "t.csv").unwrap_err();
        assert!(
            e.to_string()
                .contains("needs the columns name and category"),
            "{e}"
        );
        let e = TemplateCatalogue::parse(r#"{"data":[{"name":"a"}]}"#, "t.json").unwrap_err();
        assert!(e.to_string().contains("not a template list"), "{e}");
        let e = TemplateCatalogue::parse(r#"{"data":[{"name":"a","category":"OTP"}]}"#, "t.json")
            .unwrap_err();
        assert!(e.to_string().contains("category 'OTP'"), "{e}");
    }
}
