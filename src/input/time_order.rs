//! Puts an almost-sorted stream of messages into exact time order (equal times in file
//! order) with a bounded look-back, so a log sorted by send time whose delivery times lag a
//! little can still be streamed. A message earlier than one already released means the log
//! is not in time order: the caller then reads it whole and sorts it instead.

use crate::message::Message;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

/// How far back a message may come after a later one and still be put in its place.
pub const WINDOW_MS: i64 = 3_600_000;

/// A message arrived earlier than one already released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfOrder;

/// A message with its place in the file, ordered by (time, place).
#[derive(Debug, Clone, Copy)]
struct Placed {
    message: Message,
    seq: u64,
}

impl Placed {
    fn key(&self) -> (i64, u64) {
        (self.message.time, self.seq)
    }
}

impl PartialEq for Placed {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Placed {}
impl PartialOrd for Placed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Placed {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// The look-back window. Messages come to the back of a queue kept in time order; those a
/// later message turns out to be behind (a delivery time ahead of the next sends) move to a
/// heap. Both are released by (time, place in file), which keeps equal times in file order.
#[derive(Default)]
pub struct Reorder {
    in_order: VecDeque<Placed>,
    lagging: BinaryHeap<Reverse<Placed>>,
    seq: u64,
    latest: Option<i64>,
    released: Option<i64>,
}

impl Reorder {
    /// Takes the next message in file order and releases, in time order, those that no later
    /// message can precede any more.
    pub fn push(
        &mut self,
        message: Message,
        mut release: impl FnMut(Message),
    ) -> Result<(), OutOfOrder> {
        if self.released.is_some_and(|r| message.time < r) {
            return Err(OutOfOrder);
        }
        let placed = Placed {
            message,
            seq: self.seq,
        };
        self.seq += 1;
        match self.latest {
            Some(latest) if message.time < latest => self.place_lagging(placed),
            _ => {
                self.in_order.push_back(placed);
                self.latest = Some(message.time);
            }
        }
        let until = self.latest.unwrap_or(message.time) - WINDOW_MS;
        while let Some(m) = self.pop_if(|m| m.time <= until) {
            self.released = Some(m.time);
            release(m);
        }
        Ok(())
    }

    /// A message behind the latest. In a log sorted by send time, the messages ahead are the
    /// few whose delivery time jumped forward: they move from the queue's back to the heap,
    /// once each, and this one joins the queue, which stays in (time, place) order. Putting
    /// the lagging message in the heap instead sent every row after such a jump there.
    #[inline]
    fn place_lagging(&mut self, placed: Placed) {
        while let Some(back) = self.in_order.back() {
            if back.message.time <= placed.message.time {
                break;
            }
            let ahead = *back;
            self.in_order.pop_back();
            self.lagging.push(Reverse(ahead));
        }
        self.in_order.push_back(placed);
    }

