//! Puts an almost-sorted stream of messages into exact time order (equal times in file
//! order) with a bounded look-back, so a log sorted by send time whose delivery times lag a
//! little can still be streamed. A message earlier than one already released means the log
//! is not in time order: the caller then reads it whole and sorts it instead.

use crate::message::Message;
use std::collections::VecDeque;

/// How far back a message may come after a later one and still be put in its place.
pub const WINDOW_MS: i64 = 3_600_000;

/// A message arrived earlier than one already released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfOrder;

/// The look-back window, oldest first. Sorted input only appends at the back; a lagging
/// message is inserted after every message with a time at or before its own, which keeps
/// equal times in file order.
#[derive(Default)]
pub struct Reorder {
    window: VecDeque<Message>,
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
        match self.window.back() {
            Some(last) if message.time < last.time => {
                let at = self.window.partition_point(|m| m.time <= message.time);
                self.window.insert(at, message);
            }
            _ => self.window.push_back(message),
        }
        let latest = self.latest.map_or(message.time, |l| l.max(message.time));
        self.latest = Some(latest);
        while self
            .window
            .front()
            .is_some_and(|m| m.time <= latest - WINDOW_MS)
        {
            let m = self.window.pop_front().expect("front exists");
            self.released = Some(m.time);
            release(m);
        }
        Ok(())
    }

    /// Releases everything left, in order.
    pub fn finish(&mut self, mut release: impl FnMut(Message)) {
        while let Some(m) = self.window.pop_front() {
            self.released = Some(m.time);
            release(m);
        }
    }
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
}
