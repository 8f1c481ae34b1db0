//! A large log file out of time order read on two threads: the file is cut after a line
//! break near its middle, each half is parsed by a reader of its own, and this thread interns
//! both halves' messages as they come into runs of each half, the first half's runs before
//! the second's, so that equal times stay in file order. One core parsed the whole file
//! before, while this thread and the sorting one left most of the other idle.
//!
//! The result is the one reader's: the second half's lines are numbered from the line
//! breaks before the cut (counted on its thread first), and the halves' row accounting is
//! put together as one reader would have kept it. Whenever that cannot be known to hold —
//! the cut fell inside a quoted field, either half met an error, more reasons for skipping
//! than are counted apart — `None` is returned and the log is read again on one thread:
//! slower, never different.

use super::stream::{DoneOnDrop, BATCH};
use super::{LogSettings, LogSource, Tariffs};
use crate::calendar::Calendar;
use crate::input::reader::{intern_all, LogReader, RawMessage, ReadError, ReadStats};
use crate::input::source;
use crate::input::time_order::{sort_run, Runs};
use crate::lines::line_breaks;
use crate::message::Message;
use crate::pairs::Pairs;
use anyhow::Result;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// Files smaller than this are read on one thread: their reading is over before a second
/// thread pays for itself.
pub const PARALLEL_FROM: u64 = 32 << 20;

/// A batch of one half's messages, with the business numbers its reader met first in it.
struct Part {
    raws: Vec<RawMessage>,
    /// The business numbers (normalised) that this half's reader gave ids in this batch, in
    /// the order of their ids.
    businesses: Vec<Box<[u8]>>,
    /// The half's reader has no more.
    last: bool,
}

type Input = Box<dyn Read + Send>;

/// What a half's reading thread leaves: its accounting, and the line where the halves meet.
/// For the first half, the line after its last record, `None` when its input ended inside a
/// quoted field; for the second, the line it started on.
type Ended = Option<(ReadStats, Option<u64>)>;

/// Reads a plain (not compressed) log file of at least `s.parallel_from` bytes on two
/// threads into sorted runs; `None` when the log is not one, or when the two halves cannot
/// be shown to read as the whole (the caller then reads it on one thread).
pub(super) fn read_runs(s: &LogSettings, t: &Tariffs) -> Result<Option<(Runs, Pairs, ReadStats)>> {
    let LogSource::File(path) = &s.source else {
        return Ok(None);
    };
    if s.source.is_stdin() {
        return Ok(None);
    }
    let Some(cut) = cut(path, s.parallel_from) else {
        return Ok(None);
    };
    read_runs_cut(s, t, path, cut)
}