    /// The earliest message held, removed if `ready` says so.
    fn pop_if(&mut self, ready: impl Fn(&Message) -> bool) -> Option<Message> {
        let from_queue = match (self.in_order.front(), self.lagging.peek()) {
            (Some(q), Some(Reverse(h))) => q < h,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if from_queue {
            let front = self.in_order.front().filter(|p| ready(&p.message))?;
            let m = front.message;
            self.in_order.pop_front();
            Some(m)
        } else {
            let Reverse(top) = self.lagging.peek().filter(|p| ready(&p.0.message))?;
            let m = top.message;
            self.lagging.pop();
            Some(m)
        }
    }

    /// Releases everything left, in order.
    pub fn finish(&mut self, mut release: impl FnMut(Message)) {
        while let Some(m) = self.pop_if(|_| true) {
            self.released = Some(m.time);
            release(m);
        }
    }
}

/// Sorts messages by time, equal times keeping their order (file order), on two threads
/// for large logs: each half is sorted on its own core, then the halves are merged.
pub fn sort_by_time(messages: &mut Vec<Message>) {
    const PARALLEL_FROM: usize = 1 << 16;
    if messages.len() < PARALLEL_FROM {
        messages.sort_by_key(|m| m.time);
        return;
    }
    let len = messages.len();
    let (first, second) = messages.split_at_mut(len / 2);
    std::thread::scope(|scope| {
        scope.spawn(|| first.sort_by_key(|m| m.time));
        second.sort_by_key(|m| m.time);
    });
    let mut merged = Vec::with_capacity(len);
    let (mut a, mut b) = (first.iter().peekable(), second.iter().peekable());
    loop {
        // Ties take the first half's message: it came earlier in the file.
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if y.time < x.time => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(&m) => merged.push(m),
            None => break,
        }
    }
    *messages = merged;
}

/// Messages per run when a log is sorted in runs while it is read ([`Runs`]): a run sorts in
/// a few tens of milliseconds, and ten of them per 10M rows merge cheaply.
pub const RUN: usize = 1 << 20;

/// Messages collected in file order and sorted a run at a time as they come, so that the
/// sorting happens while the reading thread is still parsing (that thread sets the pace).
/// Each run is a vector of its own, so that a full one can be sorted on another thread while
/// the next fills. [`Runs::merge`] then hands them out in time order without a sorted copy
/// of them all.
#[derive(Debug)]
pub struct Runs {
    /// The sorted runs, in file order: each sorted by time, equal times in file order.
    sorted: Vec<Vec<Message>>,
    /// The messages pushed since the last run, not sorted yet.
    filling: Vec<Message>,
    /// Messages per run ([`RUN`]; tests take fewer).
    run: usize,
}

impl Default for Runs {
    fn default() -> Self {
        Runs {
            sorted: Vec::new(),
            filling: Vec::new(),
            run: RUN,
        }
    }
}

impl Runs {
    /// Appends a message (in file order).
    #[inline]
    pub fn push(&mut self, m: Message) {
        self.filling.push(m);
    }

    /// The messages pushed since the last run when they make a run: for the caller to sort
    /// ([`sort_run`]) and give back with [`Runs::add_sorted`], in the order taken.
    pub fn take_full_run(&mut self) -> Option<Vec<Message>> {
        if self.filling.len() < self.run {
            return None;
        }
        // Room for a run and a batch past it, so that the next run never grows by copying.
        let next = Vec::with_capacity(self.run + self.run / 64);
        Some(std::mem::replace(&mut self.filling, next))
    }

    /// Appends a run taken by [`Runs::take_full_run`], sorted.
    pub fn add_sorted(&mut self, run: Vec<Message>) {
        self.sorted.push(run);
    }

    /// Finishes these runs and `later`'s (the rest of the log's), and puts `later`'s after
    /// these: equal times still come in file order.
    pub fn append(&mut self, mut later: Runs) {
        self.finish();
        later.finish();
        self.sorted.extend(later.sorted);
    }

    /// Sorts the messages pushed since the last run if they make a run.
    pub fn sort_full_run(&mut self) {
        if let Some(mut run) = self.take_full_run() {
            sort_run(&mut run);
            self.add_sorted(run);
        }
    }

    /// Sorts whatever was pushed since the last run (the end of the log), after every run
    /// taken was given back. Nothing else runs then, so a long last run is sorted as two, one
    /// on each core.
    pub fn finish(&mut self) {
        const SPLIT_FROM: usize = 1 << 16;
        let mut last = std::mem::take(&mut self.filling);
        if last.len() >= SPLIT_FROM {
            let mut second = last.split_off(last.len() / 2);
            // The pages the second half was copied from go back, rather than stay resident
            // beside the copy until the replay ends.
            last.shrink_to_fit();
            std::thread::scope(|scope| {
                scope.spawn(|| sort_run(&mut last));
                sort_run(&mut second);
            });
            self.sorted.extend([last, second]);
        } else if !last.is_empty() {
            sort_run(&mut last);
            self.sorted.push(last);
        }
    }

    /// Messages already in time order: one run.
    pub fn sorted(messages: Vec<Message>) -> Runs {
        let mut runs = Runs::default();
        if !messages.is_empty() {
            runs.sorted.push(messages);
        }
        runs
    }

