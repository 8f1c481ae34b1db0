//! Deterministic generator of realistic WhatsApp Business message logs, for waprice's samples and
//! benchmarks.
//!
//! ```text
//! cargo run --release --manifest-path tools/genlog/Cargo.toml -- <profile> [--seed N] [--rows N] [--customers N] [--shuffle] [--out FILE]
//! ```
//!
//! Profiles: `fr-shop-2024`, `campaign-2025`, `support-2026`, `bench`, `platform` (see `--help`;
//! `bench` and `platform` also take the mix and period options, `platform` its accounts).
//!
//! The generator is a small discrete-event simulation: a time-ordered queue holds future rows,
//! customer sessions (chats, orders, OTPs, Click-to-WhatsApp chats) arrive as a Poisson process
//! shaped by each customer's local time of day, and marketing blasts walk through the customer
//! base a few messages per second. Rows leave the queue in time order, so memory depends on the
//! number of customers and on how far ahead rows are scheduled (days), never on the row count.
//! Only std is used; the PRNG is SplitMix64, so a seed always gives the same bytes.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const HEADER: &str =
    "timestamp,delivered_at,direction,category,recipient,entry_point,status,business\n";
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const MIN: i64 = 60;

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and good enough for synthetic data.
struct Rng(u64);

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(mix64(seed ^ 0x5DEE_CE66_D1CE_5EED))
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..hi` (hi > lo).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }
    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// Exponentially distributed with the given mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar (proleptic Gregorian, UTC seconds) and the EU summer-time rule
// ---------------------------------------------------------------------------------------------

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// UTC instant of a UTC civil time.
fn utc(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
    days_from_civil(y, mo, d) * DAY + h * HOUR + mi * MIN
}

/// Monday = 0 … Sunday = 6, for a day number counted from 1970-01-01 (a Thursday).
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// Day number of the last Sunday of a month.
fn last_sunday(y: i64, m: u32, last: u32) -> i64 {
    let d = days_from_civil(y, m, last);
    d - (weekday(d) + 1) % 7
}

/// EU rule: summer time from the last Sunday of March 01:00 UTC to the last Sunday of October
/// 01:00 UTC. Also used, as an approximation, for other northern countries' daily rhythm.
fn eu_summer(t: i64) -> bool {
    let (y, _, _) = civil_from_days(t.div_euclid(DAY));
    let start = last_sunday(y, 3, 31) * DAY + HOUR;
    let end = last_sunday(y, 10, 31) * DAY + HOUR;
    t >= start && t < end
}

fn paris_offset(t: i64) -> i64 {
    if eu_summer(t) {
        2 * HOUR
    } else {
        HOUR
    }
}

/// UTC instant of a Europe/Paris wall-clock time (not used near the switch hours).
fn paris(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
    let local = utc(y, mo, d, h, mi);
    local - paris_offset(local - HOUR)
}

// ---------------------------------------------------------------------------------------------
// Countries: calling code, mobile prefixes, national significant number length, grouping
// ---------------------------------------------------------------------------------------------

struct Country {
    iso: &'static str,
    cc: &'static str,
    /// Leading digits of mobile national numbers (NANP: area codes).
    pre: &'static [&'static str],
    /// National significant number length (digits after the calling code).
    len: u8,
    /// Grouping used by the "pretty" format; sums to `len`.
    groups: &'static [u8],
    /// Standard-time UTC offset in minutes, for the customer's daily rhythm.
    off: i16,
    /// Observes summer time (approximated with the EU dates).
    dst: bool,
    /// 1 Americas, 2 Europe/Middle East/Africa, 3 Asia-Pacific (for regional blasts).
    region: u8,
}

macro_rules! c {
    ($iso:literal, $cc:literal, [$($p:literal),*], $len:literal, [$($g:literal),*], $off:literal, $dst:literal, $r:literal) => {
        Country { iso: $iso, cc: $cc, pre: &[$($p),*], len: $len, groups: &[$($g),*], off: $off, dst: $dst, region: $r }
    };
}

#[rustfmt::skip]
static COUNTRIES: &[Country] = &[
    c!("FR", "33", ["6", "7"], 9, [1, 2, 2, 2, 2], 60, true, 2),
    c!("BE", "32", ["470", "471", "472", "473", "475", "476", "477", "478", "479", "484", "485", "486", "487", "488", "489", "491", "492", "493", "494", "495", "496", "497", "498", "499"], 9, [3, 2, 2, 2], 60, true, 2),
    c!("CH", "41", ["76", "77", "78", "79"], 9, [2, 3, 2, 2], 60, true, 2),
    c!("DE", "49", ["151", "152", "157", "159", "160", "162", "163", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179"], 11, [3, 8], 60, true, 2),
    c!("LU", "352", ["621", "628", "661", "671", "691"], 9, [3, 3, 3], 60, true, 2),
    c!("ES", "34", ["6", "7"], 9, [3, 3, 3], 60, true, 2),
    c!("IT", "39", ["320", "324", "327", "328", "329", "331", "333", "334", "338", "339", "340", "342", "345", "347", "348", "349", "351", "366", "388", "392", "393"], 10, [3, 3, 4], 60, true, 2),
    c!("NL", "31", ["6"], 9, [1, 8], 60, true, 2),
    c!("GB", "44", ["74", "75", "77", "78", "79"], 10, [4, 6], 0, true, 2),
    c!("IE", "353", ["83", "85", "86", "87", "89"], 9, [2, 3, 4], 0, true, 2),
    c!("PT", "351", ["91", "92", "93", "96"], 9, [3, 3, 3], 0, true, 2),
    c!("AT", "43", ["650", "660", "664", "676", "680", "681", "688", "699"], 11, [3, 8], 60, true, 2),
    c!("SE", "46", ["70", "72", "73", "76", "79"], 9, [2, 3, 2, 2], 60, true, 2),
    c!("PL", "48", ["50", "51", "53", "57", "60", "66", "69", "72", "78", "79", "88"], 9, [3, 3, 3], 60, true, 2),
    c!("HU", "36", ["20", "30", "70"], 9, [2, 3, 4], 60, true, 2),
    c!("RO", "40", ["72", "73", "74", "75", "76", "77", "78"], 9, [3, 3, 3], 120, true, 2),
    c!("GR", "30", ["69"], 10, [3, 3, 4], 120, true, 2),
    c!("UA", "380", ["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"], 9, [2, 3, 2, 2], 120, true, 2),
    c!("TR", "90", ["50", "53", "54", "55"], 10, [3, 3, 2, 2], 180, false, 2),
    c!("RU", "7", ["90", "91", "92", "95", "96", "98"], 10, [3, 3, 2, 2], 180, false, 2),
    c!("KZ", "7", ["700", "701", "702", "705", "707", "747", "771", "775", "777", "778"], 10, [3, 3, 2, 2], 300, false, 3),
    c!("IL", "972", ["50", "52", "53", "54", "58"], 9, [2, 3, 4], 120, true, 2),
    c!("SA", "966", ["50", "53", "54", "55", "56", "58", "59"], 9, [2, 3, 4], 180, false, 2),
    c!("AE", "971", ["50", "52", "54", "55", "56", "58"], 9, [2, 3, 4], 240, false, 2),
    c!("QA", "974", ["33", "55", "66", "70", "77"], 8, [4, 4], 180, false, 2),
    c!("KW", "965", ["5", "6", "9"], 8, [4, 4], 180, false, 2),
    c!("OM", "968", ["71", "72", "79", "90", "91", "92", "93", "99"], 8, [4, 4], 240, false, 2),
    c!("IQ", "964", ["750", "770", "771", "780", "790"], 10, [3, 3, 4], 180, false, 2),
    c!("EG", "20", ["10", "11", "12", "15"], 10, [2, 4, 4], 120, false, 2),
    c!("MA", "212", ["6", "7"], 9, [3, 6], 60, false, 2),
    c!("NG", "234", ["701", "703", "706", "708", "802", "803", "805", "806", "808", "810", "812", "813", "816", "901", "903", "905", "906", "907"], 10, [3, 3, 4], 60, false, 2),
    c!("GH", "233", ["20", "24", "26", "27", "50", "54", "55", "59"], 9, [2, 3, 4], 0, false, 2),
    c!("KE", "254", ["70", "71", "72", "74", "79", "11"], 9, [3, 3, 3], 180, false, 2),
    c!("ZA", "27", ["60", "61", "71", "72", "73", "74", "76", "78", "79", "81", "82", "83", "84"], 9, [2, 3, 4], 120, false, 2),
    c!("ZW", "263", ["71", "73", "77", "78"], 9, [2, 3, 4], 120, false, 2),
    c!("IN", "91", ["6", "7", "8", "9"], 10, [5, 5], 330, false, 3),
    c!("PK", "92", ["300", "301", "303", "310", "312", "315", "321", "322", "333", "345"], 10, [3, 7], 300, false, 3),
    c!("BD", "880", ["13", "14", "15", "16", "17", "18", "19"], 10, [4, 6], 360, false, 3),
    c!("NP", "977", ["980", "981", "984", "985", "986"], 10, [3, 7], 345, false, 3),
    c!("LK", "94", ["70", "71", "72", "75", "76", "77", "78"], 9, [2, 3, 4], 330, false, 3),
    c!("ID", "62", ["811", "812", "813", "821", "822", "852", "853", "857", "878", "881", "896"], 11, [3, 4, 4], 420, false, 3),
    c!("MY", "60", ["12", "13", "14", "16", "17", "19"], 9, [2, 3, 4], 480, false, 3),
    c!("PH", "63", ["905", "906", "915", "917", "918", "927", "947", "977", "998"], 10, [3, 3, 4], 480, false, 3),
    c!("VN", "84", ["32", "33", "35", "70", "77", "86", "90", "91", "93", "96", "98"], 9, [2, 3, 4], 420, false, 3),
    c!("TH", "66", ["6", "8", "9"], 9, [2, 3, 4], 420, false, 3),
    c!("SG", "65", ["8", "9"], 8, [4, 4], 480, false, 3),
    c!("HK", "852", ["5", "6", "9"], 8, [4, 4], 480, false, 3),
    c!("CN", "86", ["13", "15", "18"], 11, [3, 4, 4], 480, false, 3),
    c!("JP", "81", ["70", "80", "90"], 10, [2, 4, 4], 540, false, 3),
    c!("AU", "61", ["4"], 9, [3, 3, 3], 600, false, 3),
    c!("US", "1", ["212", "646", "917", "718", "617", "305", "312", "512", "415", "310", "213", "206", "702"], 10, [3, 3, 4], -300, true, 1),
    c!("CA", "1", ["416", "647", "514", "604", "403"], 10, [3, 3, 4], -300, true, 1),
    c!("JM", "1", ["876", "658"], 10, [3, 3, 4], -300, false, 1),
    c!("DO", "1", ["809", "829", "849"], 10, [3, 3, 4], -240, false, 1),
    c!("PR", "1", ["787", "939"], 10, [3, 3, 4], -240, false, 1),
    c!("BS", "1", ["242"], 10, [3, 3, 4], -300, true, 1),
    c!("TT", "1", ["868"], 10, [3, 3, 4], -240, false, 1),
    c!("MX", "52", ["55", "33", "81", "222", "442", "998"], 10, [2, 4, 4], -360, false, 1),
    c!("BR", "55", ["119", "219", "319", "419", "519", "619", "719", "819", "859", "919"], 11, [2, 5, 4], -180, false, 1),
    c!("CO", "57", ["300", "301", "310", "311", "312", "313", "315", "316", "318", "320", "321", "350"], 10, [3, 3, 4], -300, false, 1),
    c!("AR", "54", ["911", "9221", "9341", "9351"], 11, [1, 2, 4, 4], -180, false, 1),
    c!("CL", "56", ["9"], 9, [1, 4, 4], -240, false, 1),
    c!("PE", "51", ["9"], 9, [3, 3, 3], -300, false, 1),
];

fn country_index(iso: &str) -> usize {
    COUNTRIES
        .iter()
        .position(|c| c.iso == iso)
        .unwrap_or_else(|| panic!("genlog: unknown country {iso} in a profile"))
}

// Phone formats.
const F_E164: u8 = 0; // +33612345678
const F_PRETTY: u8 = 1; // +33 6 12 34 56 78, +1 (212) 555-0134
const F_00: u8 = 2; // 0033612345678
const F_DIGITS: u8 = 3; // 33612345678 (what webhooks call wa_id)
const F_WA: u8 = 4; // whatsapp:+33612345678 (Twilio style)
const F_SEP: u8 = 5; // +33.6.12.34.56.78, +1-212-555-0134
const N_FMT: usize = 6;

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

// Kinds.
const K_IN: u8 = 0;
const K_FREE: u8 = 1; // free-form, category empty
const K_SERVICE: u8 = 2; // free-form, category "service"
const K_MKT: u8 = 3;
const K_MKT_LITE: u8 = 4;
const K_UTIL: u8 = 5;
const K_AUTH: u8 = 6;

// Statuses.
const S_NONE: u8 = 0;
const S_SENT: u8 = 1;
const S_DELIVERED: u8 = 2;
const S_READ: u8 = 3;
const S_FAILED: u8 = 4;
const S_UNDELIVERED: u8 = 5;

/// One log line, compact and Copy; strings are made only when it is written.
#[derive(Clone, Copy)]
struct Row {
    t: i64,
    cust: u32,
    /// Seconds from `t` to `delivered_at`; 0 = column empty.
    deliv: u16,
    kind: u8,
    status: u8,
    /// 0 none, 1 ctwa, 2 page_cta.
    ep: u8,
    /// Index into the profile's business numbers.
    biz: u32,
    fmt: u8,
    /// Timestamps as Unix seconds instead of the profile's style.
    unix: bool,
}

enum Ev {
    Row(Row),
    Session,
    Blast { blast: u32, next: u32 },
}

struct Item {
    t: i64,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.t == o.t && self.seq == o.seq
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    /// Reversed, so that `BinaryHeap` pops the earliest (then first scheduled) item.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.t, o.seq).cmp(&(self.t, self.seq))
    }
}

// ---------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum TsStyle {
    /// 2025-06-30T21:04:11Z
    Utc,
    /// 2024-03-31T10:15:00+02:00
    ParisOffset,
    /// 2026-10-05 09:14:33 (Europe/Paris wall clock, no offset)
    ParisNaive,
}

/// Opening hours of the human agents (or of the warehouse), in Paris or UTC wall-clock time.
#[derive(Clone, Copy)]
struct Hours {
    paris: bool,
    week: (i64, i64),
    sat: Option<(i64, i64)>,
    sun: Option<(i64, i64)>,
}

impl Hours {
    fn offset(&self, t: i64) -> i64 {
        if self.paris {
            paris_offset(t)
        } else {
            0
        }
    }
    fn window(&self, dow: i64) -> Option<(i64, i64)> {
        match dow {
            5 => self.sat,
            6 => self.sun,
            _ => Some(self.week),
        }
    }
    /// The first instant at or after `t` inside opening hours.
    fn next_open(&self, t: i64) -> i64 {
        let local = t + self.offset(t);
        let day0 = local.div_euclid(DAY);
        let sod = local.rem_euclid(DAY);
        for k in 0..8 {
            let day = day0 + k;
            if let Some((open, close)) = self.window(weekday(day)) {
                if k == 0 && sod >= open && sod < close {
                    return t;
                }
                if k > 0 || sod < open {
                    let l = day * DAY + open;
                    return l - self.offset(l - HOUR);
                }
            }
        }
        t
    }
}

#[derive(Clone, Copy)]
struct Blast {
    t: i64,
    /// Share of the customer base picked (then filtered by region).
    frac: f64,
    /// 0 = every region.
    region: u8,
    /// Messages per second.
    rate: f64,
    /// Chance that a delivered recipient writes back / orders.
    reply: f64,
    order: f64,
}

// Session kinds.
const SESS_CHAT: usize = 0;
const SESS_CHAT_ORDER: usize = 1;
const SESS_ORDER: usize = 2;
const SESS_OTP: usize = 3;
const SESS_CTWA: usize = 4;
const SESS_INBOUND_ONLY: usize = 5;

struct Profile {
    name: &'static str,
    start: i64,
    end: i64,
    ts: TsStyle,
    rows: u64,
    customers: u64,
    countries: Vec<(usize, f64)>,
    fmt_weights: [f64; N_FMT],
    /// Chance an inbound row shows the wa_id form (digits only) instead of the CRM's form.
    inbound_digits: f64,
    /// Chance an outbound row uses some other format than the customer's usual one.
    alt_fmt: f64,
    sessions: [f64; 6],
    /// Weight of each weekday (Monday first) in customers' activity.
    dow: [f64; 7],
    /// Agents' opening hours; None = always someone online.
    hours: Option<Hours>,
    /// When agents are away, a bot answers at once.
    bot: bool,
    /// Warehouse hours (shipping notices).
    warehouse: Hours,
    /// Chance a free-form message carries `service` (else the category is empty).
    service_label: f64,
    /// Share of outbound rows with an empty status; then weights of sent, delivered, read.
    status_empty: f64,
    status_weights: [f64; 3],
    fail_template: f64,
    fail_free: f64,
    /// Share of failures written `undelivered` rather than `failed`.
    undelivered_share: f64,
    /// Chance a delivered outbound row has `delivered_at`, and the maximum delay.
    deliv_prob: f64,
    deliv_max: i64,
    businesses: Vec<String>,
    /// Share of customers whose usual business number is the second one.
    second_business: f64,
    /// Each customer talks to one business number only, blasts included (the platform).
    own_business: bool,
    /// Extra rows aimed at, as a share of `--rows`, for an exact count over short or reweighted
    /// runs (the rows past the count are cut at the end of the period).
    aim_margin: f64,
    /// Most candidate sessions per second the rate control may ask, as a multiple of the
    /// first estimate (a dense log of few customers needs more: busy customers skip them).
    rate_max: f64,
    blasts: Vec<Blast>,
    /// Marketing blasts started before this instant were sent with a bulk tool whose export
    /// writes Unix seconds.
    unix_blasts_before: i64,
    /// marketing_lite share of marketing from this instant on.
    mkt_lite: (i64, f64),
    /// Chance, per chat, of a free-form follow-up 24h+ after the customer's last message (131047).
    late_followup: f64,
    /// Chance, when the agent gets back after the window closed, of a free-form reply anyway.
    closed_freeform: f64,
    /// Chance, per chat, of a utility template (ticket/order update) inside the window.
    util_in_window: f64,
    /// page_cta share of entry-point messages (rest are ctwa).
    page_cta: f64,
    /// Activity growth factor at start and end (linear).
    growth: (f64, f64),
}

const PARIS_SHOP_HOURS: Hours = Hours {
    paris: true,
    week: (9 * HOUR, 19 * HOUR),
    sat: Some((10 * HOUR, 17 * HOUR)),
    sun: None,
};

fn warehouse(paris: bool) -> Hours {
    Hours {
        paris,
        week: (7 * HOUR, 19 * HOUR),
        sat: Some((8 * HOUR, 13 * HOUR)),
        sun: None,
    }
}

fn countries(list: &[(&str, f64)]) -> Vec<(usize, f64)> {
    list.iter()
        .map(|(iso, w)| (country_index(iso), *w))
        .collect()
}

fn blast(t: i64, frac: f64, region: u8, rate: f64, reply: f64, order: f64) -> Blast {
    Blast {
        t,
        frac,
        region,
        rate,
        reply,
        order,
    }
}

fn profile(name: &str) -> Option<Profile> {
    let p = match name {
        "fr-shop-2024" => Profile {
            name: "fr-shop-2024",
            start: paris(2024, 3, 1, 0, 0),
            end: paris(2024, 4, 1, 0, 0),
            ts: TsStyle::ParisOffset,
            rows: 2_400,
            customers: 520,
            countries: countries(&[
                ("FR", 0.84),
                ("BE", 0.07),
                ("CH", 0.04),
                ("DE", 0.03),
                ("LU", 0.02),
            ]),
            fmt_weights: [0.30, 0.35, 0.10, 0.20, 0.0, 0.05],
            inbound_digits: 0.5,
            alt_fmt: 0.06,
            sessions: [0.34, 0.10, 0.30, 0.15, 0.05, 0.06],
            dow: [1.0, 0.95, 0.95, 0.95, 0.9, 0.8, 0.75],
            hours: Some(PARIS_SHOP_HOURS),
            bot: true,
            warehouse: warehouse(true),
            service_label: 0.3,
            status_empty: 0.0,
            status_weights: [0.05, 0.35, 0.60],
            fail_template: 0.025,
            fail_free: 0.004,
            undelivered_share: 0.0,
            deliv_prob: 0.0,
            deliv_max: 0,
            businesses: Vec::new(),
            own_business: false,
            aim_margin: 0.0,
            rate_max: 5.0,
            second_business: 0.0,
            blasts: vec![
                blast(paris(2024, 3, 5, 10, 0), 0.40, 0, 6.0, 0.05, 0.03),
                blast(paris(2024, 3, 13, 18, 30), 0.30, 0, 6.0, 0.05, 0.02),
                blast(paris(2024, 3, 21, 12, 0), 0.25, 0, 6.0, 0.04, 0.02),
                // Easter weekend sale, then a "last day" reminder after the DST change.
                blast(paris(2024, 3, 28, 10, 0), 0.45, 0, 6.0, 0.05, 0.03),
                blast(paris(2024, 3, 31, 10, 0), 0.15, 0, 6.0, 0.04, 0.03),
            ],
            unix_blasts_before: i64::MIN,
            mkt_lite: (i64::MAX, 0.0),
            late_followup: 0.012,
            closed_freeform: 0.15,
            util_in_window: 0.10,
            page_cta: 0.0,
            growth: (1.0, 1.0),
        },
        "campaign-2025" => Profile {
            name: "campaign-2025",
            start: utc(2025, 6, 1, 0, 0),
            end: utc(2025, 8, 1, 0, 0),
            ts: TsStyle::Utc,
            rows: 3_200,
            customers: 1_000,
            countries: countries(&[
                ("US", 0.16),
                ("CA", 0.03),
                ("JM", 0.04),
                ("DO", 0.02),
                ("PR", 0.01),
                ("TT", 0.01),
                ("MX", 0.11),
                ("BR", 0.13),
                ("CO", 0.03),
                ("AR", 0.02),
                ("IN", 0.13),
                ("ID", 0.09),
                ("PH", 0.02),
                ("GB", 0.07),
                ("DE", 0.05),
                ("ES", 0.02),
                ("NG", 0.05),
                ("ZA", 0.02),
                ("EG", 0.02),
                ("AE", 0.02),
            ]),
            fmt_weights: [0.30, 0.10, 0.05, 0.25, 0.25, 0.05],
            inbound_digits: 0.6,
            alt_fmt: 0.06,
            sessions: [0.22, 0.05, 0.33, 0.30, 0.06, 0.04],
            dow: [1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.8],
            hours: Some(Hours {
                paris: false,
                week: (8 * HOUR, 24 * HOUR),
                sat: Some((12 * HOUR, 22 * HOUR)),
                sun: None,
            }),
            bot: true,
            warehouse: Hours {
                paris: false,
                week: (6 * HOUR, 23 * HOUR),
                sat: Some((10 * HOUR, 18 * HOUR)),
                sun: None,
            },
            service_label: 0.5,
            status_empty: 0.1,
            status_weights: [0.15, 0.45, 0.40],
            fail_template: 0.035,
            fail_free: 0.005,
            undelivered_share: 0.4,
            deliv_prob: 0.25,
            deliv_max: 20,
            businesses: Vec::new(),
            own_business: false,
            aim_margin: 0.0,
            rate_max: 5.0,
            second_business: 0.0,
            blasts: vec![
                blast(utc(2025, 6, 3, 16, 0), 0.35, 1, 10.0, 0.04, 0.03),
                blast(utc(2025, 6, 10, 9, 0), 0.35, 2, 10.0, 0.04, 0.03),
                blast(utc(2025, 6, 12, 4, 0), 0.35, 3, 10.0, 0.04, 0.03),
                blast(utc(2025, 6, 17, 14, 0), 0.25, 0, 12.0, 0.04, 0.03),
                blast(utc(2025, 6, 24, 17, 0), 0.35, 1, 10.0, 0.04, 0.03),
                // End-of-quarter flash sale: orders confirmed on the evening of 2025-06-30,
                // shipping updates on 2025-07-01 (utility conversations across the switch).
                blast(utc(2025, 6, 30, 18, 30), 0.60, 1, 10.0, 0.04, 0.12),
                blast(utc(2025, 6, 30, 19, 0), 0.45, 2, 10.0, 0.03, 0.08),
                blast(utc(2025, 7, 4, 15, 0), 0.40, 1, 10.0, 0.04, 0.03),
                blast(utc(2025, 7, 8, 5, 0), 0.35, 3, 10.0, 0.04, 0.03),
                blast(utc(2025, 7, 15, 9, 30), 0.35, 2, 10.0, 0.04, 0.03),
                blast(utc(2025, 7, 22, 14, 0), 0.25, 0, 12.0, 0.04, 0.03),
                blast(utc(2025, 7, 29, 17, 0), 0.35, 1, 10.0, 0.04, 0.03),
            ],
            unix_blasts_before: utc(2025, 7, 1, 0, 0),
            mkt_lite: (utc(2025, 7, 1, 0, 0), 0.15),
            late_followup: 0.04,
            closed_freeform: 0.15,
            util_in_window: 0.08,
            page_cta: 0.0,
            growth: (1.0, 1.0),
        },
        "support-2026" => Profile {
            name: "support-2026",
            start: paris(2026, 10, 1, 0, 0),
            end: paris(2026, 12, 1, 0, 0),
            ts: TsStyle::ParisNaive,
            rows: 4_200,
            customers: 800,
            countries: countries(&[
                ("FR", 0.45),
                ("DE", 0.18),
                ("ES", 0.14),
                ("IT", 0.13),
                ("NL", 0.07),
                ("BE", 0.03),
            ]),
            fmt_weights: [0.35, 0.35, 0.08, 0.17, 0.0, 0.05],
            inbound_digits: 0.5,
            alt_fmt: 0.05,
            sessions: [0.72, 0.04, 0.08, 0.05, 0.04, 0.07],
            dow: [1.0, 1.0, 0.95, 0.95, 0.9, 0.5, 0.35],
            hours: Some(Hours {
                paris: true,
                week: (8 * HOUR, 20 * HOUR),
                sat: Some((9 * HOUR, 13 * HOUR)),
                sun: None,
            }),
            bot: true,
            warehouse: warehouse(true),
            service_label: 0.7,
            status_empty: 0.5,
            status_weights: [0.0, 0.3, 0.7],
            fail_template: 0.02,
            fail_free: 0.004,
            undelivered_share: 0.0,
            deliv_prob: 0.45,
            deliv_max: 9,
            businesses: vec!["+33 1 86 76 00 00".into(), "+33 1 86 76 00 01".into()],
            own_business: false,
            aim_margin: 0.0,
            rate_max: 5.0,
            second_business: 0.3,
            blasts: vec![
                blast(paris(2026, 10, 15, 10, 30), 0.15, 0, 5.0, 0.05, 0.0),
                blast(paris(2026, 11, 27, 9, 0), 0.25, 0, 5.0, 0.05, 0.02),
            ],
            unix_blasts_before: i64::MIN,
            mkt_lite: (i64::MAX, 0.0),
            late_followup: 0.01,
            closed_freeform: 0.12,
            util_in_window: 0.35,
            page_cta: 0.0,
            growth: (1.0, 1.0),
        },
        "bench" => Profile {
            name: "bench",
            start: utc(2022, 2, 1, 0, 0),
            end: utc(2026, 12, 1, 0, 0),
            ts: TsStyle::Utc,
            rows: 1_000_000,
            customers: 0, // rows / 10
            countries: countries(&[
                ("IN", 0.14),
                ("BR", 0.12),
                ("ID", 0.08),
                ("MX", 0.07),
                ("US", 0.05),
                ("DE", 0.04),
                ("IT", 0.04),
                ("ES", 0.04),
                ("FR", 0.04),
                ("GB", 0.03),
                ("CO", 0.03),
                ("AR", 0.03),
                ("TR", 0.03),
                ("NG", 0.02),
                ("ZA", 0.02),
                ("EG", 0.02),
                ("SA", 0.02),
                ("PK", 0.02),
                ("RU", 0.02),
                ("AE", 0.01),
                ("MY", 0.015),
                ("PH", 0.01),
                ("PL", 0.01),
                ("RO", 0.01),
                ("NL", 0.01),
                ("CL", 0.01),
                ("PE", 0.01),
                ("CA", 0.01),
                ("VN", 0.005),
                ("TH", 0.005),
                ("KZ", 0.005),
                ("BE", 0.005),
                ("CH", 0.005),
                ("AT", 0.005),
                ("PT", 0.005),
                ("SE", 0.005),
                ("IL", 0.005),
                ("KE", 0.005),
                ("UA", 0.005),
                ("BD", 0.005),
                ("DO", 0.005),
                ("AU", 0.005),
                ("IE", 0.003),
                ("GH", 0.004),
                ("MA", 0.004),
                ("ZW", 0.003),
                ("IQ", 0.003),
                ("JM", 0.003),
                ("HK", 0.003),
                ("SG", 0.003),
                ("HU", 0.003),
                ("GR", 0.003),
                ("PR", 0.002),
                ("NP", 0.002),
                ("LK", 0.002),
                ("KW", 0.002),
                ("OM", 0.002),
                ("QA", 0.002),
                ("JP", 0.002),
                ("CN", 0.002),
                ("LU", 0.001),
                ("BS", 0.001),
                ("TT", 0.001),
            ]),
            fmt_weights: [0.35, 0.15, 0.05, 0.30, 0.10, 0.05],
            inbound_digits: 0.6,
            alt_fmt: 0.05,
            sessions: [0.35, 0.07, 0.25, 0.20, 0.05, 0.08],
            dow: [1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.75],
            hours: None,
            bot: false,
            warehouse: Hours {
                paris: false,
                week: (0, 24 * HOUR),
                sat: Some((0, 24 * HOUR)),
                sun: Some((0, 24 * HOUR)),
            },
            service_label: 0.5,
            status_empty: 0.3,
            status_weights: [0.1, 0.4, 0.5],
            fail_template: 0.02,
            fail_free: 0.004,
            undelivered_share: 0.2,
            deliv_prob: 0.2,
            deliv_max: 30,
            businesses: vec!["+33 1 86 76 00 00".into(), "+1 415 555 0100".into()],
            own_business: false,
            aim_margin: 0.0,
            rate_max: 5.0,
            second_business: 0.4,
            blasts: Vec::new(), // made from --rows/--customers
            unix_blasts_before: i64::MIN,
            mkt_lite: (utc(2025, 4, 1, 0, 0), 0.08),
            late_followup: 0.004,
            closed_freeform: 0.0,
            util_in_window: 0.10,
            page_cta: 0.2,
            growth: (0.35, 1.0),
        },
        "platform" => {
            // The bench profile's behaviour, over one month of era D, for a messaging platform:
            // many accounts' business numbers, each customer talking to one of them.
            let mut p = profile("bench")?;
            p.name = "platform";
            p.start = utc(2026, 10, 1, 0, 0);
            p.end = utc(2026, 11, 1, 0, 0);
            p.customers = 0; // rows / 50
            p.own_business = true;
            p.aim_margin = 0.01;
            p.rate_max = 100.0;
            p.growth = (1.0, 1.0);
            p
        }
        _ => return None,
    };
    Some(p)
}

// ---------------------------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------------------------

struct Customer {
    national: u64,
    country: u8,
    fmt: u8,
    biz: u32,
}

fn make_customers(p: &Profile, seed: u64, n: u64) -> Vec<Customer> {
    let weights: Vec<f64> = p.countries.iter().map(|c| c.1).collect();
    (0..n)
        .map(|id| {
            let mut r = Rng::new(mix64(seed ^ 0xC057_0000) ^ mix64(id + 1));
            let ci = p.countries[r.weighted(&weights)].0;
            Customer {
                national: mobile_number(&mut r, ci),
                country: ci as u8,
                fmt: r.weighted(&p.fmt_weights) as u8,
                biz: u32::from(p.businesses.len() > 1 && r.chance(p.second_business)),
            }
        })
        .collect()
}

/// A random mobile national number of a country.
fn mobile_number(r: &mut Rng, ci: usize) -> u64 {
    let c = &COUNTRIES[ci];
    let prefix = c.pre[r.below(c.pre.len() as u64) as usize];
    let mut national: u64 = prefix.parse().expect("prefix digits");
    for k in 0..(c.len as usize - prefix.len()) {
        let d = if c.cc == "1" && k == 0 {
            2 + r.below(8) // NANP exchange codes start 2-9
        } else {
            r.below(10)
        };
        national = national * 10 + d;
    }
    national
}

// ---------------------------------------------------------------------------------------------
// The platform: accounts, their business numbers, and customers who each talk to one number
// ---------------------------------------------------------------------------------------------

struct Account {
    name: String,
    agents: u64,
    usd: bool,
}

struct Platform {
    accounts: Vec<Account>,
    /// Per business number (the profile's `businesses`, same order): account and WABA suffix.
    numbers: Vec<(u32, u8)>,
    /// Cumulative customer weight per business number.
    cum: Vec<f64>,
}

/// Accounts (70% billed in EUR, 30% in USD; sizes heavy-tailed), one business number each plus
/// the rest spread by size, so large accounts have several. An account with three or more
/// numbers sometimes splits them into two WABAs; otherwise an account is one WABA.
fn make_platform(seed: u64, n_accounts: u64, n_numbers: u64) -> (Platform, Vec<String>) {
    let mut r = Rng::new(seed ^ 0x91A7_F0E5);
    let width = n_accounts.to_string().len().max(5);
    let mut accounts = Vec::with_capacity(n_accounts as usize);
    let mut size = Vec::with_capacity(n_accounts as usize);
    for i in 0..n_accounts {
        let usd = r.chance(0.3);
        let agents = 1 + (r.exp(9.0) as u64).min(199);
        // Pareto(1.2): most accounts small, a few hundreds of times larger.
        let s = (1.0 - r.f64()).powf(-1.0 / 1.2).min(2_000.0);
        accounts.push(Account {
            name: format!("acct-{:0width$}", i + 1),
            agents,
            usd,
        });
        size.push(s);
    }
    let mut size_cum = Vec::with_capacity(size.len());
    let mut total = 0.0;
    for s in &size {
        total += s;
        size_cum.push(total);
    }
    let mut count = vec![1u32; n_accounts as usize];
    for _ in n_accounts..n_numbers {
        let x = r.f64() * total;
        let a = size_cum.partition_point(|&c| c <= x).min(size.len() - 1);
        count[a] += 1;
    }
    let mut numbers = Vec::with_capacity(n_numbers as usize);
    let mut businesses = Vec::with_capacity(n_numbers as usize);
    let mut cum = Vec::with_capacity(n_numbers as usize);
    let mut wsum = 0.0;
    for (a, acc) in accounts.iter().enumerate() {
        let k = count[a];
        let split = k >= 3 && r.chance(0.25);
        for j in 0..k {
            let idx = businesses.len() as u64;
            // Fixed-line-style numbers, unique by construction (the index is in the digits).
            let number = if acc.usd {
                let area =
                    ["212", "305", "312", "415", "512", "646", "702", "917"][r.below(8) as usize];
                format!(
                    "+1{area}{:03}{:04}",
                    200 + (idx / 10_000) % 800,
                    idx % 10_000
                )
            } else {
                match r.below(5) {
                    0 => format!("+3397{:07}", idx),
                    1 => format!("+49305{:07}", idx),
                    2 => format!("+3491{:07}", idx),
                    3 => format!("+39021{:07}", idx),
                    _ => format!("+3120{:07}", idx),
                }
            };
            businesses.push(number);
            numbers.push((a as u32, u8::from(split && j >= k / 2)));
            wsum += size[a] / k as f64 * (0.5 + r.f64());
            cum.push(wsum);
        }
    }
    (
        Platform {
            accounts,
            numbers,
            cum,
        },
        businesses,
    )
}

/// Customers of a platform: each picks a business number (by its account's size), then a
/// country from that account's market (EUR accounts: Europe; USD accounts: the Americas).
fn make_platform_customers(p: &Profile, pl: &Platform, seed: u64, n: u64) -> Vec<Customer> {
    let eur = countries(&[
        ("FR", 0.25),
        ("DE", 0.2),
        ("ES", 0.14),
        ("IT", 0.14),
        ("NL", 0.07),
        ("BE", 0.04),
        ("PT", 0.04),
        ("AT", 0.03),
        ("PL", 0.03),
        ("GB", 0.03),
        ("CH", 0.02),
        ("IN", 0.01),
    ]);
    let usd = countries(&[
        ("US", 0.3),
        ("MX", 0.2),
        ("BR", 0.2),
        ("CO", 0.08),
        ("AR", 0.06),
        ("CA", 0.05),
        ("CL", 0.04),
        ("PE", 0.03),
        ("DO", 0.01),
        ("PR", 0.01),
        ("JM", 0.01),
        ("IN", 0.01),
    ]);
    let ew: Vec<f64> = eur.iter().map(|c| c.1).collect();
    let uw: Vec<f64> = usd.iter().map(|c| c.1).collect();
    let total = *pl.cum.last().expect("at least one number");
    (0..n)
        .map(|id| {
            let mut r = Rng::new(mix64(seed ^ 0xC057_0001) ^ mix64(id + 1));
            let x = r.f64() * total;
            let b = pl.cum.partition_point(|&c| c <= x).min(pl.cum.len() - 1);
            let acc = &pl.accounts[pl.numbers[b].0 as usize];
            let ci = if acc.usd {
                usd[r.weighted(&uw)].0
            } else {
                eur[r.weighted(&ew)].0
            };
            Customer {
                national: mobile_number(&mut r, ci),
                country: ci as u8,
                fmt: r.weighted(&p.fmt_weights) as u8,
                biz: b as u32,
            }
        })
        .collect()
}

/// The accounts file matching a platform log: `account,business,agents,currency,waba`.
fn write_accounts(pl: &Platform, businesses: &[String], out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"account,business,agents,currency,waba\n")?;
    for (b, &(a, w)) in businesses.iter().zip(&pl.numbers) {
        let acc = &pl.accounts[a as usize];
        let cur = if acc.usd { "USD" } else { "EUR" };
        writeln!(
            out,
            "{},{},{},{},{}-w{}",
            acc.name,
            b,
            acc.agents,
            cur,
            acc.name,
            w + 1
        )?;
    }
    out.flush()
}

// ---------------------------------------------------------------------------------------------
// Simulation
// ---------------------------------------------------------------------------------------------

/// Customers' activity by local hour.
const HOUR_WEIGHT: [f64; 24] = [
    0.06, 0.03, 0.02, 0.02, 0.02, 0.04, 0.12, 0.30, 0.55, 0.75, 0.85, 0.92, 1.0, 0.95, 0.88, 0.85,
    0.85, 0.90, 0.97, 1.0, 0.95, 0.80, 0.50, 0.20,
];

struct Sim<'a> {
    p: &'a Profile,
    rng: Rng,
    cust: &'a [Customer],
    last_in: Vec<i64>,
    busy: Vec<i64>,
    heap: BinaryHeap<Item>,
    seq: u64,
    blasts: Vec<Blast>,
    /// Expected recipients of each blast (region filter applied).
    blast_expected: Vec<f64>,
    /// Expected recipients of blasts not started yet.
    blast_pending: f64,
    blast_recipients: u64,
    /// Rows attributed to blasts (the templates plus replies and orders they cause).
    rows_blast: u64,
    rows_session: u64,
    /// Row count the sessions aim at (a little over the cap, so the cap is met just at the end).
    aim: f64,
    lambda0: f64,
    /// Candidate sessions so far, each weighted by the growth factor at its time.
    candidate_weight: f64,
    /// Weight of the prior guess of rows per candidate.
    prior_candidates: f64,
    in_blast: bool,
    /// Europe/Paris fall-back hours [from, to): naive local times there are ambiguous.
    ambiguous: Vec<(i64, i64)>,
    dropped: u64,
    /// The session kind rows are being made for (`BLAST` inside a blast).
    cur_kind: usize,
    /// Rows made per session kind (and blasts): inbound, free-form, other.
    comp: [[u64; 3]; 7],
    /// Sessions started per kind.
    sess_count: [u64; 6],
}

/// `Sim::comp`'s index for rows made by blasts.
const BLAST: usize = 6;

/// A row's class for the mix: 0 inbound, 1 free-form, 2 template.
fn mix_class(kind: u8) -> usize {
    match kind {
        K_IN => 0,
        K_FREE | K_SERVICE => 1,
        _ => 2,
    }
}

impl<'a> Sim<'a> {
    fn new(
        p: &'a Profile,
        cust: &'a [Customer],
        seed: u64,
        cap: u64,
        exact: bool,
        blasts: Vec<Blast>,
    ) -> Self {
        let m = cust.len();
        let blast_expected: Vec<f64> = blasts
            .iter()
            .map(|b| {
                let eligible = if b.region == 0 {
                    m
                } else {
                    cust.iter()
                        .filter(|c| COUNTRIES[c.country as usize].region == b.region)
                        .count()
                };
                eligible as f64 * b.frac
            })
            .collect();
        let blast_pending: f64 = blast_expected.iter().sum();
        // bench: aim a little over the cap, which cuts the last rows (an hour or so) for an exact
        // count; profiles: `--rows` is a target and the period is written to its end.
        let aim = if exact {
            cap as f64 * (1.0 + p.aim_margin) + (cap as f64).sqrt() + 10.0
        } else {
            cap as f64
        };
        let span = (p.end - p.start) as f64;
        let sessions = ((aim - blast_pending * 1.3) / 4.0).max(1.0);
        // Candidate sessions are thinned by local hour, weekday and growth (~0.45 kept).
        let lambda0 = sessions / (span * 0.45);
        let mut ambiguous = Vec::new();
        if p.ts == TsStyle::ParisNaive {
            let (y0, _, _) = civil_from_days(p.start.div_euclid(DAY));
            let (y1, _, _) = civil_from_days(p.end.div_euclid(DAY));
            for y in y0..=y1 {
                let f = last_sunday(y, 10, 31) * DAY + HOUR;
                ambiguous.push((f - HOUR, f + HOUR));
            }
        }
        Sim {
            p,
            rng: Rng::new(seed),
            cust,
            last_in: vec![i64::MIN / 2; m],
            busy: vec![i64::MIN; m],
            heap: BinaryHeap::new(),
            seq: 0,
            blasts,
            blast_expected,
            blast_pending,
            blast_recipients: 0,
            rows_blast: 0,
            rows_session: 0,
            aim,
            lambda0,
            candidate_weight: 0.0,
            prior_candidates: (lambda0 * span * 0.05).max(100.0),
            in_blast: false,
            ambiguous,
            dropped: 0,
            cur_kind: BLAST,
            comp: [[0; 3]; 7],
            sess_count: [0; 6],
        }
    }

    fn schedule(&mut self, t: i64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Item {
            t,
            seq: self.seq,
            ev,
        });
    }

    fn is_ambiguous(&self, t: i64) -> bool {
        self.ambiguous.iter().any(|&(a, b)| t >= a && t < b)
    }

    fn push(&mut self, row: Row) {
        if row.t < self.p.start || row.t >= self.p.end {
            return;
        }
        if !self.ambiguous.is_empty()
            && (self.is_ambiguous(row.t) || self.is_ambiguous(row.t + row.deliv as i64))
        {
            self.dropped += 1;
            return;
        }
        if self.in_blast {
            self.rows_blast += 1;
            self.comp[BLAST][mix_class(row.kind)] += 1;
        } else {
            self.rows_session += 1;
            self.comp[self.cur_kind][mix_class(row.kind)] += 1;
        }
        self.schedule(row.t, Ev::Row(row));
    }

    fn fmt_for(&mut self, c: u32, inbound: bool) -> u8 {
        let usual = self.cust[c as usize].fmt;
        if inbound {
            if self.rng.chance(self.p.inbound_digits) {
                F_DIGITS
            } else {
                usual
            }
        } else if self.rng.chance(self.p.alt_fmt) {
            self.rng.weighted(&self.p.fmt_weights) as u8
        } else {
            usual
        }
    }

    fn inbound(&mut self, t: i64, c: u32, biz: u32, ep: u8) {
        let fmt = self.fmt_for(c, true);
        self.push(Row {
            t,
            cust: c,
            deliv: 0,
            kind: K_IN,
            status: S_NONE,
            ep,
            biz,
            fmt,
            unix: false,
        });
        let li = &mut self.last_in[c as usize];
        *li = (*li).max(t);
    }

    /// An outbound row; returns whether it was delivered.
    fn outbound(&mut self, t: i64, c: u32, kind: u8, biz: u32, unix: bool) -> bool {
        let p = self.p;
        let template = kind >= K_MKT;
        let fail = if template {
            p.fail_template
        } else {
            p.fail_free
        };
        let (status, delivered) = if self.rng.chance(fail) {
            let s = if self.rng.chance(p.undelivered_share) {
                S_UNDELIVERED
            } else {
                S_FAILED
            };
            (s, false)
        } else if self.rng.chance(p.status_empty) {
            (S_NONE, true)
        } else {
            (S_SENT + self.rng.weighted(&p.status_weights) as u8, true)
        };
        let deliv = if delivered && p.deliv_max > 0 && self.rng.chance(p.deliv_prob) {
            self.rng.range(1, p.deliv_max + 1) as u16
        } else {
            0
        };
        let fmt = self.fmt_for(c, false);
        self.push(Row {
            t,
            cust: c,
            deliv,
            kind,
            status,
            ep: 0,
            biz,
            fmt,
            unix,
        });
        delivered
    }

    fn free_kind(&mut self) -> u8 {
        if self.rng.chance(self.p.service_label) {
            K_SERVICE
        } else {
            K_FREE
        }
    }

    fn free(&mut self, t: i64, c: u32, biz: u32) {
        let k = self.free_kind();
        self.outbound(t, c, k, biz, false);
    }

    fn agent_open(&self, t: i64) -> i64 {
        match self.p.hours {
            Some(h) => h.next_open(t),
            None => t,
        }
    }

    /// When an agent sends something planned for `t`: then, or a while after opening.
    fn agent_time(&mut self, t: i64) -> i64 {
        let open = self.agent_open(t);
        if open == t {
            t
        } else {
            open + self.rng.range(MIN, 50 * MIN)
        }
    }

    /// The business answers the customer's message(s); returns the time of its last message.
    fn reply(&mut self, c: u32, biz: u32, last_in: i64) -> i64 {
        let ready = last_in + 15 + self.rng.exp(110.0) as i64;
        let open = self.agent_open(ready);
        if open == ready {
            self.free(ready, c, biz);
            return ready;
        }
        if self.p.bot {
            let t = last_in + self.rng.range(2, 12);
            self.free(t, c, biz);
        }
        let t = open + self.rng.range(60, 45 * MIN);
        if t - last_in < DAY - 2 * MIN || self.rng.chance(self.p.closed_freeform) {
            // Inside the window, or an agent who did not notice it closed (Meta 131047).
            self.free(t, c, biz);
        } else {
            // The agent tool forces a template once the window has closed.
            self.outbound(t, c, K_UTIL, biz, false);
        }
        t
    }

    /// A customer-initiated chat; returns (last inbound, last outbound).
    fn chat(&mut self, c: u32, biz: u32, t0: i64, ep: u8) -> (i64, i64) {
        self.inbound(t0, c, biz, ep);
        let mut last_in = t0;
        if self.rng.chance(0.3) {
            last_in += self.rng.range(4, 90);
            self.inbound(last_in, c, biz, 0);
        }
        let mut t = self.reply(c, biz, last_in);
        let mut exchanges = 0;
        while exchanges < 4 && self.rng.chance(0.45) {
            exchanges += 1;
            last_in = t + 10 + (self.rng.exp(240.0) as i64).min(2 * HOUR);
            self.inbound(last_in, c, biz, 0);
            t = self.reply(c, biz, last_in);
        }
        (last_in, t)
    }

    /// Order confirmation, shipping and delivery notices (utility templates).
    fn order(&mut self, c: u32, biz: u32, t0: i64) -> i64 {
        let mut end = t0;
        self.outbound(t0, c, K_UTIL, biz, false);
        let ship = self
            .p
            .warehouse
            .next_open(t0 + self.rng.range(6 * HOUR, 48 * HOUR))
            + self.rng.range(0, 3 * HOUR);
        self.outbound(ship, c, K_UTIL, biz, false);
        end = end.max(ship);
        if self.rng.chance(0.18) {
            // "Where is my parcel?" — the customer answers the shipping notice.
            let q = ship + 60 + (self.rng.exp(1.5 * HOUR as f64) as i64).min(6 * HOUR);
            self.inbound(q, c, biz, 0);
            end = end.max(self.reply(c, biz, q));
        }
        if self.rng.chance(0.6) {
            let d = self
                .p
                .warehouse
                .next_open(ship + self.rng.range(18 * HOUR, 96 * HOUR))
                + self.rng.range(HOUR, 5 * HOUR);
            self.outbound(d, c, K_UTIL, biz, false);
            if self.rng.chance(0.08) {
                // Review request a few days later: Meta classes it as marketing.
                let r = d + self.rng.range(2 * DAY, 5 * DAY);
                self.marketing(r, c, biz, false);
            }
        }
        end
    }

    fn marketing(&mut self, t: i64, c: u32, biz: u32, unix: bool) -> bool {
        let (from, share) = self.p.mkt_lite;
        let kind = if t >= from && self.rng.chance(share) {
            K_MKT_LITE
        } else {
            K_MKT
        };
        self.outbound(t, c, kind, biz, unix)
    }

    fn otp(&mut self, c: u32, biz: u32, t0: i64) {
        let ok = self.outbound(t0, c, K_AUTH, biz, false);
        let resend = if ok { 0.1 } else { 0.7 };
        if self.rng.chance(resend) {
            let t = t0 + self.rng.range(35, 180);
            self.outbound(t, c, K_AUTH, biz, false);
        }
    }

    fn session_biz(&mut self, c: u32) -> u32 {
        let usual = self.cust[c as usize].biz;
        if !self.p.own_business && self.p.businesses.len() > 1 && self.rng.chance(0.1) {
            1 - usual
        } else {
            usual
        }
    }

    fn growth(&self, t: i64) -> f64 {
        let x = ((t - self.p.start) as f64 / (self.p.end - self.p.start) as f64).clamp(0.0, 1.0);
        let (g0, g1) = self.p.growth;
        g0 + (g1 - g0) * x
    }

    fn session_tick(&mut self, t: i64) {
        let total = (self.rows_blast + self.rows_session) as f64;
        if total >= self.aim {
            return; // enough rows: no more sessions
        }
        // Rate control: the session rows still wanted, over the (growth-weighted) time left,
        // at the rows per candidate observed so far. Converges by itself; no drift.
        let gmax = self.p.growth.0.max(self.p.growth.1);
        let per_recipient = if self.blast_recipients >= 20 {
            self.rows_blast as f64 / self.blast_recipients as f64
        } else {
            1.25
        };
        let blast_total = self.rows_blast as f64 + self.blast_pending * per_recipient;
        let wanted = (self.aim - blast_total - self.rows_session as f64).max(0.0);
        let prior = self.prior_candidates;
        let per_candidate =
            (self.rows_session as f64 + 1.8 * prior) / (self.candidate_weight + prior);
        let x = ((t - self.p.start) as f64 / (self.p.end - self.p.start) as f64).clamp(0.0, 1.0);
        let (g0, g1) = self.p.growth;
        let time_left = (self.p.end - self.p.start) as f64 / gmax
            * (g0 * (1.0 - x) + (g1 - g0) * (1.0 - x * x) / 2.0);
        let lambda = (wanted / (per_candidate * time_left.max(1.0)))
            .clamp(self.lambda0 * 0.05, self.lambda0 * self.p.rate_max);
        // Ticks are whole seconds apart; a dense log (a platform's month) needs more than one
        // candidate every two seconds, so a tick then holds several.
        let per_tick = if lambda > 0.5 {
            (lambda * 4.0).ceil()
        } else {
            1.0
        };
        let gap = self.rng.exp(per_tick / lambda);
        let next = if per_tick > 1.0 {
            t + (gap as i64).max(1)
        } else {
            t + 1 + gap as i64
        };
        if next < self.p.end {
            self.schedule(next, Ev::Session);
        }
        for _ in 0..per_tick as u32 {
            self.candidate(t);
        }
    }

    /// A candidate session at `t`: a customer (frequent ones more often), thinned by local time.
    fn candidate(&mut self, t: i64) {
        let n = self.cust.len() as f64;
        let u = self.rng.f64();
        let c = ((n * u * u.sqrt()) as usize).min(self.cust.len() - 1);
        let country = &COUNTRIES[self.cust[c].country as usize];
        let mut local = t + country.off as i64 * MIN;
        if country.dst && eu_summer(t) {
            local += HOUR;
        }
        let g = self.growth(t) / self.p.growth.0.max(self.p.growth.1);
        self.candidate_weight += g;
        let w = HOUR_WEIGHT[(local.rem_euclid(DAY) / HOUR) as usize]
            * self.p.dow[weekday(local.div_euclid(DAY)) as usize]
            * g;
        if !self.rng.chance(w) || self.busy[c] > t {
            return;
        }
        if self
            .ambiguous
            .iter()
            .any(|&(a, b)| t >= a - 6 * HOUR && t < b)
        {
            return;
        }
        let c = c as u32;
        let biz = self.session_biz(c);
        let kind = self.rng.weighted(&self.p.sessions);
        self.in_blast = false;
        self.cur_kind = kind;
        self.sess_count[kind] += 1;
        let end = match kind {
            SESS_CHAT | SESS_CTWA | SESS_CHAT_ORDER => {
                let ep = if kind == SESS_CTWA {
                    if self.rng.chance(self.p.page_cta) {
                        2
                    } else {
                        1
                    }
                } else {
                    0
                };
                let (last_in, mut end) = self.chat(c, biz, t, ep);
                if kind == SESS_CTWA && self.rng.chance(0.35) {
                    // Promo code for the ad's offer, inside the 72h entry-point window.
                    let delay = self.rng.range(HOUR, 40 * HOUR);
                    let at = self.agent_time(end + delay);
                    self.marketing(at, c, biz, false);
                    end = end.max(at);
                }
                if kind == SESS_CHAT_ORDER || (kind == SESS_CTWA && self.rng.chance(0.25)) {
                    let at = last_in + self.rng.range(5 * MIN, 90 * MIN);
                    self.order(c, biz, at);
                    end = end.max(at);
                } else if self.rng.chance(self.p.util_in_window) {
                    // Ticket/order update while the service window is open.
                    let delay = self.rng.range(30 * MIN, 20 * HOUR);
                    let at = self.agent_time(last_in + delay);
                    self.outbound(at, c, K_UTIL, biz, false);
                    end = end.max(at);
                }
                if self.rng.chance(self.p.late_followup) {
                    // Free-form follow-up after the window closed: rejected by Meta (131047).
                    let delay = self.rng.range(5 * MIN, 2 * DAY);
                    let at = self.agent_time(last_in + DAY + delay);
                    self.free(at, c, biz);
                    end = end.max(at);
                }
                end
            }
            SESS_ORDER => {
                self.order(c, biz, t);
                t + 10 * MIN
            }
            SESS_OTP => {
                self.otp(c, biz, t);
                t + 5 * MIN
            }
            SESS_INBOUND_ONLY => {
                self.inbound(t, c, biz, 0);
                if self.rng.chance(0.3) {
                    let t2 = t + self.rng.range(5, 600);
                    self.inbound(t2, c, biz, 0);
                }
                t + 10 * MIN
            }
            _ => unreachable!(),
        };
        self.busy[c as usize] = end + MIN;
    }

    fn next_recipient(&mut self, from: u64, frac: f64) -> u64 {
        if frac >= 1.0 {
            return from;
        }
        let u = 1.0 - self.rng.f64();
        from + (u.ln() / (1.0 - frac).ln()) as u64
    }

    fn start_blasts(&mut self) {
        for i in 0..self.blasts.len() {
            let b = self.blasts[i];
            let first = self.next_recipient(0, b.frac);
            if first < self.cust.len() as u64 && b.t >= self.p.start && b.t < self.p.end {
                self.schedule(
                    b.t,
                    Ev::Blast {
                        blast: i as u32,
                        next: first as u32,
                    },
                );
            }
        }
    }

    fn blast_step(&mut self, t: i64, bi: u32, c: u32) {
        let b = self.blasts[bi as usize];
        let first = self.blast_expected[bi as usize];
        if first >= 0.0 {
            self.blast_pending -= first;
            self.blast_expected[bi as usize] = -1.0;
        }
        let ci = c as usize;
        if b.region == 0 || COUNTRIES[self.cust[ci].country as usize].region == b.region {
            self.in_blast = true;
            self.blast_recipients += 1;
            let biz = if self.p.own_business {
                self.cust[ci].biz
            } else {
                0
            };
            let delivered = self.marketing(t, c, biz, b.t < self.p.unix_blasts_before);
            if delivered && self.busy[ci] <= t {
                if self.rng.chance(b.reply) {
                    let at = t + 20 + (self.rng.exp(25.0 * MIN as f64) as i64).min(8 * HOUR);
                    let (_, end) = self.chat(c, biz, at, 0);
                    self.busy[ci] = end + MIN;
                } else if self.rng.chance(b.order) {
                    // Bought on the website after the message: order updates follow.
                    let at = t + self.rng.range(10 * MIN, 4 * HOUR);
                    self.order(c, biz, at);
                    self.busy[ci] = at + MIN;
                }
            }
            self.in_blast = false;
        }
        let next = self.next_recipient(c as u64 + 1, b.frac);
        if next < self.cust.len() as u64 {
            let gap = self.rng.exp(1.0 / b.rate) as i64;
            self.schedule(
                t + gap,
                Ev::Blast {
                    blast: bi,
                    next: next as u32,
                },
            );
        }
    }

    /// Runs the simulation, handing rows to `sink` in time order, at most `cap` of them.
    fn run(&mut self, cap: u64, mut sink: impl FnMut(&Row) -> io::Result<()>) -> io::Result<u64> {
        let mut written = 0;
        if cap == 0 {
            return Ok(0);
        }
        self.start_blasts();
        self.schedule(self.p.start, Ev::Session);
        while let Some(item) = self.heap.pop() {
            match item.ev {
                Ev::Row(r) => {
                    sink(&r)?;
                    written += 1;
                    if written >= cap {
                        break;
                    }
                }
                Ev::Session => self.session_tick(item.t),
                Ev::Blast { blast, next } => self.blast_step(item.t, blast, next),
            }
        }
        Ok(written)
    }
}

/// Blasts for the bench profile: roughly every 9 days, about a fifth of all rows.
fn bench_blasts(p: &Profile, cust: &[Customer], seed: u64, rows: u64) -> Vec<Blast> {
    let mut r = Rng::new(seed ^ 0xB1A5_7000);
    let mut out = Vec::new();
    let mut t = p.start + r.range(2 * DAY, 9 * DAY);
    while t < p.end - DAY {
        let day = t.div_euclid(DAY);
        let at = day * DAY + r.range(8 * HOUR, 19 * HOUR);
        let region = [0u8, 0, 1, 2, 3][r.below(5) as usize];
        out.push(blast(
            at,
            r.f64() + 0.5, // relative size, scaled below
            region,
            20.0 + r.f64() * 60.0,
            0.04,
            0.02,
        ));
        t += DAY + r.exp(8.0 * DAY as f64) as i64;
    }
    let mut region_count = [0usize; 4];
    for c in cust {
        region_count[COUNTRIES[c.country as usize].region as usize] += 1;
    }
    let eligible = |b: &Blast| {
        if b.region == 0 {
            cust.len()
        } else {
            region_count[b.region as usize]
        }
    };
    let weighted: f64 = out.iter().map(|b| b.frac * eligible(b) as f64).sum();
    let scale = 0.2 * rows as f64 / 1.25 / weighted.max(1.0);
    for b in &mut out {
        b.frac = (b.frac * scale).clamp(0.0005, 0.9);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The mix: session weights for asked shares of inbound and free-form rows
// ---------------------------------------------------------------------------------------------

/// Session kinds in three groups: chats (inbound rows and free-form answers), customers writing
/// without an answer, and business-started templates (orders, OTPs).
fn mix_group(kind: usize) -> usize {
    match kind {
        SESS_CHAT | SESS_CHAT_ORDER | SESS_CTWA => 0,
        SESS_INBOUND_ONLY => 1,
        _ => 2,
    }
}

/// New session weights from a pilot run with the profile's own: each group's share of sessions
/// is solved (a 3x3 linear system) so that the rows' inbound and free-form shares are the asked
/// ones, given the rows per session each group made in the pilot and the blasts' rows (kept).
/// A share not asked keeps the pilot's. Returns the weights and whether a target was out of
/// reach (a group's share clamped at 0).
fn solve_mix(
    pilot: &Sim,
    defaults: [f64; 6],
    inbound: Option<f64>,
    free: Option<f64>,
) -> ([f64; 6], bool) {
    let mut n = [0f64; 3];
    let mut rows = [[0f64; 3]; 3];
    for (k, count) in pilot.sess_count.iter().enumerate() {
        let g = mix_group(k);
        n[g] += *count as f64;
        for (sum, v) in rows[g].iter_mut().zip(pilot.comp[k]) {
            *sum += v as f64;
        }
    }
    let total: f64 = pilot.comp.iter().flatten().sum::<u64>() as f64;
    if total == 0.0 || n.contains(&0.0) {
        return (defaults, true);
    }
    let blast = pilot.comp[BLAST].map(|v| v as f64 / total);
    let share = |c: usize| pilot.comp.iter().map(|r| r[c]).sum::<u64>() as f64 / total;
    let pi = inbound.unwrap_or_else(|| share(0));
    let pf = free.unwrap_or_else(|| share(1));
    let s = 1.0 - blast.iter().sum::<f64>();
    let (ti, tf) = ((pi - blast[0]) / s, (pf - blast[1]) / s);
    // Per session of each group: inbound, free-form and all rows.
    let per = |g: usize, c: usize| rows[g][c] / n[g];
    let r = |g: usize| per(g, 0) + per(g, 1) + per(g, 2);
    let m = [
        [0, 1, 2].map(|g| per(g, 0) - ti * r(g)),
        [0, 1, 2].map(|g| per(g, 1) - tf * r(g)),
        [1.0; 3],
    ];
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    if d.abs() < 1e-12 {
        return (defaults, true);
    }
    let mut x = [0f64; 3];
    for (j, xj) in x.iter_mut().enumerate() {
        let mut mj = m;
        mj[0][j] = 0.0;
        mj[1][j] = 0.0;
        mj[2][j] = 1.0;
        *xj = det(&mj) / d;
    }
    let clamped = x.iter().any(|&v| v < 0.0);
    let x = x.map(|v| v.max(0.0));
    let sum: f64 = x.iter().sum();
    let mut group_default = [0f64; 3];
    for (k, w) in defaults.iter().enumerate() {
        group_default[mix_group(k)] += w;
    }
    let mut out = [0f64; 6];
    for (k, w) in out.iter_mut().enumerate() {
        let g = mix_group(k);
        *w = defaults[k] / group_default[g] * x[g] / sum;
    }
    (out, clamped)
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn push_2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

fn push_uint(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

fn push_civil(buf: &mut Vec<u8>, local: i64, sep: u8) {
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    let s = local.rem_euclid(DAY) as u32;
    push_2(buf, (y / 100) as u32);
    push_2(buf, (y % 100) as u32);
    buf.push(b'-');
    push_2(buf, m);
    buf.push(b'-');
    push_2(buf, d);
    buf.push(sep);
    push_2(buf, s / 3600);
    buf.push(b':');
    push_2(buf, s / 60 % 60);
    buf.push(b':');
    push_2(buf, s % 60);
}

fn push_time(buf: &mut Vec<u8>, t: i64, style: TsStyle, unix: bool) {
    if unix {
        push_uint(buf, t as u64);
        return;
    }
    match style {
        TsStyle::Utc => {
            push_civil(buf, t, b'T');
            buf.push(b'Z');
        }
        TsStyle::ParisOffset => {
            let off = paris_offset(t);
            push_civil(buf, t + off, b'T');
            buf.extend_from_slice(if off == HOUR { b"+01:00" } else { b"+02:00" });
        }
        TsStyle::ParisNaive => push_civil(buf, t + paris_offset(t), b' '),
    }
}

fn push_phone(buf: &mut Vec<u8>, cu: &Customer, fmt: u8) {
    let c = &COUNTRIES[cu.country as usize];
    let mut digits = [0u8; 20];
    let n = c.len as usize;
    let mut v = cu.national;
    for i in (0..n).rev() {
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let digits = &digits[..n];
    let cc = c.cc.as_bytes();
    let nanp = c.cc == "1";
    match fmt {
        F_E164 | F_WA => {
            if fmt == F_WA {
                buf.extend_from_slice(b"whatsapp:");
            }
            buf.push(b'+');
            buf.extend_from_slice(cc);
            buf.extend_from_slice(digits);
        }
        F_00 | F_DIGITS => {
            if fmt == F_00 {
                buf.extend_from_slice(b"00");
            }
            buf.extend_from_slice(cc);
            buf.extend_from_slice(digits);
        }
        F_PRETTY if nanp => {
            buf.extend_from_slice(b"+1 (");
            buf.extend_from_slice(&digits[..3]);
            buf.extend_from_slice(b") ");
            buf.extend_from_slice(&digits[3..6]);
            buf.push(b'-');
            buf.extend_from_slice(&digits[6..]);
        }
        _ => {
            let sep = match (fmt, nanp) {
                (F_SEP, true) => b'-',
                (F_SEP, false) => b'.',
                _ => b' ',
            };
            buf.push(b'+');
            buf.extend_from_slice(cc);
            let mut at = 0;
            for &g in c.groups {
                buf.push(sep);
                buf.extend_from_slice(&digits[at..at + g as usize]);
                at += g as usize;
            }
        }
    }
}

fn push_row(buf: &mut Vec<u8>, r: &Row, p: &Profile, cust: &[Customer]) {
    push_time(buf, r.t, p.ts, r.unix);
    buf.push(b',');
    if r.deliv > 0 {
        push_time(buf, r.t + r.deliv as i64, p.ts, r.unix);
    }
    buf.extend_from_slice(if r.kind == K_IN {
        b",inbound,"
    } else {
        b",outbound,"
    });
    buf.extend_from_slice(match r.kind {
        K_SERVICE => b"service".as_slice(),
        K_MKT => b"marketing",
        K_MKT_LITE => b"marketing_lite",
        K_UTIL => b"utility",
        K_AUTH => b"authentication",
        _ => b"",
    });
    buf.push(b',');
    push_phone(buf, &cust[r.cust as usize], r.fmt);
    buf.push(b',');
    buf.extend_from_slice(match r.ep {
        1 => b"ctwa".as_slice(),
        2 => b"page_cta",
        _ => b"",
    });
    buf.push(b',');
    buf.extend_from_slice(match r.status {
        S_SENT => b"sent".as_slice(),
        S_DELIVERED => b"delivered",
        S_READ => b"read",
        S_FAILED => b"failed",
        S_UNDELIVERED => b"undelivered",
        _ => b"",
    });
    buf.push(b',');
    if let Some(b) = p.businesses.get(r.biz as usize) {
        buf.extend_from_slice(b.as_bytes());
    }
    buf.push(b'\n');
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

const USAGE: &str = "\
genlog — deterministic WhatsApp Business message logs for waprice

USAGE:
    cargo run --release --manifest-path tools/genlog/Cargo.toml -- <PROFILE> [OPTIONS]

PROFILES:
    fr-shop-2024   French online shop, March 2024 (era B, EUR), Paris times with +01:00/+02:00
    campaign-2025  multi-country campaigns, June-July 2025 across the 2025-07-01 switch (USD),
                   UTC times; June's bulk-tool marketing blasts as Unix seconds
    support-2026   support desk, two business numbers, Oct-Nov 2026 (era D, EUR),
                   naive Europe/Paris local times (price with --timezone Europe/Paris)
    bench          2022-02..2026-11, many countries, for benchmarks (default 1,000,000 rows)
    platform       a messaging platform's month (October 2026, era D): many accounts' business
                   numbers, each customer talking to one of them (default 1,000,000 rows)

OPTIONS:
    --seed N        PRNG seed (default 42); same seed, same bytes
    --rows N        rows to write: exact for bench and platform, a target for the other
                    profiles, which always cover their whole period
                    (default: 2400 / 3200 / 4200 / 1000000 / 1000000)
    --customers N   customer base (default: 520 / 1000 / 800 / rows/10 / rows/50)
    --shuffle       write the same rows in random order (buffers them in memory)
    --out FILE      write to FILE instead of stdout
    -h, --help      this help

MIX AND PERIOD (bench and platform):
    --inbound-share P    share of rows that are inbound, 0..1 (default: what the profile makes,
                         about 0.28)
    --free-form-share P  share of rows that are free-form business messages, 0..1 (default:
                         what the profile makes, about 0.24). Either option reweights the
                         session kinds after a pilot run; the shares reached are printed on
                         stderr (a target out of reach is approached as far as it goes)
    --from YYYY-MM       first month (default 2022-02 / 2026-10)
    --to YYYY-MM         last month, included (default 2026-11 / 2026-10)
    --eras LIST          the months of consecutive eras instead, e.g. C,D (A 2022-02..2023-05,
                         B 2023-06..2025-06, C 2025-07..2026-09, D 2026-10..2026-11)

PLATFORM:
    --accounts N         customer accounts (default 10000), 70% billed in EUR, 30% in USD
    --numbers N          business numbers over the accounts (default 2 x accounts, at least one
                         per account; large accounts get several)
    --accounts-out FILE  write the matching accounts file (account,business,agents,currency,waba)

EXAMPLES:
    cargo run --release --manifest-path tools/genlog/Cargo.toml -- bench --rows 10000000 --out /tmp/bench-10m.csv
    cargo run --release --manifest-path tools/genlog/Cargo.toml -- platform --rows 10000000 \\
        --customers 2000000 --out /tmp/platform.csv --accounts-out /tmp/platform-accounts.csv
";

struct Args {
    profile: String,
    seed: u64,
    rows: Option<u64>,
    customers: Option<u64>,
    shuffle: bool,
    out: Option<String>,
    inbound: Option<f64>,
    free: Option<f64>,
    /// Period: first instant, and the instant after the last month.
    from: Option<i64>,
    to: Option<i64>,
    accounts: Option<u64>,
    numbers: Option<u64>,
    accounts_out: Option<String>,
}

/// First instant of each era (A, B, C, D) and the end of the generated era D.
const ERAS: [i64; 5] = [
    19_024 * DAY, // 2022-02-01
    19_509 * DAY, // 2023-06-01
    20_270 * DAY, // 2025-07-01
    20_727 * DAY, // 2026-10-01
    20_788 * DAY, // 2026-12-01
];

fn month(flag: &str, v: &str) -> Result<(i64, u32), String> {
    let bad = || format!("{flag}: not a month YYYY-MM: {v}");
    let (y, m) = v.split_once('-').ok_or_else(bad)?;
    let y: i64 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || y.to_string().len() != 4 {
        return Err(bad());
    }
    Ok((y, m))
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut profile = None;
    let mut a = Args {
        profile: String::new(),
        seed: 42,
        rows: None,
        customers: None,
        shuffle: false,
        out: None,
        inbound: None,
        free: None,
        from: None,
        to: None,
        accounts: None,
        numbers: None,
        accounts_out: None,
    };
    fn num(flag: &str, v: Option<String>) -> Result<u64, String> {
        let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
        v.replace('_', "")
            .parse()
            .map_err(|_| format!("{flag}: not a non-negative integer: {v}"))
    }
    fn share(flag: &str, v: Option<String>) -> Result<f64, String> {
        let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
        match v.parse::<f64>() {
            Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
            _ => Err(format!("{flag}: not a share between 0 and 1: {v}")),
        }
    }
    let mut eras = None;
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next());
        match flag.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "--seed" => a.seed = num("--seed", value())?,
            "--rows" => a.rows = Some(num("--rows", value())?),
            "--customers" => a.customers = Some(num("--customers", value())?),
            "--shuffle" => a.shuffle = true,
            "--out" => a.out = Some(value().ok_or("--out needs a value")?),
            "--inbound-share" => a.inbound = Some(share("--inbound-share", value())?),
            "--free-form-share" => a.free = Some(share("--free-form-share", value())?),
            "--from" => {
                let v = value().ok_or("--from needs a value")?;
                let (y, m) = month("--from", &v)?;
                a.from = Some(utc(y, m, 1, 0, 0));
            }
            "--to" => {
                let v = value().ok_or("--to needs a value")?;
                let (y, m) = month("--to", &v)?;
                let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                a.to = Some(utc(y, m, 1, 0, 0));
            }
            "--eras" => eras = Some(value().ok_or("--eras needs a value")?),
            "--accounts" => a.accounts = Some(num("--accounts", value())?),
            "--numbers" => a.numbers = Some(num("--numbers", value())?),
            "--accounts-out" => {
                a.accounts_out = Some(value().ok_or("--accounts-out needs a value")?)
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ if profile.is_none() => profile = Some(arg),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    a.profile = profile.ok_or("missing profile")?;
    if let Some(list) = eras {
        if a.from.is_some() || a.to.is_some() {
            return Err("--eras and --from/--to: give one or the other".into());
        }
        let mut idx = Vec::new();
        for e in list.split(',') {
            match e.trim() {
                "A" | "a" => idx.push(0),
                "B" | "b" => idx.push(1),
                "C" | "c" => idx.push(2),
                "D" | "d" => idx.push(3),
                other => return Err(format!("--eras: not an era (A, B, C, D): {other}")),
            }
        }
        idx.sort_unstable();
        idx.dedup();
        if idx.windows(2).any(|w| w[1] != w[0] + 1) {
            return Err(format!("--eras: the eras must be consecutive: {list}"));
        }
        a.from = Some(ERAS[idx[0]]);
        a.to = Some(ERAS[idx[idx.len() - 1] + 1]);
    }
    let mixable = a.profile == "bench" || a.profile == "platform";
    if !mixable && (a.inbound.is_some() || a.free.is_some() || a.from.is_some() || a.to.is_some()) {
        return Err("--inbound-share, --free-form-share, --from, --to and --eras are for the bench and platform profiles".into());
    }
    if a.profile != "platform"
        && (a.accounts.is_some() || a.numbers.is_some() || a.accounts_out.is_some())
    {
        return Err("--accounts, --numbers and --accounts-out are for the platform profile".into());
    }
    if a.accounts == Some(0) {
        return Err("--accounts: at least 1".into());
    }
    let accounts = a.accounts.unwrap_or(10_000);
    if a.numbers.is_some_and(|n| n < accounts) {
        return Err(format!("--numbers: at least one per account ({accounts})"));
    }
    if a.numbers.unwrap_or(2 * accounts) > 10_000_000 {
        return Err("--numbers: at most 10,000,000".into());
    }
    Ok(a)
}

/// What a run wrote, for the notes on stderr.
struct Summary {
    written: u64,
    dropped: u64,
    /// Rows written per class: inbound, free-form, template.
    mix: [u64; 3],
    /// A mix target was out of reach.
    clamped: bool,
}

fn generate(a: &Args, out: &mut dyn Write) -> io::Result<Summary> {
    let mut p = profile(&a.profile).expect("profile checked");
    if let Some(t) = a.from {
        p.start = t;
    }
    if let Some(t) = a.to {
        p.end = t;
    }
    if p.start < ERAS[0] || p.end <= p.start {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the period must start in 2022-02 or later and end after it starts",
        ));
    }
    if a.from.is_some() || a.to.is_some() || a.inbound.is_some() || a.free.is_some() {
        // About seven hours of a month, a day or two of a year: enough for the rate control's
        // error over short periods, a small cut at the end of long ones.
        p.aim_margin = (0.01 * 31.0 * DAY as f64 / (p.end - p.start) as f64).clamp(0.001, 0.01);
    }
    let rows = a.rows.unwrap_or(p.rows);
    let platform = p.name == "platform";
    let exact = p.name == "bench" || platform;
    let customers = a
        .customers
        .unwrap_or(if platform {
            rows / 50
        } else if p.customers == 0 {
            rows / 10
        } else {
            p.customers
        })
        .clamp(1, u32::MAX as u64);
    let cust = if platform {
        let accounts = a.accounts.unwrap_or(10_000);
        let (pl, businesses) = make_platform(a.seed, accounts, a.numbers.unwrap_or(2 * accounts));
        if let Some(path) = &a.accounts_out {
            let f = File::create(path)
                .map_err(|e| io::Error::new(e.kind(), format!("cannot create {path}: {e}")))?;
            write_accounts(&pl, &businesses, &mut BufWriter::new(f))?;
        }
        p.businesses = businesses;
        make_platform_customers(&p, &pl, a.seed, customers)
    } else {
        make_customers(&p, a.seed, customers)
    };
    if exact {
        p.blasts = bench_blasts(&p, &cust, a.seed, rows);
    }
    let mut clamped = false;
    if a.inbound.is_some() || a.free.is_some() {
        // Pilot: the same customers and period, fewer rows, the profile's own session weights.
        let pilot_rows = rows.min(300_000);
        let pilot_blasts = bench_blasts(&p, &cust, a.seed, pilot_rows);
        let mut pilot = Sim::new(&p, &cust, a.seed, pilot_rows, exact, pilot_blasts);
        pilot.run(pilot_rows, |_| Ok(()))?;
        let (weights, c) = solve_mix(&pilot, p.sessions, a.inbound, a.free);
        p.sessions = weights;
        clamped = c;
    }
    let blasts = std::mem::take(&mut p.blasts);
    let mut sim = Sim::new(&p, &cust, a.seed, rows, exact, blasts);
    let cap = if exact { rows } else { u64::MAX };
    out.write_all(HEADER.as_bytes())?;
    let mut buf = Vec::with_capacity(256);
    let mut mix = [0u64; 3];
    let written = if a.shuffle {
        let mut all = Vec::new();
        sim.run(cap, |r| {
            all.push(*r);
            Ok(())
        })?;
        let mut r = Rng::new(a.seed ^ 0x5A0F_F1E5);
        for i in (1..all.len()).rev() {
            let j = r.below(i as u64 + 1) as usize;
            all.swap(i, j);
        }
        for row in &all {
            mix[mix_class(row.kind)] += 1;
            buf.clear();
            push_row(&mut buf, row, &p, &cust);
            out.write_all(&buf)?;
        }
        all.len() as u64
    } else {
        sim.run(cap, |r| {
            mix[mix_class(r.kind)] += 1;
            buf.clear();
            push_row(&mut buf, r, &p, &cust);
            out.write_all(&buf)
        })?
    };
    out.flush()?;
    Ok(Summary {
        written,
        dropped: sim.dropped,
        mix,
        clamped,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) if profile(&a.profile).is_some() => a,
        Ok(a) => {
            eprintln!(
                "error: unknown profile {:?} (fr-shop-2024, campaign-2025, support-2026, bench, platform; see --help)",
                a.profile
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("error: {e} (see --help)");
            return ExitCode::from(2);
        }
    };
    let result = match &args.out {
        Some(path) => match File::create(path) {
            Ok(f) => generate(&args, &mut BufWriter::with_capacity(1 << 20, f)),
            Err(e) => {
                eprintln!("error: cannot create {path}: {e}");
                return ExitCode::from(1);
            }
        },
        None => {
            let stdout = io::stdout();
            generate(&args, &mut BufWriter::with_capacity(1 << 20, stdout.lock()))
        }
    };
    match result {
        Ok(s) => {
            let wanted = args
                .rows
                .unwrap_or_else(|| profile(&args.profile).map_or(0, |p| p.rows));
            let exact = args.profile == "bench" || args.profile == "platform";
            if s.written < wanted && exact {
                eprintln!("genlog: note: wrote {} rows, fewer than the {wanted} asked (small customer base?)", s.written);
            }
            if s.dropped > 0 {
                eprintln!(
                    "genlog: note: left out {} rows in ambiguous fall-back hours",
                    s.dropped
                );
            }
            if args.inbound.is_some() || args.free.is_some() {
                let n = s.written.max(1) as f64;
                let pct = |v: u64| 100.0 * v as f64 / n;
                eprintln!(
                    "genlog: mix: inbound {:.1}%, free-form {:.1}%, templates {:.1}%{}",
                    pct(s.mix[0]),
                    pct(s.mix[1]),
                    pct(s.mix[2]),
                    if s.clamped {
                        " (a share asked is out of this profile's reach: as near as it goes)"
                    } else {
                        ""
                    }
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
