//! Reading message logs: columns, values, timestamps, phone numbers.
pub mod columns;
pub mod date_format;
pub mod order;
pub mod quotes;
pub mod reader;
pub mod sniff;
pub mod source;
pub mod split;
pub mod table;
pub mod templates;
pub mod time;
pub mod webhooks;