/// [`read_runs`] with the file cut at `cut`.
fn read_runs_cut(
    s: &LogSettings,
    t: &Tariffs,
    path: &str,
    cut: Cut,
) -> Result<Option<(Runs, Pairs, ReadStats)>> {
    let calendar = Calendar::new(s.timezone);
    let bar = s.hooks.as_ref().and_then(|h| h.reading(Some(cut.size)));
    let _done = bar.clone().map(DoneOnDrop);
    let input = |file: File, limit: u64| -> Input {
        let input: Input = Box::new(file.take(limit));
        match &bar {
            Some(bar) => bar.wrap(input),
            None => input,
        }
    };
    let (Ok(first), Ok(mut second), Ok(count)) =
        (File::open(path), File::open(path), File::open(path))
    else {
        return Ok(None);
    };
    if second.seek(SeekFrom::Start(cut.at)).is_err() {
        return Ok(None);
    }
    let Ok(first) = LogReader::new(input(first, cut.at), &s.input, &calendar) else {
        return Ok(None);
    };
    let second = first.continuing(input(second, u64::MAX));
    let rows = AtomicU64::new(0);
    let show = |n: usize| {
        let n = rows.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if let Some(bar) = &bar {
            bar.rows(n);
        }
    };

    let mut pairs = Pairs::default();
    if let Some(accounts) = &s.engine.accounts {
        accounts.seed(&mut pairs);
    }
    // Per half: the whole log's id of each id its reader gave a business number. Both
    // readers seed the accounts' numbers as `pairs` did, in the same order.
    let seeded: Vec<u32> = (0..pairs.business_count() as u32).collect();
    let mut ids = [seeded.clone(), seeded];
    let mut runs = [Runs::default(), Runs::default()];
    let (to_main, parts) = mpsc::sync_channel::<(usize, Result<Part, ReadError>)>(8);
    let (give_back, taken_back): (Vec<_>, Vec<_>) = (0..2).map(|_| mpsc::channel::<Part>()).unzip();
    let (to_sort, unsorted) = mpsc::channel::<(usize, Vec<Message>)>();
    let (complete, ended, sorted) = std::thread::scope(|scope| {
        // Owned by this closure, so that leaving early drops it and stops the readers.
        let parts = parts;
        let sorter = scope.spawn(move || {
            let mut sorted = Vec::new();
            for (half, mut run) in unsorted {
                sort_run(&mut run);
                sorted.push((half, run));
            }
            sorted
        });
        let mut taken_back = taken_back.into_iter();
        let readers = [(0, first, None), (1, second, Some(count))].map(|(half, reader, count)| {
            let to_main = to_main.clone();
            let taken_back = taken_back.next().expect("one per half");
            let show = &show;
            scope.spawn(move || {
                read_half(
                    half,
                    reader,
                    count,
                    cut.at,
                    t,
                    s,
                    &to_main,
                    &taken_back,
                    show,
                )
            })
        });
        drop(to_main);
        let mut open = 2;
        let mut complete = true;
        for (half, part) in &parts {
            let Ok(mut part) = part else {
                complete = false;
                break;
            };
            for name in part.businesses.drain(..) {
                ids[half].push(pairs.business(&name));
            }
            for raw in &mut part.raws {
                raw.business = ids[half][raw.business as usize];
            }
            intern_all(&part.raws, &mut pairs, |_, m| runs[half].push(m));
            if let Some(run) = runs[half].take_full_run() {
                // The sorter ends only once this sender is gone.
                let _ = to_sort.send((half, run));
            }
            if part.last {
                open -= 1;
                if open == 0 {
                    break;
                }
            }
            part.raws.clear();
            let _ = give_back[half].send(part);
        }
        drop(parts);
        drop(to_sort);
        let ended = readers.map(|r| r.join().ok().flatten());
        (complete, ended, sorter.join())
    });
    let sorted = sorted.map_err(|_| anyhow::anyhow!("the sorting thread failed"))?;
    let [Some((mut stats, first_end)), Some((later, second_start))] = ended else {
        return Ok(None);
    };
    // The first half stopped where a record starts, on the line the second half counted.
    let joined = first_end.is_some() && first_end == second_start;
    if !complete || !joined || !stats.absorb(later, &ids[0], &ids[1]) {
        return Ok(None);
    }
    for (half, run) in sorted {
        runs[half].add_sorted(run);
    }
    let [mut runs, later] = runs;
    runs.append(later);
    Ok(Some((runs, pairs, stats)))
}

/// Where a file is cut in two: right after the first line break from its middle on.
#[derive(Clone, Copy)]
struct Cut {
    at: u64,
    size: u64,
}

/// The cut of a plain file of at least `from` bytes; `None` for a smaller or compressed one,
/// or one without a line break in its second half.
fn cut(path: &str, from: u64) -> Option<Cut> {
    let mut file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size < from.max(2) {
        return None;
    }
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).ok()?;
    if source::is_compressed(&magic) {
        return None;
    }
    let mut at = file.seek(SeekFrom::Start(size / 2)).ok()?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            let at = at + i as u64 + 1;
            return (at < size).then_some(Cut { at, size });
        }
        at += n as u64;
    }
}

