//! `--format html`: one self-contained page that an XML parser reads, with the CSV's figures,
//! the notes, inline SVG charts, and nothing that runs or loads.

use super::*;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeMap;

/// What the tests read from a page: every table's rows of cell texts (by the table's id),
/// the notes, how many elements of each name, and every attribute value.
#[derive(Default, Debug)]
struct Page {
    tables: BTreeMap<String, Vec<Vec<String>>>,
    notes: Vec<String>,
    elements: BTreeMap<String, usize>,
    attributes: Vec<String>,
}

/// Parses the page as XML (a malformed page fails the test) and collects what tests check.
fn parse(html: &str) -> Page {
    let mut r = Reader::from_str(html);
    r.config_mut().check_end_names = true;
    let mut page = Page::default();
    let mut stack: Vec<String> = Vec::new();
    let mut table: Option<String> = None;
    let mut text = String::new();
    loop {
        match r
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", r.buffer_position()))
        {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                *page.elements.entry(name.clone()).or_default() += 1;
                for a in e.attributes() {
                    let a = a.unwrap();
                    let v = a
                        .decode_and_unescape_value(r.decoder())
                        .unwrap()
                        .to_string();
                    if a.key.as_ref() == b"id" && name == "table" {
                        table = Some(v.clone());
                        page.tables.insert(v.clone(), Vec::new());
                    }
                    page.attributes.push(v);
                }
                if name == "tr" {
                    if let Some(t) = &table {
                        page.tables.get_mut(t).unwrap().push(Vec::new());
                    }
                }
                text.clear();
                stack.push(name);
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                *page.elements.entry(name).or_default() += 1;
                for a in e.attributes() {
                    page.attributes.push(
                        a.unwrap()
                            .decode_and_unescape_value(r.decoder())
                            .unwrap()
                            .to_string(),
                    );
                }
            }
            Event::Text(t) => text.push_str(&t.unescape().unwrap()),
            Event::End(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                match name.as_str() {
                    "td" | "th" => {
                        if let Some(t) = &table {
                            let rows = page.tables.get_mut(t).unwrap();
                            rows.last_mut().unwrap().push(text.clone());
                        }
                    }
                    "li" => page.notes.push(text.clone()),
                    "table" => table = None,
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    page
}

fn run_ok(args: &[&str]) -> String {
    stdout(args)
}

fn as_str(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The CSV of the same run: header and rows, the formula guard taken off text.
fn csv_table(args: &[&str]) -> Vec<Vec<String>> {
    let text = run_ok(args);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .map(|f| match f.strip_prefix('\'') {
                    Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
                    _ => f.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Notes of the table output of the same run.
fn table_notes(args: &[&str]) -> Vec<String> {
    let text = run_ok(args);
    let at = text.find("\nnotes:\n").expect("notes") + "\nnotes:\n".len();
    text[at..]
        .lines()
        .map(|l| l.strip_prefix("- ").unwrap().to_string())
        .collect()
}

/// Nothing runs, nothing loads: no script, no link, no URL but XML namespaces.
fn self_contained(html: &str, page: &Page) {
    for tag in ["script", "link", "img", "iframe", "object"] {
        assert!(!page.elements.contains_key(tag), "<{tag}>");
    }
    for a in &page.attributes {
        let namespace = a.starts_with("http://www.w3.org/");
        assert!(
            !a.starts_with("javascript:") && (namespace || !a.starts_with("http")),
            "{a}"
        );
    }
    let urls = html.matches("http").count();
    let namespaces = html.matches("xmlns=\"http://www.w3.org/").count();
    assert_eq!(urls, namespaces, "a URL that is not a namespace");
}

#[test]
fn estimate_html_has_the_csv_figures_a_chart_and_the_notes() {
    let log = "samples/fr-shop-2024-03.csv";
    let html = run_ok(&["estimate", log, "--format", "html"]);
    let page = parse(&html);
    self_contained(&html, &page);
    assert_eq!(
        page.tables["months"],
        csv_table(&["estimate", log, "--format", "csv"])
    );
    assert_eq!(page.notes, table_notes(&["estimate", log, "--no-chart"]));
    // One bar per month, the budget line across each.
    let months = page.tables["months"].len() - 1;
    assert!(months >= 1);
    assert!(page.elements["svg"] >= 1);
    assert!(page.elements["rect"] >= months);
    // With --by: the breakdown too, as its CSV.
    let html = run_ok(&["estimate", log, "--format", "html", "--by", "market"]);
    let page = parse(&html);
    assert_eq!(
        page.tables["breakdown"],
        csv_table(&["estimate", log, "--format", "csv", "--by", "market"])
    );
}

#[test]
fn invoices_html_escapes_names_and_has_the_csv_figures_with_totals() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "account,business,agents,currency\n=1+1,=1+1,10,EUR\n+cmd,+cmd,5,USD\n@SUM(A1),@SUM(A1),3,EUR\n\"<i>Tom & Jerry's</i> \"\"co\"\"\",plain,1,EUR\n",
    )
    .unwrap();
    let args = |format: &str| -> Vec<String> {
        [
            "invoices",
            "tests/data/spreadsheet/formula-names.csv",
            "--accounts",
            accounts.to_str().unwrap(),
            "--format",
            format,
        ]
        .map(String::from)
        .to_vec()
    };
    let html = run_ok(&as_str(&args("html")));
    assert!(
        !html.contains("<i>Tom"),
        "a name from the user's file made markup"
    );
    let page = parse(&html);
    self_contained(&html, &page);
    let table = &page.tables["invoices"];
    let csv = csv_table(&as_str(&args("csv")));
    assert_eq!(table[..csv.len()], csv[..]);
    let names: Vec<&str> = table[1..csv.len()].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        names,
        [
            "+cmd",
            "=1+1",
            "@SUM(A1)",
            "<i>Tom & Jerry's</i> \"co\"",
            "unassigned"
        ]
    );
    // A total per currency under the lines, as the table output gives them (full precision).
    let totals: Vec<(&str, &str, &str)> = table[csv.len()..]
        .iter()
        .map(|r| (r[0].as_str(), r[6].as_str(), r[10].as_str()))
        .collect();
    let sum = |currency: &str| -> String {
        csv[1..]
            .iter()
            .filter(|r| r[10] == currency)
            .map(|r| r[6].parse::<rust_decimal::Decimal>().unwrap())
            .sum::<rust_decimal::Decimal>()
            .to_string()
    };
    let (eur, usd) = (sum("EUR"), sum("USD"));
    assert_eq!(
        totals,
        [
            ("total", eur.as_str(), "EUR"),
            ("total", usd.as_str(), "USD")
        ]
    );
    let mut table_args = args("table");
    table_args.truncate(4);
    assert_eq!(page.notes, table_notes(&as_str(&table_args)));
    // The largest overage's chart names the account, escaped.
    assert!(html.contains("&lt;i&gt;Tom &amp; Jerry&#39;s&lt;/i&gt;"));
}

#[test]
fn html_is_for_estimate_invoices_and_merge_only() {
    for args in [
        &["rates", "--country", "FR", "--format", "html"][..],
        &["tariffs", "--format", "html"][..],
        &[
            "estimate",
            "samples/fr-shop-2024-03.csv",
            "--format",
            "html",
            "--as-of",
            "2026-11-01",
        ][..],
        &[
            "estimate",
            "samples/fr-shop-2024-03.csv",
            "--format",
            "html",
            "--decimal-comma",
        ][..],
    ] {
        let out = waprice().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}