    /// Hands the messages to `out` in time order (equal times in file order: a run before a
    /// later one), a batch at a time, until `out` returns false. Call [`Runs::finish`] first.
    pub fn merge(&self, mut out: impl FnMut(&[Message]) -> bool) {
        const BATCH: usize = 4096;
        debug_assert!(self.filling.is_empty());
        let mut runs: Vec<&[Message]> = self.sorted.iter().map(Vec::as_slice).collect();
        match runs[..] {
            [] => return,
            [run] => {
                for batch in run.chunks(BATCH) {
                    if !out(batch) {
                        return;
                    }
                }
                return;
            }
            _ => {}
        }
        // A tournament (loser) tree over the runs' heads: each message taken costs one
        // comparison per level. A head's key is its time, then its run, so that ties go to
        // the earlier run, which came first in the file; an emptied run's key is the largest.
        let k = runs.len();
        let key = |run: &[Message], i: usize| match run.first() {
            Some(m) => (u128::from((m.time as u64) ^ (1 << 63)) << 64) | i as u128,
            None => u128::MAX,
        };
        let mut keys: Vec<u128> = runs.iter().enumerate().map(|(i, r)| key(r, i)).collect();
        // Node n's children are 2n and 2n + 1; leaf i is node k + i. `losers[n]` is the run
        // that lost the match at node n; the winner of them all goes on up.
        let mut losers = vec![0usize; k];
        let mut winners = vec![0usize; 2 * k];
        for (i, w) in winners[k..].iter_mut().enumerate() {
            *w = i;
        }
        for n in (1..k).rev() {
            let (a, b) = (winners[2 * n], winners[2 * n + 1]);
            let (win, lose) = if keys[a] < keys[b] { (a, b) } else { (b, a) };
            winners[n] = win;
            losers[n] = lose;
        }
        let mut winner = winners[1];
        let mut batch = Vec::with_capacity(BATCH);
        while keys[winner] != u128::MAX {
            let run = &mut runs[winner];
            batch.push(run[0]);
            *run = &run[1..];
            keys[winner] = key(run, winner);
            let mut node = (winner + k) / 2;
            while node > 0 {
                // Which run wins is a coin toss on a shuffled log: a select, not a branch the
                // processor would mispredict every other time.
                let other = losers[node];
                let lost = keys[other] < keys[winner];
                losers[node] = std::hint::select_unpredictable(lost, winner, other);
                winner = std::hint::select_unpredictable(lost, other, winner);
                node /= 2;
            }
            if batch.len() == BATCH {
                if !out(&batch) {
                    return;
                }
                batch.clear();
            }
        }
        if !batch.is_empty() {
            out(&batch);
        }
    }
}

/// Sorts one run by time, equal times keeping their order.
pub fn sort_run(run: &mut [Message]) {
    run.sort_by_key(|m| m.time);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Kind;

    fn m(time: i64, pair: u32) -> Message {
        Message {
            time,
            pair,
            kind: Kind::FreeForm,
            delivered: true,
            delivery_confirmed: false,
        }
    }

    fn run(times: &[(i64, u32)]) -> Result<Vec<(i64, u32)>, OutOfOrder> {
        let mut r = Reorder::default();
        let mut out = Vec::new();
        for &(t, p) in times {
            r.push(m(t, p), |x| out.push((x.time, x.pair)))?;
        }
        r.finish(|x| out.push((x.time, x.pair)));
        Ok(out)
    }

    #[test]
    fn small_lags_are_put_in_place_and_ties_keep_file_order() {
        let h = WINDOW_MS;
        let out = run(&[
            (0, 1),
            (10, 2),
            (5, 3),
            (10, 4),
            (2 * h, 5),
            (2 * h - 1, 6),
            (3 * h + 20, 7),
            (3 * h + 20, 8),
        ])
        .unwrap();
        assert_eq!(
            out,
            vec![
                (0, 1),
                (5, 3),
                (10, 2),
                (10, 4),
                (2 * h - 1, 6),
                (2 * h, 5),
                (3 * h + 20, 7),
                (3 * h + 20, 8)
            ]
        );
    }

    #[test]
    fn a_message_older_than_a_released_one_is_out_of_order() {
        let h = WINDOW_MS;
        assert_eq!(run(&[(0, 1), (5, 2), (2 * h, 3), (4, 4)]), Err(OutOfOrder));
        // Equal to the last released time is fine: it comes after it in file order.
        assert!(run(&[(0, 1), (2 * h, 2), (0, 3)]).is_ok());
    }

    proptest::proptest! {
        /// Any file order whose lags stay within the window comes out as a stable sort by time.
        #[test]
        fn lags_within_the_window_come_out_stably_sorted(
            steps in proptest::collection::vec((0i64..WINDOW_MS / 2, -WINDOW_MS..=0i64, 0u8..3), 1..300)
        ) {
            let mut latest = 0i64;
            let mut rows = Vec::new();
            for (i, (advance, lag, few)) in steps.into_iter().enumerate() {
                // Few distinct times, so that ties are common.
                latest += advance / (1 + i64::from(few) * WINDOW_MS);
                rows.push(((latest + lag).max(0), i as u32));
            }
            let mut expected = rows.clone();
            expected.sort_by_key(|r| r.0);
            proptest::prop_assert_eq!(run(&rows), Ok(expected));
        }

        /// Lags of a few milliseconds among many equal times: the messages a lagging one is
        /// behind move from the queue to the heap, and the result is a stable sort.
        #[test]
        fn short_lags_among_ties_come_out_stably_sorted(
            steps in proptest::collection::vec((0i64..3, -3i64..=0), 1..300)
        ) {
            let mut latest = 0i64;
            let mut rows = Vec::new();
            for (i, (advance, lag)) in steps.into_iter().enumerate() {
                latest += advance;
                rows.push(((latest + lag).max(0), i as u32));
            }
            let mut expected = rows.clone();
            expected.sort_by_key(|r| r.0);
            proptest::prop_assert_eq!(run(&rows), Ok(expected));
        }
    }

    /// `n` messages in file order whose times take few values (xorshift, 97 of them), so that
    /// ties cross any boundary a sort cuts the messages at.
    fn few_times(n: u32) -> Vec<Message> {
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        (0..n)
            .map(|i| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                m((rng % 97) as i64, i)
            })
            .collect()
    }