/// One half's reading thread: the second half first counts the line breaks before the cut
/// (`count` reads the file from its start), to number its records as one reader would. Each
/// batch goes to `to_main`; at the end, the half's accounting and where its records ended
/// (the first half) or started (the second); `None` when it stopped early.
#[allow(clippy::too_many_arguments)]
fn read_half(
    half: usize,
    mut reader: LogReader<'_, Input>,
    count: Option<File>,
    cut: u64,
    t: &Tariffs,
    s: &LogSettings,
    to_main: &mpsc::SyncSender<(usize, Result<Part, ReadError>)>,
    taken_back: &mpsc::Receiver<Part>,
    show: &(dyn Fn(usize) + Sync),
) -> Ended {
    let start = match count {
        Some(file) => {
            let line = 1 + count_line_breaks(file, cut)?;
            reader.start_at_line(line);
            Some(line)
        }
        None => None,
    };
    let mut businesses = Pairs::default();
    if let Some(accounts) = &s.engine.accounts {
        accounts.seed(&mut businesses);
    }
    let mut named = businesses.business_count();
    loop {
        let mut part = taken_back.try_recv().unwrap_or_else(|_| Part {
            raws: Vec::with_capacity(BATCH),
            businesses: Vec::new(),
            last: false,
        });
        let read = reader.fill(&mut businesses, &t.markets, &mut part.raws, BATCH);
        for b in named..businesses.business_count() {
            part.businesses
                .push(businesses.business_name(b as u32).into());
        }
        named = businesses.business_count();
        show(part.raws.len());
        let (last, failed) = match read {
            Ok(last) => (last, None),
            Err(e) => (true, Some(e)),
        };
        part.last = last;
        if let Some(e) = failed {
            let _ = to_main.send((half, Err(e)));
            return None;
        }
        // A closed channel means this thread's consumer stopped.
        to_main.send((half, Ok(part))).ok()?;
        if last {
            let meets = match half {
                // Not where a record starts when the input ended inside a quoted field.
                0 => reader.end().and_then(|(line, cut)| (!cut).then_some(line)),
                _ => start,
            };
            return Some((reader.into_stats(), meets));
        }
    }
}

