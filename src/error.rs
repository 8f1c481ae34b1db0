//! Errors the user can act on. A [`BadInput`] is bad usage or bad input (exit code 2);
//! anything else that reaches `main` is a runtime failure (exit code 1).

use std::fmt;

/// Where in an input file a bad value sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based line of the record (its first line when a quoted field spans several).
    pub line: u64,
    /// The column's header as written in the file (or its canonical name).
    pub column: String,
    pub value: String,
}

/// Bad usage or bad input: names what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput {
    pub what: String,
    pub at: Option<Box<Location>>,
    pub hint: Option<String>,
}

impl BadInput {
    pub fn new(what: impl Into<String>) -> BadInput {
        BadInput {
            what: what.into(),
            at: None,
            hint: None,
        }
    }

    pub fn at(mut self, at: Location) -> BadInput {
        self.at = Some(Box::new(at));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> BadInput {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(
                f,
                "{}, line {}, column '{}': {} (value '{}')",
                at.file, at.line, at.column, self.what, at.value
            )?,
            None => write!(f, "{}", self.what)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BadInput {}
