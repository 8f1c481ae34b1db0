//! What the reading skipped, said out loud: warnings for the user, and the error when every
//! row was skipped (nothing was estimated, so a total of 0 must not look like a bill).

use super::LogSettings;
use crate::error::BadInput;
use crate::input::reader::ReadStats;

/// Skipped rows are never silent: their count (and the first few reasons) go to stderr, and
/// when every row was skipped, nothing was estimated: that is an error (exit code 2), not an
/// empty bill. Messages dated after today are warned about.
pub(super) fn report_skipped(s: &LogSettings, stats: &ReadStats) -> Result<(), BadInput> {
    if let Some(warning) = future_warning(stats, s.timezone) {
        s.warn(&format!("warning: {}: {warning}", s.input.name));
    }
    if stats.skipped_other_channel > 0 {
        s.warn(&format!(
            "{}: left out {} SMS row{} (customer number without whatsapp:)",
            s.input.name,
            stats.skipped_other_channel,
            if stats.skipped_other_channel == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    let skipped = stats.skipped_invalid + stats.skipped_unsupported;
    if skipped + stats.skipped_other_channel > 0 && stats.inbound + stats.business == 0 {
        return Err(all_skipped(s, stats, skipped + stats.skipped_other_channel));
    }
    if s.input.skip_invalid || s.input.skip_unsupported || skipped > 0 {
        let mut message = format!(
            "{}: read {} rows; skipped {} invalid and {} before 2022-02-01",
            s.input.name, stats.rows, stats.skipped_invalid, stats.skipped_unsupported
        );
        for e in &stats.skipped_examples {
            message.push_str("\n  skipped: ");
            message.push_str(&e.to_string().replace('\n', "\n  "));
        }
        // The examples are the first few: the count per reason accounts for every row.
        let shown = stats.skipped_examples.len() as u64;
        if skipped > shown {
            message.push_str(&format!("\n  ({} more not shown", skipped - shown));
            // Webhook input counts no reasons apart: the count above is all there is.
            if !stats.skipped_reasons.is_empty() {
                let reasons = per_reason(stats).join("; ");
                message.push_str(&format!("; all {skipped}: {reasons}"));
            }
            message.push(')');
        }
        s.warn(&message);
    }
    Ok(())
}

/// "3 × column 'direction': unknown direction" for each reason rows were skipped for.
fn per_reason(stats: &ReadStats) -> Vec<String> {
    stats
        .skipped_reasons
        .iter()
        .map(|(why, n)| format!("{n} × {why}"))
        .collect()
}

/// Every row was skipped: the error says how many for each reason, and where the first one
/// is, with its hint.
fn all_skipped(s: &LogSettings, stats: &ReadStats, skipped: u64) -> BadInput {
    let mut reasons: Vec<String> = if stats.skipped_reasons.is_empty() {
        if stats.skipped_invalid + stats.skipped_unsupported > 0 {
            vec![format!(
                "{} invalid, {} before 2022-02-01",
                stats.skipped_invalid, stats.skipped_unsupported
            )]
        } else {
            Vec::new()
        }
    } else {
        per_reason(stats)
    };
    if stats.skipped_other_channel > 0 {
        reasons.push(format!(
            "{} × SMS (a customer number without whatsapp:)",
            stats.skipped_other_channel
        ));
    }
    let mut what = format!(
        "{}: every row was skipped ({skipped} of {}), so nothing was estimated: {}",
        s.input.name,
        stats.rows,
        reasons.join("; ")
    );
    let first = stats.skipped_examples.first();
    if let Some(at) = first.and_then(|e| e.at.as_deref()) {
        what.push_str(&format!(
            "; the first is line {}, column '{}' (value '{}')",
            at.line, at.column, at.value
        ));
    }
    let hint = match first.and_then(|e| e.hint.as_deref()) {
        Some(h) => format!("{h}; --skip-invalid and --skip-unsupported are for a few bad rows, not a whole log"),
        None => "fix the rows; --skip-invalid and --skip-unsupported are for a few bad rows, not a whole log".to_string(),
    };
    BadInput::new(what).hint(hint)
}

/// "3 messages are dated after today (the first: line 7, column 'timestamp', 2099-03-05
/// 10:00:00 in Europe/Paris): a mistyped year? They are priced with the latest rules and rate
/// cards". The time is shown as read, so that how the log writes it changes nothing.
pub fn future_warning(stats: &ReadStats, tz: chrono_tz::Tz) -> Option<String> {
    let (line, column, time) = stats.first_future.as_ref()?;
    let n = stats.future;
    let shown = chrono::DateTime::from_timestamp_millis(*time)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    Some(format!(
        "{n} message{} dated after today (the first: line {line}, column '{column}', {shown} in {}): a mistyped year? {} priced with the latest rules and rate cards",
        if n == 1 { " is" } else { "s are" },
        tz.name(),
        if n == 1 { "It is" } else { "They are" }
    ))
}