    /// `messages` pushed into `runs` as a read pushes them, full runs sorted every `every`
    /// messages (as the sorting thread gets to them), then merged.
    fn read_and_merge(mut runs: Runs, messages: &[Message], every: usize) -> Vec<Message> {
        for (i, &x) in messages.iter().enumerate() {
            runs.push(x);
            if (i + 1) % every == 0 {
                runs.sort_full_run();
            }
        }
        runs.finish();
        let mut merged = Vec::new();
        runs.merge(|batch| {
            merged.extend_from_slice(batch);
            true
        });
        merged
    }

    #[test]
    fn runs_sorted_while_read_merge_into_a_stable_sort() {
        // Few distinct times, so ties cross runs; a length that leaves a short last run.
        let messages = few_times((2 * RUN + RUN / 3) as u32);
        let mut expected = messages.clone();
        expected.sort_by_key(|m| m.time);
        let merged = read_and_merge(Runs::default(), &messages, 1000);
        assert_eq!(merged, expected);
        // One run (or none) comes out as it is.
        let mut one = Vec::new();
        Runs::sorted(expected.clone()).merge(|b| {
            one.extend_from_slice(b);
            true
        });
        assert_eq!(one, expected);
        Runs::sorted(Vec::new()).merge(|_| panic!("no batch for no message"));
    }

    proptest::proptest! {
        /// Any number of runs, of any lengths, merge into a stable sort by time.
        #[test]
        fn any_runs_merge_into_a_stable_sort(
            times in proptest::collection::vec(0i64..20, 0..400),
            run in 1usize..50,
            every in 1usize..30,
        ) {
            let messages: Vec<Message> =
                times.iter().enumerate().map(|(i, &t)| m(t - 10, i as u32)).collect();
            let mut expected = messages.clone();
            expected.sort_by_key(|m| m.time);
            let merged = read_and_merge(Runs { run, ..Runs::default() }, &messages, every);
            proptest::prop_assert_eq!(merged, expected);
        }
    }

    #[test]
    fn the_two_core_sort_is_a_stable_sort() {
        // Few distinct times, so ties cross the halves' boundary.
        let messages = few_times(200_000);
        let mut expected = messages.clone();
        expected.sort_by_key(|m| m.time);
        let mut sorted = messages;
        sort_by_time(&mut sorted);
        assert_eq!(sorted, expected);
    }
}
