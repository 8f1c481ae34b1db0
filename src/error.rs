//! Errors the user can act on. A [`BadInput`] is bad usage or bad input (exit code 2);
//! anything else that reaches `main` is a runtime failure (exit code 1).

use std::borrow::Cow;
use std::fmt;

/// How many characters of a value a message echoes.
pub const ECHO_CHARS: usize = 80;

/// `s` cut to [`ECHO_CHARS`] characters, `…` marking the cut: a value from a file is echoed
/// in a message whatever its size, so a 5 MB field never becomes a 5 MB error.
pub fn cut(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(ECHO_CHARS) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!("{}…", &s[..at])),
    }
}

/// Where in an input file a bad value sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file's name as the user gave it.
    pub file: String,
    /// 1-based line of the record (its first line when a quoted field spans several).
    pub line: u64,
    /// The column's header as written in the file (or its canonical name).
    pub column: String,
    /// The value as written (echoed cut to [`ECHO_CHARS`] characters).
    pub value: String,
}

/// Bad usage or bad input: names what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput {
    /// What is wrong, in the user's words.
    pub what: String,
    /// Where: the file, line, column and value; `None` when the message names them itself.
    pub at: Option<Box<Location>>,
    /// How to fix it, shown after the message.
    pub hint: Option<String>,
}

impl BadInput {
    /// Bad input saying `what` is wrong, with no location or hint yet.
    pub fn new(what: impl Into<String>) -> BadInput {
        BadInput {
            what: what.into(),
            at: None,
            hint: None,
        }
    }

    /// The same error, located at a file's line, column and value.
    pub fn at(mut self, at: Location) -> BadInput {
        self.at = Some(Box::new(at));
        self
    }

    /// The same error, with a hint on how to fix it.
    pub fn hint(mut self, hint: impl Into<String>) -> BadInput {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => printable(
                f,
                &format!(
                    "{}, line {}, column '{}': {} (value '{}')",
                    at.file, at.line, at.column, self.what, at.value
                ),
            )?,
            None => printable(f, &self.what)?,
        }
        if let Some(hint) = &self.hint {
            f.write_str("\n  hint: ")?;
            printable(f, hint)?;
        }
        Ok(())
    }
}

/// Writes `s` with control characters escaped (`\n`, `\u{1b}`): a value read from a file can
/// neither break the one-line error nor send escape sequences to the user's terminal.
fn printable(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    for c in s.chars() {
        if c.is_control() {
            write!(f, "{}", c.escape_default())?;
        } else {
            fmt::Write::write_char(f, c)?;
        }
    }
    Ok(())
}

impl std::error::Error for BadInput {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_values_are_cut_to_80_characters() {
        assert_eq!(cut("short"), "short");
        let long = "é".repeat(81);
        assert_eq!(cut(&long), format!("{}…", "é".repeat(80)));
        assert_eq!(cut(&"x".repeat(80)), "x".repeat(80));
    }

    #[test]
    fn control_characters_from_a_file_are_escaped() {
        let e = BadInput::new("unknown direction")
            .at(Location {
                file: "log.csv".into(),
                line: 3,
                column: "dir".into(),
                value: "out\u{1b}[31mbound\nnext\u{7f}".into(),
            })
            .hint("use inbound or outbound");
        assert_eq!(
            e.to_string(),
            "log.csv, line 3, column 'dir': unknown direction (value 'out\\u{1b}[31mbound\\nnext\\u{7f}')\n  hint: use inbound or outbound"
        );
    }
}
