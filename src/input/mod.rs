//! Reading message logs: columns, values, timestamps, phone numbers.
pub mod columns;
pub mod date_format;
pub mod reader;
pub mod records;
pub mod sniff;
pub mod source;
pub mod table;
pub mod templates;
pub mod time;
pub mod time_order;
pub mod unclosed_quote;
pub mod webhooks;