/// The line breaks in a file's first `len` bytes, counted as the log reader counts them.
fn count_line_breaks(mut file: File, len: u64) -> Option<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let (mut left, mut breaks, mut after_cr) = (len, 0, false);
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = file.read(&mut buf[..want]).ok()?;
        if n == 0 {
            return None;
        }
        breaks += line_breaks(&buf[..n], &mut after_cr);
        left -= n as u64;
    }
    Some(breaks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::stream::read_runs_on_one_thread;
    use std::io::Write;
    use std::sync::Arc;

    /// A log out of time order with what a cut can fall into or between: quoted fields with
    /// line breaks and separators, CRLF and blank lines, several business numbers written
    /// two ways, bad rows, rows of another era and of the future.
    fn log() -> String {
        let mut out = String::from("timestamp,direction,category,recipient,business,note\n");
        for i in 0..48u32 {
            let day = 1 + (i * 7) % 28;
            let hour = (i * 5) % 24;
            let customer = 33_612_345_600u64 + u64::from(i % 9);
            let business = ["+1 555 0100", "15550100", "+44 7700 900001"][(i % 3) as usize];
            let (direction, category) = match i % 4 {
                0 => ("inbound", ""),
                1 => ("outbound", "marketing"),
                2 => ("outbound", "utility"),
                _ => ("outbound", ""),
            };
            let note = match i % 5 {
                0 => "\"two\nlines, one comma\"",
                1 => "\"a \"\"quote\"\"\"",
                _ => "plain",
            };
            let time = match i {
                13 => "not a time".to_string(),
                29 | 41 => "2030-01-01T00:00:00Z".to_string(),
                31 => "2021-05-01T00:00:00Z".to_string(),
                _ => format!("2025-{:02}-{day:02}T{hour:02}:00:00Z", 7 + i % 3),
            };
            let end = if i % 6 == 0 { "\r\n" } else { "\n" };
            out += &format!("{time},{direction},{category},+{customer},{business},{note}{end}");
            if i % 11 == 0 {
                out += "\n";
            }
        }
        out
    }

    /// What a reading gives, with ids replaced by what they stand for (the two readings may
    /// number businesses and customers differently): the messages in the order the replay
    /// gets them, and the accounting with each business's first line by its number.
    fn seen(read: &(Runs, Pairs, ReadStats)) -> (Vec<String>, String) {
        let (runs, pairs, stats) = read;
        let mut messages = Vec::new();
        runs.merge(|batch| {
            for m in batch {
                let pair = pairs.pair_of(m.pair);
                let business = String::from_utf8_lossy(pairs.business_name(pair.business));
                messages.push(format!(
                    "{} {business} {:?} {:?} {} {}",
                    m.time, pair.customer, m.kind, m.delivered, m.delivery_confirmed
                ));
            }
            true
        });
        let mut stats = stats.clone();
        let mut lines: Vec<(String, u64)> = std::mem::take(&mut stats.business_lines)
            .into_iter()
            .enumerate()
            .filter(|(_, line)| *line > 0)
            .map(|(b, line)| {
                let name = String::from_utf8_lossy(pairs.business_name(b as u32));
                (name.into_owned(), line)
            })
            .collect();
        lines.sort();
        (messages, format!("{stats:?} {lines:?}"))
    }

    /// [`log`] in a file, and settings that read it skipping its bad and old rows.
    fn setup() -> (
        String,
        tempfile::NamedTempFile,
        String,
        Tariffs,
        LogSettings,
    ) {
        let text = log();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        let path = f.path().to_str().unwrap().to_string();
        let mut s = LogSettings::new(LogSource::File(path.clone()));
        (s.input.skip_invalid, s.input.skip_unsupported) = (true, true);
        (text, f, path, Tariffs::bundled("EUR").unwrap(), s)
    }

    #[test]
    fn a_file_cut_after_any_line_break_reads_as_one_reader_reads_it() {
        let (text, _file, path, t, s) = setup();
        let whole = seen(&read_runs_on_one_thread(&s, &t).unwrap());
        assert!(whole.1.contains("skipped_invalid: 1,"), "{}", whole.1);
        let size = text.len() as u64;
        let (mut joined, mut refused) = (0, 0);
        for at in text.match_indices('\n').map(|(i, _)| i as u64 + 1) {
            match read_runs_cut(&s, &t, &path, Cut { at, size }).unwrap() {
                Some(read) => {
                    joined += 1;
                    assert_eq!(seen(&read), whole, "cut at byte {at}");
                }
                None => refused += 1,
            }
        }
        // The cuts inside the quoted notes' line breaks are refused, the others read.
        assert_eq!(refused, 10, "joined {joined}");
        assert!(joined > 40, "joined {joined}");
    }

    #[test]
    fn the_numbers_no_account_lists_come_in_the_order_of_their_first_lines() {
        let (text, _file, path, t, mut s) = setup();
        let accounts = "account,business,agents\nacme,+33 1 00 00 00 00,10\n";
        let accounts = crate::accounts::Accounts::parse("accounts.csv", accounts, "EUR").unwrap();
        s.engine.accounts = Some(Arc::new(accounts));
        let (_, pairs, stats) = read_runs_on_one_thread(&s, &t).unwrap();
        let whole = super::super::stream::unlisted(&s, &pairs, &stats.business_lines);
        let first = |name: &str, written: &str| {
            let line = text.lines().position(|l| l.contains(written)).unwrap();
            (name.to_string(), line as u64 + 1)
        };
        let expected = [
            first("+15550100", "+1 555 0100"),
            first("+447700900001", "+44 7700 900001"),
        ];
        assert_eq!(whole, expected);
        let size = text.len() as u64;
        let cuts = text.match_indices('\n').map(|(i, _)| i as u64 + 1);
        for at in cuts.filter(|&at| at > size / 3) {
            if let Some((_, pairs, stats)) = read_runs_cut(&s, &t, &path, Cut { at, size }).unwrap()
            {
                let halves = super::super::stream::unlisted(&s, &pairs, &stats.business_lines);
                assert_eq!(halves, whole, "cut at byte {at}");
            }
        }
    }

    #[test]
    fn a_bad_row_is_the_error_one_reader_gives() {
        let (_, _file, _, t, mut s) = setup();
        (s.input.skip_invalid, s.input.skip_unsupported) = (false, false);
        let one = read_runs_on_one_thread(&s, &t).unwrap_err();
        assert!(format!("{one:#}").contains("line 20"), "{one:#}");
        s.parallel_from = 0;
        // The halves give up, and the log is read again on one thread.
        assert!(read_runs(&s, &t).unwrap().is_none());
        let two = super::super::stream::stream(&s, &t, || {}, |_, _, _| Ok(())).err();
        assert_eq!(format!("{:#}", two.unwrap()), format!("{one:#}"));
    }
}
