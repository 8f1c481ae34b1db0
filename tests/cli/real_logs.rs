//! Logs as people really have them: national numbers from a CRM, Twilio's export, template
//! names instead of categories, Meta's message types. Each is read right, or refused with the
//! option that settles it; never billed in the wrong market with exit code 0.

use super::*;

fn real(name: &str) -> String {
    format!("tests/data/real-logs/{name}")
}

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = waprice().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_refused(args: &[&str], needles: &[&str]) {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "stdout: {out}\nstderr: {err}");
    assert!(out.is_empty(), "no estimate on refusal: {out}");
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in: {err}");
    }
}

#[test]
fn national_us_numbers_are_refused_with_the_country_that_reads_them() {
    let log = real("us-crm-national.csv");
    assert_refused(
        &["estimate", &log, "--currency", "USD"],
        &[
            "line 2, column 'phone'",
            "value '(212) 555-0101'",
            "looks like a national number",
            "national number of US",
            "add --default-country US",
        ],
    );
}

#[test]
fn digits_impossible_for_their_calling_code_are_refused() {
    // 2125550101 read as international is +212 (Morocco) with 7 digits: Morocco has 9.
    assert_refused(
        &["estimate", &real("us-digits-only.csv"), "--currency", "USD"],
        &[
            "line 3, column 'recipient'",
            "value '2125550101'",
            "not a possible number of calling code +212: 7 digits after +212, where its numbers have 9",
            "--default-country US",
        ],
    );
}

#[test]
fn default_country_reads_national_numbers_as_the_same_customers() {
    let national = estimate_csv(
        &real("us-crm-national.csv"),
        &["--currency", "USD", "--default-country", "US"],
    );
    let international = estimate_csv(&real("us-crm-international.csv"), &["--currency", "USD"]);
    assert_eq!(national, international);
    // Two customers in North America: a service reply, two marketing and one utility
    // template, priced from the USD card of 2026-10-01.
    assert_eq!(
        international,
        rows(&["2026-10,2,1,0,0,1,0,0,0,4,0,0.0568,54,0,USD,0,0"])
    );
    // International numbers stay international with a default country.
    assert_eq!(
        estimate_csv(
            &real("us-crm-international.csv"),
            &["--currency", "USD", "--default-country", "FR"]
        ),
        international
    );
}

#[test]
fn an_unknown_default_country_is_bad_usage() {
    assert_refused(
        &[
            "estimate",
            &real("us-crm-national.csv"),
            "--default-country",
            "XX",
        ],
        &["--default-country XX: unknown country"],
    );
}

#[test]
fn a_trunk_zero_in_parentheses_is_dropped() {
    // +33 (0)6 12 34 56 78 and +44 (0)7700 900123 are the customers without the (0): replies
    // ride in their windows instead of being "rejected", and no second customer is billed.
    let messy = estimate_csv(&real("trunk-in-parentheses.csv"), &[]);
    assert_eq!(messy, estimate_csv(&real("trunk-canonical.csv"), &[]));
    assert_eq!(
        messy,
        rows(&["2024-03,1,0,0,0,0,0,0,2,1,0,0.1186,50,0,EUR,0,0"])
    );
}

#[test]
fn twilio_export_without_a_category_assumption_is_refused() {
    assert_refused(
        &[
            "estimate",
            &real("twilio-export.csv"),
            "--input",
            "twilio",
            "--currency",
            "USD",
        ],
        &[
            "missing required column category",
            "--template-category CAT",
        ],
    );
}

