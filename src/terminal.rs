//! What the binary shows while the library's pipeline runs: warnings on standard error and,
//! for a large file read on a terminal, a progress bar (the library's `pipeline::Hooks`).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Read};
use std::sync::Arc;
use waprice::pipeline::{Hooks, Reading};

/// Inputs larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// Standard error, and a progress bar unless `--no-progress`.
pub struct Terminal {
    pub progress: bool,
}

impl Hooks for Terminal {
    fn warn(&self, message: &str) {
        eprintln!("waprice: {message}");
    }

    fn reading(&self, size: Option<u64>) -> Option<Arc<dyn Reading>> {
        match size {
            Some(size)
                if self.progress
                    && size >= PROGRESS_MIN_BYTES
                    && std::io::stderr().is_terminal()
                    && std::env::var_os("CI").is_none() =>
            {
                let bar = ProgressBar::new(size);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} reading {bytes}/{total_bytes} {bar:30} {binary_bytes_per_sec} {msg} {elapsed}",
                    )
                    .expect("valid template"),
                );
                Some(Arc::new(Bar(bar)))
            }
            _ => None,
        }
    }
}

/// One reading's progress bar.
struct Bar(ProgressBar);

impl Reading for Bar {
    fn wrap(&self, input: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        Box::new(self.0.wrap_read(input))
    }

    fn rows(&self, rows: u64) {
        let secs = self.0.elapsed().as_secs_f64().max(0.001);
        self.0
            .set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / secs));
    }

    fn done(&self) {
        self.0.finish_and_clear();
    }
}
