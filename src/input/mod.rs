//! Reading message logs: columns, values, timestamps, phone numbers.
pub mod phone;