#[test]
fn twilio_export_reads_like_the_same_log_written_plainly() {
    // From is the customer on inbound rows and To on outbound ones; whatsapp: prefixes, RFC 2822
    // and "+0000" dates, Twilio's statuses (canceled is not delivered, queued is) and
    // directions; the SMS row is left out and counted.
    let (code, twilio, err) = run(&[
        "estimate",
        &real("twilio-export.csv"),
        "--input",
        "twilio",
        "--template-category",
        "utility",
        "--currency",
        "USD",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("left out 1 SMS row (customer number without whatsapp:)"),
        "{err}"
    );
    let plain = estimate_csv(&real("twilio-canonical.csv"), &["--currency", "USD"]);
    assert_eq!(twilio, plain);
    // Replies inside a customer service window are service messages, the rest utility
    // templates; two were not delivered (failed, canceled).
    assert_eq!(
        plain,
        rows(&[
            "2026-10,0,2,0,0,3,0,0,0,5,0,0.0728,54,0,USD,0,0",
            "2026-11,0,1,0,0,0,0,0,0,1,0,0.0034,54,0,USD,0,0",
        ])
    );
    let (_, table, _) = run(&[
        "estimate",
        &real("twilio-export.csv"),
        "--input",
        "twilio",
        "--template-category",
        "utility",
        "--currency",
        "USD",
    ]);
    assert!(
        table.contains(
            "- skipped rows: 1 SMS row (a customer number without whatsapp:), not billed by Meta"
        ),
        "{table}"
    );
    assert!(table.contains("- categories: the log gives none; 8 business messages were read as free-form inside a customer service window and as utility templates outside one (--template-category)"), "{table}");
    assert!(
        table.contains("- rows: 11 read = 2 inbound + 8 business messages + 1 skipped;"),
        "{table}"
    );
}

#[test]
fn a_from_to_log_bills_the_customer_on_both_directions() {
    // Not only Twilio: any log with from and to columns and no customer column.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("from-to.csv");
    std::fs::write(
        &path,
        "timestamp,direction,category,from,to\n\
         2025-09-01T10:00:00Z,inbound,,+33612345678,+33186760000\n\
         2025-09-01T10:05:00Z,outbound,,+33186760000,+33612345678\n\
         2025-09-01T10:06:00Z,outbound,utility,+33186760000,+33612345678\n",
    )
    .unwrap();
    let (code, out, err) = run(&["estimate", path.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    // The reply and the in-window utility template are free: nothing rejected.
    assert_eq!(out, rows(&["2025-09,0,0,0,0,0,0,0,2,0,0,0,50,0,EUR,0,0"]));
}

#[test]
fn template_names_take_their_category_from_the_catalogue() {
    let plain = estimate_csv(&real("templated-canonical.csv"), &[]);
    for catalogue in ["templates.json", "templates.csv"] {
        assert_eq!(
            estimate_csv(&real("templated.csv"), &["--templates", &real(catalogue)]),
            plain,
            "{catalogue}"
        );
    }
    let (_, table, _) = run(&[
        "estimate",
        &real("templated.csv"),
        "--templates",
        &real("templates.json"),
    ]);
    assert!(
        table.contains("- categories: 4 business messages took their category from the template catalogue (3 templates, --templates)"),
        "{table}"
    );
}

#[test]
fn a_template_missing_from_the_catalogue_is_named_or_skipped_and_counted() {
    let log = real("templated-unknown.csv");
    let catalogue = real("templates.json");
    assert_refused(
        &["estimate", &log, "--templates", &catalogue],
        &[
            "line 3, column 'template_name'",
            "template not in the --templates catalogue (value 'black_friday_2025')",
        ],
    );
    let (code, out, err) = run(&[
        "estimate",
        &log,
        "--templates",
        &catalogue,
        "--skip-invalid",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("skipped 1 invalid"), "{err}");
    assert_eq!(
        out,
        rows(&["2025-09,1,0,0,0,0,0,0,0,1,0,0.1186,50,0,EUR,0,0"])
    );
}

#[test]
fn template_names_without_a_catalogue_are_refused() {
    assert_refused(
        &["estimate", &real("templated.csv")],
        &["no category column", "add --templates FILE"],
    );
    assert_refused(
        &[
            "estimate",
            &real("us-crm-international.csv"),
            "--templates",
            &real("templates.csv"),
        ],
        &["the log has no template column"],
    );
    assert_refused(
        &[
            "estimate",
            &real("us-crm-international.csv"),
            "--template-category",
            "utility",
        ],
        &["--template-category is for logs without categories"],
    );
}

#[test]
fn meta_message_types_are_free_form() {
    assert_eq!(
        estimate_csv(&real("meta-message-types.csv"), &[]),
        estimate_csv(&real("meta-message-types-canonical.csv"), &[])
    );
}

#[test]
fn the_samples_of_other_tools_are_refused_without_the_option_that_reads_them() {
    // What a user who skips the option sees: the README's commands add it.
    assert_refused(
        &["estimate", "samples/crm-us.csv", "--currency", "USD"],
        &[
            "samples/crm-us.csv, line 2, column 'Phone'",
            "add --default-country US",
        ],
    );
    assert_refused(
        &["estimate", "samples/spreadsheet-fr.csv"],
        &[
            "line 2, column 'date': a day/month date",
            "--date-format '%d/%m/%Y %H:%M'",
        ],
    );
    assert_refused(
        &["estimate", "samples/twilio-export.csv", "--input", "twilio"],
        &["--template-category CAT"],
    );
}
